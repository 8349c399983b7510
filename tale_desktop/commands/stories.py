"""`stories` commands: list (every filter, search and sort), show, rate, status, favourite, delete."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tale_desktop.commands.common import UsageError, ascii_int, pick, print_json, print_table
from tale_desktop.domain.control_chars import parse_ascii_int, strip_controls
from tale_desktop.domain.enums import Language, Status, choices
from tale_desktop.domain.models import RATING_MAX, RATING_MIN
from tale_desktop.domain.query import SortKey, StoryQuery
from tale_desktop.domain.text import reading_minutes
from tale_desktop.services.library import SETTABLE_STATUSES
from tale_desktop.storage.errors import NotFound

if TYPE_CHECKING:
    from tale_desktop.context import AppContext


def register(sub: argparse._SubParsersAction) -> None:
    stories = sub.add_parser("stories", help="the story library").add_subparsers(dest="action", required=True)
    lst = stories.add_parser("list", help="list stories, newest first")
    lst.add_argument("--child", help="child name or id")
    lst.add_argument("--language", choices=choices(Language))
    lst.add_argument("--status", choices=choices(Status))
    lst.add_argument("--min-rating", help=f"only stories rated at least N ({RATING_MIN}-{RATING_MAX})")
    lst.add_argument("--favourite", "--favorite", action="store_true", help="only favourites")
    lst.add_argument("--has-audio", action="store_true", help="only stories with a narration")
    lst.add_argument("--search", default="", help="words in the title, text or child's name (prefixes match)")
    lst.add_argument("--sort", choices=choices(SortKey), default=SortKey.DATE.value)
    lst.add_argument("--ascending", action="store_true", help="oldest / A-Z / lowest / shortest first")
    lst.add_argument("--limit", type=ascii_int, default=1000)
    lst.add_argument("--offset", type=ascii_int, default=0)
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=stories_list)

    show = stories.add_parser("show", help="show one story with its text")
    show.add_argument("id", help="story id (or its first 8 characters)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=stories_show)

    rate = stories.add_parser("rate", help=f"rate a story {RATING_MIN}-{RATING_MAX}")
    rate.add_argument("id")
    rate.add_argument("rating", help=f"{RATING_MIN}-{RATING_MAX}, or 'none' to clear")
    rate.set_defaults(handler=stories_rate)

    status = stories.add_parser("status", help="mark a story new, read or archived")
    status.add_argument("id")
    status.add_argument("status", metavar="|".join(SETTABLE_STATUSES))
    status.set_defaults(handler=stories_status)

    fav = stories.add_parser("favourite", aliases=["favorite"], help="mark a story as a favourite")
    fav.add_argument("id")
    fav.add_argument("--off", action="store_true", help="remove it from the favourites")
    fav.set_defaults(handler=stories_favourite)

    delete = stories.add_parser("delete", help="delete stories (and their audio)")
    delete.add_argument("ids", nargs="+", metavar="ID")
    delete.set_defaults(handler=stories_delete)


async def resolve_child_id(ctx: AppContext, key: str | None) -> str | None:
    if not key:
        return None
    return pick(await ctx.library.list_children(), key, "child").id


async def resolve_story(ctx: AppContext, key: str) -> str:
    try:
        return await ctx.library.resolve_story_id(key)
    except NotFound as exc:
        raise UsageError(f"{exc.user_message} See 'tale-desktop stories list'.") from exc


def parse_rating(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return parse_ascii_int(text)
    except ValueError:
        raise UsageError(f"Rating must be a whole number from {RATING_MIN} to {RATING_MAX} "
                         f"(got '{text}').") from None


async def stories_list(ctx: AppContext, args: argparse.Namespace) -> int:
    min_rating = parse_rating(args.min_rating)
    if min_rating is not None and not RATING_MIN <= min_rating <= RATING_MAX:
        raise UsageError(f"--min-rating must be from {RATING_MIN} to {RATING_MAX} (got {min_rating}).")
    if args.limit < 1 or args.offset < 0:
        raise UsageError("--limit must be at least 1 and --offset at least 0.")
    query = StoryQuery(
        search=args.search, child_id=await resolve_child_id(ctx, args.child), language=args.language,
        status=args.status, min_rating=min_rating, favourite=args.favourite, has_audio=args.has_audio,
        sort=SortKey(args.sort), descending=not args.ascending,
    )
    rows = await ctx.library.list_stories(query, offset=args.offset, limit=args.limit)
    if args.json:
        print_json(rows)
    else:
        print_table(["ID", "TITLE", "LANG", "STATUS", "RATING", "FAV", "AUDIO", "CHILD", "WORDS", "CREATED"],
                    [(r["id"], r["title"][:48], r["language"], r["status"], r["rating"] or "",
                      "*" if r["favourite"] else "", "yes" if r["has_audio"] else "", r["child_name"],
                      r["word_count"], r["created_at"][:16].replace("T", " ")) for r in rows])
    return 0


async def stories_show(ctx: AppContext, args: argparse.Namespace) -> int:
    details = await ctx.library.details(await resolve_story(ctx, args.id))
    story = details.story
    preferred = await ctx.library.store.preferred_narration(story.id)
    if args.json:
        print_json({
            **story.to_dict(), "word_count": story.word_count, "reading_minutes": details.reading_minutes,
            "has_audio": details.has_audio,
            # Every narration (synthesized and recorded) with its read-along timings; the chosen one is flagged.
            "narrations": [{**n.to_dict(), "preferred": n.id == preferred} for n in details.narrations],
            "preferred_narration": preferred,
            "previous_id": details.previous["id"] if details.previous else None,
            "next_id": details.next["id"] if details.next else None,
            "illustrations": await ctx.illustrator.listing(story.id),
        })
        return 0
    print(f"# {strip_controls(story.title)}\n")
    facts = [("Child", story.child_name), ("Hero", story.hero_name), ("Moral", story.moral),
             ("Theme", story.theme), ("Status", story.status), ("Rating", story.rating),
             ("Favourite", "yes" if story.favourite else ""),
             ("Length", f"{story.word_count} words, {reading_minutes(story.content):g} min to read"),
             ("Model", story.model), ("Cost", f"${story.stats.cost:.4f}" if story.stats.cost is not None else ""),
             ("Continues", details.previous["title"] if details.previous else ""),
             ("Continued in", details.next["title"] if details.next else "")]
    for label, value in facts:
        if value not in (None, ""):
            print(f"{label}: {strip_controls(str(value))}")
    print(f"\n{strip_controls(story.content, multiline=True)}")
    return 0


async def stories_rate(ctx: AppContext, args: argparse.Namespace) -> int:
    rating = None if args.rating.lower() in ("none", "clear", "-") else parse_rating(args.rating)
    story_id = await resolve_story(ctx, args.id)
    story = await ctx.library.rate(story_id, rating)
    print(f"Rated '{story.title}' {story.rating}" if story.rating else f"Cleared the rating of '{story.title}'")
    return 0


async def stories_status(ctx: AppContext, args: argparse.Namespace) -> int:
    story_id = await resolve_story(ctx, args.id)
    story = await ctx.library.set_status(story_id, args.status)
    print(f"Marked '{story.title}' {story.status}")
    return 0


async def stories_favourite(ctx: AppContext, args: argparse.Namespace) -> int:
    story_id = await resolve_story(ctx, args.id)
    story = await ctx.library.set_favourite(story_id, not args.off)
    print(f"{'Added' if story.favourite else 'Removed'} '{story.title}' "
          f"{'to' if story.favourite else 'from'} the favourites")
    return 0


async def stories_delete(ctx: AppContext, args: argparse.Namespace) -> int:
    ids = [await resolve_story(ctx, key) for key in args.ids]
    await ctx.library.delete_stories(ids, final=True)
    for story_id in dict.fromkeys(ids):
        print(f"Deleted story {story_id}")
    return 0
