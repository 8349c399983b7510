"""Stories for narration tests, saved in the test's own library."""

from __future__ import annotations

import asyncio

from tale_desktop.context import AppContext
from tale_desktop.domain.models import Story

EN_TEXT = ("The little fox curled up under the old oak tree. The moon rose slowly over the quiet hill. "
           "Goodnight, little fox, sleep well.")
RU_TEXT = "Маленький ёжик свернулся клубочком под старым дубом. Луна тихо поднялась над холмом. Спокойной ночи."


def story(content: str = EN_TEXT, language: str = "en", title: str = "Sleepy Fox") -> Story:
    return Story(title=title, content=content, language=language, moral="kindness", minutes=1).validate()


async def save_story(ctx: AppContext, content: str = EN_TEXT, language: str = "en") -> Story:
    return await ctx.library.save_story(story(content, language))


def save_story_blocking(content: str = EN_TEXT, language: str = "en") -> str:
    """Save a story in the library of the current TALE_DATA_DIR (for CLI tests) and return its id."""

    async def run() -> str:
        ctx = AppContext.create()
        try:
            return (await save_story(ctx, content, language)).id
        finally:
            await ctx.aclose()

    return asyncio.run(run())
