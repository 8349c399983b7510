"""`tale-desktop export ID --format mp3 --sound rain --then-minutes 2 --fade-out`, checked from outside: the
file lasts about the narration plus 2 minutes, the pauses between sentences carry the sound, the end fades to
silence. The narration is made by the offline voice (no network)."""

from __future__ import annotations

import miniaudio
import numpy as np
import pytest

from tale_desktop.domain.bedtime import MIN_VOICE_MARGIN_DB
from tale_desktop.domain.bedtime_mix import LEAD_IN_S
from tests.integration.cli_helpers import run_cli
from tests.integration.narration_helpers import save_story_blocking

RATE = 22050
FRAME = RATE // 50  # 20 ms


def _decode(path) -> np.ndarray:
    decoded = miniaudio.decode_file(str(path), output_format=miniaudio.SampleFormat.FLOAT32, nchannels=1,
                                    sample_rate=RATE)
    return np.frombuffer(decoded.samples, dtype=np.float32)


def _frames_rms(samples: np.ndarray, frame: int = FRAME) -> np.ndarray:
    usable = len(samples) // frame * frame
    return np.sqrt((samples[:usable].astype(np.float64).reshape(-1, frame) ** 2).mean(axis=1))


def _pauses(plain: np.ndarray) -> list[tuple[int, int]]:
    """Frame ranges of at least 0.3 s where the plain narration is silent, between two stretches of speech."""
    quiet = _frames_rms(plain) < 0.003
    runs, start = [], None
    for index, is_quiet in enumerate(quiet):
        if is_quiet and start is None:
            start = index
        elif not is_quiet and start is not None:
            if index - start >= 15 and start > 0:
                runs.append((start + 2, index - 2))  # keep clear of the edges of the words
            start = None
    return runs


@pytest.fixture(scope="module")
def tracks(tmp_path_factory, tale_env_module):
    folder = tmp_path_factory.mktemp("bedtime")
    story_id = save_story_blocking()
    plain = run_cli("export", story_id, "--format", "mp3", "--out", str(folder / "plain.mp3"), timeout=180)
    assert plain.code == 0, plain.err
    bedtime = run_cli("export", story_id, "--format", "mp3", "--sound", "rain", "--then-minutes", "2",
                      "--fade-out", "--out", str(folder / "bedtime.mp3"), "--json", timeout=180)
    assert bedtime.code == 0, bedtime.err
    assert bedtime.json()["file"] == str(folder / "bedtime.mp3")
    return _decode(folder / "plain.mp3"), _decode(folder / "bedtime.mp3")


@pytest.fixture(scope="module")
def tale_env_module(tmp_path_factory):
    """A module-wide library (the narration is made once for all the checks below)."""
    mp = pytest.MonkeyPatch()
    base = tmp_path_factory.mktemp("tale")
    mp.setenv("TALE_DATA_DIR", str(base / "data"))
    mp.setenv("TALE_CONFIG_DIR", str(base / "config"))
    mp.setenv("TALE_NO_KEYRING", "1")
    for name in ("ELEVENLABS_API_KEY", "OPENROUTER_API_KEY"):
        mp.delenv(name, raising=False)
    yield
    mp.undo()


def test_length_is_the_narration_plus_the_extra_minutes(tracks):
    plain, bedtime = tracks
    narration_s, track_s = len(plain) / RATE, len(bedtime) / RATE
    assert narration_s > 3
    assert track_s == pytest.approx(narration_s + 120 + LEAD_IN_S, abs=1.0)


def test_pauses_between_sentences_carry_the_sound_and_the_voice_stays_above_it(tracks):
    plain, bedtime = tracks
    pauses = _pauses(plain)
    assert pauses, "the narration should have pauses between its sentences"
    offset = int(LEAD_IN_S * 50)  # frames
    track = _frames_rms(bedtime)
    plain_frames = _frames_rms(plain)
    pause_levels = [track[a + offset:b + offset].mean() for a, b in pauses]
    assert min(pause_levels) > 0.004, f"a pause is (nearly) silent: {pause_levels}"
    speaking = plain_frames > plain_frames.max() * 10 ** (-35 / 20)
    voice = np.sqrt(np.mean(track[offset:offset + len(plain_frames)][speaking] ** 2))
    bed = np.sqrt(np.mean(np.concatenate([track[a + offset:b + offset] for a, b in pauses]) ** 2))
    assert 20 * np.log10(voice / bed) >= MIN_VOICE_MARGIN_DB


def test_the_last_seconds_fade_to_silence(tracks):
    _plain, bedtime = tracks
    seconds = _frames_rms(bedtime[-40 * RATE:], RATE)  # the last 40 s, second by second
    before_fade, fade = seconds[:9], seconds[10:]
    assert before_fade.min() > 0.01  # rain at full level just before the fade
    assert np.all(np.diff(fade) < 0.003), fade  # falling (within MP3 noise)
    assert fade[-1] < 0.002 and fade[-1] < before_fade.mean() / 20
    assert np.sqrt(np.mean(bedtime[-RATE // 10:].astype(np.float64) ** 2)) < 0.001


def test_bedtime_options_are_checked(tale_env_module, tmp_path):
    story_id = save_story_blocking()
    for args in (["--format", "md", "--sound", "rain"], ["--format", "mp3", "--fade-out"],
                 ["--format", "mp3", "--then-minutes", "5"], ["--format", "mp3", "--sound", "thunder"],
                 ["--format", "mp3", "--sound", "sea", "--then-minutes", "-3"]):
        result = run_cli("export", story_id, *args, "--out", str(tmp_path / "x"))
        assert result.code == 2, (args, result.err)
        assert result.err.strip() and "Traceback" not in result.err
        assert not (tmp_path / "x").exists()
