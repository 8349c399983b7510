"""Forced alignment without a server, as the aeneas project does it: the text is spoken by the offline voice, both
audios become MFCC features (numpy only, 50 frames a second), and dynamic time warping finds which moment of the
synthetic speech each moment of the recording matches. Sentence boundaries of the synthetic timeline are then
carried over to the recording.

The warping is asymmetric (every frame of the recording is matched once; the synthetic side may stay or skip up to
``MAX_SKIP`` frames per step), so a parent's long pauses and faster or slower reading both fit. It runs twice: on a
coarse grid (10 frames a second) over a wide band around the diagonal, then at full rate in a narrow band around
the coarse path, so a long story stays quick. Pure computation (numpy), no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

FEATURE_RATE = 16000  # features are computed at this sample rate
FRAME_HOP = 320  # 20 ms: 50 frames per second
FRAME_WINDOW = 512
FRAMES_PER_S = FEATURE_RATE / FRAME_HOP
MEL_BANDS = 40
MFCC_COUNT = 13
COARSE_FACTOR = 5  # 10 frames per second for the first pass
MAX_SKIP = 4  # synthetic frames the path may advance per recording frame
COARSE_BAND_FRACTION = 0.35  # half-width of the first pass's band, as a share of the recording
COARSE_BAND_MIN_S = 20.0
FINE_RADIUS_S = 1.0  # how far the second pass may stray from the coarse path
# Per step, in units of the mean frame distance: skipping synthetic frames costs more than staying on one (a
# parent's pause, however long, stays on the synthetic pause).
SKIP_PENALTY = 0.15
STAY_PENALTY = 0.01
SILENCE_FLOOR = 10 ** -4.5  # -45 dB under the loudest mel band energy
NOISE_PERCENTILE = 10  # a file's background noise: this percentile of each band's frame energies ...
NOISE_MARGIN = 4.0  # ... times this (6 dB)
LOUDNESS_WEIGHT = 4.5  # loudness (0 = silence .. 1 = the loudest frame) against 12 normalised shape coefficients
MIN_SENTENCE_S = 0.05
SNAP_S = 0.3  # how far a sentence start may move to the onset of the sound it falls in
PAUSE_S = 0.12  # silence at least this long before an onset makes it a place a sentence can start
AUDIBLE_LOUDNESS = 0.3  # of the loudness scale (0 = 45 dB under the loudest frame, 1 = the loudest)


@dataclass(frozen=True, slots=True)
class Span:
    start: float
    end: float


def _mel_filters(rate: int, n_fft: int, bands: int) -> np.ndarray:
    def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0)

    def mel_to_hz(mel: np.ndarray) -> np.ndarray:
        return 700.0 * (10 ** (mel / 2595.0) - 1.0)

    edges = mel_to_hz(np.linspace(hz_to_mel(60.0), hz_to_mel(min(7600.0, rate / 2)), bands + 2))
    bins = np.fft.rfftfreq(n_fft, 1.0 / rate)
    filters = np.zeros((bands, len(bins)), dtype=np.float32)
    for band in range(bands):
        low, centre, high = edges[band], edges[band + 1], edges[band + 2]
        rising = (bins - low) / (centre - low)
        falling = (high - bins) / (high - centre)
        filters[band] = np.maximum(0.0, np.minimum(rising, falling))
    return filters


def _dct_matrix(count: int, bands: int) -> np.ndarray:
    n = np.arange(bands)
    return np.cos(np.pi / bands * (n[None, :] + 0.5) * np.arange(count)[:, None]).astype(np.float32)


def mfcc(samples: np.ndarray, rate: int = FEATURE_RATE) -> np.ndarray:
    """MFCC frames (``FRAMES_PER_S`` a second) of mono samples at ``rate``, normalised so that two different
    voices (and microphones) become comparable. Shape (frames, MFCC_COUNT)."""
    signal = np.asarray(samples, dtype=np.float32) / 32768.0
    if len(signal) < FRAME_WINDOW:
        signal = np.pad(signal, (0, FRAME_WINDOW - len(signal)))
    signal = np.append(signal[0], signal[1:] - 0.97 * signal[:-1])  # pre-emphasis
    count = 1 + (len(signal) - FRAME_WINDOW) // FRAME_HOP
    index = np.arange(FRAME_WINDOW)[None, :] + FRAME_HOP * np.arange(count)[:, None]
    frames = signal[index] * np.hanning(FRAME_WINDOW).astype(np.float32)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    mel = power @ _mel_filters(rate, FRAME_WINDOW, MEL_BANDS).T
    # Energies below a floor count as silence, so a noisy phone recording's pauses and the synthetic voice's
    # digital silence look alike: per band, the file's own noise (a low percentile of its frames, with a margin)
    # or 45 dB under the loudest energy, whichever is higher.
    noise = np.percentile(mel, NOISE_PERCENTILE, axis=0) * NOISE_MARGIN
    floor = np.maximum(noise, max(1e-10, float(mel.max()) * SILENCE_FLOOR))
    log_floor = np.log(floor)
    log_mel = np.log(np.maximum(mel, floor[None, :]))
    coefficients = log_mel @ _dct_matrix(MFCC_COUNT, MEL_BANDS).T
    # Loudness (c0) between the floor and the loudest frame, so silence sits at 0 in every file; the spectral
    # shape (c1...) normalised over the frames with sound (speaker and microphone differences cancel), and pure
    # silence set to the middle, so it looks the same however much of it a file has.
    silent_c0 = float(log_floor.sum())
    loudness = (coefficients[:, 0] - silent_c0) / max(1e-6, float(coefficients[:, 0].max()) - silent_c0)
    audible = (log_mel - log_floor[None, :]).max(axis=1) > 1.0
    shape = coefficients[:, 1:]
    reference = shape[audible] if audible.sum() > 10 else shape
    shape = (shape - reference.mean(axis=0)) / (reference.std(axis=0) + 1e-6)
    shape[~audible] = 0.0
    return np.column_stack([LOUDNESS_WEIGHT * loudness, shape]).astype(np.float32)


def _coarse(features: np.ndarray, factor: int) -> np.ndarray:
    count = len(features) // factor
    if count == 0:
        return features.mean(axis=0, keepdims=True)
    return features[:count * factor].reshape(count, factor, -1).mean(axis=1)


def _warp(rec: np.ndarray, syn: np.ndarray, lo: np.ndarray, hi: np.ndarray, max_skip: int) -> np.ndarray:
    """For each recording frame, the synthetic frame it matches: the least-cost path from (0, 0) to the last
    frames of both, where every step goes one recording frame on and 0..max_skip synthetic frames on, inside the
    band ``lo[i] <= j < hi[i]`` (both non-decreasing)."""
    rows, cols = len(rec), len(syn)
    inf = np.float32(np.inf)
    # Penalise anything but a one-frame step, scaled to the typical frame distance.
    sample = rec[:: max(1, rows // 50)]
    typical = float(np.mean(np.linalg.norm(sample[:, None, :] - syn[None, :: max(1, cols // 50), :], axis=2)))
    penalties = np.full(max_skip + 1, SKIP_PENALTY * typical, dtype=np.float32)
    penalties[0], penalties[1] = STAY_PENALTY * typical, 0.0
    previous = np.full(cols + max_skip, inf, dtype=np.float32)  # column j lives at j + max_skip
    current = np.full(cols + max_skip, inf, dtype=np.float32)
    choices: list[np.ndarray] = []
    syn_sq = np.einsum("ij,ij->i", syn, syn)
    for row in range(rows):
        a, b = int(lo[row]), int(hi[row])
        vector = rec[row]
        cost = np.sqrt(np.maximum(syn_sq[a:b] - 2.0 * (syn[a:b] @ vector) + float(vector @ vector), 0.0))
        current[max_skip + a:max_skip + b] = inf
        if row == 0:
            values = np.full(b - a, inf, dtype=np.float32)
            if a == 0:
                values[0] = cost[0]
            step = np.zeros(b - a, dtype=np.int8)
        else:
            candidates = np.stack([previous[max_skip + a - k:max_skip + b - k] + penalties[k]
                                   for k in range(max_skip + 1)])
            step = np.argmin(candidates, axis=0).astype(np.int8)
            values = candidates[step, np.arange(b - a)] + cost
        current[max_skip + a:max_skip + b] = values
        choices.append(step)
        if row:
            pa, pb = int(lo[row - 1]), int(hi[row - 1])
            previous[max_skip + pa:max_skip + pb] = inf
        previous, current = current, previous
    path = np.zeros(rows, dtype=np.int64)
    column = cols - 1
    if not np.isfinite(previous[max_skip + column]):  # the band did not reach the end: take the best last cell
        a, b = int(lo[rows - 1]), int(hi[rows - 1])
        column = a + int(np.argmin(previous[max_skip + a:max_skip + b]))
    for row in range(rows - 1, -1, -1):
        path[row] = column
        if row:
            column = max(int(lo[row - 1]), column - int(choices[row][column - int(lo[row])]))
    return path


def _diagonal_band(rows: int, cols: int, half_width: int) -> tuple[np.ndarray, np.ndarray]:
    centre = np.arange(rows) * (cols - 1) / max(1, rows - 1)
    lo = np.clip(np.floor(centre - half_width), 0, cols - 1).astype(np.int64)
    hi = np.clip(np.ceil(centre + half_width) + 1, 1, cols).astype(np.int64)
    lo[0], hi[-1] = 0, cols
    return np.maximum.accumulate(lo), np.maximum.accumulate(hi)


def warp_path(recording: np.ndarray, synthetic: np.ndarray) -> np.ndarray:
    """For each feature frame of the recording, the matching frame of the synthetic speech (non-decreasing)."""
    rows, cols = len(recording), len(synthetic)
    factor = COARSE_FACTOR
    coarse_rec, coarse_syn = _coarse(recording, factor), _coarse(synthetic, factor)
    coarse_rows, coarse_cols = len(coarse_rec), len(coarse_syn)
    half = max(COARSE_BAND_MIN_S * FRAMES_PER_S / factor, COARSE_BAND_FRACTION * max(coarse_rows, coarse_cols))
    half += abs(coarse_cols - coarse_rows)
    lo, hi = _diagonal_band(coarse_rows, coarse_cols, int(half))
    coarse_path = _warp(coarse_rec, coarse_syn, lo, hi, MAX_SKIP)
    # The fine band: around the coarse path, widened by FINE_RADIUS_S on each side.
    radius = int(FINE_RADIUS_S * FRAMES_PER_S)
    owner = np.minimum(np.arange(rows) // factor, coarse_rows - 1)
    before = coarse_path[np.maximum(owner - 1, 0)]
    after = coarse_path[np.minimum(owner + 1, coarse_rows - 1)]
    fine_lo = np.clip(before * factor - radius, 0, cols - 1).astype(np.int64)
    fine_hi = np.clip((after + 1) * factor + radius, 1, cols).astype(np.int64)
    fine_lo[0], fine_hi[-1] = 0, cols
    fine_lo, fine_hi = np.maximum.accumulate(fine_lo), np.maximum.accumulate(fine_hi)
    fine_hi = np.maximum(fine_hi, fine_lo + 1)
    return _warp(recording, synthetic, fine_lo, fine_hi, MAX_SKIP)


def map_spans(path: np.ndarray, spans: Sequence[Span], recording_s: float) -> list[Span]:
    """Synthetic-time spans carried over to the recording through the warping path."""
    times = np.arange(len(path)) / FRAMES_PER_S
    synthetic_times = path / FRAMES_PER_S
    result = []
    for span in spans:
        # First recording frame matched at or after the span's start; last one matched before its end.
        first = int(np.searchsorted(synthetic_times, span.start, side="left"))
        last = int(np.searchsorted(synthetic_times, span.end, side="right")) - 1
        start = float(times[min(first, len(times) - 1)])
        end = float(times[max(last, 0)]) + 1.0 / FRAMES_PER_S
        result.append(Span(min(start, recording_s), min(max(end, start), recording_s)))
    return result


def snap_to_onsets(spans: Sequence[Span], features: np.ndarray, recording_s: float) -> list[Span]:
    """Sentence starts moved to where the sound they fall in actually begins: a start found inside a stretch of
    speech goes back to that stretch's onset (when it began at most ``SNAP_S`` earlier, after a real pause), and
    a start found in silence goes forward to the next sound (at most ``SNAP_S`` later)."""
    audible = features[:, 0] / LOUDNESS_WEIGHT > AUDIBLE_LOUDNESS
    frames = len(audible)
    reach = int(SNAP_S * FRAMES_PER_S)
    quiet_run = int(PAUSE_S * FRAMES_PER_S)
    result = []
    for span in spans:
        frame = min(frames - 1, int(round(span.start * FRAMES_PER_S)))
        start = frame
        if audible[frame]:
            for back in range(frame, max(-1, frame - reach - 1), -1):
                if back - quiet_run < 0:
                    if not audible[:back].any():
                        start = back
                    break
                if not audible[back - quiet_run:back].any():
                    start = back
                    break
        else:
            ahead = np.nonzero(audible[frame:frame + reach + 1])[0]
            if len(ahead):
                start = frame + int(ahead[0])
        moved = start / FRAMES_PER_S
        result.append(Span(min(moved, recording_s), max(span.end, moved)))
    return result


def speech_bounds(samples: np.ndarray, rate: int, threshold: float = 0.02) -> tuple[float, float]:
    """Where speech begins and ends in one synthesized sentence (leading and trailing silence cut off)."""
    data = np.abs(np.asarray(samples, dtype=np.float32)) / 32768.0
    hop = max(1, rate // 100)
    count = len(data) // hop
    if count == 0:
        return 0.0, len(data) / rate
    level = data[:count * hop].reshape(count, hop).max(axis=1)
    loud = np.nonzero(level > threshold * max(1e-6, float(level.max())))[0]
    if len(loud) == 0:
        return 0.0, len(data) / rate
    return float(loud[0] * hop / rate), float(min(len(data), (loud[-1] + 1) * hop) / rate)


def tidy(entries: list[dict[str, Any]], duration: float) -> list[dict[str, Any]]:
    """Read-along entries made safe for playback: inside ``[0, duration]``, starts strictly increasing, each end
    after its start and no later than the next start."""
    result: list[dict[str, Any]] = []
    count = len(entries)
    step = min(MIN_SENTENCE_S, duration / max(1, 2 * count))
    for index, entry in enumerate(entries):
        latest_start = max(0.0, duration - step * (count - index))
        start = min(max(0.0, float(entry["start"])), latest_start)
        if result and start <= result[-1]["start"]:
            start = result[-1]["start"] + step
        result.append({**entry, "start": round(start, 3), "end": float(entry["end"])})
    for index, entry in enumerate(result):
        limit = result[index + 1]["start"] if index + 1 < count else duration
        entry["end"] = round(min(max(entry["end"], entry["start"] + step / 2), limit), 3)
    return result
