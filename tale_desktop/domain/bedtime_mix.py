"""Mixing a soft sound under a narration (pure numpy sample work, no Qt, no I/O; run it in a worker thread).

The track is: a short lead-in where the sound fades in, the narration with the sound under it, then the sound
alone for the extra minutes, and (with ``fade_out``) a fade of everything to silence over the last
:data:`FADE_OUT_S` seconds. The sound is kept at least :data:`MIN_VOICE_MARGIN_DB` below the voice: its RMS is
set from the RMS of the voice *while it speaks* (pauses do not count), times the sound's volume (0..1), and the
margin never shrinks (a volume above 1 is clamped). Without ``fade_out`` the end still gets a short ramp so
the last sample is silent (no click).

The mixer renders block by block (:meth:`BedtimeMix.blocks`), so a long tail of rain never sits in memory at
once and an encoder can consume it as it comes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from tale_desktop.domain.bedtime import FADE_OUT_S, MAX_THEN_MINUTES, MIN_VOICE_MARGIN_DB

LEAD_IN_S = 2.0
END_RAMP_S = 0.5
SPEECH_FRAME_S = 0.02
SPEECH_GATE_DB = 35.0  # frames this far below the loudest are pauses, not speech
HEADROOM_PEAK = 0.98


def fade_gain(remaining_s: np.ndarray | float, fade_s: float = FADE_OUT_S) -> np.ndarray:
    """Gain for a fade that ends at ``remaining_s == 0``: 1 before the fade, then :func:`fade_curve` down to
    exactly 0 (monotonic in ``remaining_s``)."""
    remaining = np.asarray(remaining_s, dtype=np.float64)
    if fade_s <= 0:
        return (remaining > 0).astype(np.float64)
    return np.clip(remaining / fade_s, 0.0, 1.0) ** 3  # fade_curve, vectorised


def speech_rms(voice: np.ndarray, rate: int) -> float:
    """RMS of the voice over the frames where it speaks (pauses between sentences left out); 0 for silence."""
    frame = max(1, int(rate * SPEECH_FRAME_S))
    usable = len(voice) // frame * frame
    if usable == 0:
        return float(np.sqrt(np.mean(np.square(voice, dtype=np.float64)))) if len(voice) else 0.0
    frames = np.sqrt(np.mean(np.square(voice[:usable].reshape(-1, frame), dtype=np.float64), axis=1))
    loudest = float(frames.max())
    if loudest <= 1e-6:
        return 0.0
    speaking = frames[frames >= loudest * 10 ** (-SPEECH_GATE_DB / 20)]
    return float(np.sqrt(np.mean(np.square(speaking))))


def bed_gain(voice_rms: float, bed_rms: float, volume: float, margin_db: float = MIN_VOICE_MARGIN_DB) -> float:
    """Linear gain for the sound so its RMS is ``volume`` x (voice RMS - ``margin_db``); volume is 0..1."""
    volume = min(1.0, max(0.0, float(volume)))
    if bed_rms <= 0 or volume == 0:
        return 0.0
    reference = voice_rms if voice_rms > 0 else 0.1  # a silent narration: a quiet bed all the same
    return reference * 10 ** (-max(margin_db, MIN_VOICE_MARGIN_DB) / 20) * volume / bed_rms


@dataclass(frozen=True, slots=True)
class TrackLayout:
    """Where everything sits in the track, in samples."""

    rate: int
    lead_in: int
    voice: int
    tail: int
    fade: int  # samples of the final fade (0: only the short end ramp)

    @property
    def total(self) -> int:
        return self.lead_in + self.voice + self.tail

    @property
    def voice_start(self) -> int:
        return self.lead_in

    @property
    def voice_end(self) -> int:
        return self.lead_in + self.voice

    @property
    def seconds(self) -> float:
        return self.total / self.rate


def layout(voice_samples: int, rate: int, then_minutes: float, fade_out: bool, *, lead_in_s: float = LEAD_IN_S,
           fade_s: float = FADE_OUT_S) -> TrackLayout:
    """The sound goes on ``then_minutes`` after the voice; a fade needs at least ``fade_s`` of sound after the
    voice (so it never fades the last words), and the tail is stretched to that when it is shorter."""
    then_minutes = min(MAX_THEN_MINUTES, max(0.0, float(then_minutes)))
    tail = int(round(then_minutes * 60 * rate))
    fade = int(round(fade_s * rate)) if fade_out else 0
    tail = max(tail, fade, int(END_RAMP_S * rate))
    return TrackLayout(rate, int(round(lead_in_s * rate)), voice_samples, tail, fade)


class BedtimeMix:
    """The soft sound ``loop`` (seamless, float32) under ``voice`` (float32, -1..1), both at ``rate``."""

    def __init__(self, voice: np.ndarray, loop: np.ndarray, rate: int, *, volume: float, then_minutes: float = 0.0,
                 fade_out: bool = False, margin_db: float = MIN_VOICE_MARGIN_DB, fade_s: float = FADE_OUT_S,
                 lead_in_s: float = LEAD_IN_S):
        if len(loop) == 0:
            raise ValueError("the sound loop is empty")
        self.voice = np.asarray(voice, dtype=np.float32)
        self.loop = np.asarray(loop, dtype=np.float32)
        self.rate = rate
        self.layout = layout(len(self.voice), rate, then_minutes, fade_out, lead_in_s=lead_in_s, fade_s=fade_s)
        self.voice_rms = speech_rms(self.voice, rate)
        loop_rms = float(np.sqrt(np.mean(np.square(self.loop, dtype=np.float64))))
        self.gain = bed_gain(self.voice_rms, loop_rms, volume, margin_db)
        # One scale for voice and bed together keeps the mix from clipping without changing the margin.
        worst = float(np.max(np.abs(self.voice))) if len(self.voice) else 0.0
        worst += float(np.max(np.abs(self.loop))) * self.gain
        self.scale = min(1.0, HEADROOM_PEAK / worst) if worst > 0 else 1.0

    @property
    def total_samples(self) -> int:
        return self.layout.total

    def envelope(self, start: int, count: int) -> np.ndarray:
        """The bed's gain over samples ``start .. start+count``: fade-in over the lead-in, the final fade (or the
        end ramp); the final part applies to the voice as well (it is silent there in a normal layout)."""
        lay = self.layout
        index = np.arange(start, start + count, dtype=np.float64)
        env = np.ones(count)
        if lay.lead_in:
            env *= np.clip(index / lay.lead_in, 0.0, 1.0) ** 2
        remaining = (lay.total - 1 - index) / self.rate
        fade_s = lay.fade / self.rate if lay.fade else END_RAMP_S
        env *= fade_gain(remaining, fade_s)
        return env

    def render(self, start: int, count: int) -> np.ndarray:
        """Samples ``start .. start+count`` of the track (float32)."""
        lay = self.layout
        count = max(0, min(count, lay.total - start))
        index = np.arange(start, start + count)
        bed = self.loop[index % len(self.loop)].astype(np.float64) * self.gain
        env = self.envelope(start, count)
        out = bed * env
        lo, hi = max(start, lay.voice_start), min(start + count, lay.voice_end)
        if hi > lo:
            voice = self.voice[lo - lay.voice_start:hi - lay.voice_start]
            out[lo - start:hi - start] += voice * self._voice_env(lo, hi)
        return (out * self.scale).astype(np.float32)

    def _voice_env(self, lo: int, hi: int) -> np.ndarray:
        """The voice is only touched by the final fade (never by the lead-in)."""
        lay = self.layout
        remaining = (lay.total - 1 - np.arange(lo, hi, dtype=np.float64)) / self.rate
        fade_s = lay.fade / self.rate if lay.fade else END_RAMP_S
        return fade_gain(remaining, fade_s)

    def blocks(self, block_samples: int | None = None) -> Iterator[np.ndarray]:
        block = block_samples or self.rate
        for start in range(0, self.layout.total, block):
            yield self.render(start, block)

    def render_all(self) -> np.ndarray:
        return self.render(0, self.layout.total)


def to_int16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
