"""`voices` commands: the ElevenLabs voices of the account, and family voices cloned from one speaker's own
recordings (`voices clone --name NAME FILE... --consent`; without --consent nothing is uploaded and it exits 2)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from tale_desktop.commands.common import UsageError, print_json, print_table
from tale_desktop.domain.family_voice import CONSENT_TEXT, MIN_CLONE_SECONDS
from tale_desktop.providers.errors import NotFoundError

if TYPE_CHECKING:
    from tale_desktop.context import AppContext


def register(sub: argparse._SubParsersAction) -> None:
    voices = sub.add_parser("voices", help="ElevenLabs voices, and family voices cloned with consent"
                            ).add_subparsers(dest="action", required=True)
    lst = voices.add_parser("list", help="the voices of the ElevenLabs account (family voices included)")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=voices_list)

    clone = voices.add_parser(
        "clone", help="make a family voice from one speaker's own recordings",
        description=f"{CONSENT_TEXT} Needs at least {MIN_CLONE_SECONDS:.0f} seconds of recordings in total.")
    clone.add_argument("--name", required=True, help="the name the voice is shown by (e.g. Mum, Grandpa)")
    clone.add_argument("files", nargs="+", metavar="FILE", help="recordings of the speaker (m4a, mp3, wav, ogg, "
                                                                "opus)")
    clone.add_argument("--consent", action="store_true",
                       help="confirm the speaker is you or a family member who agreed, and that the files may be "
                            "uploaded to ElevenLabs")
    clone.add_argument("--json", action="store_true")
    clone.set_defaults(handler=voices_clone)

    delete = voices.add_parser("delete", help="delete a voice from the ElevenLabs account")
    delete.add_argument("id", help="voice id (see 'tale-desktop voices list')")
    delete.set_defaults(handler=voices_delete)


async def voices_list(ctx: AppContext, args: argparse.Namespace) -> int:
    voices = await ctx.voices.list()
    if args.json:
        print_json([{"voice_id": v.voice_id, "name": v.name, "category": v.category,
                     "languages": list(v.languages)} for v in voices])
        return 0
    print_table(["ID", "NAME", "KIND", "LANGUAGES"],
                [(v.voice_id, v.name, v.category, ", ".join(v.languages)) for v in voices])
    return 0


async def voices_clone(ctx: AppContext, args: argparse.Namespace) -> int:
    voice = await ctx.voices.clone(args.name, [Path(f) for f in args.files], consent=args.consent)
    if args.json:
        print_json({"voice_id": voice.voice_id, "name": voice.name,
                    "requires_verification": voice.requires_verification})
    else:
        print(voice.voice_id)
    return 0


async def voices_delete(ctx: AppContext, args: argparse.Namespace) -> int:
    try:
        await ctx.voices.delete(args.id)
    except NotFoundError as exc:
        raise UsageError(exc.user_message) from exc
    print(f"Deleted the voice {args.id}")
    return 0
