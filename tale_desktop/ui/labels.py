"""Words the window shows for stored values (morals, themes, statuses, story types, ages): never the raw value.

Every label goes through ``QCoreApplication.translate("Labels", ...)`` so the translation picks it up.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from tale_desktop.domain.enums import AgeBand, Moral, Status, StoryType, Theme


def _t(text: str) -> str:
    return QCoreApplication.translate("Labels", text)


def moral_names() -> dict[str, str]:
    return {Moral.KINDNESS: _t("Kindness"), Moral.HONESTY: _t("Honesty"), Moral.BRAVERY: _t("Bravery"),
            Moral.FRIENDSHIP: _t("Friendship"), Moral.PERSEVERANCE: _t("Never giving up"),
            Moral.EMPATHY: _t("Understanding others"), Moral.RESPECT: _t("Respect"),
            Moral.RESPONSIBILITY: _t("Responsibility")}


def theme_names() -> dict[str, str]:
    return {Theme.ADVENTURE: _t("Adventure"), Theme.SPACE: _t("Space"), Theme.FANTASY: _t("Fantasy"),
            Theme.PIRATES: _t("Pirates"), Theme.DINOSAURS: _t("Dinosaurs"), Theme.MAGIC: _t("Magic"),
            Theme.OCEAN: _t("The ocean"), Theme.FOREST: _t("The forest"), Theme.ROBOTS: _t("Robots"),
            Theme.FAIRIES: _t("Fairies"), Theme.KNIGHTS: _t("Knights"), Theme.ANIMALS: _t("Animals")}


def status_names() -> dict[str, str]:
    return {Status.DRAFT: _t("Draft"), Status.NEW: _t("Not read yet"), Status.READ: _t("Read"),
            Status.ARCHIVED: _t("Archived")}


def story_type_names() -> dict[str | None, str]:
    return {None: _t("Chosen from who is in it"), StoryType.CHILD: _t("About the child"),
            StoryType.HERO: _t("About the hero"), StoryType.COMBINED: _t("The child and the hero together")}


def age_names() -> dict[str, str]:
    return {AgeBand.TODDLER: _t("2–3 years"), AgeBand.PRESCHOOL: _t("3–5 years"), AgeBand.EARLY: _t("5–7 years"),
            AgeBand.MIDDLE: _t("8–12 years")}


def moral(value: str | None, custom: bool = False) -> str:
    if not value:
        return "—"
    return value if custom else moral_names().get(value, value.capitalize())


def theme(value: str | None) -> str:
    return theme_names().get(value, value.capitalize()) if value else _t("Any")


def status(value: str | None) -> str:
    return status_names().get(value, "") if value else ""
