"""Display names for stored enum values and story facts, per language (pure Python: no Qt).

One table serves the exports (in the story's language), the CLI and the window (in the interface language), so
"empathy" never reaches a parent: it reads "Understanding others" or "Понимание других". A custom moral is not an enum value and
is shown as written. Adding a language: add a column to every table here (tests/unit/test_locale_format.py fails for a
missing one) and see docs/i18n.md.
"""

from __future__ import annotations

from collections.abc import Mapping

from tale_desktop.domain.enums import AgeBand, Gender, Language, Moral, Status, StoryType, Theme
from tale_desktop.domain.languages import DEFAULT_LANGUAGE
from tale_desktop.domain.locale_format import count_phrase, format_date, format_minutes

EnumTable = Mapping[str, Mapping[str, str]]  # value -> language -> display name

MORALS: EnumTable = {
    Moral.KINDNESS: {"en": "Kindness", "ru": "Доброта"},
    Moral.HONESTY: {"en": "Honesty", "ru": "Честность"},
    Moral.BRAVERY: {"en": "Bravery", "ru": "Смелость"},
    Moral.FRIENDSHIP: {"en": "Friendship", "ru": "Дружба"},
    Moral.PERSEVERANCE: {"en": "Never giving up", "ru": "Упорство"},
    Moral.EMPATHY: {"en": "Understanding others", "ru": "Понимание других"},
    Moral.RESPECT: {"en": "Respect", "ru": "Уважение"},
    Moral.RESPONSIBILITY: {"en": "Responsibility", "ru": "Ответственность"},
}
THEMES: EnumTable = {
    Theme.ADVENTURE: {"en": "Adventure", "ru": "Приключения"},
    Theme.SPACE: {"en": "Space", "ru": "Космос"},
    Theme.FANTASY: {"en": "Fantasy", "ru": "Сказочный мир"},
    Theme.PIRATES: {"en": "Pirates", "ru": "Пираты"},
    Theme.DINOSAURS: {"en": "Dinosaurs", "ru": "Динозавры"},
    Theme.MAGIC: {"en": "Magic", "ru": "Волшебство"},
    Theme.OCEAN: {"en": "The ocean", "ru": "Океан"},
    Theme.FOREST: {"en": "The forest", "ru": "Лес"},
    Theme.ROBOTS: {"en": "Robots", "ru": "Роботы"},
    Theme.FAIRIES: {"en": "Fairies", "ru": "Феи"},
    Theme.KNIGHTS: {"en": "Knights", "ru": "Рыцари"},
    Theme.ANIMALS: {"en": "Animals", "ru": "Животные"},
}
STORY_TYPES: EnumTable = {
    StoryType.CHILD: {"en": "About the child", "ru": "Про ребёнка"},
    StoryType.HERO: {"en": "About the hero", "ru": "Про героя"},
    StoryType.COMBINED: {"en": "The child and the hero together", "ru": "Ребёнок и герой вместе"},
}
STATUSES: EnumTable = {
    Status.DRAFT: {"en": "Draft", "ru": "Черновик"},
    Status.NEW: {"en": "Not read yet", "ru": "Новая"},
    Status.READ: {"en": "Read", "ru": "Прочитана"},
    Status.ARCHIVED: {"en": "Archived", "ru": "В архиве"},
}
AGE_BANDS: EnumTable = {
    AgeBand.TODDLER: {"en": "2–3 years", "ru": "2–3 года"},
    AgeBand.PRESCHOOL: {"en": "3–5 years", "ru": "3–5 лет"},
    AgeBand.EARLY: {"en": "5–7 years", "ru": "5–7 лет"},
    AgeBand.MIDDLE: {"en": "8–12 years", "ru": "8–12 лет"},
}
GENDERS: EnumTable = {
    Gender.MALE: {"en": "Boy / male", "ru": "Мальчик / мужской"},
    Gender.FEMALE: {"en": "Girl / female", "ru": "Девочка / женский"},
    Gender.OTHER: {"en": "Not specified", "ru": "Не указан"},
}
LANGUAGES: EnumTable = {
    Language.EN: {"en": "English", "ru": "Английский"},
    Language.RU: {"en": "Russian", "ru": "Русский"},
}
#: kind -> table; the kinds are the field names used across the app.
ENUM_TABLES: dict[str, EnumTable] = {
    "moral": MORALS, "theme": THEMES, "story_type": STORY_TYPES, "status": STATUSES, "age_band": AGE_BANDS,
    "gender": GENDERS, "language": LANGUAGES,
}

