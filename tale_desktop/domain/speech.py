"""Text rules for narration: sentences with their place in the story, speakable text, request-sized chunks,
and looking up the sentence being spoken at a moment (read-along). Pure Python, no I/O.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tale_desktop.domain.text import split_sentences

# A single sentence longer than this is cut at a comma or a space (offline voices and requests stay small).
MAX_SENTENCE_CHARS = 400
_SOFT_BREAK = re.compile(r"[,;:—–]\s+|\s+")
_CLAUSE_BREAK = re.compile(r"[,;:—–]\s+")
# Offline fast start: a first sentence longer than this is spoken in two parts (split at a clause break).
QUICK_START_CHARS = 90
MIN_CLAUSE_CHARS = 25


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int  # character offset in the story text
    end: int  # exclusive
    text: str  # what is spoken (emoji and symbols removed)


class _SpokenChars(dict[int, int | None]):
    """A ``str.translate`` table: emoji, pictographs and other symbols a voice would spell out become a space,
    every other character stays. Filled on first sight of each character, so a story is cleaned at C speed
    (a loop over ``unicodedata.category`` took milliseconds per story, on the loop thread)."""

    _DROPPED_CATEGORIES = frozenset(("So", "Sk", "Cs", "Co", "Cn"))
    _DROPPED_CHARS = frozenset("\u200d\ufe0f*#_~`|<>[]{}")

    def __missing__(self, code: int) -> int | None:
        char = chr(code)
        dropped = unicodedata.category(char) in self._DROPPED_CATEGORIES or char in self._DROPPED_CHARS
        value = 0x20 if dropped else code
        self[code] = value
        return value


_SPOKEN_CHARS = _SpokenChars()


def speakable(text: str) -> str:
    """Drop emoji, pictographs and other symbols a voice would spell out; collapse spaces."""
    return " ".join(text.translate(_SPOKEN_CHARS).split())  # split(): the same whitespace as re's \s


def _has_words(text: str) -> bool:
    return any(unicodedata.category(c)[0] in "LN" for c in text)


def _split_long(text: str, start: int, limit: int) -> list[tuple[int, int]]:
    """Cut ``text`` (at ``start`` in the story) into spans of at most ``limit`` chars at soft breaks."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while len(text) - pos > limit:
        window = text[pos:pos + limit]
        cut = 0
        for match in _SOFT_BREAK.finditer(window):
            if match.end() > limit // 3:
                cut = match.end()
        cut = cut or limit
        spans.append((start + pos, start + pos + cut))
        pos += cut
    spans.append((start + pos, start + len(text)))
    return spans


def sentences_of(content: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[Sentence]:
    """The story's sentences with their character spans; sentences without words (only emoji) are skipped."""
    result: list[Sentence] = []
    pos = 0
    for raw in split_sentences(content):
        found = content.find(raw, pos)
        start = found if found >= 0 else pos
        pos = start + len(raw)
        for span_start, span_end in _split_long(raw, start, max_chars):
            spoken = speakable(content[span_start:span_end])
            if _has_words(spoken):
                result.append(Sentence(len(result), span_start, span_end, spoken))
    return result


def quick_start(content: str, sentences: Sequence[Sentence], limit: int = QUICK_START_CHARS) -> list[Sentence]:
    """Split a long first sentence at a comma (or semicolon, colon, dash) so the first audio is ready sooner."""
    if not sentences or len(sentences[0].text) <= limit:
        return list(sentences)
    first = sentences[0]
    raw = content[first.start:first.end]
    cuts = [m.end() for m in _CLAUSE_BREAK.finditer(raw) if MIN_CLAUSE_CHARS <= m.end() <= limit]
    if not cuts:
        return list(sentences)
    cut = cuts[-1]
    head = speakable(raw[:cut])
    tail = speakable(raw[cut:])
    if not (_has_words(head) and _has_words(tail)):
        return list(sentences)
    pieces = [Sentence(0, first.start, first.start + cut, head), Sentence(1, first.start + cut, first.end, tail)]
    return pieces + [Sentence(s.index + 1, s.start, s.end, s.text) for s in sentences[1:]]


def group_chunks(sentences: Sequence[Sentence], limit: int, first_limit: int | None = None) -> list[list[Sentence]]:
    """Consecutive sentences joined into chunks of at most ``limit`` characters (the first one smaller, so the
    first audio arrives sooner). A sentence is never split across chunks."""
    chunks: list[list[Sentence]] = []
    current: list[Sentence] = []
    size = 0
    for sentence in sentences:
        cap = first_limit if (first_limit and not chunks) else limit
        extra = len(sentence.text) + (1 if current else 0)
        if current and size + extra > cap:
            chunks.append(current)
            current, size = [], 0
            extra = len(sentence.text)
        current.append(sentence)
        size += extra
    if current:
        chunks.append(current)
    return chunks


def chunk_text(chunk: Sequence[Sentence]) -> str:
    return " ".join(s.text for s in chunk)


def timing(sentence: Sentence, start_s: float, end_s: float) -> dict[str, Any]:
    """One read-along entry: the sentence's span in the story and when it is spoken."""
    return {"from": sentence.start, "to": sentence.end, "start": round(start_s, 3), "end": round(end_s, 3)}


def sentence_index_at(timings: Sequence[dict[str, Any]], seconds: float) -> int | None:
    """Index of the sentence being spoken at ``seconds`` (the last one started), or ``None`` before the first."""
    if not timings:
        return None
    starts = [float(t["start"]) for t in timings]
    index = bisect.bisect_right(starts, seconds) - 1
    return index if index >= 0 else None


def sentence_index_for_char(timings: Sequence[dict[str, Any]], char: int) -> int | None:
    """Index of the sentence whose span holds character ``char`` (or the nearest one before it)."""
    if not timings:
        return None
    starts = [int(t["from"]) for t in timings]
    index = bisect.bisect_right(starts, char) - 1
    return max(0, index)
