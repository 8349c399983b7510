"""Turning what a parent types into a safe FTS5 query.

The index folds ``ё`` into ``е`` (migration V2), because Russian text is written both ways; the query is folded
the same way here, so ``ежик`` finds ``Ёжик``. Everything the parent types is reduced to words and each word is
quoted, so FTS5 syntax (``"``, ``*``, ``NEAR``, ``-``, ``:``, parentheses) can never reach the query parser.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 16


def fold(text: str) -> str:
    """The folding the FTS index applies on top of its tokenizer: ``ё`` -> ``е``."""
    return text.replace("ё", "е").replace("Ё", "Е")


def fts_query(text: str) -> str | None:
    """``dragon com`` -> ``"dragon"* AND "com"*``; FTS syntax in the input is treated as plain words.

    Every word is a prefix (search as you type). Returns ``None`` when the text holds no searchable word.
    """
    words = _WORD.findall(fold(text.lower()))
    if not words:
        return None
    return " AND ".join(f'"{word}"*' for word in words[:MAX_WORDS])
