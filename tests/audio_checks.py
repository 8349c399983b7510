"""Audio checks for tests: decode any file QtMultimedia can play (MP3, WAV) to 16-bit mono PCM and measure it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, QTimer, QUrl
from PySide6.QtMultimedia import QAudioDecoder, QAudioFormat

RATE = 22050


def decode(path: str | Path, rate: int = RATE, timeout_ms: int = 30000) -> np.ndarray:
    """All samples of the file as int16 mono at ``rate`` (raises AssertionError when it cannot be decoded).
    Needs a QCoreApplication and must not run inside an async test."""
    decoder = QAudioDecoder()
    fmt = QAudioFormat()
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    fmt.setChannelCount(1)
    fmt.setSampleRate(rate)
    decoder.setAudioFormat(fmt)
    decoder.setSource(QUrl.fromLocalFile(str(path)))
    chunks: list[bytes] = []
    errors: list[str] = []
    loop = QEventLoop()

    def ready() -> None:
        while decoder.bufferAvailable():
            chunks.append(bytes(decoder.read().constData()))

    decoder.bufferReady.connect(ready)
    decoder.finished.connect(loop.quit)
    decoder.error.connect(lambda _e: (errors.append(decoder.errorString()), loop.quit()))
    decoder.start()
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    ready()
    decoder.stop()
    assert not errors, f"{path} could not be decoded: {errors}"
    return np.frombuffer(b"".join(chunks), dtype="<i2")


def audible_seconds(samples: np.ndarray, rate: int = RATE, threshold: int = 300) -> float:
    """Seconds of the signal louder than ``threshold`` in 20 ms windows (speech, not silence or hiss)."""
    window = rate // 50
    usable = len(samples) // window * window
    if not usable:
        return 0.0
    frames = samples[:usable].astype(np.float64).reshape(-1, window)
    rms = np.sqrt((frames ** 2).mean(axis=1))
    return float((rms > threshold).sum() / 50)


def assert_audio(path: str | Path, min_seconds: float, min_audible: float = 1.0) -> np.ndarray:
    samples = decode(path)
    seconds = len(samples) / RATE
    assert seconds >= min_seconds, f"{path} lasts {seconds:.2f} s, expected at least {min_seconds} s"
    audible = audible_seconds(samples)
    assert audible >= min_audible, f"{path} is nearly silent ({audible:.2f} s above the threshold)"
    return samples
