"""The import's quick check on a record's JSON line (``json_value_is_clean``): it may say "not sure" too often,
never "clean" for a record that clean_value would change."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tale_desktop.domain.control_chars import json_value_is_clean, needs_cleaning
from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.models import Story
from tale_desktop.services.backup import parse_record

# Letters, quotes and backslashes beside every kind of character the cleaning removes or keeps.
_ALPHABET = st.sampled_from(list("ab ё«»—…’\"\\/\n\t\r\x00\x07\x0b\x1b\x7f\x85\x9b\u2028\u202a\u202e\u2066\u2069"))
_TEXT = st.text(_ALPHABET, max_size=12)
_KEYS = st.sampled_from(["title", "content", "summary", "moral", "name", "appearance", "interests", "text", "x"])
_VALUES = st.recursive(_TEXT | st.integers() | st.none(),
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
                       max_leaves=8)


def _line(record: dict, *, ascii_only: bool) -> bytes:
    return json.dumps({"kind": "story", "record": record}, ensure_ascii=ascii_only).encode()


@settings(max_examples=600, deadline=None)
@given(record=st.dictionaries(_KEYS, _VALUES, max_size=6), ascii_only=st.booleans())
def test_clean_is_only_said_of_a_record_with_nothing_to_clean(record: dict, ascii_only: bool) -> None:
    if json_value_is_clean(_line(record, ascii_only=ascii_only), record):
        assert not needs_cleaning(record)


@pytest.mark.parametrize("record", [
    {"title": "Tab\tin a title", "content": "fine"},
    {"title": "A", "content": "One\ntwo", "child_snapshot": {"name": "Mi\na"}},  # same count, wrong place
    {"title": "A", "content": "One\n", "child_snapshot": {"appearance": "x"}, "note": "two\\nlines"},
    {"title": "Back\\slash", "content": "and a bell\x07"},
    {"title": "C1 \x9b raw", "content": ""},
    {"title": "DEL \x7f", "content": ""},
    {"title": "Override \u202e", "content": ""},
    {"title": "Isolate \u2067", "content": ""},
    {"title": "A", "content": "carriage\rreturn"},
    {"title": "A", "summary": "ok", "child_snapshot": {"interests": ["o\tw"]}},
])
def test_records_to_clean_are_never_called_clean(record: dict) -> None:
    for ascii_only in (False, True):
        assert not json_value_is_clean(_line(record, ascii_only=ascii_only), record)


@pytest.mark.parametrize("record", [
    {"title": "Sleepy fox", "content": "One night.\n\n«Привет», — сказала Ёлка. \"Yes,\" said Fox…\n\tThe end.",
     "summary": "A fox\nand a fir", "child_snapshot": {"name": "Mia", "interests": ["owls"]}},
    {"title": "Plain", "content": "no escapes at all", "child_snapshot": {"name": "Ben"}},
    {"title": "Quote \"in\" a title", "content": "Lines\none\ntwo", "moral": "be kind\n"},
])
def test_usual_stories_skip_the_walk(record: dict) -> None:
    """The quick check is worth having: a usual story (paragraphs, dialogue, Russian, dashes) is told clean."""
    assert json_value_is_clean(_line(record, ascii_only=False), record)


def test_an_imported_line_is_cleaned_either_way() -> None:
    """parse_record gives the same record with the line's bytes (quick check) and without (the walk)."""
    story = Story(title="Night", content="One.\n\nTwo.", moral="kindness", language="en", minutes=5,
                  child_snapshot={"name": "Mi\x1ba", "appearance": "two\nlines"})
    line = json.dumps({"kind": "story", "record": story.to_dict()}, ensure_ascii=False) + "\n"
    with_bytes = parse_record(line, line.encode())[1]
    assert with_bytes == parse_record(line)[1]
    assert with_bytes.child_name == "Mia" and with_bytes.child_snapshot["appearance"] == "two\nlines"


@settings(max_examples=300, deadline=None)
@given(title=_TEXT, content=_TEXT, summary=_TEXT, moral=_TEXT)
def test_a_record_from_outside_needs_no_second_look_for_controls(title: str, content: str, summary: str,
                                                                  moral: str) -> None:
    """validate_outside (which does not look for control characters again) gives what validate gives, for any
    story made by from_outside: from_outside has already dropped every character validate would drop."""
    data = {"id": "6f1c2a4e-8b3d-4c5e-9a7f-1b2c3d4e5f60", "created_at": "2026-01-01T00:00:00.000Z",
            "updated_at": "2026-01-01T00:00:00.000Z", "title": title + "Night", "content": content,
            "summary": summary, "moral": moral + "kindness", "language": "en", "minutes": 5}

    def outcome(check):
        try:
            return check()
        except ValidationError as exc:
            return exc.errors

    expected = outcome(lambda: Story.from_outside(data).validate())
    assert outcome(lambda: Story.from_outside(data).validate_outside()) == expected
    line = _line(data, ascii_only=False)
    assert outcome(lambda: Story.from_outside(data, source=line).validate_outside()) == expected
