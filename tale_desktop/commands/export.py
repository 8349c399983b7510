"""`export` (one story as md/pdf/epub/mp3, or the whole library as a JSONL backup) and `import` of a backup."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tale_desktop.commands.common import EXIT_OK, EXIT_USAGE, UsageError, print_json
from tale_desktop.commands.stories import resolve_story
from tale_desktop.domain.bedtime import BedtimeOptions, sound_names
from tale_desktop.domain.errors import ValidationError
from tale_desktop.services.backup import import_backup
from tale_desktop.services.export import ExportFormat, resolve_target, safe_filename

if TYPE_CHECKING:
    from tale_desktop.context import AppContext

STORY_FORMATS = [f.value for f in ExportFormat] + ["mp3"]


def register(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser("export", help="export a story (md, pdf, epub, mp3) or back up everything (jsonl)")
    export.add_argument("id", nargs="?", help="the story to export (omit with --all)")
    export.add_argument("--all", action="store_true", help="the whole library as a JSONL backup")
    export.add_argument("--format", required=True, choices=[*STORY_FORMATS, "jsonl"])
    export.add_argument("--out", required=True, help="file to write (or an existing folder)")
    export.add_argument("--json", action="store_true")
    bedtime = export.add_argument_group("bedtime track (mp3)")
    bedtime.add_argument("--sound", choices=sound_names(), help="a soft sound under the narration")
    bedtime.add_argument("--then-minutes", type=float, default=0.0, metavar="N",
                         help="keep the sound going N minutes after the story")
    bedtime.add_argument("--fade-out", action="store_true", help="fade everything to silence at the end")
    export.set_defaults(handler=export_command)

    imp = sub.add_parser("import", help="merge a JSONL backup into the library (newest change wins)")
    imp.add_argument("file")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=import_command)


async def export_command(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.all or args.format == "jsonl":
        if not (args.all and args.format == "jsonl"):
            raise UsageError("The whole library is exported with '--all --format jsonl'; "
                             "one story with 'export ID --format md|pdf|epub|mp3'.")
        if args.id:
            raise UsageError("Give either a story id or --all, not both.")
        path, counts = await ctx.exporter.export_backup(args.out)
        if args.json:
            print_json({"file": str(path), "counts": counts})
        else:
            print(f"Backed up {counts.get('story', 0)} stories, {counts.get('child', 0)} children, "
                  f"{counts.get('hero', 0)} heroes and {counts.get('narration', 0)} narrations to {path}")
        return EXIT_OK
    if not args.id:
        raise UsageError("Which story? Give its id: 'tale-desktop export ID --format ... --out PATH'.")
    try:
        bedtime = BedtimeOptions.parse(args.sound, args.then_minutes, args.fade_out)
    except ValidationError as exc:
        raise UsageError(exc.user_message) from None
    if bedtime is not None and args.format != "mp3":
        raise UsageError("--sound, --then-minutes and --fade-out make a bedtime track: use them with --format mp3.")
    story_id = await resolve_story(ctx, args.id)
    if bedtime is not None:
        story = await ctx.library.get_story(story_id)
        target = resolve_target(args.out, safe_filename(story.title, "mp3"))
        path = (await ctx.bedtime_tracks.export(story_id, target, bedtime)).path  # numpy: only when one is made
    elif args.format == "mp3":
        narrator = getattr(ctx, "narrator", None)
        if narrator is None:
            raise UsageError("MP3 export needs the narrator, which this build does not include yet.")
        story = await ctx.library.get_story(story_id)
        target = resolve_target(args.out, safe_filename(story.title, "mp3"))
        written = await narrator.export_mp3(story_id, Path(target))
        path = Path(written) if written else target
        await add_cover(ctx, story_id, path)
    else:
        path = await ctx.exporter.export_story(story_id, args.format, args.out)
    if args.json:
        print_json({"file": str(path), "format": args.format, "id": story_id})
    else:
        print(path)
    return EXIT_OK


async def add_cover(ctx: AppContext, story_id: str, path: Path) -> None:
    """The painted cover (when the story has one) becomes the MP3's ID3 picture."""
    from tale_desktop.services.mp3_cover import add_cover_picture

    cover = await ctx.illustrator.cover_picture(story_id)
    if cover is not None:
        await asyncio.to_thread(add_cover_picture, path, *cover)


async def import_command(ctx: AppContext, args: argparse.Namespace) -> int:
    report = await import_backup(ctx.library, args.file)
    if args.json:
        print_json(report.to_dict())
    else:
        parts = [f"{kind}: {c.added} added, {c.updated} updated, {c.unchanged} unchanged"
                 for kind, c in report.counts.items() if c.added or c.updated or c.unchanged]
        print(f"Imported {args.file}: " + ("; ".join(parts) or "nothing"))
    for number, message in report.bad_lines:
        print(f"tale-desktop: line {number}: {message}", file=sys.stderr)
    if report.bad_count:
        more = report.bad_count - len(report.bad_lines)
        print(f"tale-desktop: {report.bad_count} bad line(s) skipped{f' ({more} not shown)' if more else ''}; "
              "everything else was imported", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
