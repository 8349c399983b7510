"""`stories` commands: list and show (rating, status and the rest arrive with the library capability)."""

from __future__ import annotations

import argparse

from tale_desktop.commands.common import UsageError, print_json, print_table
from tale_desktop.context import AppContext
from tale_desktop.domain.enums import Language, Status, choices
from tale_desktop.domain.query import StoryQuery
from tale_desktop.storage.errors import NotFound


def register(sub: argparse._SubParsersAction) -> None:
    stories = sub.add_parser("stories", help="the story library").add_subparsers(dest="action", required=True)
    lst = stories.add_parser("list", help="list stories, newest first")
    lst.add_argument("--child", help="child name or id")
    lst.add_argument("--language", choices=choices(Language))
    lst.add_argument("--status", choices=choices(Status))
    lst.add_argument("--limit", type=int, default=1000)
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=stories_list)
    show = stories.add_parser("show", help="show one story with its text")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=stories_show)


async def resolve_child_id(ctx: AppContext, key: str | None) -> str | None:
    if not key:
        return None
    from tale_desktop.commands.common import pick

    return pick(await ctx.library.list_children(), key, "child").id


async def stories_list(ctx: AppContext, args: argparse.Namespace) -> int:
    query = StoryQuery(child_id=await resolve_child_id(ctx, args.child), language=args.language,
                       status=args.status)
    rows = await ctx.library.list_stories(query, limit=max(1, args.limit))
    if args.json:
        print_json(rows)
    else:
        print_table(["ID", "TITLE", "LANG", "STATUS", "CHILD", "WORDS", "CREATED"],
                    [(r["id"], r["title"][:48], r["language"], r["status"], r["child_name"], r["word_count"],
                      r["created_at"][:16].replace("T", " ")) for r in rows])
    return 0


async def stories_show(ctx: AppContext, args: argparse.Namespace) -> int:
    try:
        story = await ctx.library.get_story(args.id)
    except NotFound as exc:
        raise UsageError(f"No story with id {args.id} (see 'tale-desktop stories list').") from exc
    if args.json:
        print_json({**story.to_dict(), "word_count": story.word_count})
    else:
        print(f"# {story.title}\n\n{story.content}")
    return 0
