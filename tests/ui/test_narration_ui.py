"""Listening in the main window, as a parent does it: open a story, press Play, hear it (the player plays), see
the sentence highlighted, pause from the bar; a deletion lets go of the audio files."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QWidget

from tale_desktop.ui.listen.player import PlayerState
from tale_desktop.ui.settings.voice_settings import VoiceSettings
from tests.integration.narration_helpers import save_story
from tests.ui.helpers import click, until

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])


async def test_play_a_story_from_the_window(ctx, window):
    controls = window.narration
    assert controls.bar.isVisibleTo(window.reader) and not controls.play_action.isEnabled()
    bar = controls.bar
    assert not bar.play_button.isEnabled() and not bar.stop_button.isEnabled()  # no story: nothing to play
    story = await save_story(ctx)
    window.reader.open_story(story.id)
    await until(lambda: window.reader.story_id == story.id, what="the story in the reader")
    assert controls.play_action.isEnabled()
    assert bar.play_button.isEnabled() == controls.player.isAvailable() and not bar.stop_button.isEnabled()
    assert controls.play_action in window.toolbar.actions()
    controls.play_action.trigger()
    await until(lambda: controls.read_along.current >= 0, timeout=20, what="a highlighted sentence")
    assert controls.read_along.highlighted_text().startswith("The little fox")
    await until(lambda: controls.player.state is PlayerState.PLAYING, what="playing")
    assert controls.play_action.text() == "Pause" and bar.stop_button.isEnabled()
    click(controls.bar.play_button)
    await until(lambda: controls.player.state is PlayerState.PAUSED, what="paused")
    await until(lambda: not controls.playback.busy, timeout=20, what="the narration saved")
    ctx.library.notify("stories_purged", [story.id])
    assert controls.player.state is PlayerState.EMPTY
    await asyncio.sleep(0)


async def test_fallback_notice_in_the_bar(ctx, window, monkeypatch):
    from tests.fakes.elevenlabs_server import FakeElevenLabs

    with FakeElevenLabs() as fake:
        fake.quota_exceeded(times=5)
        ctx.settings.env["ELEVENLABS_API_KEY"] = fake.api_key
        ctx.settings.env["TALE_ELEVENLABS_BASE_URL"] = fake.base_url
        story = await save_story(ctx)
        window.reader.open_story(story.id)
        await until(lambda: window.reader.story_id == story.id, what="the story in the reader")
        click(controls_play := window.narration.bar.play_button)
        assert controls_play is not None
        await until(lambda: "quota" in window.narration.bar.message.text(), timeout=20, what="the notice")
        assert window.narration.bar.message.isVisible()
        await until(lambda: not window.narration.playback.busy, timeout=20, what="the narration saved")


async def test_voice_settings_from_the_live_list(ctx, window):
    from tale_desktop import settings as cfg
    from tests.fakes.elevenlabs_server import FakeElevenLabs

    with FakeElevenLabs() as fake:
        ctx.settings.env["ELEVENLABS_API_KEY"] = fake.api_key
        ctx.settings.env["TALE_ELEVENLABS_BASE_URL"] = fake.base_url
        dialog = window.open_settings()
        dialog.show_page("voices")
        voices = dialog.findChild(QWidget, "section_voices").findChild(VoiceSettings)
        click(voices.load_button)
        await until(lambda: voices.combos["ru"].count() == 1, what="the live voices")
        assert voices.combos["ru"].itemText(0) == "Мягкий голос"  # the name, not the id
        voices.combos["ru"].setCurrentIndex(0)
        voices.combos["en"].setEditText("my-own-voice-id")
        voices.piper_path.setText("/voices/ru_RU-irina-medium.onnx")
        click(dialog.save_button)
        await until(lambda: ctx.settings.get(cfg.ELEVENLABS_VOICE_RU) == "voice-ru-soft", what="saved")
    assert ctx.settings.get(cfg.ELEVENLABS_VOICE_EN) == "my-own-voice-id"
    assert ctx.settings.get(cfg.PIPER_VOICE_PATH) == "/voices/ru_RU-irina-medium.onnx"


async def test_the_voice_is_loaded_when_the_parent_reaches_for_play(ctx, window, monkeypatch):
    """Showing a story loads nothing; the pointer over the player bar (or the Play button, or the Listen menu)
    loads the offline voice once per language."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QEnterEvent
    from PySide6.QtWidgets import QApplication

    from tale_desktop.ui.listen.narration_ui import PREPARE_TASK

    languages = []

    async def prepare(language: str) -> None:
        languages.append(language)

    monkeypatch.setattr(ctx.narrator, "prepare", prepare)
    controls = window.narration
    story = await save_story(ctx)
    window.reader.open_story(story.id)
    await until(lambda: window.reader.story_id == story.id, what="the story in the reader")
    await asyncio.sleep(0.05)
    assert languages == [] and ctx.tasks.get(PREPARE_TASK) is None
    for _ in range(2):
        QApplication.sendEvent(controls.bar, QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(5, 5)))
        controls.play_action.hover()
        await asyncio.sleep(0.02)
    await until(lambda: languages == [story.language], what="the voice prepared once")
    await asyncio.sleep(0.05)
    assert languages == [story.language]
    window.settings_saved.emit()  # the parent may have chosen another voice in Settings
    controls.play_action.hover()
    await until(lambda: languages == [story.language] * 2, what="the voice prepared again after Settings")
