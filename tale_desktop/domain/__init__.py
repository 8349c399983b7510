"""Pure domain layer: records, enums, validation and text rules. No Qt, no I/O."""

from tale_desktop.domain.enums import (
    AgeBand,
    Gender,
    Language,
    Moral,
    NarrationProvider,
    Status,
    StoryType,
    Theme,
)
from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.models import Child, GenerationStats, Hero, Narration, Story, new_id, utc_now

__all__ = [
    "AgeBand", "Child", "Gender", "GenerationStats", "Hero", "Language", "Moral", "Narration",
    "NarrationProvider", "Status", "Story", "StoryType", "Theme", "ValidationError", "new_id", "utc_now",
]
