"""Play a story end to end on the Qt loop: narrator -> pieces -> player -> read-along; cached replay; fallback."""

from __future__ import annotations

import asyncio

import pytest
import shiboken6
from PySide6.QtWidgets import QTextBrowser

from tale_desktop.context import AppContext
from tale_desktop.ui.listen.narration_playback import NarrationPlayback
from tale_desktop.ui.listen.player import AudioPlayer, PlayerState
from tale_desktop.ui.reader.read_along import ReadAlong
from tests.fakes.elevenlabs_server import FakeElevenLabs
from tests.integration.narration_helpers import EN_TEXT, RU_TEXT, save_story

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])


def next_signal(signal, predicate=lambda *args: True) -> asyncio.Future:
    future = asyncio.get_running_loop().create_future()

    def receive(*args):
        if not future.done() and predicate(*args):
            future.set_result(args[0] if len(args) == 1 else args)

    signal.connect(receive)
    return future


@pytest.fixture
async def setup(qapp):
    ctx = AppContext.create()
    view = QTextBrowser()
    player = AudioPlayer(ctx.settings)
    read_along = ReadAlong(view)
    playback = NarrationPlayback(ctx, player, read_along)
    yield ctx, view, player, read_along, playback
    playback.stop()
    await ctx.aclose()
    for qobject in (playback, read_along, player, view):
        shiboken6.delete(qobject)  # now, on the Qt thread: never later by a garbage collection on another thread


async def test_play_starts_on_the_first_piece_and_highlights(setup):
    ctx, view, player, read_along, playback = setup
    story = await save_story(ctx)
    view.setPlainText(story.content)
    first_sound = next_signal(playback.first_sound)
    ready = next_signal(playback.narration_ready)
    highlighted = next_signal(read_along.sentence_changed, lambda index: index >= 0)
    playback.play_story(story)
    elapsed = await asyncio.wait_for(first_sound, 20)
    assert elapsed < 10  # the benchmark measures the real figure; here: it starts before the end
    assert await asyncio.wait_for(highlighted, 10) == 0
    assert read_along.highlighted_text() == "The little fox curled up under the old oak tree."
    narration = await asyncio.wait_for(ready, 20)
    assert player.duration == pytest.approx(narration.duration_s)
    assert len(read_along.timings) == 3
    # Same story again: play/pause toggles instead of starting over.
    paused = next_signal(player.state_changed, lambda s: s is PlayerState.PAUSED)
    playback.play_story(story)
    await asyncio.wait_for(paused, 5)
    playback.stop()
    assert player.state is PlayerState.EMPTY


async def test_cached_narration_plays_the_whole_file(setup):
    ctx, view, player, _read_along, playback = setup
    story = await save_story(ctx, RU_TEXT, "ru")
    narration = await ctx.narrator.narrate(story.id)
    playing = next_signal(playback.first_sound)
    playback.play_story(story)
    await asyncio.wait_for(playing, 10)
    assert [str(s.path) for s in player.segments] == [narration.local_file]


async def test_fallback_notice_is_shown(setup, monkeypatch):
    ctx, view, player, _read_along, playback = setup
    with FakeElevenLabs() as fake:
        fake.quota_exceeded(times=5)
        ctx.settings.env["ELEVENLABS_API_KEY"] = fake.api_key
        ctx.settings.env["TALE_ELEVENLABS_BASE_URL"] = fake.base_url
        story = await save_story(ctx, EN_TEXT, "en")
        message = next_signal(playback.message)
        ready = next_signal(playback.narration_ready)
        playback.play_story(story)
        assert await asyncio.wait_for(message, 10) == "ElevenLabs quota used up, narrated with the offline voice."
        narration = await asyncio.wait_for(ready, 20)
        assert narration.provider == "piper"
