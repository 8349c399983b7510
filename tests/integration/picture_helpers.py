"""Shared set-up for the picture-book tests: a context on the fake OpenRouter with an image model, a story."""

from __future__ import annotations

import asyncio

import pytest

from tale_desktop.context import AppContext
from tale_desktop.domain.models import Child, Story
from tests.fakes.openrouter import FakeOpenRouter

IMAGE_MODEL = "google/gemini-2.5-flash-image"
PARAGRAPHS = [
    "Mia found a tiny silver door at the bottom of the garden.",
    "Behind it, moonflowers opened one by one and hummed a quiet song.",
    "A sleepy owl landed on the gate and blinked at her kindly.",
    "Together they counted the glowing petals until there were a hundred.",
    "The owl showed Mia a path of stepping stones across a silver pond.",
    "On the far side a family of hedgehogs shared warm blackberry tea.",
    "Mia yawned, said goodnight to every flower, and walked home.",
    "She snuggled under her blanket and dreamed of the moon garden.",
]


@pytest.fixture
def fake():
    with FakeOpenRouter(generation_404s=0) as server:
        yield server


@pytest.fixture
async def ctx(fake, monkeypatch):
    monkeypatch.setenv("TALE_LLM_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENROUTER_API_KEY", "test-key")
    monkeypatch.setenv("TALE_IMAGE_MODEL", IMAGE_MODEL)
    context = await asyncio.to_thread(AppContext.create)
    await context.start()
    yield context
    await context.aclose()


async def save_story(ctx: AppContext, minutes: int = 5) -> Story:
    child = await ctx.library.save_child(Child(name="Mia", age_band="3-5", gender="female", interests=["owls"]))
    snapshot = {k: v for k, v in child.to_dict().items() if k not in ("created_at", "updated_at", "deleted_at")}
    story = Story(title="The Moon Garden", content="\n\n".join(PARAGRAPHS), language="en", story_type="child",
                  child_id=child.id, child_snapshot=snapshot, theme="forest", minutes=minutes,
                  target_words=minutes * 150, summary="Mia visits a moon garden.")
    return await ctx.library.save_story(story)
