"""The narrator service: offline and ElevenLabs narration, fallback, cache, purge, export (real voices, fake server)."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from tale_desktop.context import AppContext
from tale_desktop.domain.errors import ValidationError
from tale_desktop.providers.errors import AuthError, QuotaError
from tale_desktop.services.narrator import NarrationListener
from tale_desktop.storage.audio_cache import file_sha256
from tests.fakes.elevenlabs_server import FakeElevenLabs
from tests.integration.narration_helpers import EN_TEXT, RU_TEXT, save_story


@pytest.fixture
async def ctx():
    context = AppContext.create()
    yield context
    await context.aclose()


@pytest.fixture
def fake(monkeypatch):
    with FakeElevenLabs() as server:
        monkeypatch.setenv("ELEVENLABS_API_KEY", server.api_key)
        monkeypatch.setenv("TALE_ELEVENLABS_BASE_URL", server.base_url)
        yield server


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


async def test_offline_english_with_parts_timings_and_record(ctx):
    story = await save_story(ctx)
    parts, started, progress = [], [], []
    listener = NarrationListener(on_part=parts.append, on_started=lambda p, v: started.append((p, v)),
                                 on_progress=lambda d, t: progress.append((d, t)))
    narration = await ctx.narrator.narrate(story.id, listener=listener)
    assert narration.provider == "piper" and narration.voice_id == "en_US-joe-medium"
    assert started == [("piper", "en_US-joe-medium")] and progress[-1] == (3, 3)
    path = Path(narration.local_file)
    assert path.parent == ctx.settings.audio_dir / story.id and path.suffix == ".mp3"
    assert file_sha256(path) == narration.sha256 and path.stat().st_size == narration.size
    assert narration.duration_s > 4 and narration.fallback_reason is None
    spans = [(t["from"], t["to"]) for t in narration.timings]
    assert [EN_TEXT[a:b] for a, b in spans] == ["The little fox curled up under the old oak tree.",
                                               "The moon rose slowly over the quiet hill.",
                                               "Goodnight, little fox, sleep well."]
    starts = [t["start"] for t in narration.timings]
    assert starts[0] == 0 and starts == sorted(starts)
    # Fast start: the first sentence arrives alone, then the rest; pieces line up end to end.
    assert parts[0].index == 0 and len(parts[0].timings) == 1 and parts[0].path.suffix == ".wav"
    for part in parts:
        assert wav_seconds(part.path) == pytest.approx(part.duration_s, abs=0.01)
    assert parts[1].start_s == pytest.approx(parts[0].start_s + parts[0].duration_s)
    assert sum(p.duration_s for p in parts) == pytest.approx(narration.duration_s, abs=0.01)
    [saved] = await ctx.library.store.narrations_for(story.id)
    assert saved.id == narration.id and saved.timings == narration.timings


async def test_offline_russian_uses_espeak(ctx):
    story = await save_story(ctx, RU_TEXT, "ru")
    narration = await ctx.narrator.narrate(story.id)
    assert narration.provider == "espeak" and narration.voice_id == "ru" and narration.language == "ru"
    assert narration.duration_s > 3 and len(narration.timings) == 3


async def test_cached_narration_is_reused_and_damaged_file_remade(ctx):
    story = await save_story(ctx, RU_TEXT, "ru")
    first = await ctx.narrator.narrate(story.id)
    parts = []
    again = await ctx.narrator.narrate(story.id, listener=NarrationListener(on_part=parts.append))
    assert again.id == first.id and [p.path for p in parts] == [Path(first.local_file)]
    assert (await ctx.narrator.latest(story.id)).id == first.id
    Path(first.local_file).write_bytes(b"garbage")
    assert await ctx.narrator.latest(story.id) is None
    remade = await ctx.narrator.narrate(story.id)
    assert remade.id != first.id and file_sha256(Path(remade.local_file)) == remade.sha256
    assert [n.id for n in await ctx.library.store.narrations_for(story.id)] == [remade.id]


async def test_empty_and_emoji_only_story_is_refused(ctx):
    story = await save_story(ctx, "🌙 ✨ 🦊")
    with pytest.raises(ValidationError, match="no text to narrate"):
        await ctx.narrator.narrate(story.id)


async def test_emoji_and_mixed_scripts_are_spoken_without_symbols(fake, ctx):
    story = await save_story(ctx, "The fox 🦊 said привет to the moon 🌙. Then it slept 😴.")
    narration = await ctx.narrator.narrate(story.id)
    texts = {r.body["text"] for r in fake.tts_requests()}  # the default voice (404), then the live one
    assert texts == {"The fox said привет to the moon . Then it slept ."}
    assert narration.provider == "elevenlabs" and len(narration.timings) == 2


async def test_elevenlabs_saves_exactly_the_bytes_sent(fake, ctx):
    content = " ".join(f"Star number {i} twinkled softly above the sleepy village." for i in range(10))
    story = await save_story(ctx, content)
    parts = []
    narration = await ctx.narrator.narrate(story.id, listener=NarrationListener(on_part=parts.append))
    assert narration.provider == "elevenlabs"
    # The default voice is not in this account: one from the live list that speaks English is used.
    assert narration.voice_id == "voice-en-calm"
    assert Path(narration.local_file).read_bytes() == b"".join(fake.sent_audio)
    assert len(parts) == len(fake.sent_audio) >= 2 and parts[0].path.read_bytes() == fake.sent_audio[0]
    assert [t["from"] for t in narration.timings] == sorted(t["from"] for t in narration.timings)
    assert narration.timings[-1]["end"] <= narration.duration_s + 0.2


async def test_quota_exceeded_falls_back_with_the_reason(fake, ctx):
    fake.quota_exceeded(times=10)
    story = await save_story(ctx, RU_TEXT, "ru")
    notices, parts = [], []
    narration = await ctx.narrator.narrate(story.id, listener=NarrationListener(on_notice=notices.append,
                                                                                on_part=parts.append))
    assert narration.provider == "espeak"
    assert narration.fallback_reason == "ElevenLabs quota used up, narrated with the offline voice."
    assert notices == [narration.fallback_reason]
    [saved] = await ctx.library.store.narrations_for(story.id)
    assert saved.fallback_reason == narration.fallback_reason


async def test_quota_running_out_midway_starts_again_offline(fake, ctx):
    content = " ".join(f"Star number {i} twinkled softly above the sleepy village." for i in range(10))
    story = await save_story(ctx, content)
    fake.voices.append({"voice_id": "JBFqnCBsd6RMkjVDRZzb", "name": "George"})
    fake.quota_exceeded(after=1, times=5)  # the first chunk is narrated, the second is refused
    parts, notices = [], []
    narration = await ctx.narrator.narrate(story.id, listener=NarrationListener(on_part=parts.append,
                                                                                on_notice=notices.append))
    assert narration.provider == "piper" and "quota" in narration.fallback_reason
    assert [p.attempt for p in parts][0] == 0 and parts[-1].attempt == 1
    assert [p.index for p in parts if p.attempt == 1][0] == 0  # the offline pieces start from the beginning
    assert notices == [narration.fallback_reason]


async def test_live_voice_list(fake, ctx):
    voices = await ctx.narrator.elevenlabs_voices()
    assert [(v.voice_id, v.languages) for v in voices] == [("voice-en-calm", ("en",)), ("voice-ru-soft", ("ru",))]


async def test_explicit_elevenlabs_fails_clearly(fake, ctx):
    story = await save_story(ctx)
    fake.quota_exceeded()
    with pytest.raises(QuotaError):
        await ctx.narrator.narrate(story.id, provider="elevenlabs")
    ctx.settings.env["ELEVENLABS_API_KEY"] = "wrong-key"
    with pytest.raises(AuthError):
        await ctx.narrator.narrate(story.id, provider="elevenlabs")


async def test_purge_removes_audio(ctx):
    story = await save_story(ctx, RU_TEXT, "ru")
    narration = await ctx.narrator.narrate(story.id)
    assert Path(narration.local_file).exists()
    ctx.library.notify("stories_purged", [story.id])
    await ctx.narrator.aclose()
    assert not (ctx.settings.audio_dir / story.id).exists()


async def test_export_mp3(ctx, tmp_path):
    story = await save_story(ctx, RU_TEXT, "ru")
    out = await ctx.narrator.export_mp3(story.id, tmp_path / "story.mp3")
    narration = await ctx.narrator.latest(story.id)
    # the narration's own bytes behind the ID3 tag (title, child, "Tale Desktop", language)
    assert out.read_bytes()[:3] == b"ID3" and out.read_bytes().endswith(Path(narration.local_file).read_bytes())
    from mutagen.mp3 import MP3

    assert MP3(out).info.length >= 2
    # The text changed: the export makes a new narration instead of the stale one.
    await ctx.library.store.save_story(story.touched(content=RU_TEXT + " Конец."))
    await ctx.narrator.export_mp3(story.id, tmp_path / "again.mp3")
    assert (await ctx.narrator.latest(story.id)).id != narration.id


async def test_long_story_is_chunked_under_the_limit(fake, ctx):
    fake.seconds_per_char = 0.017  # short audio (about 60 characters a second, the fastest plausible speech)
    sentence = "The sleepy dragon counted the silver clouds drifting past the tall tower window. "
    content = (sentence * (60000 // len(sentence)))[:60000]
    story = await save_story(ctx, content)
    narration = await ctx.narrator.narrate(story.id, provider="elevenlabs", voice="voice-en-calm")
    texts = [r.body["text"] for r in fake.tts_requests()]
    assert len(texts) >= 24 and max(len(t) for t in texts) <= 2500
    assert Path(narration.local_file).read_bytes() == b"".join(fake.sent_audio)
