"""Where the shipped resources (starter stories, heroes, prompts, SQL) live."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    """Installed: ``tale_desktop/resources``; from a source checkout: the top-level ``resources/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "resources", here.parent / "resources"):
        if (candidate / "heroes").is_dir():
            return candidate
    raise FileNotFoundError("Tale Desktop resources are missing; reinstall the application")


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
