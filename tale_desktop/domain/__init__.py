"""Pure domain layer: records, enums, validation and text rules. No Qt, no I/O.

The names below load on first use (PEP 562): the start-up path needs only ``domain.languages`` before the
window's first paint, and importing a submodule runs this file first.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOMES = {
    "AgeBand": "enums", "Gender": "enums", "Language": "enums", "Moral": "enums", "NarrationProvider": "enums",
    "Status": "enums", "StoryType": "enums", "Theme": "enums",
    "ValidationError": "errors",
    "Child": "models", "GenerationStats": "models", "Hero": "models", "Narration": "models", "Story": "models",
    "new_id": "models", "utc_now": "models",
}
__all__ = [
    "AgeBand", "Child", "Gender", "GenerationStats", "Hero", "Language", "Moral", "Narration",
    "NarrationProvider", "Status", "Story", "StoryType", "Theme", "ValidationError", "new_id", "utc_now",
]

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # once: later lookups are plain module attributes
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
