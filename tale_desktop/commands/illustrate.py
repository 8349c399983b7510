"""`illustrate ID [--count N] [--style STYLE]`: add pictures to a story (and the picture part of `generate
--illustrate`). Progress goes to stderr as each picture arrives; the story is never changed by a failure.

Exit codes: 0 pictures added (or none were missing), 2 bad input, 3 the picture service failed or no image model
is set (pictures drawn before a failure are kept).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tale_desktop.commands.common import EXIT_OK, EXIT_SERVICE, UsageError, print_json
from tale_desktop.commands.stories import resolve_story
from tale_desktop.context import AppContext
from tale_desktop.domain.enums import choices
from tale_desktop.domain.illustrations import SCENES_MAX, IllustrationStyle
from tale_desktop.services.illustrator import IllustrationEvent, IllustrationEventKind, IllustrationResult

MAX_COUNT = SCENES_MAX + 1


def register(sub: argparse._SubParsersAction) -> None:
    ill = sub.add_parser("illustrate", help="draw pictures for a story with the image model (TALE_IMAGE_MODEL)")
    ill.add_argument("id", help="story id (or its first 8 characters)")
    ill.add_argument("--count", type=int, help=f"how many pictures to add (1-{MAX_COUNT}; the cover counts when "
                                               "the story has none; default: a cover and 2-6 scenes by length)")
    ill.add_argument("--style", choices=choices(IllustrationStyle),
                     help="illustration style (default: the story's, else the one in Settings)")
    ill.add_argument("--json", action="store_true", help="print the pictures as JSON at the end")
    ill.set_defaults(handler=illustrate_command)


def check_count(count: int | None) -> None:
    if count is not None and not 1 <= count <= MAX_COUNT:
        raise UsageError(f"--count must be from 1 to {MAX_COUNT} (got {count}).")


def progress(event: IllustrationEvent) -> None:
    """Picture progress on stderr, one line per picture."""
    if event.kind is IllustrationEventKind.PLANNED and event.total:
        note(f"Drawing {event.total} picture{'s' if event.total != 1 else ''}...")
    elif event.kind is IllustrationEventKind.PICTURE and event.illustration is not None:
        what = "cover" if event.illustration.is_cover else f"after paragraph {event.illustration.paragraph}"
        note(f"Picture {event.done} of {event.total} ({what}) saved")
    elif event.kind is IllustrationEventKind.SKIPPED:
        note(f"Picture {event.done} of {event.total} skipped: {event.message}")


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def draw(ctx: AppContext, story_id: str, count: int | None, style: str | None) -> IllustrationResult:
    return await ctx.illustrator.illustrate(story_id, count=count, style=style, listener=progress)


async def illustrate_command(ctx: AppContext, args: argparse.Namespace) -> int:
    check_count(args.count)
    story_id = await resolve_story(ctx, args.id)
    result = await draw(ctx, story_id, args.count, args.style)
    listing = await ctx.illustrator.listing(story_id)
    added_ids = {p.id for p in result.added}
    if args.json:
        document: dict[str, Any] = {"id": story_id, "added": [p for p in listing if p["id"] in added_ids],
                                    "skipped": result.skipped, "illustrations": listing}
        if result.error is not None:
            document["error"] = result.message
        print_json(document)
    else:
        for picture in listing:
            if picture["id"] in added_ids:
                print(picture["path"])
    if result.error is not None:
        kept = f" {len(result.added)} picture(s) drawn before that were kept." if result.added else ""
        note(f"tale-desktop: pictures: {result.message}{kept} The story is unchanged.")
        return EXIT_SERVICE
    if not result.added:
        note("The story already has all its pictures." if not result.skipped else
             "No picture could be drawn (the model declined every scene).")
    return EXIT_OK
