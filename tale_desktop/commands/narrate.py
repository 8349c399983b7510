"""`narrate ID [--provider elevenlabs|piper|espeak|recording] [--voice V]`: write the narration into the audio cache
and print its path (notices such as a fallback to the offline voice go to stderr).

`narrate ID --from-recording FILE [--speaker NAME]`: a family member's recording (m4a, mp3, wav, ogg, opus) becomes
the story's narration (provider `recording`) with read-along timings from forced alignment (ElevenLabs with a key,
otherwise offline on this computer). `narrate ID --play NARRATION_ID` chooses which narration plays."""

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
    narrate.add_argument("--from-recording", metavar="FILE",
                         help="a recording of someone reading the story (m4a, mp3, wav, ogg, opus)")
    narrate.add_argument("--speaker", default="", help="who reads in the recording (e.g. Mum)")
    narrate.add_argument("--play", metavar="NARRATION_ID",
                         help="choose which of the story's narrations plays ('newest' for the newest)")
    narrate.add_argument("--json", action="store_true", help="print the narration record as JSON")
    narrate.set_defaults(handler=narrate_story)


async def narrate_story(ctx: AppContext, args: argparse.Namespace) -> int:
    from tale_desktop.services.narrator import NarrationListener

    def notice(message: str) -> None:
        print(f"note: {message}", file=sys.stderr, flush=True)

    listener = NarrationListener(on_notice=notice)
    if args.from_recording and (args.provider or args.voice or args.play):
        raise UsageError("--from-recording cannot be combined with --provider, --voice or --play.")
    try:
        if args.play:
            return await choose_narration(ctx, args)
        if args.from_recording:
            narration = await ctx.narrator.narrate_recording(args.id, args.from_recording,
                                                             speaker=args.speaker, listener=listener)
        else:
            narration = await ctx.narrator.narrate(args.id, provider=args.provider, voice=args.voice,
                                                   listener=listener, reuse=not args.again)
    except NotFound as exc:
        raise UsageError(f"No story with id {args.id} (see 'tale-desktop stories list').") from exc
    if args.json:
        print_json(narration.to_dict())
    else:
        print(narration.local_file)
    return 0


async def choose_narration(ctx: AppContext, args: argparse.Namespace) -> int:
    choice = None if args.play == "newest" else args.play
    await ctx.narrator.set_preferred(args.id, choice)
    print("The newest narration plays." if choice is None else f"Narration {choice} plays.")
    return 0
