"""From outside: `narrate ID --from-recording FILE`, `stories show --json` timings, `voices list/clone/delete`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tale_desktop.providers.audio_files import decode
from tests.fakes.elevenlabs_server import FakeElevenLabs
from tests.integration.cli_helpers import run_cli
from tests.integration.narration_helpers import save_story_blocking
from tests.recording_helpers import EN_STORY, RU_STORY, make_recording, write_recording


@pytest.fixture
def fake():
    with FakeElevenLabs() as server:
        yield server


def eleven_env(fake: FakeElevenLabs) -> dict[str, str]:
    return {"ELEVENLABS_API_KEY": fake.api_key, "TALE_ELEVENLABS_BASE_URL": fake.base_url}


def recording_timings(story_id: str, env: dict[str, str] | None = None) -> tuple[dict, list[dict]]:
    shown = run_cli("stories", "show", story_id, "--json", env=env)
    assert shown.code == 0, shown.err
    document = shown.json()
    [narration] = [n for n in document["narrations"] if n["provider"] == "recording"]
    assert document["preferred_narration"] == narration["id"] and narration["preferred"]
    return narration, narration["timings"]


def assert_increasing_inside(timings: list[dict], seconds: float, count: int) -> None:
    starts = [t["start"] for t in timings]
    assert len(timings) == count
    assert all(b > a for a, b in zip(starts, starts[1:], strict=False)), starts
    assert all(0 <= t["start"] < t["end"] <= seconds + 1e-6 for t in timings)


@pytest.mark.parametrize(("text", "language", "extension"), [(RU_STORY, "ru", ".m4a"), (EN_STORY, "en", ".opus")],
                         ids=["ru-m4a", "en-opus"])
def test_from_recording_offline_without_a_key(tmp_path, text, language, extension):
    story_id = save_story_blocking(text, language)
    recording = make_recording(text, language)
    source = write_recording(recording, tmp_path / f"memo{extension}")
    result = run_cli("narrate", story_id, "--from-recording", str(source), "--speaker", "Mum")
    assert result.code == 0, result.err
    path = Path(result.out.strip())
    assert path.is_file() and path.suffix == ".mp3" and story_id in path.parts
    narration, timings = recording_timings(story_id)
    assert narration["local_file"] == str(path) and narration["voice_id"] == "Mum"
    seconds = len(decode(path, 16000)) / 16000
    assert narration["duration_s"] == pytest.approx(seconds, abs=0.1)
    assert_increasing_inside(timings, seconds, len(recording.starts))
    assert max(abs(t["start"] - truth) for t, truth in zip(timings, recording.starts, strict=True)) < 0.3


def test_from_recording_with_a_key_uses_forced_alignment(fake, tmp_path):
    story_id = save_story_blocking(EN_STORY, "en")
    recording = make_recording(EN_STORY, "en")
    source = write_recording(recording, tmp_path / "memo.mp3")
    result = run_cli("narrate", story_id, "--from-recording", str(source), "--json", env=eleven_env(fake))
    assert result.code == 0, result.err
    assert result.json()["provider"] == "recording"
    [request] = fake.alignment_requests()
    assert request.body.files[0].field == "file" and request.body.fields["text"].startswith("Once upon a time")
    narration, timings = recording_timings(story_id, eleven_env(fake))
    assert_increasing_inside(timings, narration["duration_s"], len(recording.starts))
    assert not fake.tts_requests()


def test_from_recording_bad_input_exits_2(tmp_path):
    story_id = save_story_blocking(EN_STORY, "en")
    junk = tmp_path / "memo.ogg"
    junk.write_bytes(b"garbage" * 50)
    result = run_cli("narrate", story_id, "--from-recording", str(junk))
    assert result.code == 2 and "cannot be read" in result.err
    assert run_cli("narrate", story_id, "--from-recording", str(tmp_path / "none.m4a")).code == 2
    assert run_cli("narrate", "no-such-story", "--from-recording", str(junk)).code == 2
    assert run_cli("narrate", story_id, "--from-recording", str(junk), "--voice", "x").code == 2
    result = run_cli("narrate", story_id, "--provider", "recording")
    assert result.code == 2 and "no recording yet" in result.err


@pytest.fixture
def minute_of_speech(tmp_path) -> list[Path]:
    return [write_recording(make_recording(EN_STORY, "en"), tmp_path / "mum-1.m4a"),
            write_recording(make_recording(EN_STORY, "en", words_per_minute=150, repeat=2), tmp_path / "mum-2.mp3")]


def test_clone_without_consent_exits_2_and_uploads_nothing(fake, minute_of_speech):
    result = run_cli("voices", "clone", "--name", "Mum", *map(str, minute_of_speech), env=eleven_env(fake))
    assert result.code == 2 and result.out == ""
    assert "ElevenLabs" in result.err and "own voice" in result.err and "--consent" in result.err
    assert fake.requests == [] and fake.uploads == []


def test_clone_with_consent_uploads_and_the_voice_narrates(fake, minute_of_speech):
    result = run_cli("voices", "clone", "--name", "Mum", *map(str, minute_of_speech), "--consent",
                     env=eleven_env(fake))
    assert result.code == 0, result.err
    voice_id = result.out.strip()
    [request] = fake.clone_requests()
    assert request.body.fields["name"] == "Mum"
    assert [u.data for u in request.body.files] == [p.read_bytes() for p in minute_of_speech]
    listed = run_cli("voices", "list", "--json", env=eleven_env(fake))
    assert listed.code == 0 and {"voice_id": voice_id, "name": "Mum", "category": "cloned",
                                 "languages": []} in listed.json()
    story_id = save_story_blocking(EN_STORY, "en")
    narrated = run_cli("narrate", story_id, "--voice", voice_id, "--json", env=eleven_env(fake))
    assert narrated.code == 0, narrated.err
    assert narrated.json()["provider"] == "elevenlabs" and narrated.json()["voice_id"] == voice_id
    assert all(r.path.startswith(f"/v1/text-to-speech/{voice_id}") for r in fake.tts_requests())
    deleted = run_cli("voices", "delete", voice_id, env=eleven_env(fake))
    assert deleted.code == 0, deleted.err
    assert voice_id not in {v["voice_id"] for v in fake.voices}
    again = run_cli("voices", "delete", voice_id, env=eleven_env(fake))
    assert again.code == 2 and "no voice" in again.err


def test_clone_needs_a_minute_of_audio(fake, tmp_path):
    short = write_recording(make_recording(EN_STORY, "en"), tmp_path / "short.wav")
    result = run_cli("voices", "clone", "--name", "Grandpa", str(short), "--consent", env=eleven_env(fake))
    assert result.code == 2 and "at least a minute" in result.err
    assert fake.uploads == [] and not fake.clone_requests()


def test_voices_need_a_key():
    result = run_cli("voices", "list")
    assert result.code == 3 and "ElevenLabs API key" in result.err


def test_the_parent_picks_which_narration_plays(tmp_path):
    story_id = save_story_blocking(RU_STORY, "ru")
    synthesized = run_cli("narrate", story_id, "--json").json()
    source = write_recording(make_recording(RU_STORY, "ru"), tmp_path / "memo.wav")
    assert run_cli("narrate", story_id, "--from-recording", str(source)).code == 0
    shown = run_cli("stories", "show", story_id, "--json").json()
    assert {n["provider"] for n in shown["narrations"]} == {"espeak", "recording"}  # kept side by side
    assert run_cli("narrate", story_id, "--play", synthesized["id"]).code == 0
    shown = run_cli("stories", "show", story_id, "--json").json()
    assert shown["preferred_narration"] == synthesized["id"]
    assert run_cli("narrate", story_id, "--json").json()["id"] == synthesized["id"]  # what plays
    assert run_cli("narrate", story_id, "--play", "no-such-id").code == 2
