"""The real `elevenlabs` SDK, through our provider, against the loopback ElevenLabs server."""

from __future__ import annotations

import time

import httpx
import pytest

from tale_desktop.domain.speech import sentences_of
from tale_desktop.providers.elevenlabs import MODEL_ID, ElevenLabsVoice, mp3_duration
from tale_desktop.providers.errors import AuthError, NotFoundError, QuotaError, RateLimited, Unavailable
from tests.fakes.elevenlabs_server import FakeElevenLabs, tone_mp3

TEXT = "The little fox yawned. The stars came out one by one. Goodnight, little fox."


@pytest.fixture
def fake():
    with FakeElevenLabs() as server:
        yield server


@pytest.fixture
async def http():
    client = httpx.AsyncClient(timeout=10)
    yield client
    await client.aclose()


def voice(fake: FakeElevenLabs, http: httpx.AsyncClient, key: str | None = None, **kwargs) -> ElevenLabsVoice:
    return ElevenLabsVoice(key or fake.api_key, fake.base_url, http, **kwargs)


async def test_convert_sends_text_model_settings_and_key(fake, http):
    audio = await voice(fake, http).convert("Hello there.", "voice-en-calm")
    assert audio == fake.sent_audio[-1] == tone_mp3("Hello there.")
    [request] = fake.tts_requests()
    assert request.path == "/v1/text-to-speech/voice-en-calm"
    assert request.headers["xi-api-key"] == fake.api_key
    assert request.body["text"] == "Hello there." and request.body["model_id"] == MODEL_ID
    assert request.body["voice_settings"]["stability"] == 0.7
    assert request.query["output_format"] == ["mp3_44100_128"]


async def test_stream_yields_the_audio_in_pieces(fake, http):
    pieces = [p async for p in voice(fake, http).stream(TEXT, "voice-en-calm", previous_text="Before.")]
    assert len(pieces) > 1 and b"".join(pieces) == fake.sent_audio[-1]
    request = fake.tts_requests()[-1]
    assert request.path.endswith("/stream") and request.body["previous_text"] == "Before."


async def test_speak_uses_timestamps_and_chunks_with_context(fake, http):
    content = " ".join(f"Sentence number {i} is calm and slow." for i in range(12))
    sentences = sentences_of(content)
    chunks = [c async for c in voice(fake, http).speak(sentences, "voice-en-calm", max_chars=160,
                                                       first_chars=60)]
    requests = fake.tts_requests()
    assert len(chunks) == len(requests) >= 3
    assert all(r.path.endswith("/with-timestamps") for r in requests)
    assert len(requests[0].body["text"]) <= 60 and all(len(r.body["text"]) <= 160 for r in requests)
    assert " ".join(r.body["text"] for r in requests) == " ".join(s.text for s in sentences)
    assert "previous_text" not in requests[0].body and requests[1].body["previous_text"]
    assert requests[0].body["next_text"] and "next_text" not in requests[-1].body
    assert [c.audio for c in chunks] == fake.sent_audio
    timings = [t for c in chunks for t in c.timings]
    assert [(t["from"], t["to"]) for t in timings] == [(s.start, s.end) for s in sentences]
    for chunk in chunks:
        assert chunk.duration_s == pytest.approx(mp3_duration(chunk.audio))
        starts = [t["start"] for t in chunk.timings]
        assert starts == sorted(starts) and chunk.timings[-1]["end"] <= chunk.duration_s + 0.2


async def test_list_and_pick_voices(fake, http):
    client = voice(fake, http)
    voices = await client.list_voices()
    assert [v.voice_id for v in voices] == ["voice-en-calm", "voice-ru-soft"]
    assert voices[1].languages == ("ru",)
    assert await client.pick_voice("ru") == "voice-ru-soft"


async def test_invalid_key_is_an_auth_error(fake, http):
    with pytest.raises(AuthError, match="refused the API key"):
        await voice(fake, http, key="wrong").convert("Hi.", "voice-en-calm")
    with pytest.raises(AuthError):
        await voice(fake, http, key="wrong").list_voices()


async def test_quota_exceeded_is_told_apart_and_not_retried(fake, http):
    fake.quota_exceeded(times=5)
    sentences = sentences_of(TEXT)
    with pytest.raises(QuotaError, match="quota used up"):
        [c async for c in voice(fake, http).speak(sentences, "voice-en-calm")]
    assert len(fake.tts_requests()) == 1


async def test_unknown_voice_is_not_found(fake, http):
    with pytest.raises(NotFoundError, match="'gone-voice' no longer exists"):
        await voice(fake, http).convert("Hi.", "gone-voice")


async def test_429_is_retried_after_retry_after(fake, http):
    fake.rate_limited(retry_after=1)
    started = time.monotonic()
    chunks = [c async for c in voice(fake, http).speak(sentences_of(TEXT), "voice-en-calm")]
    assert time.monotonic() - started >= 0.95
    assert len(fake.tts_requests()) == 2 and chunks[0].audio == fake.sent_audio[-1]


async def test_5xx_retried_then_gives_up_with_unavailable(fake, http):
    fake.fail_next(503, {"detail": {"status": "busy", "message": "overloaded"}}, times=2)
    audio = await voice(fake, http, max_attempts=3).convert("Hi.", "voice-en-calm")
    assert audio == fake.sent_audio[-1]
    fake.fail_next(500, times=2)
    with pytest.raises(Unavailable, match="server error"):
        await voice(fake, http, max_attempts=2).convert("Hi.", "voice-en-calm")


async def test_rate_limit_exhausted_raises_rate_limited(fake, http):
    fake.rate_limited(retry_after=0, times=3)
    with pytest.raises(RateLimited) as caught:
        await voice(fake, http, max_attempts=2).convert("Hi.", "voice-en-calm")
    assert caught.value.retry_after == 0


async def test_reset_mid_stream(fake, http):
    fake.reset_mid_stream(after_bytes=1500)
    with pytest.raises(Unavailable, match="cut off"):
        [p async for p in voice(fake, http).stream(TEXT, "voice-en-calm")]
    # The JSON endpoint cut part-way is retried as a whole and then succeeds.
    fake.reset_mid_stream(after_bytes=200)
    chunks = [c async for c in voice(fake, http).speak(sentences_of(TEXT), "voice-en-calm")]
    assert chunks[0].audio == fake.sent_audio[-1]
