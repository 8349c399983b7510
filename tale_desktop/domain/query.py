"""What the library list asks for: filters, search text, sort and page (pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SortKey(StrEnum):
    DATE = "date"
    TITLE = "title"
    RATING = "rating"
    LENGTH = "length"


@dataclass(frozen=True, slots=True)
class StoryQuery:
    search: str = ""
    child_id: str | None = None
    language: str | None = None
    status: str | None = None
    min_rating: int | None = None
    favourite: bool = False
    has_audio: bool = False
    sort: SortKey = SortKey.DATE
    descending: bool = True
    include_drafts: bool = True
