"""Read-along timings for a family member's recording of a story.

- With an ElevenLabs key: the Forced Alignment API gives a time for every character of the text; each sentence
  starts at its first character and ends at its last.
- Without one (or when ElevenLabs fails): offline, on this machine: the story is spoken by the offline voice
  (piper for English, espeak-ng for Russian), and :mod:`tale_desktop.domain.alignment` warps that synthetic
  timeline onto the recording (MFCC + dynamic time warping), carrying the sentence boundaries over.

The offline function is blocking (synthesis and numpy): run it in a worker thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from tale_desktop.domain import alignment
from tale_desktop.domain.speech import Sentence, chunk_text, timing
from tale_desktop.providers.audio_files import resample
from tale_desktop.providers.elevenlabs_voices import Alignment
from tale_desktop.providers.offline_voice import OfflineVoice

log = logging.getLogger(__name__)

LEAD_SILENCE_S = 0.3
SENTENCE_PAUSE_S = 0.5
PIPER_LENGTH_SCALE = 1.0  # piper's normal pace for the synthetic reading (the bedtime pace is slower to make)


def alignment_text(sentences: Sequence[Sentence]) -> str:
    """The text sent for forced alignment: the spoken sentences joined by single spaces."""
    return chunk_text(sentences)


def timings_from_characters(sentences: Sequence[Sentence], result: Alignment,
                            duration: float) -> list[dict[str, Any]]:
    """Sentence timings from ElevenLabs' character timings (matched by position in :func:`alignment_text`)."""
    text = alignment_text(sentences)
    characters = result.characters
    if not characters and result.words:  # words only: spread each word's time over its characters
        characters = []
        for word in result.words:
            share = (word.end - word.start) / max(1, len(word.text))
            characters += [type(word)(c, word.start + i * share, word.start + (i + 1) * share)
                           for i, c in enumerate(word.text)]
            characters.append(type(word)(" ", word.end, word.end))
    scale = len(characters) / max(1, len(text))  # 1.0 when the service kept every character
    entries = []
    offset = 0
    for sentence in sentences:
        first, last = offset, offset + len(sentence.text) - 1
        lo = min(len(characters) - 1, int(first * scale))
        hi = min(len(characters) - 1, max(lo, int(last * scale)))
        entries.append(timing(sentence, characters[lo].start, characters[hi].end))
        offset += len(sentence.text) + 1
    return alignment.tidy(entries, duration)


def offline_timings(recording: np.ndarray, rate: int, sentences: Sequence[Sentence],
                    voice: OfflineVoice) -> list[dict[str, Any]]:
    """Sentence timings of ``recording`` (mono 16-bit at ``rate``) by aligning it with the offline voice's reading
    of the same sentences. Blocking."""
    began = time.perf_counter()
    feature_rate = alignment.FEATURE_RATE
    steady_copy = getattr(voice, "steady_copy", None)
    if callable(steady_copy):
        voice = steady_copy()
    load = getattr(voice, "load", None)
    if callable(load):
        load()
    pieces = [np.zeros(int(LEAD_SILENCE_S * feature_rate), np.int16)]
    spans: list[alignment.Span] = []
    position = LEAD_SILENCE_S
    pause = np.zeros(int(SENTENCE_PAUSE_S * feature_rate), np.int16)
    for sentence in sentences:
        pcm = np.frombuffer(voice.synthesize(sentence.text), dtype=np.int16)
        pcm = resample(pcm, voice.sample_rate, feature_rate)
        speech_start, speech_end = alignment.speech_bounds(pcm, feature_rate)
        spans.append(alignment.Span(position + speech_start, position + speech_end))
        pieces += [pcm, pause]
        position += len(pcm) / feature_rate + SENTENCE_PAUSE_S
    synthesized = time.perf_counter()
    heard = resample(recording, rate, feature_rate)
    duration = len(recording) / rate
    heard_features = alignment.mfcc(heard)
    path = alignment.warp_path(heard_features, alignment.mfcc(np.concatenate(pieces)))
    mapped = alignment.snap_to_onsets(alignment.map_spans(path, spans, duration), heard_features, duration)
    log.info("Offline alignment of %.0f s with %d sentences: synthesis %.2f s, warping %.2f s", duration,
             len(sentences), synthesized - began, time.perf_counter() - synthesized)
    entries = [timing(sentence, span.start, span.end) for sentence, span in zip(sentences, mapped, strict=True)]
    return alignment.tidy(entries, duration)