#: Labels of the story facts printed by exports and shown in the window.
FIELD_LABELS: Mapping[str, Mapping[str, str]] = {
    "child": {"en": "For", "ru": "Для"},
    "hero": {"en": "Hero", "ru": "Герой"},
    "moral": {"en": "Moral", "ru": "Мораль"},
    "theme": {"en": "Theme", "ru": "Тема"},
    "length": {"en": "Length", "ru": "Длина"},
    "words": {"en": "Words", "ru": "Слов"},
    "written": {"en": "Written", "ru": "Написана"},
    "contents": {"en": "Contents", "ru": "Содержание"},
    "untitled": {"en": "Untitled story", "ru": "Сказка без названия"},
    "reading": {"en": "{minutes} read", "ru": "{minutes} чтения"},
}

#: Counted nouns, by CLDR plural category.
WORD_FORMS = {"en": {"one": "word", "other": "words"},
              "ru": {"one": "слово", "few": "слова", "many": "слов", "other": "слова"}}
STORY_FORMS = {"en": {"one": "story", "other": "stories"},
               "ru": {"one": "история", "few": "истории", "many": "историй", "other": "истории"}}
#: What the window calls the stories it keeps: "1 tale" reads oddly in English, so English says "story".
TALE_FORMS = {"en": {"one": "story", "other": "stories"},
              "ru": {"one": "сказка", "few": "сказки", "many": "сказок", "other": "сказки"}}
MINUTE_FORMS = {"en": {"one": "minute", "other": "minutes"},
                "ru": {"one": "минута", "few": "минуты", "many": "минут", "other": "минуты"}}


def _pick(names: Mapping[str, str], language: str) -> str:
    return names.get(language) or names[DEFAULT_LANGUAGE]


def enum_label(kind: str, value: str | None, language: str) -> str:
    """The display name of a stored value; an unknown value (a custom moral) is returned as written."""
    if not value:
        return ""
    names = ENUM_TABLES[kind].get(value)
    return _pick(names, language) if names else value


def field_label(name: str, language: str) -> str:
    return _pick(FIELD_LABELS[name], language)


def words_phrase(count: int, language: str) -> str:
    """``"1 word"``, ``"423 слова"``, ``"5 слов"``."""
    return count_phrase(count, WORD_FORMS, language)


def stories_phrase(count: int, language: str) -> str:
    """``"1 story"``, ``"2 истории"``, ``"5 историй"``."""
    return count_phrase(count, STORY_FORMS, language)


def tales_phrase(count: int, language: str) -> str:
    """``"1 story"``, ``"2 сказки"``, ``"5 сказок"`` (the window's word for the library's stories)."""
    return count_phrase(count, TALE_FORMS, language)


def reading_phrase(minutes: float, language: str) -> str:
    """``"3 min read"`` / ``"3 мин чтения"``."""
    return field_label("reading", language).format(minutes=format_minutes(minutes, language))


def story_facts(*, language: str, child_name: str = "", hero_name: str = "", moral: str = "", theme: str = "",
                reading_minutes: float = 0.0, word_count: int = 0, created_at: str = "") -> list[tuple[str, str]]:
    """(label, value) pairs describing a story, every label and value in ``language`` (names as written)."""
    facts: list[tuple[str, str]] = []
    if child_name:
        facts.append((field_label("child", language), child_name))
    if hero_name:
        facts.append((field_label("hero", language), hero_name))
    if moral:
        facts.append((field_label("moral", language), enum_label("moral", moral, language)))
    if theme:
        facts.append((field_label("theme", language), enum_label("theme", theme, language)))
    facts.append((field_label("length", language),
                  f"{reading_phrase(reading_minutes, language)} · {words_phrase(word_count, language)}"))
    if written := format_date(created_at, language):
        facts.append((field_label("written", language), written))
    return facts
