"""Turning what a parent types into a safe FTS5 query."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str | None:
    """``dragon com`` -> ``"dragon"* AND "com"*``; FTS syntax in the input is treated as plain words.

    Returns ``None`` when the text holds no searchable word.
    """
    words = _WORD.findall(text.lower())
    if not words:
        return None
    return " AND ".join(f'"{word}"*' for word in words[:16])
