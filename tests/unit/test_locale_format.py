"""Plurals, numbers, dates and durations for English and Russian (domain/locale_format.py, domain/labels.py)."""

from __future__ import annotations

from datetime import date

import pytest

from tale_desktop.domain.labels import (
    ENUM_TABLES,
    FIELD_LABELS,
    MINUTE_FORMS,
    STORY_FORMS,
    WORD_FORMS,
    enum_label,
    reading_phrase,
    stories_phrase,
    story_facts,
    words_phrase,
)
from tale_desktop.domain.languages import INTERFACE_LANGUAGES
from tale_desktop.domain.locale_format import (
    MONTHS_GENITIVE,
    NBSP,
    PLURAL_RULES,
    format_date,
    format_duration,
    format_minutes,
    format_number,
    plural_category,
)


def plain(text: str) -> str:
    return text.replace(NBSP, " ")


@pytest.mark.parametrize(("n", "words", "stories"), [
    (0, "0 слов", "0 историй"), (1, "1 слово", "1 история"), (2, "2 слова", "2 истории"),
    (4, "4 слова", "4 истории"), (5, "5 слов", "5 историй"), (11, "11 слов", "11 историй"),
    (12, "12 слов", "12 историй"), (14, "14 слов", "14 историй"), (21, "21 слово", "21 история"),
    (22, "22 слова", "22 истории"), (25, "25 слов", "25 историй"), (101, "101 слово", "101 история"),
    (111, "111 слов", "111 историй"), (423, "423 слова", "423 истории"), (1000, "1000 слов", "1000 историй"),
    (12345, "12 345 слов", "12 345 историй"),
])
def test_russian_plurals(n, words, stories):
    assert plain(words_phrase(n, "ru")) == words
    assert plain(stories_phrase(n, "ru")) == stories


@pytest.mark.parametrize(("n", "words", "stories"), [
    (0, "0 words", "0 stories"), (1, "1 word", "1 story"), (2, "2 words", "2 stories"),
    (21, "21 words", "21 stories"), (1234, "1,234 words", "1,234 stories"),
])
def test_english_plurals(n, words, stories):
    assert words_phrase(n, "en") == words
    assert stories_phrase(n, "en") == stories


def test_plural_categories():
    assert [plural_category(n, "ru") for n in (1, 3, 7, 1.5)] == ["one", "few", "many", "other"]
    assert [plural_category(n, "en") for n in (1, 3, 1.5)] == ["one", "other", "other"]


def test_every_language_has_every_rule_and_form():
    for language in INTERFACE_LANGUAGES:
        assert language in PLURAL_RULES and len(MONTHS_GENITIVE[language]) == 12
        for forms in (WORD_FORMS, STORY_FORMS, MINUTE_FORMS):
            categories = {plural_category(n, language) for n in (0, 1, 2, 5, 1.5)}
            assert categories <= set(forms[language]), (language, forms[language])
        for labels in FIELD_LABELS.values():
            assert labels.get(language), labels
        for table in ENUM_TABLES.values():
            for value, names in table.items():
                assert names.get(language), (value, language)


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "1 January 2026"), ("ru", "1 января 2026 г."),
])
def test_dates(language, expected):
    assert format_date(date(2026, 1, 1), language) == expected


def test_dates_from_stamps_and_every_month():
    assert format_date("2026-03-12T10:00:00.000Z", "ru") == "12 марта 2026 г."
    assert format_date("2026-08-05T10:00:00+00:00", "en") == "5 August 2026"
    assert format_date("not a date", "ru") == "" and format_date(None, "en") == ""
    russian = [format_date(date(2026, m, 15), "ru") for m in range(1, 13)]
    assert russian[4] == "15 мая 2026 г." and russian[11] == "15 декабря 2026 г."


def test_numbers():
    assert format_number(1234567, "en") == "1,234,567"
    assert plain(format_number(1234567, "ru")) == "1 234 567"
    assert format_number(1234, "ru") == "1234"
    assert format_number(2.5, "ru", decimals=1) == "2,5" and format_number(2.5, "en", decimals=1) == "2.5"


@pytest.mark.parametrize(("seconds", "en", "ru"), [
    (170, "2 min 50 s", "2 мин 50 с"), (180, "3 min", "3 мин"), (45, "45 s", "45 с"), (0, "0 s", "0 с"),
    (3725, "1 h 2 min 5 s", "1 ч 2 мин 5 с"), (169.6, "2 min 50 s", "2 мин 50 с"),
])
def test_durations(seconds, en, ru):
    assert plain(format_duration(seconds, "en")) == en
    assert plain(format_duration(seconds, "ru")) == ru


def test_rounded_minutes():
    assert plain(format_minutes(2.8, "ru")) == "3 мин"
    assert plain(format_minutes(0.2, "en")) == "1 min"
    assert plain(format_minutes(75, "ru")) == "1 ч 15 мин"
    assert plain(reading_phrase(2.8, "ru")) == "3 мин чтения"
    assert plain(reading_phrase(2.8, "en")) == "3 min read"


def test_enum_labels_and_custom_moral():
    assert enum_label("moral", "empathy", "ru") == "Понимание других"
    assert enum_label("theme", "animals", "ru") == "Животные"
    assert enum_label("theme", "animals", "en") == "Animals"
    assert enum_label("status", "new", "ru") == "Новая"
    assert enum_label("moral", "Делиться — это здорово", "ru") == "Делиться — это здорово"
    assert enum_label("moral", "kindness", "de") == "Kindness"  # a language we lack falls back to English


def test_story_facts_in_russian():
    facts = dict(story_facts(language="ru", child_name="Маша", hero_name="Ёжик", moral="empathy",
                             theme="animals", reading_minutes=2.8, word_count=423,
                             created_at="2026-01-01T12:00:00.000Z"))
    assert {k: plain(v) for k, v in facts.items()} == {
        "Для": "Маша", "Герой": "Ёжик", "Мораль": "Понимание других", "Тема": "Животные",
        "Длина": "3 мин чтения · 423 слова", "Написана": "1 января 2026 г.",
    }


def test_the_window_counts_tales():
    from tale_desktop.domain.labels import tales_phrase

    assert [plain(tales_phrase(n, "ru")) for n in (1, 2, 5, 21, 112)] == [
        "1 сказка", "2 сказки", "5 сказок", "21 сказка", "112 сказок"]
    assert tales_phrase(1, "en") == "1 story" and tales_phrase(3, "en") == "3 stories"
