"""Read-along for a family member's recording: offline alignment accuracy on recordings whose sentence times are
known, and the narrator's `narrate_recording` (import, cache, timings, kept beside other narrations, the parent's
choice, ElevenLabs forced alignment through the real SDK against the fake)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tale_desktop.context import AppContext
from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.models import Narration, Story
from tale_desktop.domain.speech import sentences_of
from tale_desktop.providers import offline_voice
from tale_desktop.providers.audio_files import decode
from tale_desktop.services.narrator import NarrationListener
from tale_desktop.services.recording_alignment import offline_timings
from tale_desktop.storage.audio_cache import file_sha256
from tests.fakes.elevenlabs_server import FakeElevenLabs, audio_seconds_and_speech, forced_alignment_for
from tests.recording_helpers import EN_STORY, RATE, RU_STORY, make_recording, write_recording

TOLERANCE_S = 0.3


def assert_valid(timings: list[dict], duration: float) -> None:
    starts = [t["start"] for t in timings]
    assert all(b > a for a, b in zip(starts, starts[1:], strict=False)), starts
    assert all(0 <= t["start"] < t["end"] <= duration + 1e-6 for t in timings), timings


@pytest.mark.parametrize(("text", "language", "speed", "noise"),
                         [(EN_STORY, "en", 185, 25), (RU_STORY, "ru", 175, 25), (EN_STORY, "en", 120, 25),
                          (EN_STORY, "en", 185, 800), (RU_STORY, "ru", 175, 800)],
                         ids=["en-piper-vs-espeak", "ru-espeak-faster", "en-slow-reader", "en-noisy-room",
                              "ru-noisy-room"])
def test_offline_alignment_finds_every_sentence_within_0_3_s(text, language, speed, noise):
    """Noise 800 is about 32 dB under the speech peaks: a phone in a quiet room with a fan."""
    recording = make_recording(text, language, words_per_minute=speed, noise=noise)
    sentences = sentences_of(text)
    timings = offline_timings(recording.samples, RATE, sentences, offline_voice.offline_voice_for(language))
    assert len(timings) == len(sentences) == len(recording.starts)
    assert_valid(timings, recording.seconds)
    errors = [abs(t["start"] - truth) for t, truth in zip(timings, recording.starts, strict=True)]
    assert max(errors) < TOLERANCE_S, list(zip([t["start"] for t in timings], recording.starts, strict=True))
    assert [(t["from"], t["to"]) for t in timings] == [(s.start, s.end) for s in sentences]


def test_offline_alignment_of_a_longer_reading_with_long_pauses():
    recording = make_recording(EN_STORY, "en", pauses=(3.0, 0.3, 2.5, 0.2, 4.0), repeat=3)
    sentences = sentences_of(" ".join([EN_STORY] * 3))
    timings = offline_timings(recording.samples, RATE, sentences, offline_voice.offline_voice_for("en"))
    assert_valid(timings, recording.seconds)
    errors = [abs(t["start"] - truth) for t, truth in zip(timings, recording.starts, strict=True)]
    assert max(errors) < TOLERANCE_S


@pytest.fixture
async def ctx():
    context = AppContext.create()
    yield context
    await context.aclose()


async def _story(ctx: AppContext, text: str, language: str) -> Story:
    return await ctx.library.save_story(Story(title="Fox", content=text, language=language, moral="kindness",
                                              minutes=1).validate())


@pytest.mark.parametrize("extension", [".m4a", ".mp3", ".wav", ".ogg", ".opus"])
async def test_a_phone_recording_becomes_the_narration_with_read_along(ctx, tmp_path, extension):
    story = await _story(ctx, RU_STORY, "ru")
    recording = make_recording(RU_STORY, "ru")
    source = write_recording(recording, tmp_path / f"memo{extension}")
    started: list[tuple[str, str]] = []
    narration = await ctx.narrator.narrate_recording(story.id, source, speaker="Mum",
                                                     listener=NarrationListener(on_started=lambda p, v:
                                                                                started.append((p, v))))
    assert started == [("recording", "Mum")]
    assert (narration.provider, narration.voice_id, narration.format) == ("recording", "Mum", "mp3")
    path = Path(narration.local_file)
    assert path.parent == ctx.settings.audio_dir / story.id and file_sha256(path) == narration.sha256
    assert narration.duration_s == pytest.approx(recording.seconds, abs=0.15)
    assert len(decode(path, 16000)) / 16000 == pytest.approx(recording.seconds, abs=0.15)
    assert_valid(narration.timings, narration.duration_s)
    errors = [abs(t["start"] - truth) for t, truth in zip(narration.timings, recording.starts, strict=True)]
    assert max(errors) < TOLERANCE_S


async def test_recordings_are_kept_beside_synthesized_narrations_and_the_parent_picks(ctx, tmp_path):
    story = await _story(ctx, RU_STORY, "ru")
    synthesized = await ctx.narrator.narrate(story.id)
    assert synthesized.provider == "espeak"
    source = write_recording(make_recording(RU_STORY, "ru"), tmp_path / "mum.wav")
    mum = await ctx.narrator.narrate_recording(story.id, source, speaker="Mum")
    grandpa = await ctx.narrator.narrate_recording(
        story.id, write_recording(make_recording(RU_STORY, "ru", words_per_minute=150), tmp_path / "gp.wav"),
        speaker="Grandpa")
    live = await ctx.narrator.narrations(story.id)
    assert {n.id for n in live} == {synthesized.id, mum.id, grandpa.id}
    assert all(Path(n.local_file).is_file() for n in live)
    # The newest recording plays; Play (narrate with no provider) gives it without synthesizing anything.
    assert await ctx.narrator.preferred(story.id) == grandpa.id
    assert (await ctx.narrator.narrate(story.id)).id == grandpa.id
    assert (await ctx.narrator.latest(story.id)).id == grandpa.id
    await ctx.narrator.set_preferred(story.id, mum.id)
    assert (await ctx.narrator.narrate(story.id)).id == mum.id
    assert (await ctx.narrator.narrations(story.id))[0].id == mum.id
    # Back to the synthesized voice: choosing it plays it (its cache entry is reused, nothing is deleted).
    await ctx.narrator.set_preferred(story.id, synthesized.id)
    assert (await ctx.narrator.narrate(story.id)).id == synthesized.id
    assert (await ctx.narrator.narrate(story.id, provider="recording")).id == grandpa.id  # the newest recording
    # A new synthesized narration replaces only the old synthesized one.
    again = await ctx.narrator.narrate(story.id, reuse=False)
    assert {n.id for n in await ctx.narrator.narrations(story.id)} == {again.id, mum.id, grandpa.id}
    assert Path(mum.local_file).is_file() and Path(grandpa.local_file).is_file() and Path(again.local_file).is_file()
    with pytest.raises(ValidationError):
        await ctx.narrator.set_preferred(story.id, "no-such-narration")


async def test_recording_errors_are_clear(ctx, tmp_path):
    story = await _story(ctx, EN_STORY, "en")
    with pytest.raises(ValidationError, match="no recording yet"):
        await ctx.narrator.narrate(story.id, provider="recording")
    junk = tmp_path / "memo.m4a"
    junk.write_bytes(b"this is not audio" * 100)
    with pytest.raises(ValidationError, match="cannot be read"):
        await ctx.narrator.narrate_recording(story.id, junk)
    with pytest.raises(ValidationError, match="no file"):
        await ctx.narrator.narrate_recording(story.id, tmp_path / "missing.mp3")
    assert await ctx.narrator.narrations(story.id) == []


@pytest.fixture
def fake(monkeypatch):
    with FakeElevenLabs() as server:
        monkeypatch.setenv("ELEVENLABS_API_KEY", server.api_key)
        monkeypatch.setenv("TALE_ELEVENLABS_BASE_URL", server.base_url)
        yield server


async def test_with_a_key_timings_come_from_elevenlabs_forced_alignment(fake, tmp_path):
    context = AppContext.create()
    try:
        story = await _story(context, EN_STORY, "en")
        recording = make_recording(EN_STORY, "en")
        narration = await context.narrator.narrate_recording(story.id, write_recording(recording,
                                                                                      tmp_path / "m.m4a"))
    finally:
        await context.aclose()
    [request] = fake.alignment_requests()
    assert request.body.fields["text"] == " ".join(s.text for s in sentences_of(EN_STORY))
    assert request.body.files[0].data == Path(narration.local_file).read_bytes()  # the cached MP3 went up
    assert_valid(narration.timings, narration.duration_s)
    # Each sentence starts at the time the service gave its first character.
    seconds, spans = audio_seconds_and_speech(request.body.files[0].data)
    characters = forced_alignment_for(request.body.fields["text"], spans, seconds)["characters"]
    offsets = np.cumsum([0] + [len(s.text) + 1 for s in sentences_of(EN_STORY)][:-1])
    assert [t["start"] for t in narration.timings] == [characters[o]["start"] for o in offsets]
    assert abs(narration.timings[0]["start"] - recording.starts[0]) < 0.2


async def test_when_forced_alignment_fails_it_aligns_offline_and_says_so(fake, tmp_path):
    fake.fail_next(401, {"detail": {"status": "invalid_api_key", "message": "bad"}})
    context = AppContext.create()
    notices: list[str] = []
    try:
        story = await _story(context, RU_STORY, "ru")
        recording = make_recording(RU_STORY, "ru")
        narration = await context.narrator.narrate_recording(
            story.id, write_recording(recording, tmp_path / "m.ogg"), listener=NarrationListener(
                on_notice=notices.append))
    finally:
        await context.aclose()
    assert len(notices) == 1 and "on this computer" in notices[0] and fake.api_key not in notices[0]
    errors = [abs(t["start"] - truth) for t, truth in zip(narration.timings, recording.starts, strict=True)]
    assert max(errors) < TOLERANCE_S


async def test_a_recording_synced_from_another_device_plays_with_its_timings(ctx, tmp_path):
    """A grandparent's recording arrives through sync as a row with a remote path: Play downloads it on demand
    and it plays (with its read-along timings) before any synthesized voice."""
    story = await _story(ctx, EN_STORY, "en")
    audio = tmp_path / "grandpa.mp3"
    audio.write_bytes(b"ID3" + b"\x00" * 4096)
    timings = [{"from": s.start, "to": s.end, "start": 1.0 + i, "end": 1.5 + i}
               for i, s in enumerate(sentences_of(EN_STORY))]
    row = await ctx.library.store.save_narration(Narration(
        story_id=story.id, provider="recording", voice_id="Grandpa", language="en", format="mp3",
        sha256=file_sha256(audio), size=audio.stat().st_size, duration_s=12.0, timings=timings,
        remote_path=f"u/{story.id}/{file_sha256(audio)}.mp3"))
    asked: list[str] = []

    async def fetch(narration_id: str) -> Path:
        asked.append(narration_id)
        return audio

    ctx.narrator.fetch_remote = fetch
    parts = []
    played = await ctx.narrator.narrate(story.id, listener=NarrationListener(on_part=parts.append))
    assert asked == [row.id] and played.id == row.id and played.local_file == str(audio)
    assert parts[0].timings == timings and parts[0].path == audio
