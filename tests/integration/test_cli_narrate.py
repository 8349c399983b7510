"""`tale-desktop narrate` from outside: offline en + ru audio, ElevenLabs bytes, quota fallback, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.audio_checks import assert_audio
from tests.fakes.elevenlabs_server import FakeElevenLabs
from tests.integration.cli_helpers import run_cli
from tests.integration.narration_helpers import EN_TEXT, RU_TEXT, save_story_blocking


@pytest.fixture
def fake():
    with FakeElevenLabs() as server:
        yield server


def eleven_env(fake: FakeElevenLabs) -> dict[str, str]:
    return {"ELEVENLABS_API_KEY": fake.api_key, "TALE_ELEVENLABS_BASE_URL": fake.base_url}


@pytest.mark.parametrize(("content", "language", "provider"), [(EN_TEXT, "en", "piper"), (RU_TEXT, "ru", "espeak")],
                         ids=["en", "ru"])
def test_offline_narration_without_a_key(qapp, content, language, provider):
    story_id = save_story_blocking(content, language)
    result = run_cli("narrate", story_id)
    assert result.code == 0, result.err
    path = Path(result.out.strip())
    assert path.is_file() and path.suffix == ".mp3" and story_id in path.parts
    assert_audio(path, min_seconds=2.0, min_audible=1.5)
    record = run_cli("narrate", story_id, "--json").json()  # cached: the same file again
    assert record["local_file"] == str(path) and record["provider"] == provider


def test_elevenlabs_saves_exactly_the_bytes_the_server_sent(fake):
    story_id = save_story_blocking(EN_TEXT, "en")
    result = run_cli("narrate", story_id, "--provider", "elevenlabs", "--voice", "voice-en-calm",
                     env=eleven_env(fake))
    assert result.code == 0, result.err
    [request] = fake.tts_requests()
    assert request.body["text"] == EN_TEXT and request.path.startswith("/v1/text-to-speech/voice-en-calm")
    assert Path(result.out.strip()).read_bytes() == fake.sent_audio[0]


def test_quota_exceeded_falls_back_to_the_offline_voice(qapp, fake):
    fake.quota_exceeded(times=5)
    story_id = save_story_blocking(RU_TEXT, "ru")
    result = run_cli("narrate", story_id, env=eleven_env(fake))
    assert result.code == 0, result.err
    assert "quota" in result.err.lower() and "offline voice" in result.err
    assert_audio(Path(result.out.strip()), min_seconds=2.0)
    assert len(fake.tts_requests()) == 1


def test_explicit_elevenlabs_with_a_bad_key_exits_3(fake):
    story_id = save_story_blocking(EN_TEXT, "en")
    result = run_cli("narrate", story_id, "--provider", "elevenlabs",
                     env={**eleven_env(fake), "ELEVENLABS_API_KEY": "wrong"})
    assert result.code == 3 and "refused the API key" in result.err and result.out == ""
    assert "wrong" not in result.err


def test_bad_input_exits_2():
    assert run_cli("narrate", "no-such-story").code == 2
    empty_id = save_story_blocking("🌙 🌙", "en")
    result = run_cli("narrate", empty_id)
    assert result.code == 2 and "no text to narrate" in result.err
    assert run_cli("narrate", empty_id, "--provider", "loud").code == 2


def test_export_mp3_writes_a_playable_file(qapp, tmp_path):
    story_id = save_story_blocking(RU_TEXT, "ru")
    result = run_cli("export", story_id, "--format", "mp3", "--out", str(tmp_path / "story.mp3"))
    assert result.code == 0, result.err
    assert_audio(tmp_path / "story.mp3", min_seconds=2.0, min_audible=1.5)
    assert not list(tmp_path.glob(".*"))  # no temporary file left beside it


def test_generate_with_narrate(qapp, fake):
    from tests.fakes.openrouter import FakeOpenRouter

    with FakeOpenRouter(generation_404s=0) as llm:
        env = {"TALE_LLM_BASE_URL": llm.base_url, "OPENROUTER_API_KEY": "test-key", **eleven_env(fake)}
        added = run_cli("children", "add", "Mia", "--age-band", "3-5", "--gender", "female", "--interests",
                        "stars", env=env)
        assert added.code == 0, added.err
        result = run_cli("generate", "--child", "Mia", "--minutes", "1", "--narrate", "--json", env=env,
                         timeout=120)
    assert result.code == 0, result.err
    story = result.json()
    narration = story["narration"]
    assert narration["story_id"] == story["id"] and narration["provider"] == "elevenlabs"
    assert f"Narration: {narration['local_file']}" in result.err
    assert Path(narration["local_file"]).read_bytes() == b"".join(fake.sent_audio)
    assert " ".join(r.body["text"] for r in fake.tts_requests()[1:]) in " ".join(story["content"].split())
