"""Bedtime tracks: a soft sound under the narration, more minutes of it after the story, a fade to silence.

- :meth:`BedtimeTracks.export` writes one MP3 (the CLI's ``export ID --format mp3 --sound rain --then-minutes 10
  --fade-out``): decode the narration (MP3 or WAV, through miniaudio), mix it with the sound's loop
  (:mod:`tale_desktop.domain.bedtime_mix`), encode with LAME block by block, and rename into place atomically.
- For the window's live playback: :meth:`BedtimeTracks.loop_file` writes a sound's seamless loop as a WAV (made
  for ``QSoundEffect`` with an infinite loop count, which loops WAV sample-exactly), and :meth:`bed_volume` says
  at which linear volume to play it under a given narration so the voice stays above it by the stated margin.

All sample work (decoding, generating, mixing, encoding) runs in worker threads; nothing here imports Qt.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tale_desktop.domain.bedtime import BedtimeOptions, SoftSound
from tale_desktop.domain.bedtime_mix import BedtimeMix, bed_gain, speech_rms, to_int16
from tale_desktop.domain.soft_sounds import DEFAULT_VOLUME, cached_loop, loop_rms
from tale_desktop.services.export import atomic_path
from tale_desktop.storage.audio_cache import AudioCacheError

log = logging.getLogger(__name__)

ENCODE_BLOCK_S = 0.5  # small blocks: the worker never holds the GIL long (loop stalls)
YIELD_S = 0.001
LOOP_WAV_RATE = 22050


class BedtimeAudioError(AudioCacheError):
    """The narration's audio could not be read (damaged or unknown format)."""


@dataclass(frozen=True, slots=True)
class TrackInfo:
    path: Path
    seconds: float
    narration_seconds: float
    voice_margin_db: float  # how far the bed sits below the voice (RMS while speaking)


# -- blocking work (worker threads) ------------------------------------------------------------------------------
def decode(path: str | os.PathLike[str], rate: int | None = None) -> tuple[np.ndarray, int]:
    """The file's samples as float32 mono (-1..1) and its sample rate (the file's own unless ``rate``)."""
    import miniaudio

    try:
        info = miniaudio.get_file_info(str(path))
        rate = rate or info.sample_rate
        # Streamed in pieces of a second: no single call holds the GIL long (the loop thread stays free).
        chunks = [np.frombuffer(chunk, dtype=np.float32).copy() for chunk in miniaudio.stream_file(
            str(path), output_format=miniaudio.SampleFormat.FLOAT32, nchannels=1, sample_rate=rate,
            frames_to_read=rate)]
    except (miniaudio.MiniaudioError, OSError) as exc:
        raise BedtimeAudioError(f"The narration audio {Path(path).name} could not be read ({exc}). "
                                "Narrate the story again.") from exc
    return (np.concatenate(chunks) if chunks else np.zeros(0, np.float32)), rate


class _Mp3Writer:
    def __init__(self, rate: int):
        import lameenc

        self._encoder = lameenc.Encoder()
        self._encoder.set_channels(1)
        self._encoder.set_in_sample_rate(rate)
        self._encoder.set_bit_rate(64 if rate <= 24000 else 96)
        self._encoder.set_quality(5)

    def encode(self, samples: np.ndarray) -> bytes:
        return bytes(self._encoder.encode(to_int16(samples)))

    def flush(self) -> bytes:
        return bytes(self._encoder.flush())


def render_track(narration: Path, target: Path, options: BedtimeOptions) -> TrackInfo:
    """Blocking: mix and encode the bedtime track to ``target`` (atomically)."""
    voice, rate = decode(narration)
    mix = BedtimeMix(voice, cached_loop(options.sound, rate), rate, volume=options.sound_volume,
                     then_minutes=options.then_minutes, fade_out=options.fade_out)
    with atomic_path(target) as temp, temp.open("wb") as out:
        writer = _Mp3Writer(rate)
        for block in mix.blocks(int(ENCODE_BLOCK_S * rate)):
            out.write(writer.encode(block))
            time.sleep(YIELD_S)  # hand the GIL to the loop thread between blocks (a waiting thread gets it now)
        out.write(writer.flush())
    bed_rms = loop_rms(mix.loop) * mix.gain
    margin = 20 * np.log10(mix.voice_rms / bed_rms) if bed_rms > 0 and mix.voice_rms > 0 else float("inf")
    log.info("Bedtime track %s: %.1f s (narration %.1f s), %s %.1f dB under the voice", target.name,
             mix.layout.seconds, len(voice) / rate, options.sound.value, margin)
    return TrackInfo(target, mix.layout.seconds, len(voice) / rate, float(margin))


def write_loop_wav(sound: SoftSound, folder: Path, rate: int = LOOP_WAV_RATE) -> Path:
    """Blocking: the sound's seamless loop as 16-bit mono WAV in ``folder`` (kept: made once per sound)."""
    target = folder / f"{sound.value}-{rate}.wav"
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    data = to_int16(cached_loop(sound, rate))
    with atomic_path(target) as temp, wave.open(str(temp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(data)
    return target


def voice_level(narration: Path) -> float:
    """Blocking: the narration's RMS while speaking (decoded at a low rate: the level is all that matters)."""
    voice, rate = decode(narration, 16000)
    return speech_rms(voice, rate)


# -- the service -------------------------------------------------------------------------------------------------
class BedtimeTracks:
    """Bedtime tracks for the CLI and the window. ``narrator`` provides (and makes, when needed) narrations."""

    def __init__(self, narrator, sounds_dir: Path | None = None):  # noqa: ANN001 - services.narrator.Narrator
        self.narrator = narrator
        self.sounds_dir = Path(sounds_dir) if sounds_dir else Path(narrator.settings.data_dir) / "sounds"

    async def export(self, story_id: str, out: Path, options: BedtimeOptions) -> TrackInfo:
        """Write the bedtime MP3 of the story at ``out`` (narrating it first when needed)."""
        narration = await self.narrator.current_narration(story_id)
        source = Path(str(narration.local_file))
        return await asyncio.to_thread(render_track, source, Path(out).expanduser(), options)

    async def loop_file(self, sound: SoftSound | str, rate: int = LOOP_WAV_RATE) -> Path:
        """A seamless WAV loop of ``sound`` for live playback under the narration."""
        return await asyncio.to_thread(write_loop_wav, SoftSound(sound), self.sounds_dir, rate)

    async def bed_volume(self, narration: Path, sound: SoftSound | str, volume: float | None = None) -> float:
        """Linear volume (0..1) to play :meth:`loop_file` at under ``narration`` when the narration plays at full
        volume: the sound's RMS is then ``volume`` x (voice RMS - the margin). Both players' volumes are then
        scaled by the same user volume and sleep-timer fade."""
        sound = SoftSound(sound)
        level = await asyncio.to_thread(voice_level, Path(narration))
        loop = await asyncio.to_thread(cached_loop, sound, LOOP_WAV_RATE)
        gain = bed_gain(level, loop_rms(loop), DEFAULT_VOLUME[sound] if volume is None else volume)
        return min(1.0, gain)
