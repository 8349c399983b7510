"""Enumerations stored as their exact string values (DESIGN section 3)."""

from __future__ import annotations

import functools
from enum import StrEnum


class Language(StrEnum):
    EN = "en"
    RU = "ru"


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"
    OTHER = "other"


class AgeBand(StrEnum):
    TODDLER = "2-3"
    PRESCHOOL = "3-5"
    EARLY = "5-7"
    MIDDLE = "8-12"


class StoryType(StrEnum):
    CHILD = "child"
    HERO = "hero"
    COMBINED = "combined"


class Status(StrEnum):
    DRAFT = "draft"
    NEW = "new"
    READ = "read"
    ARCHIVED = "archived"


class Moral(StrEnum):
    KINDNESS = "kindness"
    HONESTY = "honesty"
    BRAVERY = "bravery"
    FRIENDSHIP = "friendship"
    PERSEVERANCE = "perseverance"
    EMPATHY = "empathy"
    RESPECT = "respect"
    RESPONSIBILITY = "responsibility"


class Theme(StrEnum):
    ADVENTURE = "adventure"
    SPACE = "space"
    FANTASY = "fantasy"
    PIRATES = "pirates"
    DINOSAURS = "dinosaurs"
    MAGIC = "magic"
    OCEAN = "ocean"
    FOREST = "forest"
    ROBOTS = "robots"
    FAIRIES = "fairies"
    KNIGHTS = "knights"
    ANIMALS = "animals"


class NarrationProvider(StrEnum):
    ELEVENLABS = "elevenlabs"
    PIPER = "piper"
    ESPEAK = "espeak"
    RECORDING = "recording"  # a family member reading the story aloud


def choices(enum: type[StrEnum]) -> list[str]:
    return list(_choices(enum))


@functools.cache
def _choices(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


LANGUAGE_NAMES = {Language.EN: "English", Language.RU: "Русский"}
