"""Forced alignment and voice cloning through the real `elevenlabs` SDK against the loopback server, which checks
the multipart bodies the way the API does."""

from __future__ import annotations

import httpx
import pytest

from tale_desktop.providers.elevenlabs import ElevenLabsVoice
from tale_desktop.providers.elevenlabs_voices import ElevenLabsVoiceLab
from tale_desktop.providers.errors import AuthError, BadResponse, NotFoundError, Unavailable
from tests.fakes.elevenlabs_server import FakeElevenLabs, tone_mp3

TEXT = "The little fox yawned. The stars came out."


@pytest.fixture
def fake():
    with FakeElevenLabs() as server:
        yield server


@pytest.fixture
async def http():
    client = httpx.AsyncClient(timeout=10)
    yield client
    await client.aclose()


def lab(fake: FakeElevenLabs, http: httpx.AsyncClient, key: str | None = None, **kwargs) -> ElevenLabsVoiceLab:
    return ElevenLabsVoiceLab(ElevenLabsVoice(key or fake.api_key, fake.base_url, http, **kwargs))


async def test_forced_alignment_sends_the_file_and_text_as_multipart(fake, http):
    audio = tone_mp3(TEXT, 3.0)
    result = await lab(fake, http).align(audio, TEXT)
    [request] = fake.alignment_requests()
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert request.body.fields == {"text": TEXT}
    [upload] = request.body.files
    assert (upload.field, upload.filename, upload.content_type, upload.data) == (
        "file", "recording.mp3", "audio/mpeg", audio)
    assert "".join(c.text for c in result.characters) == TEXT
    starts = [c.start for c in result.characters]
    assert starts == sorted(starts) and starts[0] >= 0 and result.characters[-1].end <= 3.1
    assert [w.text for w in result.words] == TEXT.split(" ")


async def test_forced_alignment_errors_are_typed(fake, http):
    with pytest.raises(AuthError):
        await lab(fake, http, key="wrong").align(tone_mp3(TEXT), TEXT)
    with pytest.raises(BadResponse, match="line the recording up"):
        await lab(fake, http).align(b"not audio at all", TEXT)
    fake.fail_next(503, times=1)  # retried once, then it works
    result = await lab(fake, http).align(tone_mp3(TEXT), TEXT)
    assert result.characters and len(fake.alignment_requests()) == 4


async def test_the_fake_checks_multipart_fields_like_the_api(fake):
    async with httpx.AsyncClient(base_url=fake.base_url, headers={"xi-api-key": fake.api_key}) as client:
        no_text = await client.post("/v1/forced-alignment", files={"file": ("a.mp3", tone_mp3("a"), "audio/mpeg")})
        no_file = await client.post("/v1/forced-alignment", data={"text": "Hello"}, files={"x": ("x", b"")})
        not_multipart = await client.post("/v1/voices/add", json={"name": "Mum"})
        no_files = await client.post("/v1/voices/add", data={"name": "Mum"}, files={"x": ("x", b"")})
    assert [r.status_code for r in (no_text, no_file, not_multipart, no_files)] == [422] * 4
    assert no_text.json()["detail"][0]["loc"] == ["body", "text"]
    assert no_files.json()["detail"][0]["loc"] == ["body", "files"]
    assert all(v["category"] != "cloned" for v in fake.voices)


async def test_clone_uploads_every_file_and_the_voice_can_speak_and_be_deleted(fake, http, tmp_path):
    first, second = tmp_path / "mum-1.mp3", tmp_path / "mum-2.wav"
    first.write_bytes(tone_mp3("first sample", 2.0))
    second.write_bytes(b"RIFF" + bytes(200))
    voices = lab(fake, http)
    cloned = await voices.clone("Mum", [first, second], description="A family voice")
    [request] = fake.clone_requests()
    assert request.body.fields["name"] == "Mum" and request.body.fields["description"] == "A family voice"
    assert [(u.field, u.filename, u.content_type) for u in request.body.files] == [
        ("files", "mum-1.mp3", "audio/mpeg"), ("files", "mum-2.wav", "audio/wav")]
    assert request.body.files[0].data == first.read_bytes()
    listed = {v.voice_id: v for v in await voices.account.list_voices()}
    assert listed[cloned.voice_id].name == "Mum" and listed[cloned.voice_id].category == "cloned"
    assert await voices.account.convert("Goodnight.", cloned.voice_id)  # narrates like any other voice
    await voices.delete(cloned.voice_id)
    assert fake.requests[-1].method == "DELETE" and fake.requests[-1].path == f"/v1/voices/{cloned.voice_id}"
    assert cloned.voice_id not in {v.voice_id for v in await voices.account.list_voices()}
    with pytest.raises(NotFoundError, match="no voice"):
        await voices.delete(cloned.voice_id)


async def test_clone_server_failure_is_unavailable(fake, http, tmp_path):
    sample = tmp_path / "s.mp3"
    sample.write_bytes(tone_mp3("sample", 1.0))
    fake.fail_next(500, times=2)
    with pytest.raises(Unavailable):
        await lab(fake, http, max_attempts=2).clone("Grandpa", [sample])
    assert len(fake.clone_requests()) == 2
    assert all(v["name"] != "Grandpa" for v in fake.voices)
