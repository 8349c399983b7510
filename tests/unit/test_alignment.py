"""The pure parts of offline alignment: features, warping on known shifts, and tidying timings for playback."""

from __future__ import annotations

import numpy as np

from tale_desktop.domain import alignment


def _tones(pattern: list[tuple[float, float]], rate: int = alignment.FEATURE_RATE) -> np.ndarray:
    """Concatenated tones (frequency 0 = silence) of the given lengths."""
    pieces = []
    for frequency, seconds in pattern:
        t = np.arange(int(seconds * rate)) / rate
        pieces.append((8000 * np.sin(2 * np.pi * frequency * t) * (frequency > 0)).astype(np.int16))
    return np.concatenate(pieces)


def test_mfcc_runs_at_fifty_frames_a_second_and_silence_looks_the_same_in_every_file():
    loud = alignment.mfcc(_tones([(300, 1.0), (0, 1.0), (900, 1.0)]))
    mostly_silent = alignment.mfcc(_tones([(0, 3.0), (300, 0.5), (0, 3.0)]) // 4)
    assert abs(len(loud) - 3 * alignment.FRAMES_PER_S) <= 2
    assert loud.shape[1] == alignment.MFCC_COUNT
    # Silence is 0 in every coefficient, whatever the file and however much silence it holds.
    assert np.allclose(loud[60:90], 0, atol=1e-4) and np.allclose(mostly_silent[:100], 0, atol=1e-4)
    assert loud[:, 0].min() >= 0 and loud[:, 0].max() == np.float32(alignment.LOUDNESS_WEIGHT)
    sound = loud[loud[:, 0] > 0]
    assert np.allclose(sound[:, 1:].mean(axis=0), 0, atol=0.05)  # the voice's colour normalised away


def test_warping_follows_a_longer_pause_and_a_slower_pace():
    synthetic = _tones([(0, 0.3), (300, 1.0), (0, 0.5), (900, 1.0), (0, 0.5), (500, 1.0), (0, 0.3)])
    recording = _tones([(0, 1.0), (300, 1.5), (0, 2.0), (900, 0.8), (0, 0.2), (500, 1.6), (0, 0.5)])
    path = alignment.warp_path(alignment.mfcc(recording), alignment.mfcc(synthetic))
    assert np.all(np.diff(path) >= 0) and path[0] == 0
    spans = [alignment.Span(0.3, 1.3), alignment.Span(1.8, 2.8), alignment.Span(3.3, 4.3)]
    mapped = alignment.map_spans(path, spans, len(recording) / alignment.FEATURE_RATE)
    assert [round(m.start, 1) for m in mapped] == [1.0, 4.5, 5.5]


def test_speech_bounds_skip_silence():
    start, end = alignment.speech_bounds(_tones([(0, 0.4), (300, 1.0), (0, 0.6)]), alignment.FEATURE_RATE)
    assert abs(start - 0.4) < 0.02 and abs(end - 1.4) < 0.02


def test_tidy_makes_starts_increasing_and_inside_the_audio():
    entries = [{"from": 0, "to": 5, "start": -0.2, "end": 1.0}, {"from": 6, "to": 9, "start": 0.5, "end": 0.2},
               {"from": 10, "to": 12, "start": 0.5, "end": 3.0}, {"from": 13, "to": 20, "start": 9.0, "end": 12.0}]
    tidy = alignment.tidy(entries, duration=4.0)
    starts = [t["start"] for t in tidy]
    assert starts[0] == 0.0 and all(b > a for a, b in zip(starts, starts[1:], strict=False))
    assert all(t["start"] < t["end"] <= 4.0 for t in tidy)
    assert all(tidy[i]["end"] <= tidy[i + 1]["start"] for i in range(3))
    assert [(t["from"], t["to"]) for t in tidy] == [(0, 5), (6, 9), (10, 12), (13, 20)]
