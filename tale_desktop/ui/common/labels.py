"""Words the window shows for stored values (morals, themes, statuses, story types, ages): never the raw value.

The names come from the one table the exports use too (:mod:`tale_desktop.domain.labels`), in the interface
language; only the window's own words ("Any", "Chosen from who is in it") go through Qt's translation.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from tale_desktop.domain import labels as names
from tale_desktop.domain.illustrations import STYLE_NAMES
from tale_desktop.ui.common.language import current_language


def _names(kind: str) -> dict[str, str]:
    language = current_language()
    return {value: names.enum_label(kind, value, language) for value in names.ENUM_TABLES[kind]}


def moral_names() -> dict[str, str]:
    return _names("moral")


def theme_names() -> dict[str, str]:
    return _names("theme")


def status_names() -> dict[str, str]:
    return _names("status")


def story_type_names() -> dict[str | None, str]:
    return {None: QCoreApplication.translate("Labels", "Chosen from who is in it"), **_names("story_type")}


def age_names() -> dict[str, str]:
    return _names("age_band")


def gender_names() -> dict[str, str]:
    return _names("gender")


def language_names() -> dict[str, str]:
    return _names("language")


def moral(value: str | None, custom: bool = False) -> str:
    if not value:
        return "—"
    return value if custom else names.enum_label("moral", value, current_language())


def theme(value: str | None) -> str:
    return names.enum_label("theme", value, current_language()) if value else QCoreApplication.translate("Labels", "Any")


def status(value: str | None) -> str:
    return names.enum_label("status", value, current_language()) if value else ""


def style_names() -> dict[str, str]:
    """Illustration styles of picture books, in words of the interface language."""
    return dict(STYLE_NAMES.get(current_language(), STYLE_NAMES["en"]))
