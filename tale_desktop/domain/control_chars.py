"""Characters that must never be stored in names and labels: C0/C1 controls (ESC, BEL, newline, DEL...) and the
bidirectional overrides/isolates (U+202A-U+202E, U+2066-U+2069) that make a terminal or a label show something
else than what is stored. Typed text (CLI, window) is rejected; text from outside (import, sync pull) is cleaned.
"""

from __future__ import annotations

import re
from typing import Any

_BIDI = "\u202a-\u202e\u2066-\u2069"
# One-line text (names, labels, list items): every control character, line breaks and tabs too.
LINE_CONTROLS = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
# Multi-line text (story text, appearance, moral): line breaks and tabs are fine.
TEXT_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
# Fields (at any depth of a record) that hold multi-line text.
MULTILINE_FIELDS = frozenset({"content", "summary", "appearance", "moral", "feedback", "text", "prompt", "scene"})
ASCII_DIGITS = re.compile(r"[+-]?[0-9]+")
# Whole terminal escape sequences (CSI "ESC [ ... m", OSC "ESC ] ... BEL", two-character ones): removed as a unit.
ESCAPE_SEQUENCES = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b]*(?:\x07|\x1b\\)?"
                              r"|\x1b[@-Z\\^_]")


def has_controls(text: str, *, multiline: bool = False) -> bool:
    return bool((TEXT_CONTROLS if multiline else LINE_CONTROLS).search(text))


def strip_controls(text: str, *, multiline: bool = False) -> str:
    """Remove control characters (a line break or tab in one-line text becomes a space)."""
    text = ESCAPE_SEQUENCES.sub("", text)
    if not multiline:
        text = re.sub(r"[\t\n\r\v\f\x85\u2028\u2029]+", " ", text)
    return (TEXT_CONTROLS if multiline else LINE_CONTROLS).sub("", text)


def clean_value(value: Any, *, multiline: bool = False) -> Any:
    """``strip_controls`` through strings, lists and dicts (dict keys decide which values are multi-line).

    Returns ``value`` itself when nothing in it needs cleaning (the usual case), a cleaned copy otherwise."""
    if isinstance(value, (list, dict)) and not needs_cleaning(value, multiline=multiline):
        return value
    return _clean(value, multiline=multiline)


def needs_cleaning(value: Any, *, multiline: bool = False) -> bool:
    """Whether :func:`clean_value` would change anything in ``value``. The strings of one container are joined
    and searched once, so a clean record costs a few searches instead of one per field."""
    if isinstance(value, str):
        return bool((TEXT_CONTROLS if multiline else LINE_CONTROLS).search(value))
    if isinstance(value, dict):  # each value is multi-line by its key
        items = ((key in MULTILINE_FIELDS, item) for key, item in value.items())
    elif isinstance(value, list):  # items are as multi-line as their list
        items = ((multiline, item) for item in value)
    else:
        return False
    lines, texts, nested = [], [], []
    for inner, item in items:
        if isinstance(item, str):
            (texts if inner else lines).append(item)
        elif isinstance(item, (list, dict)):
            nested.append((item, inner))
    # " " joins: a separator that is no control character, so the search finds only what the strings hold.
    return (bool(lines) and bool(LINE_CONTROLS.search(" ".join(lines)))
            or bool(texts) and bool(TEXT_CONTROLS.search(" ".join(texts)))
            or any(needs_cleaning(item, multiline=inner) for item, inner in nested))


# In UTF-8 JSON, a C0 control character inside a string is always escaped (json.loads refuses it raw), so only the
# C1 controls, DEL and the bidirectional marks can appear as they are. Searches with a literal first byte are
# fast; one alternation of all of them would scan eight times slower.
_RAW_C1 = re.compile(b"\xc2[\x80-\x9f]")
_RAW_BIDI = re.compile(b"\xe2(?:\x80[\xaa-\xae]|\x81[\xa6-\xa9])")
# An escape that may stand for a control character: any but \n, \t and \" (\\ and \/ are rare; they only make
# the caller take the walk).
_OTHER_ESCAPE = re.compile(rb'\\[^nt"]')


def json_value_is_clean(source: bytes, value: dict[str, Any]) -> bool:
    r"""Whether ``value``, the object decoded from (part of) the UTF-8 JSON ``source``, surely holds nothing that
    :func:`clean_value` would change: told from the JSON text with a few fast searches instead of a walk through
    every field (a backup's record is decoded from a line of its own, and the walk was a sixth of the parsing of a
    big import). ``False`` only means "not sure": use :func:`clean_value`.

    Line breaks and tabs are fine in the multi-line fields and nowhere else. When the text holds exactly as many
    ``\n`` and ``\t`` escapes as the top-level multi-line fields hold line breaks and tabs, they are all there."""
    if not source.isascii() and (b"\xc2" in source and _RAW_C1.search(source)
                                 or b"\xe2" in source and _RAW_BIDI.search(source)):
        return False
    if b"\x7f" in source:
        return False
    if b"\\" not in source:
        return True
    if _OTHER_ESCAPE.search(source):
        return False
    escaped = source.count(b"\\n") + source.count(b"\\t")
    if not escaped:
        return True
    allowed = 0
    for key in MULTILINE_FIELDS.intersection(value):
        item = value[key]
        if isinstance(item, str):
            allowed += item.count("\n") + item.count("\t")
    return escaped == allowed


def _clean(value: Any, *, multiline: bool) -> Any:
    if isinstance(value, str):
        # LINE_CONTROLS holds every character TEXT_CONTROLS does: one search says whether there is work.
        return strip_controls(value, multiline=multiline) if (
            TEXT_CONTROLS if multiline else LINE_CONTROLS).search(value) else value
    if isinstance(value, list):
        return [_clean(item, multiline=multiline) if isinstance(item, _NESTED) else item for item in value]
    if isinstance(value, dict):
        return {key: _clean(item, multiline=key in MULTILINE_FIELDS) if isinstance(item, _NESTED) else item
                for key, item in value.items()}
    return value


_NESTED = (str, list, dict)  # what clean_value looks into (numbers, booleans and None pass as they are)


def parse_ascii_int(text: str) -> int:
    """``int()`` for ASCII digits only (``int("٧")`` is 7 in Python); ValueError otherwise."""
    stripped = text.strip()
    if not ASCII_DIGITS.fullmatch(stripped):
        raise ValueError(f"not a whole number in ASCII digits: {text!r}")
    return int(stripped)
