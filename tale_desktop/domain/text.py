"""Text rules shared by the reader, the storyteller and the narrator."""

from __future__ import annotations

import re

from tale_desktop.domain.models import WORDS_PER_MINUTE

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'»”)]*\s+(?=[\"'«“(]*[A-ZА-ЯЁ0-9])")


def word_count(text: str) -> int:
    return len(text.split())


def reading_minutes(text: str) -> float:
    """Minutes a parent needs to read ``text`` aloud at a bedtime pace."""
    return round(word_count(text) / WORDS_PER_MINUTE, 1)


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences (paragraph breaks always end a sentence)."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n", text):
        paragraph = paragraph.strip()
        if paragraph:
            sentences.extend(s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip())
    return sentences
