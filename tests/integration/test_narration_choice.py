"""The parent's choice of narration plays, whichever voices are configured: a chosen offline narration is served
from the cache even when ElevenLabs is set up (nothing is sent to ElevenLabs), and the family's recordings are
listed with their stories' titles (samples for a family voice)."""

from __future__ import annotations

from tale_desktop.context import AppContext
from tale_desktop.domain.models import Story
from tests.fakes.elevenlabs_server import FakeElevenLabs
from tests.recording_helpers import RU_STORY, make_recording, write_recording


async def test_a_chosen_offline_narration_plays_with_a_key_set(tmp_path, monkeypatch):
    context = AppContext.create()
    try:
        story = await context.library.save_story(Story(title="Лиса", content=RU_STORY, language="ru",
                                                       moral="kindness", minutes=1).validate())
        offline = await context.narrator.narrate(story.id)
        assert offline.provider == "espeak"
        source = write_recording(make_recording(RU_STORY, "ru"), tmp_path / "mum.wav")
        mum = await context.narrator.narrate_recording(story.id, source, speaker="Mum")
        [(listed, title)] = await context.narrator.recordings()
        assert (listed.id, title) == (mum.id, "Лиса")
        await context.narrator.set_preferred(story.id, offline.id)
    finally:
        await context.aclose()
    with FakeElevenLabs() as fake:
        monkeypatch.setenv("ELEVENLABS_API_KEY", fake.api_key)
        monkeypatch.setenv("TALE_ELEVENLABS_BASE_URL", fake.base_url)
        context = AppContext.create()
        try:
            assert context.settings.elevenlabs_configured
            assert (await context.narrator.narrate(story.id)).id == offline.id
            assert fake.tts_requests() == []
            await context.narrator.set_preferred(story.id, None)  # back to the default: the recording plays
            assert (await context.narrator.narrate(story.id)).id == mum.id
        finally:
            await context.aclose()

