"""Offline read-along alignment of a recording: accuracy and time.

    python tests/bench/bench_alignment.py [--long]

Each case is a "recording" made by espeak-ng (a different voice and speed than the offline voice the aligner
speaks with: piper for English, espeak-ng at its bedtime rate for Russian) with pauses of known length (0.2-5 s)
between sentences and a little noise, so every sentence's true start is known. Columns: recording length,
sentences, time to synthesize the text offline, time to import the file (decode + MP3 encode), time to warp
(features + two-pass DTW), and the sentence-start error (max and mean). ``--long`` adds a ~5-minute reading.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from tale_desktop.domain import alignment  # noqa: E402
from tale_desktop.domain.speech import sentences_of  # noqa: E402
from tale_desktop.providers import audio_files, offline_voice  # noqa: E402
from tale_desktop.services import recording_alignment  # noqa: E402
from tests.recording_helpers import EN_STORY, RATE, RU_STORY, make_recording, write_recording  # noqa: E402

CASES = [
    ("en, piper vs espeak 185 wpm", EN_STORY, "en", {"words_per_minute": 185}),
    ("en, slow reader 120 wpm", EN_STORY, "en", {"words_per_minute": 120}),
    ("en, long pauses x3", EN_STORY, "en", {"pauses": (3.0, 0.3, 2.5, 0.2, 4.0), "repeat": 3}),
    ("ru, espeak 175 vs 135 wpm", RU_STORY, "ru", {"words_per_minute": 175}),
    ("ru, pauses up to 5 s x2", RU_STORY, "ru", {"pauses": (3.0, 0.3, 5.0, 0.2, 4.0), "repeat": 2}),
    ("en, noisy room (~32 dB SNR)", EN_STORY, "en", {"noise": 800}),
    ("ru, noisy room (~32 dB SNR)", RU_STORY, "ru", {"noise": 800}),
]
LONG = [("en, ~5 min reading x10", EN_STORY, "en", {"repeat": 10})]


class _Timed:
    """The offline voice, timing its synthesis."""

    def __init__(self, voice: offline_voice.OfflineVoice):
        self.voice, self.seconds = voice, 0.0
        self.sample_rate = voice.sample_rate

    def load(self) -> None:
        getattr(self.voice, "load", lambda: None)()

    def synthesize(self, text: str) -> bytes:
        began = time.perf_counter()
        try:
            return self.voice.synthesize(text)
        finally:
            self.seconds += time.perf_counter() - began


def run(name: str, text: str, language: str, options: dict) -> tuple:
    recording = make_recording(text, language, **options)
    sentences = sentences_of(" ".join([text] * options.get("repeat", 1)))
    with tempfile.TemporaryDirectory() as folder:
        source = write_recording(recording, Path(folder) / "memo.m4a")
        began = time.perf_counter()
        samples = audio_files.decode(source, audio_files.CACHE_SAMPLE_RATE)
        audio_files.encode_mp3(samples, audio_files.CACHE_SAMPLE_RATE)
        imported = time.perf_counter() - began
    engine = offline_voice.offline_voice_for(language)
    if isinstance(engine, offline_voice.PiperVoice):  # as the narrator does
        engine = offline_voice.PiperVoice(engine.model_path, length_scale=recording_alignment.PIPER_LENGTH_SCALE)
    voice = _Timed(engine)
    voice.load()
    began = time.perf_counter()
    timings = recording_alignment.offline_timings(recording.samples, RATE, sentences, voice)
    total = time.perf_counter() - began
    errors = np.abs(np.array([t["start"] for t in timings]) - np.array(recording.starts))
    return (name, recording.seconds, len(sentences), voice.seconds, imported, total - voice.seconds,
            float(errors.max()), float(errors.mean()))


def main() -> None:
    cases = CASES + (LONG if "--long" in sys.argv else [])
    print(f"frames/s {alignment.FRAMES_PER_S:g}, coarse factor {alignment.COARSE_FACTOR}, "
          f"fine radius {alignment.FINE_RADIUS_S:g} s")
    header = f"{'case':30} {'audio s':>8} {'sent':>5} {'synth s':>8} {'import s':>9} {'warp s':>7} " \
             f"{'max err':>8} {'mean err':>9}"
    print(header)
    print("-" * len(header))
    for case in cases:
        name, seconds, count, synth, imported, warp, worst, mean = run(*case)
        print(f"{name:30} {seconds:8.1f} {count:5d} {synth:8.2f} {imported:9.2f} {warp:7.2f} {worst:8.3f} "
              f"{mean:9.3f}", flush=True)


if __name__ == "__main__":
    main()
