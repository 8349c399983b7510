"""`narrate ID [--provider elevenlabs|piper|espeak] [--voice V]`: write the narration into the audio cache and
print its path (notices such as a fallback to the offline voice go to stderr)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from tale_desktop.commands.common import UsageError, print_json
from tale_desktop.domain.enums import NarrationProvider, choices
from tale_desktop.storage.errors import NotFound

if TYPE_CHECKING:
    from tale_desktop.context import AppContext


def register(sub: argparse._SubParsersAction) -> None:
    narrate = sub.add_parser("narrate", help="narrate a story into the audio cache and print the file's path")
    narrate.add_argument("id", help="story id")
    narrate.add_argument("--provider", choices=choices(NarrationProvider),
                         help="voice service (default: ElevenLabs when a key is set, else the offline voice)")
    narrate.add_argument("--voice", help="ElevenLabs voice id, espeak-ng voice name, or a piper .onnx file")
    narrate.add_argument("--again", action="store_true", help="make it again even when a cached one exists")
    narrate.add_argument("--json", action="store_true", help="print the narration record as JSON")
    narrate.set_defaults(handler=narrate_story)


async def narrate_story(ctx: AppContext, args: argparse.Namespace) -> int:
    from tale_desktop.services.narrator import NarrationListener

    def notice(message: str) -> None:
        print(f"note: {message}", file=sys.stderr, flush=True)

    try:
        narration = await ctx.narrator.narrate(args.id, provider=args.provider, voice=args.voice,
                                               listener=NarrationListener(on_notice=notice),
                                               reuse=not args.again)
    except NotFound as exc:
        raise UsageError(f"No story with id {args.id} (see 'tale-desktop stories list').") from exc
    if args.json:
        print_json(narration.to_dict())
    else:
        print(narration.local_file)
    return 0
