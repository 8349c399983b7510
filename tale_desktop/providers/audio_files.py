"""Reading recordings made elsewhere (a phone's voice memo: m4a, mp3, wav, ogg, opus, flac, webm) with PyAV, whose
wheels bundle FFmpeg's decoders (no system ffmpeg needed), and writing them as the audio cache's MP3.

Everything here is blocking: call it from a worker thread.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from tale_desktop.domain.errors import ValidationError

log = logging.getLogger(__name__)

RECORDING_FORMATS = (".m4a", ".mp3", ".wav", ".ogg", ".opus", ".oga", ".flac", ".webm", ".aac", ".mp4")
CACHE_SAMPLE_RATE = 44100
CACHE_BITRATE_KBPS = 96
MAX_RECORDING_S = 3 * 3600


def _unreadable(path: Path, why: str) -> ValidationError:
    return ValidationError.single("recording", f"The recording {path.name} cannot be read ({why}). Use an audio "
                                               "file such as m4a, mp3, wav, ogg or opus.")


def decode(path: Path, rate: int) -> np.ndarray:
    """The whole recording as mono 16-bit samples at ``rate`` Hz."""
    import av

    path = Path(path).expanduser()
    if not path.is_file():
        raise ValidationError.single("recording", f"There is no file {path}.")
    pieces: list[np.ndarray] = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise _unreadable(path, "it has no sound")
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
            total = 0
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    pieces.append(out.to_ndarray().reshape(-1))
                    total += out.samples
                if total > MAX_RECORDING_S * rate:
                    raise ValidationError.single("recording", f"The recording {path.name} is longer than "
                                                              f"{MAX_RECORDING_S // 3600} hours.")
            for out in resampler.resample(None):
                pieces.append(out.to_ndarray().reshape(-1))
    except ValidationError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise _unreadable(path, type(exc).__name__) from exc
    samples = np.concatenate(pieces).astype(np.int16) if pieces else np.zeros(0, np.int16)
    if len(samples) < rate // 2:
        raise _unreadable(path, "it is shorter than half a second")
    return samples


def resample(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Mono 16-bit samples converted to another sample rate (FFmpeg's resampler)."""
    if rate_in == rate_out:
        return np.asarray(samples, dtype=np.int16)
    import av

    resampler = av.AudioResampler(format="s16", layout="mono", rate=rate_out)
    frame = av.AudioFrame.from_ndarray(np.asarray(samples, dtype=np.int16).reshape(1, -1), format="s16",
                                       layout="mono")
    frame.sample_rate = rate_in
    frame.pts = None
    pieces = [out.to_ndarray().reshape(-1) for out in resampler.resample(frame)]
    pieces += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    return np.concatenate(pieces).astype(np.int16) if pieces else np.zeros(0, np.int16)


def duration_s(path: Path) -> float:
    """How long a recording is (decoded, so it is right even when the container's header is not)."""
    return len(decode(path, 8000)) / 8000


def encode_mp3(samples: np.ndarray, rate: int, bitrate_kbps: int = CACHE_BITRATE_KBPS) -> bytes:
    import lameenc

    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(rate)
    encoder.set_bit_rate(bitrate_kbps)
    encoder.set_quality(5)
    return bytes(encoder.encode(np.asarray(samples, dtype="<i2").tobytes()) + encoder.flush())


def peak_normalised(samples: np.ndarray, target: float = 0.89) -> np.ndarray:
    """A quiet phone recording brought up to a steady level (never louder than ``target`` of full scale)."""
    peak = float(np.abs(samples).max()) if len(samples) else 0.0
    if peak < 1.0:
        return samples
    gain = min(8.0, target * 32767 / peak)
    if gain <= 1.0:
        return samples
    return np.clip(samples.astype(np.float32) * gain, -32768, 32767).astype(np.int16)
