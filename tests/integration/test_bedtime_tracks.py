"""BedtimeTracks on real files: decoding MP3 and WAV (miniaudio), the loop WAV for live playback, the volume that
keeps a looping sound under a narration, and a track written atomically."""

from __future__ import annotations

import wave
from pathlib import Path

import lameenc
import numpy as np
import pytest

from tale_desktop.domain.bedtime import MIN_VOICE_MARGIN_DB, BedtimeOptions, SoftSound
from tale_desktop.domain.bedtime_mix import LEAD_IN_S, speech_rms, to_int16
from tale_desktop.domain.soft_sounds import cached_loop, loop_rms
from tale_desktop.services.bedtime_track import BedtimeAudioError, BedtimeTracks, decode, render_track
from tale_desktop.services.export import ExportError

RATE = 22050


def _voice(seconds: float = 6.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    speech = 0.2 * np.sin(2 * np.pi * 200 * t) * (np.sin(2 * np.pi * 0.5 * t) > 0)  # 1 s on, 1 s off
    return speech.astype(np.float32)


def _wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(to_int16(samples))
    return path


def _mp3(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(rate)
    encoder.set_bit_rate(64)
    path.write_bytes(bytes(encoder.encode(to_int16(samples))) + bytes(encoder.flush()))
    return path


def test_decode_wav_and_mp3(tmp_path):
    voice = _voice()
    from_wav, rate = decode(_wav(tmp_path / "v.wav", voice))
    assert rate == RATE and len(from_wav) == len(voice)
    assert np.max(np.abs(from_wav - voice)) < 1e-3
    from_mp3, rate = decode(_mp3(tmp_path / "v.mp3", voice))
    assert rate == RATE and abs(len(from_mp3) - len(voice)) < 0.1 * RATE
    assert speech_rms(from_mp3, RATE) == pytest.approx(speech_rms(voice, RATE), rel=0.1)
    (tmp_path / "bad.mp3").write_bytes(b"not audio at all" * 100)
    with pytest.raises(BedtimeAudioError):
        decode(tmp_path / "bad.mp3")


def test_render_track_writes_the_whole_track_atomically(tmp_path):
    narration = _mp3(tmp_path / "n.mp3", _voice())
    info = render_track(narration, tmp_path / "out.mp3", BedtimeOptions(SoftSound.SEA, 0.5, True))
    samples, rate = decode(info.path)
    assert len(samples) / rate == pytest.approx(LEAD_IN_S + info.narration_seconds + 30, abs=0.3)
    assert info.voice_margin_db >= MIN_VOICE_MARGIN_DB
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    with pytest.raises(ExportError):  # a folder that cannot be written: nothing left behind
        render_track(narration, tmp_path / "missing" / "out.mp3", BedtimeOptions(SoftSound.SEA))


async def test_loop_file_and_bed_volume(tmp_path):
    tracks = BedtimeTracks(narrator=None, sounds_dir=tmp_path / "sounds")
    path = await tracks.loop_file("rain")
    assert path == await tracks.loop_file(SoftSound.RAIN)  # made once
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (1, RATE)
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2") / 32767.0
    loop = cached_loop(SoftSound.RAIN, RATE)
    assert np.max(np.abs(data - loop)) < 1e-4  # the loop itself, sample for sample (so it stays seamless)
    narration = _wav(tmp_path / "n.wav", _voice())
    for volume in (1.0, 0.5):
        gain = await tracks.bed_volume(narration, "rain", volume)
        margin = 20 * np.log10(speech_rms(_voice(), RATE) / (loop_rms(loop) * gain))
        assert margin == pytest.approx(MIN_VOICE_MARGIN_DB - 20 * np.log10(volume), abs=0.5)
