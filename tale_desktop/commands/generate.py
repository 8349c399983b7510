"""`generate`: write a story with the model, streaming it to stdout (DESIGN section 6).

Exit codes: 0 saved, 2 bad input, 3 the story service failed (a partial story is kept as a draft), 130 Ctrl-C
(a partial story is kept as a draft).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from tale_desktop.commands.common import EXIT_OK, UsageError, ascii_int, pick, print_json
from tale_desktop.domain.enums import AgeBand, Language, Moral, StoryType, Theme, choices
from tale_desktop.domain.illustrations import IllustrationStyle

if TYPE_CHECKING:
    from tale_desktop.context import AppContext
    from tale_desktop.services.storyteller import StoryEvent

# Statistics are polled in the background only from OpenRouter; the CLI gives them this long, never more.
STATS_WAIT_S = 2.0


def register(sub: argparse._SubParsersAction) -> None:
    gen = sub.add_parser("generate", help="write a new story with the model (streams it to stdout)")
    gen.add_argument("--child", metavar="NAME_OR_ID", help="who the story is for")
    gen.add_argument("--hero", metavar="NAME_OR_ID", help="a hero to star in the story")
    gen.add_argument("--type", dest="story_type", choices=choices(StoryType),
                     help="default: child, hero or combined from what is given")
    moral = gen.add_mutually_exclusive_group()
    moral.add_argument("--moral", choices=choices(Moral), help="a preset moral (default: kindness)")
    moral.add_argument("--custom-moral", metavar="TEXT", help="your own moral, in a sentence or two")
    gen.add_argument("--theme", choices=choices(Theme))
    gen.add_argument("--language", choices=choices(Language), default=Language.EN.value)
    gen.add_argument("--minutes", type=ascii_int, default=5, help="reading time in minutes (1-30; 150 words a minute)")
    gen.add_argument("--age-band", choices=choices(AgeBand), help="listener's age for a hero-only story")
    gen.add_argument("--model", help="model id (default: the one in Settings / TALE_LLM_MODEL)")
    gen.add_argument("--sequel-of", metavar="STORY_ID", help="continue this story")
    gen.add_argument("--narrate", action="store_true", help="also narrate the story when it is saved")
    gen.add_argument("--illustrate", action="store_true",
                     help="also draw a cover and scene pictures with the image model (TALE_IMAGE_MODEL)")
    gen.add_argument("--style", choices=choices(IllustrationStyle), help="illustration style for --illustrate")
    gen.add_argument("--json", action="store_true", help="print the saved story as JSON at the end")
    gen.set_defaults(handler=generate)


async def generate(ctx: AppContext, args: argparse.Namespace) -> int:
    from tale_desktop.services.storyteller import StoryRequest, done_message

    child_id = hero_id = None
    if args.child:
        child_id = pick(await ctx.library.list_children(), args.child, "child").id
    if args.hero:
        hero_id = pick(await ctx.library.list_heroes(), args.hero, "hero").id
    if not child_id and not hero_id:
        raise UsageError("Say who the story is for: --child NAME and/or --hero NAME "
                         "(see 'tale-desktop children list' and 'tale-desktop heroes list').")
    request = StoryRequest(
        child_id=child_id, hero_id=hero_id, story_type=args.story_type,
        moral=args.custom_moral if args.custom_moral is not None else (args.moral or Moral.KINDNESS.value),
        theme=args.theme, language=args.language, minutes=args.minutes, model=args.model,
        parent_id=args.sequel_of, age_band=args.age_band,
    )
    printer = _Printer(stream_text=not args.json)
    try:
        # One story, written in the command's own task: Ctrl-C cancels it directly and the draft is kept.
        story = await ctx.storyteller.write(request, printer)
    finally:
        printer.end_line()
    await ctx.storyteller.wait_for_stats(story.id, STATS_WAIT_S)
    story = await ctx.library.get_story(story.id)
    narration = None
    if args.narrate:
        from tale_desktop.services.narrator import NarrationListener

        narration = await ctx.narrator.narrate(story.id, listener=NarrationListener(on_notice=_Printer._note))
        print(f"Narration: {narration.local_file}", file=sys.stderr)
    pictures_error = None
    if args.illustrate:
        from tale_desktop.commands.illustrate import draw, note

        result = await draw(ctx, story.id, None, args.style)
        if result.error is not None:  # the story is saved and readable whatever happened to the pictures
            pictures_error = result.message
            note(f"Pictures: {result.message} The story is saved.")
    if args.json:
        document = {**story.to_dict(), "word_count": story.word_count}
        if narration is not None:
            document["narration"] = narration.to_dict()
        if args.illustrate:
            document["illustrations"] = await ctx.illustrator.listing(story.id)
            if pictures_error:
                document["illustration_error"] = pictures_error
        print_json(document)
    note = done_message(story.review)
    print(f"Saved story {story.id}." + (f" {note}" if note else ""), file=sys.stderr)
    return EXIT_OK


class _Printer:
    """Streams text to stdout as it arrives; notes (warnings, rewrites, drafts) go to stderr."""

    def __init__(self, stream_text: bool):
        self.stream_text = stream_text
        self.open_line = False

    def __call__(self, event: StoryEvent) -> None:
        from tale_desktop.services.storyteller import StoryEventKind

        if event.kind is StoryEventKind.TEXT and self.stream_text:
            sys.stdout.write(event.delta)
            sys.stdout.flush()
            self.open_line = not event.delta.endswith("\n")
        elif event.kind is StoryEventKind.STARTED and event.message:
            self._note(f"note: {event.message}")
        elif event.kind is StoryEventKind.RESTART:
            self.end_line()
            self._note(event.message)
            if self.stream_text:
                sys.stdout.write("\n")
        elif event.kind in (StoryEventKind.CANCELLED, StoryEventKind.FAILED) and event.draft_saved:
            self.end_line()
            self._note(f"The partial story was kept as a draft: {event.story_id}")

    def end_line(self) -> None:
        if self.open_line:
            sys.stdout.write("\n")
            sys.stdout.flush()
            self.open_line = False

    @staticmethod
    def _note(message: str) -> None:
        print(message, file=sys.stderr, flush=True)
