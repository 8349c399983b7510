"""Is this MP3 real audio of about the right length? Checked before audio is cached and before a cached file is used.

The check walks the MPEG audio frames (after an ID3v2 tag): the data must be, almost all of it, a chain of valid
Layer III frames, and the frames' total length must be plausible for the number of characters spoken. Pure
Python, no decoder needed; a few milliseconds for a long story.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Layer III bitrates (kbps) by index, for MPEG-1 and for MPEG-2/2.5; sample rates by version and index.
_BITRATES = {1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
             2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)}
_RATES = {1: (44100, 48000, 32000), 2: (22050, 24000, 16000), 25: (11025, 12000, 8000)}
MIN_COVERAGE = 0.9  # share of the bytes (after the tag) that must be valid frames
# Speech is roughly 10-20 characters a second; a bedtime pace and pauses make it slower, never this far off.
MAX_CHARS_PER_S = 60.0
MIN_CHARS_PER_S = 2.0
SLACK_S = 10.0


@dataclass(frozen=True, slots=True)
class Mp3Facts:
    frames: int
    duration_s: float
    coverage: float


def _id3_size(data: bytes) -> int:
    if len(data) >= 10 and data[:3] == b"ID3":
        size = (data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7 | (data[9] & 0x7F)
        return 10 + size + (10 if data[5] & 0x10 else 0)
    return 0


def _frame(data: bytes, pos: int) -> tuple[int, int, int] | None:
    """(frame length, samples, sample rate) of a Layer III frame header at ``pos``, else ``None``."""
    if pos + 4 > len(data) or data[pos] != 0xFF or (data[pos + 1] & 0xE0) != 0xE0:
        return None
    version_bits = (data[pos + 1] >> 3) & 0x03
    layer_bits = (data[pos + 1] >> 1) & 0x03
    if version_bits == 1 or layer_bits != 1:  # reserved version, or not Layer III
        return None
    version = {3: 1, 2: 2, 0: 25}[version_bits]
    bitrate_index = data[pos + 2] >> 4
    rate_index = (data[pos + 2] >> 2) & 0x03
    if bitrate_index in (0, 15) or rate_index == 3:
        return None
    bitrate = _BITRATES[1 if version == 1 else 2][bitrate_index] * 1000
    rate = _RATES[version][rate_index]
    padding = (data[pos + 2] >> 1) & 0x01
    if version == 1:
        return 144 * bitrate // rate + padding, 1152, rate
    return 72 * bitrate // rate + padding, 576, rate


def mp3_facts(data: bytes) -> Mp3Facts:
    """Count the chained frames of ``data`` (resynchronising past junk) and their total length."""
    start = min(_id3_size(data), len(data))
    pos, frames, seconds, covered = start, 0, 0.0, 0
    chain_end = -1  # where the last counted frame said the next one starts
    while pos < len(data) - 4:
        frame = _frame(data, pos)
        if frame is None or frame[0] < 24:
            pos += 1
            continue
        length, samples, rate = frame
        following = pos + length
        # a frame counts when the next frame follows exactly where it says; one that runs to the end of the data
        # (a cut-off last frame) counts only when it continues a chain or ends exactly there: in junk, a lone
        # header-like pair of bytes near the end would otherwise count
        if following < len(data) - 4:
            if _frame(data, following) is None:
                pos += 1
                continue
        elif pos != chain_end and following != len(data):
            pos += 1
            continue
        frames += 1
        seconds += samples / rate
        covered += min(length, len(data) - pos)
        pos = chain_end = following
    body = max(1, len(data) - start)
    return Mp3Facts(frames, seconds, covered / body)


def mp3_problem(data: bytes, chars: int | None = None) -> str | None:
    """Why ``data`` is not usable narration audio for ``chars`` characters of text, or ``None`` when it is."""
    return checked_mp3(data, chars)[0]


def checked_mp3(data: bytes, chars: int | None = None) -> tuple[str | None, float]:
    """:func:`mp3_problem` and the audio's length in seconds, from one walk over the frames."""
    if not data:
        return "no audio at all", 0.0
    facts = mp3_facts(data)
    return _problem(facts, chars), facts.duration_s


def _problem(facts: Mp3Facts, chars: int | None) -> str | None:
    if facts.frames == 0 or facts.duration_s <= 0:
        return "it is not MP3 audio"
    if facts.coverage < MIN_COVERAGE:
        return f"only {facts.coverage:.0%} of it is MP3 audio"
    if chars:
        shortest = chars / MAX_CHARS_PER_S
        longest = chars / MIN_CHARS_PER_S + SLACK_S
        if facts.duration_s < shortest:
            return f"{facts.duration_s:.1f} s of audio is too short for {chars} characters of text"
        if facts.duration_s > longest:
            return f"{facts.duration_s:.1f} s of audio is too long for {chars} characters of text"
    return None


def file_problem(path: str | Path, chars: int | None = None) -> str | None:
    """:func:`mp3_problem` for a file (blocking: call from a worker thread)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or type(exc).__name__})"
    return mp3_problem(data, chars)


def mp3_seconds(data: bytes) -> float:
    """The length of MP3 data in seconds from its frames (0.0 when it holds none)."""
    return mp3_facts(data).duration_s
