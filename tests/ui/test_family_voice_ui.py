"""A parent's own voice in the window, driven as a parent does it: a reading brought from a phone becomes the
narration that plays (with read-along), the "Read by" picker switches readings, "Record my reading" without a
microphone explains and offers the file, and a family voice is cloned (only with consent and a minute of audio,
through the real ElevenLabs SDK against the loopback fake), shows in every voice picker and can be deleted."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QPushButton, QWidget

from tale_desktop import settings as cfg
from tale_desktop.domain.models import Story
from tale_desktop.ui.listen.player import PlayerState
from tale_desktop.ui.listen.recorder import available_inputs
from tale_desktop.ui.settings.family_voices import CloneVoiceDialog, FamilyVoicesSection, PathRole
from tale_desktop.ui.settings.voice_settings import VoiceSettings
from tests.fakes.elevenlabs_server import FakeElevenLabs
from tests.recording_helpers import EN_STORY, RU_STORY, make_recording, write_recording
from tests.ui.helpers import click, gone, top_level, until

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])


async def open_story(window, ctx, text: str = EN_STORY, language: str = "en", title: str = "The Fox") -> Story:
    story = await ctx.library.save_story(Story(title=title, content=text, language=language, moral="kindness",
                                               minutes=1).validate())
    window.banner.dismiss()
    window.open_story(story.id)
    await until(lambda: window.reader.story_id == story.id, what="the story in the reader")
    return story


async def recording_file(path: Path, text: str = EN_STORY, language: str = "en", **kwargs) -> Path:
    return await asyncio.to_thread(lambda: write_recording(make_recording(text, language, **kwargs), path))


def file_dialog(name: str) -> QFileDialog:
    [dialog] = [d for d in top_level(QFileDialog) if d.objectName() == name]
    return dialog


async def test_a_recording_from_a_file_becomes_the_playing_narration(ctx, window, tmp_path):
    story = await open_story(window, ctx)
    source = await recording_file(tmp_path / "memo.m4a")
    recording = window.recording
    assert recording.import_action.isEnabled() and recording.import_action in window.narration.menu.actions()

    recording.import_action.trigger()
    dialog = await until(lambda: file_dialog("recordingFileDialog"), what="the file dialog")
    assert "*.m4a" in dialog.nameFilters()[0] and "*.opus" in dialog.nameFilters()[0]
    dialog.selectFile(str(source))
    dialog.accept()
    # Who reads is asked once, then remembered.
    speaker = await until(lambda: top_level(QInputDialog), what="who is reading")
    speaker[0].setTextValue("Mum")
    speaker[0].accept()
    assert ctx.settings.get(cfg.UI_RECORDING_SPEAKER) == "Mum"
    handle = ctx.tasks.get("recording.import")
    assert handle is not None and "The Fox" in handle.title
    row = await until(lambda: window.tasks_panel.row_for("recording.import"), timeout=30,
                      what="the work in the Tasks panel")
    assert row.handle.title == "Adding your reading of “The Fox”"
    await until(lambda: ctx.tasks.get("recording.import") is None, timeout=60, what="the reading lined up")
    bar = window.narration.bar
    assert "Mum's reading of “The Fox” is ready" in bar.message.text()
    picker = recording.picker
    await until(lambda: picker.combo.currentText() == "Mum's recording", what="the picker shows the reading")
    assert picker.combo.isVisible()

    [narration] = [n for n in await ctx.narrator.narrations(story.id) if n.provider == "recording"]
    assert narration.voice_id == "Mum" and len(narration.timings) == 7
    window.narration.play_action.trigger()
    controls = window.narration
    await until(lambda: controls.player.segments, what="the reading loaded")
    assert controls.player.segments[0].path == Path(narration.local_file)
    await until(lambda: controls.read_along.timings == narration.timings, what="the recording's timings")
    await until(lambda: controls.player.state is PlayerState.PLAYING, what="playing")
    controls.player.seek(narration.timings[2]["start"] + 0.05)
    await until(lambda: controls.read_along.current == 2, what="the third sentence highlighted")
    assert controls.read_along.highlighted_text().startswith("One night a bright star")
    assert ctx.narrator.settings is ctx.settings and not [n for n in await ctx.narrator.narrations(story.id)
                                                          if n.provider != "recording"]  # nothing synthesized
    controls.player.stop()


async def test_the_read_by_picker_switches_readings(ctx, window, tmp_path):
    story = await open_story(window, ctx, RU_STORY, "ru", title="Лиса")
    synthesized = await ctx.narrator.narrate(story.id)
    source = await recording_file(tmp_path / "gp.wav", RU_STORY, "ru")
    grandpa = await ctx.narrator.narrate_recording(story.id, source, speaker="Grandpa")
    picker = window.recording.picker
    await until(lambda: picker.combo.count() == 2, what="both readings listed")
    assert [picker.combo.itemText(i) for i in range(2)] == ["Grandpa's recording", "Offline voice"]
    controls = window.narration

    picker.choose(synthesized.id)
    await until(lambda: ctx.tasks.get("recording.choose") is None, what="the choice saved")
    assert await ctx.narrator.preferred(story.id) == synthesized.id
    await until(lambda: picker.combo.currentText() == "Offline voice", what="the picker follows the choice")
    controls.play_action.trigger()
    await until(lambda: controls.player.segments, what="loaded")
    assert controls.player.segments[0].path == Path(synthesized.local_file)
    await until(lambda: controls.player.state is PlayerState.PLAYING, what="playing")

    picker.choose(grandpa.id)  # while playing: it goes on with the chosen reading
    await until(lambda: controls.player.segments and controls.player.segments[0].path == Path(grandpa.local_file),
                what="Grandpa's reading plays")
    assert await ctx.narrator.preferred(story.id) == grandpa.id
    await until(lambda: controls.read_along.timings == grandpa.timings, what="its timings")
    controls.player.stop()


async def test_without_a_microphone_the_action_says_so_and_offers_a_file(ctx, window):
    if available_inputs():
        pytest.skip("This machine has a microphone: the no-microphone path is tested where there is none.")
    await open_story(window, ctx)
    recording = window.recording
    assert recording.record_action.isEnabled()
    assert window.recording.picker.record_button.defaultAction() is recording.record_action
    recording.record_action.trigger()
    box = await until(lambda: [b for b in top_level(QMessageBox) if b.objectName() == "noMicrophoneBox"],
                      what="the explanation")
    assert "No microphone" in box[0].text() and "phone" in box[0].text()
    assert window.center.currentWidget() is window.reader_page  # no recording page without a microphone
    [use_file] = [b for b in box[0].buttons() if b.text() == "Use a recording from a file…"]
    click(use_file)
    dialog = await until(lambda: file_dialog("recordingFileDialog"), what="the file dialog")
    dialog.reject()


async def test_the_recording_page_prompts_at_the_parents_pace(ctx, window, tmp_path):
    """The page as it looks with a microphone (a stand-in device list: this machine has none)."""
    from PySide6.QtMultimedia import QAudioDevice

    await open_story(window, ctx)
    ctx.settings.set(cfg.UI_RECORDING_SPEAKER, "Dad")
    recording = window.recording
    recording._inputs = [QAudioDevice()]
    recording.record_action.trigger()
    page = recording.page
    assert window.center.currentWidget() is page and page.speaker.text() == "Dad"
    assert "Read “The Fox” aloud" in page.heading.text()
    prompt = page.prompt
    assert prompt.current == 0 and prompt.highlighted_text().startswith("Once upon a time")
    first = prompt.expected_seconds(0)
    prompt.set_elapsed(first - 0.2)
    assert prompt.current == 0
    prompt.set_elapsed(first + 0.1)  # the estimated pace moves the highlight on
    assert prompt.current == 1 and prompt.highlighted_text().startswith("Every evening")
    pace = prompt.words_per_second
    prompt.set_elapsed(first + 1.5)  # the parent reads faster than estimated and moves on
    click(page.next_button)
    assert prompt.current == 2 and prompt.words_per_second > pace
    click(page.previous_button)
    assert prompt.current == 1
    prompt.set_elapsed(first + 1.5 + prompt.expected_seconds(1) + 0.1)
    assert prompt.current == 2
    page.speaker.setText("Grandma")
    page.speaker.editingFinished.emit()
    assert ctx.settings.get(cfg.UI_RECORDING_SPEAKER) == "Grandma"
    click(page.back_button)
    assert window.center.currentWidget() is window.reader_page


@pytest.fixture
def fake(ctx):
    with FakeElevenLabs() as server:
        ctx.settings.env["ELEVENLABS_API_KEY"] = server.api_key
        ctx.settings.env["TALE_ELEVENLABS_BASE_URL"] = server.base_url
        yield server


async def test_a_family_voice_needs_consent_and_a_minute_then_shows_everywhere(ctx, window, fake, tmp_path):
    story = await open_story(window, ctx)
    short = await recording_file(tmp_path / "short.wav")
    longer = await recording_file(tmp_path / "long.mp3", words_per_minute=150, repeat=2)
    settings = window.open_settings()
    settings.show_page("voices")
    section = settings.findChild(FamilyVoicesSection)
    assert section is not None and section.isVisible()
    await until(lambda: window.recording.directory.loaded, what="the voices loaded")
    assert section.empty.text() == "No family voices yet."
    click(section.create_button)
    dialog = await until(lambda: top_level(CloneVoiceDialog), what="the consent step")
    dialog = dialog[0]
    text = dialog.consent_text.text()
    assert "ElevenLabs" in text and "What is uploaded" in text and "own voice" in text
    dialog.name.setText("Mum")

    dialog.add_files([str(short)])
    await until(lambda: dialog.samples.count() == 1, what="the sample listed")
    click(dialog.create_button)  # no consent, too little audio
    assert "Tick the box" in dialog.error.text() and "at least a minute" in dialog.error.text()
    dialog.consent.setChecked(True)
    click(dialog.create_button)  # consent, still too little audio
    assert dialog.error.isVisible() and "at least a minute" in dialog.error.text()
    assert "Tick the box" not in dialog.error.text()
    await asyncio.sleep(0.1)
    assert fake.clone_requests() == [] and fake.uploads == []

    dialog.add_files([str(longer)])
    await until(lambda: dialog.total_seconds() >= 60, what="a minute of audio")
    assert "enough" in dialog.total.text()
    click(dialog.create_button)
    await until(lambda: gone(dialog), timeout=20, what="the voice created")
    [request] = fake.clone_requests()
    assert request.body.fields["name"] == "Mum"
    assert sorted(u.data for u in request.body.files) == sorted([short.read_bytes(), longer.read_bytes()])
    await until(lambda: "Mum" in section.delete_buttons, what="listed under Family voices")
    pickers = settings.findChild(VoiceSettings)
    for language in ("en", "ru"):
        combo = pickers.combos[language]
        assert combo.findText("Mum") >= 0, [combo.itemText(i) for i in range(combo.count())]
    picker = window.recording.picker
    await until(lambda: picker.combo.findText("Mum (family voice)") >= 0, what="the family voice in Read by")

    # Reading the story in the family voice: ElevenLabs narrates with it, and it becomes the choice.
    voice_id = next(v.voice_id for v in window.recording.directory.family if v.name == "Mum")
    picker.choose(voice_id)
    await until(lambda: not window.narration.playback.busy and ctx.tasks.get("recording.choose") is None
                and picker.combo.currentText() == "ElevenLabs Mum", timeout=30, what="read in Mum's voice")
    assert all(r.path.startswith(f"/v1/text-to-speech/{voice_id}") for r in fake.tts_requests())
    window.narration.player.stop()

    # Delete, after confirming.
    click(section.delete_buttons["Mum"])
    box = await until(lambda: [b for b in top_level(QMessageBox) if b.objectName() == "confirmBox"],
                      what="the confirmation")
    [yes] = [b for b in box[0].findChildren(QPushButton) if b.text() == "Delete"]
    click(yes)
    await until(lambda: "Mum" not in section.delete_buttons, what="the voice gone from the list")
    assert voice_id not in {v["voice_id"] for v in fake.voices}
    assert pickers.combos["en"].findText("Mum") < 0
    assert story.id == window.reader.story_id
    settings.reject()


async def test_the_consent_step_without_a_key_uploads_nothing(ctx, window, tmp_path):
    story = await open_story(window, ctx)
    reading = await ctx.narrator.narrate_recording(story.id, await recording_file(tmp_path / "dad.wav"),
                                                   speaker="Dad")
    dialog = window.recording.create_family_voice()
    await until(lambda: dialog.samples.count() == 1, what="the parent's reading offered as a sample")
    item = dialog.samples.item(0)
    assert item.text().startswith("“The Fox” read by Dad") and item.data(PathRole) == reading.local_file
    assert dialog.total_seconds() == 0  # offered, not chosen
    item.setCheckState(Qt.CheckState.Checked)
    assert dialog.total_seconds() == pytest.approx(reading.duration_s)
    dialog.name.setText("Grandpa")
    dialog.consent.setChecked(True)
    dialog.add_files([str(await recording_file(tmp_path / "gp.mp3", repeat=3))])
    await until(lambda: dialog.total_seconds() >= 60, what="measured")
    click(dialog.create_button)
    await until(lambda: dialog.error.isVisible(), timeout=20, what="the problem shown")
    assert "ElevenLabs API key" in dialog.error.text()
    assert dialog.create_button.isEnabled()
    dialog.reject()
    assert isinstance(dialog, QWidget)
