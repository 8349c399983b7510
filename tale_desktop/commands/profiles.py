"""`children` and `heroes` commands."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tale_desktop.commands.common import UsageError, print_json, print_table
from tale_desktop.domain.enums import AgeBand, Gender, Language, choices
from tale_desktop.domain.models import Child, Hero, split_list
from tale_desktop.storage.errors import NotFound

if TYPE_CHECKING:
    from tale_desktop.context import AppContext


def register(sub: argparse._SubParsersAction) -> None:
    children = sub.add_parser("children", help="child profiles").add_subparsers(dest="action", required=True)
    add = children.add_parser("add", help="add a child; prints the new id")
    add.add_argument("name")
    add.add_argument("--age-band", required=True, metavar="|".join(choices(AgeBand)))
    add.add_argument("--gender", required=True, metavar="|".join(choices(Gender)))
    add.add_argument("--interests", required=True, help='comma-separated, e.g. "dragons,space"')
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=children_add)
    lst = children.add_parser("list", help="list children")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=children_list)
    rm = children.add_parser("delete", help="delete a child profile")
    rm.add_argument("id")
    rm.set_defaults(handler=children_delete)

    heroes = sub.add_parser("heroes", help="heroes").add_subparsers(dest="action", required=True)
    add = heroes.add_parser("add", help="add a hero; prints the new id")
    add.add_argument("name")
    add.add_argument("--gender", required=True, metavar="|".join(choices(Gender)))
    add.add_argument("--appearance", required=True)
    add.add_argument("--traits", required=True, help="comma-separated personality traits")
    add.add_argument("--strengths", required=True, help="comma-separated strengths")
    add.add_argument("--interests", default="", help="comma-separated interests")
    add.add_argument("--language", required=True, metavar="|".join(choices(Language)))
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=heroes_add)
    lst = heroes.add_parser("list", help="list heroes (built-in and your own)")
    lst.add_argument("--language", choices=choices(Language))
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=heroes_list)
    rm = heroes.add_parser("delete", help="delete a hero")
    rm.add_argument("id")
    rm.set_defaults(handler=heroes_delete)


async def children_add(ctx: AppContext, args: argparse.Namespace) -> int:
    child = Child(name=args.name, age_band=args.age_band, gender=args.gender,
                  interests=split_list(args.interests)).validate()
    saved = await ctx.library.save_child(child)
    if args.json:
        print_json(saved.to_dict())
    else:
        print(saved.id)
    return 0


async def children_list(ctx: AppContext, args: argparse.Namespace) -> int:
    children = await ctx.library.list_children()
    if args.json:
        print_json([c.to_dict() for c in children])
    else:
        print_table(["ID", "NAME", "AGE", "GENDER", "INTERESTS"],
                    [(c.id, c.name, c.age_band, c.gender, ", ".join(c.interests)) for c in children])
    return 0


async def children_delete(ctx: AppContext, args: argparse.Namespace) -> int:
    try:
        await ctx.library.delete_child(args.id)
    except NotFound as exc:
        raise UsageError(f"No child with id {args.id} (see 'tale-desktop children list').") from exc
    print(f"Deleted child {args.id}")
    return 0


async def heroes_add(ctx: AppContext, args: argparse.Namespace) -> int:
    hero = Hero(name=args.name, gender=args.gender, appearance=args.appearance,
                personality_traits=split_list(args.traits), strengths=split_list(args.strengths),
                interests=split_list(args.interests), language=args.language).validate()
    saved = await ctx.library.save_hero(hero)
    if args.json:
        print_json(saved.to_dict())
    else:
        print(saved.id)
    return 0


async def heroes_list(ctx: AppContext, args: argparse.Namespace) -> int:
    heroes = await ctx.library.list_heroes(args.language)
    if args.json:
        print_json([h.to_dict() for h in heroes])
    else:
        print_table(["ID", "NAME", "LANG", "BUILT-IN", "APPEARANCE"],
                    [(h.id, h.name, h.language, "yes" if h.builtin else "", h.appearance[:50]) for h in heroes])
    return 0


async def heroes_delete(ctx: AppContext, args: argparse.Namespace) -> int:
    try:
        await ctx.library.delete_hero(args.id)
    except NotFound as exc:
        raise UsageError(f"No hero with id {args.id} (see 'tale-desktop heroes list').") from exc
    print(f"Deleted hero {args.id}")
    return 0
