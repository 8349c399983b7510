"""The recording page, the "Read by" row, the Family voices group and the consent step at 900x600 and 1920x1080,
day and night: no cut-off words, no sideways scroll bar."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtMultimedia import QAudioDevice

from tale_desktop.domain.models import Narration, Story
from tale_desktop.ui.common import theme
from tale_desktop.ui.listen.player import PlayerState
from tale_desktop.ui.settings.family_voices import FamilyVoicesSection
from tests.fakes.elevenlabs_server import FakeElevenLabs
from tests.recording_helpers import EN_STORY
from tests.ui.helpers import until
from tests.ui.layout_checks import clipped

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])

SIZES = [(900, 600), (1920, 1080)]
CASES = [(w, h, t) for w, h in SIZES for t in (theme.DAY, theme.NIGHT)]
TITLE = "The Very Long Night When Mia and the Lighthouse Fox Counted Every Single Star"


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0.02)


def check(root, what: str) -> list[str]:
    root.layout().activate()
    return [f"{what}: {problem}" for problem in clipped(root)]


@pytest.mark.parametrize(("width", "height", "shade"), CASES, ids=[f"{w}x{h}-{t}" for w, h, t in CASES])
async def test_recording_and_family_voices_fit(ctx, window, width, height, shade):
    with FakeElevenLabs(voices=[{"voice_id": "mum-voice", "name": "Mum", "category": "cloned", "labels": {},
                                 "verified_languages": []},
                                {"voice_id": "grandpa-voice", "name": "Grandpa Alexander", "category": "cloned",
                                 "labels": {}, "verified_languages": []}]) as fake:
        ctx.settings.env["ELEVENLABS_API_KEY"] = fake.api_key
        ctx.settings.env["TALE_ELEVENLABS_BASE_URL"] = fake.base_url
        window.theme.set_choice(shade, remember=False)
        try:
            await _check_everything(ctx, window, width, height)
        finally:
            window.theme.set_choice(theme.DAY, remember=False)


async def _check_everything(ctx, window, width, height) -> None:
    story = await ctx.library.save_story(Story(title=TITLE, content=EN_STORY, language="en", moral="kindness",
                                               minutes=1).validate())
    await ctx.library.store.save_narration(Narration(
        story_id=story.id, provider="recording", voice_id="Grandma Rose", language="en", format="mp3",
        duration_s=64.0, timings=[]))
    window.banner.dismiss()
    window.resize(width, height)
    window.open_story(story.id)
    await until(lambda: window.reader.story_id == story.id, what="story open")
    picker = window.recording.picker
    await until(lambda: picker.combo.findText("Grandma Rose's recording") >= 0, what="the Read by row")
    await until(lambda: picker.combo.findText("Grandpa Alexander (family voice)") >= 0, what="family voices")
    bar = window.narration.bar
    bar.set_duration(3725)
    bar.set_position(1234)
    bar.set_state(PlayerState.PLAYING)
    bar.set_available(True)
    await settle()
    assert picker.combo.isVisible() and picker.record_button.isVisible()
    problems = check(window, "reader with Read by")

    window.recording._inputs = [QAudioDevice()]  # the page as it is with a microphone
    window.recording.record()
    await settle()
    assert window.center.currentWidget() is window.recording.page
    problems += check(window, "recording page")
    window.recording.leave_page()

    settings = window.open_settings()
    settings.resize(min(settings.width(), width - 20), min(settings.height(), height - 20))
    await until(lambda: settings.loaded, what="settings loaded")
    settings.show_page("voices")
    section = settings.findChild(FamilyVoicesSection)
    await until(lambda: "Grandpa Alexander" in section.delete_buttons, what="family voices listed")
    await settle()
    problems += check(settings, "settings voices")
    page = settings.pages["voices"]
    page.ensureWidgetVisible(section)
    await settle()
    problems += check(settings, "settings family voices")

    dialog = window.recording.create_family_voice(settings)
    dialog.resize(min(dialog.width(), width - 40), min(dialog.height(), height - 40))
    dialog.name.setText("Grandpa Alexander")
    dialog.create()  # shows every problem at once: the longest message
    await settle()
    assert dialog.error.isVisible()
    problems += check(dialog, "consent step")
    assert dialog.height() <= height and dialog.create_button.isVisible()
    dialog.reject()
    settings.reject()
    assert problems == []
