"""Bedtime listening: Qt event-loop stalls while a soft sound plays under a narration, and while a bedtime track is
mixed and encoded in a worker thread.

    python tests/bench/bench_bedtime.py [--seconds 6]

A 10 ms QTimer on the app's qasync loop (p50 / p99 / worst interval), in three cases:
1. idle;
2. live: the real player (QtMultimedia, headless) plays a 3-minute narration while the rain loop (the WAV from
   BedtimeTracks.loop_file) loops under it in a second QMediaPlayer (infinite loops) at the volume
   BedtimeTracks.bed_volume gives (decoding and mixing happen in Qt's audio threads);
3. export: BedtimeTracks' render (decode, mix 3 minutes of narration + 2 minutes of rain, fade, MP3 encode) in a
   worker thread, as `export ID --format mp3 --sound rain --then-minutes 2 --fade-out` does.
Goal: p99 <= 16 ms and a worst interval within ~10 ms of idle in both loaded cases.
The narration is a speech-like synthetic signal (tones in sentences with pauses), so the benchmark needs no voice.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false;qt.qpa.*=false")
os.environ["TALE_NO_KEYRING"] = "1"
os.environ["QT_API"] = "pyside6"
_tmp = tempfile.TemporaryDirectory(prefix="tale-bench-bedtime-")
os.environ["TALE_DATA_DIR"] = str(Path(_tmp.name) / "data")
os.environ["TALE_CONFIG_DIR"] = str(Path(_tmp.name) / "config")

import numpy as np  # noqa: E402
from PySide6.QtCore import QTimer, QUrl  # noqa: E402
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tale_desktop.domain.bedtime import BedtimeOptions, SoftSound  # noqa: E402
from tale_desktop.domain.bedtime_mix import to_int16  # noqa: E402
from tale_desktop.services.bedtime_track import BedtimeTracks, render_track  # noqa: E402
from tale_desktop.settings import Settings  # noqa: E402
from tale_desktop.ui.listen.player import AudioPlayer, PlayerState  # noqa: E402

RATE = 22050


def speech_like_wav(path: Path, seconds: float) -> Path:
    rng = np.random.default_rng(3)
    parts, total = [], 0.0
    while total < seconds:
        length = rng.uniform(1.5, 3.0)
        t = np.arange(int(length * RATE)) / RATE
        pitch = rng.uniform(140, 220)
        tone = sum(np.sin(2 * np.pi * pitch * k * t) / k for k in range(1, 6)) * (0.5 + 0.5 * np.sin(8 * t) ** 2)
        parts += [0.12 * tone, np.zeros(int(0.5 * RATE))]
        total += length + 0.5
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(to_int16(np.concatenate(parts).astype(np.float32)))
    return path


class Ticks:
    def __init__(self) -> None:
        self.intervals: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.intervals.append((now - self._last) * 1000)
        self._last = now

    async def measure(self, seconds: float) -> list[float]:
        self.intervals.clear()
        self._last = time.perf_counter()
        self.timer.start()
        await asyncio.sleep(seconds)
        self.timer.stop()
        return list(self.intervals[3:])


def summary(values: list[float]) -> str:
    if not values:
        return "no ticks"
    ordered = sorted(values)
    p50 = ordered[len(ordered) // 2]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"{p50:.1f} / {p99:.1f} / {ordered[-1]:.1f} ms"


async def main(seconds: float) -> None:
    folder = Path(_tmp.name)
    narration = speech_like_wav(folder / "narration.wav", 180.0)
    settings = Settings()
    tracks = BedtimeTracks(narrator=None, sounds_dir=folder / "sounds")
    ticks = Ticks()
    rows: list[tuple[str, str]] = []

    rows.append(("idle", summary(await ticks.measure(seconds))))

    # live: narration in the real player, rain looping under it
    loop_file = await tracks.loop_file(SoftSound.RAIN)
    bed_volume = await tracks.bed_volume(narration, SoftSound.RAIN)
    player = AudioPlayer(settings)
    # QSoundEffect (sample-exact WAV loops) needs a real audio device; headless, a looping QMediaPlayer does.
    bed = QMediaPlayer()
    bed_output = QAudioOutput()
    bed.setAudioOutput(bed_output)
    bed.setSource(QUrl.fromLocalFile(str(loop_file)))
    bed.setLoops(QMediaPlayer.Loops.Infinite)
    bed_output.setVolume(bed_volume)
    if player.isAvailable():
        player.load(narration)
        player.play()
        bed.play()
        for _ in range(200):
            if player.state is PlayerState.PLAYING:
                break
            await asyncio.sleep(0.05)
        live = await ticks.measure(seconds)
        moved = player.position
        looping = bed.playbackState() is QMediaPlayer.PlaybackState.PlayingState
        rows.append((f"narration + rain loop playing (narration at {moved:.1f} s, rain "
                     f"{'looping' if looping else 'NOT playing'} at volume {bed_volume:.2f})", summary(live)))
        bed.stop()
        player.stop()
        player.release()
    else:
        rows.append(("narration + rain loop playing", "skipped: " + player.unavailable_message))

    # export in a worker thread: the first one also generates the rain loop at the narration's rate
    options = BedtimeOptions(SoftSound.RAIN, 2.0, True)
    for label in ("first export (makes the loop)", "next export (loop made)"):
        export_ticks = Ticks()
        export_ticks.timer.start()
        started = time.perf_counter()
        info = await asyncio.to_thread(render_track, narration, folder / "track.mp3", options)
        render_s = time.perf_counter() - started
        export_ticks.timer.stop()
        rows.append((f"bedtime track in a worker, {label}: {info.seconds:.0f} s of audio in {render_s:.2f} s, "
                     f"voice {info.voice_margin_db:.1f} dB above the rain", summary(export_ticks.intervals[3:])))

    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  QTimer 10 ms: p50 / p99 / worst")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    from tale_desktop.ui.asyncqt import QtEventLoop

    with asyncio.Runner(loop_factory=QtEventLoop) as runner:
        runner.run(main(args.seconds))
