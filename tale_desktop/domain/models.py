"""Records of the library (DESIGN section 3) and their validation.

Every record has a client-made UUID4 ``id`` and ``created_at`` / ``updated_at`` / ``deleted_at`` timestamps in
UTC ISO-8601 (``deleted_at`` is a tombstone: ``None`` while the record is alive).
"""

from __future__ import annotations

import copy
import functools
import re
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any, Self

from tale_desktop.domain.control_chars import clean_value, has_controls, json_value_is_clean, strip_controls
from tale_desktop.domain.enums import (
    AgeBand,
    Gender,
    Language,
    Moral,
    NarrationProvider,
    Status,
    StoryType,
    Theme,
    choices,
)
from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.messages import CATALOGUE, Message, msg

NAME_MAX = 60
INTEREST_MAX_LEN = 40
INTERESTS_MAX = 10
TEXT_FIELD_MAX = 300
CUSTOM_MORAL_MAX = 200
TITLE_MAX = 200
MINUTES_MIN, MINUTES_MAX = 1, 30
WORDS_PER_MINUTE = 150
RATING_MIN, RATING_MAX = 1, 10
_CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def utc_now() -> str:
    """Current UTC time as ISO-8601 with milliseconds, sortable as text."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@functools.cache
def field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's field names, in order (asked for every record read from a file, pulled or stored)."""
    return tuple(f.name for f in fields(cls))


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """A deep copy of a field value as ``dataclasses.asdict`` makes it (nested records and dataclasses as dicts)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        return {_plain(k): _plain(v) for k, v in value.items()}
    if kind is list:
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
        return value.to_dict() if hasattr(value, "to_dict") else asdict(value)
    if kind is tuple:
        return tuple(_plain(v) for v in value)
    return copy.deepcopy(value)  # anything else, as asdict() copies it


def new_id() -> str:
    return str(uuid.uuid4())


def split_list(value: str | Iterable[str] | None) -> list[str]:
    """``"a, b"`` or ``["a", " b "]`` -> ``["a", "b"]`` (empty items dropped)."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(item).strip() for item in items if str(item).strip()]


def _field(name: str, label: str) -> str:
    """The field's label as a message (translated in the window), or the label as given."""
    code = f"field.{name}"
    return Message(code) if code in CATALOGUE and CATALOGUE[code]["en"] == label else label


class _Checker:
    """Collects plain-language rule violations, keyed by field."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, field_name: str, message: str) -> None:
        self.errors.setdefault(field_name, message)

    def text(self, field_name: str, label: str, value: Any, max_len: int, *, required: bool = True,
             multiline: bool = False) -> None:
        if not isinstance(value, str) or not value.strip():
            if required:
                self.fail(field_name, msg("validation.required", field=_field(field_name, label)))
            return
        if has_controls(value, multiline=multiline):
            self.fail(field_name, msg("validation.controls" if multiline else "validation.controls_line",
                                      field=_field(field_name, label)))
            return
        if len(value.strip()) > max_len:
            self.fail(field_name, msg("validation.too_long", field=_field(field_name, label), max=max_len,
                                      count=len(value.strip())))

    def enum(self, field_name: str, label: str, value: Any, enum: type, *, required: bool = True) -> None:
        if value is None and not required:
            return
        allowed = choices(enum)
        if value not in allowed:
            self.fail(field_name, msg("validation.choice", field=_field(field_name, label),
                                      allowed=", ".join(allowed)))

    def items(self, field_name: str, label: str, value: Any, *, minimum: int, maximum: int = INTERESTS_MAX,
              item_len: int = INTEREST_MAX_LEN) -> None:
        field = _field(field_name, label)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(field_name, msg("validation.list", field=field))
            return
        if len(value) < minimum:
            self.fail(field_name, msg("validation.too_few", field=field, field_lower=label.lower(),
                                      count=minimum))
        elif len(value) > maximum:
            self.fail(field_name, msg("validation.too_many", field=field, max=maximum, count=len(value)))
        for item in value:
            if has_controls(item):
                self.fail(field_name, msg("validation.item_controls", field=field, field_lower=label.lower()))
            elif not item.strip():
                self.fail(field_name, msg("validation.item_empty", field=field, field_lower=label.lower()))
            elif len(item) > item_len:
                self.fail(field_name, msg("validation.item_too_long", field=field, field_lower=label.lower(),
                                          max=item_len, item=item[:20], count=len(item)))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


@dataclass(slots=True)
class Record:
    id: str = field(default_factory=new_id)
    created_at: str = field(default_factory=utc_now)
    updated_at: str = field(default_factory=utc_now)
    deleted_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain data (what ``dataclasses.asdict`` gives, at a fraction of its cost: a sync pushes
        hundreds of rows per batch from a worker thread, and every microsecond there is one the window waits for
        the interpreter lock)."""
        return {name: _plain(getattr(self, name)) for name in field_names(type(self))}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Build from a dict, ignoring unknown keys (newer versions may add fields)."""
        return cls(**{name: data[name] for name in field_names(cls) if name in data})

    @classmethod
    def from_outside(cls, data: dict[str, Any], *, source: bytes | None = None) -> Self:
        """:meth:`from_dict` for data from outside (an import file, a sync pull): control characters are
        stripped from every text field first. ``source``, the UTF-8 JSON that ``data`` was decoded from, lets a
        clean record skip the walk through its fields (:func:`json_value_is_clean`)."""
        if source is not None and json_value_is_clean(source, data):
            return cls.from_dict(data)
        return cls.from_dict(clean_value(data))

    def touched(self, **changes: Any) -> Self:
        return replace(self, updated_at=utc_now(), **changes)

    def validate(self) -> Self:
        return self

    def validate_outside(self) -> Self:
        """:meth:`validate` for a record made by :meth:`from_outside`, whose text fields hold no control
        characters any more: where ``validate`` would drop them, they are not looked for again (a story's text
        is most of a big import's reading)."""
        return self.validate()

    def _check_id(self, check: _Checker) -> None:
        if isinstance(self.id, str) and _CANONICAL_UUID.fullmatch(self.id):
            return  # the form this app writes; uuid.UUID (which also takes braces, urn:uuid: ...) costs 5x more
        try:
            uuid.UUID(str(self.id))
        except ValueError:
            check.fail("id", msg("validation.bad_id"))


@dataclass(slots=True)
class Child(Record):
    name: str = ""
    age_band: str = AgeBand.PRESCHOOL.value
    gender: str = Gender.OTHER.value
    interests: list[str] = field(default_factory=list)

    def validate(self) -> Child:
        check = _Checker()
        self._check_id(check)
        check.text("name", "Name", self.name, NAME_MAX)
        check.enum("age_band", "Age band", self.age_band, AgeBand)
        check.enum("gender", "Gender", self.gender, Gender)
        check.items("interests", "Interests", self.interests, minimum=1)
        check.raise_if_any()
        self.name = self.name.strip()
        self.interests = [i.strip() for i in self.interests]
        return self


@dataclass(slots=True)
class Hero(Record):
    name: str = ""
    gender: str = Gender.OTHER.value
    appearance: str = ""
    personality_traits: list[str] = field(default_factory=list)
    interests: list[str] = field(default_factory=list)
    strengths: list[str] = field(default_factory=list)
    language: str = Language.EN.value
    builtin: bool = False

    def validate(self) -> Hero:
        check = _Checker()
        self._check_id(check)
        check.text("name", "Name", self.name, NAME_MAX)
        check.enum("gender", "Gender", self.gender, Gender)
        check.text("appearance", "Appearance", self.appearance, TEXT_FIELD_MAX, multiline=True)
        check.items("personality_traits", "Personality traits", self.personality_traits, minimum=1)
        check.items("interests", "Interests", self.interests, minimum=0)
        check.items("strengths", "Strengths", self.strengths, minimum=1)
        check.enum("language", "Language", self.language, Language)
        check.raise_if_any()
        self.name = self.name.strip()
        self.appearance = self.appearance.strip()
        self.builtin = bool(self.builtin)
        return self


@dataclass(slots=True)
class GenerationStats:
    generation_id: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: float | None = None
    latency_ms: int | None = None
    generation_time_ms: int | None = None
    provider_name: str | None = None
    finish_reason: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> GenerationStats:
        known = _STATS_FIELDS
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _STATS_FIELDS}  # flat scalars: no deep copy needed


_STATS_FIELDS = tuple(f.name for f in fields(GenerationStats))


def target_words_for(minutes: int) -> int:
    return int(minutes) * WORDS_PER_MINUTE


@dataclass(slots=True)
class Story(Record):
    title: str = ""
    content: str = ""
    summary: str = ""
    language: str = Language.EN.value
    story_type: str = StoryType.CHILD.value
    child_id: str | None = None
    hero_id: str | None = None
    child_snapshot: dict[str, Any] | None = None
    hero_snapshot: dict[str, Any] | None = None
    moral: str = Moral.KINDNESS.value
    theme: str | None = None
    minutes: int = 5
    target_words: int = 750
    parent_id: str | None = None
    status: str = Status.NEW.value
    rating: int | None = None
    favourite: bool = False
    model: str | None = None
    stats: GenerationStats = field(default_factory=GenerationStats)
    review: dict[str, Any] | None = None

    @property
    def child_name(self) -> str:
        return str((self.child_snapshot or {}).get("name", ""))

    @property
    def hero_name(self) -> str:
        return str((self.hero_snapshot or {}).get("name", ""))

    @property
    def word_count(self) -> int:
        return len(self.content.split())

    @property
    def moral_is_custom(self) -> bool:
        return self.moral not in choices(Moral)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Story:
        values = {name: data[name] for name in field_names(cls) if name in data}
        if not isinstance(values.get("stats"), GenerationStats):
            values["stats"] = GenerationStats.from_dict(values.get("stats"))
        return cls(**values)

    def validate(self) -> Story:
        # Written by the model (or a parent's moral): control characters are dropped rather than refused.
        if isinstance(self.title, str) and has_controls(self.title):
            self.title = strip_controls(self.title)
        for name in ("content", "summary", "moral"):
            value = getattr(self, name)
            if isinstance(value, str) and has_controls(value, multiline=True):
                setattr(self, name, strip_controls(value, multiline=True))
        return self.validate_outside()

    def validate_outside(self) -> Story:
        check = _Checker()
        self._check_id(check)
        check.text("title", "Title", self.title, TITLE_MAX, required=self.status != Status.DRAFT)
        check.enum("language", "Language", self.language, Language)
        check.enum("story_type", "Story type", self.story_type, StoryType)
        check.enum("status", "Status", self.status, Status)
        check.enum("theme", "Theme", self.theme, Theme, required=False)
        check.text("moral", "Moral", self.moral, CUSTOM_MORAL_MAX)
        validate_minutes(self.minutes, check)
        if self.rating is not None:
            validate_rating(self.rating, check)
        check.raise_if_any()
        self.favourite = bool(self.favourite)
        self.target_words = target_words_for(self.minutes)
        return self


def validate_rating(value: Any, check: _Checker | None = None) -> int:
    own = check or _Checker()
    if isinstance(value, bool) or not isinstance(value, int) or not RATING_MIN <= value <= RATING_MAX:
        own.fail("rating", msg("validation.rating", min=RATING_MIN, max=RATING_MAX))
    if check is None:
        own.raise_if_any()
    return value


def validate_minutes(value: Any, check: _Checker | None = None) -> int:
    own = check or _Checker()
    if isinstance(value, bool) or not isinstance(value, int) or not MINUTES_MIN <= value <= MINUTES_MAX:
        own.fail("minutes", msg("validation.minutes", min=MINUTES_MIN, max=MINUTES_MAX))
    if check is None:
        own.raise_if_any()
    return value


def validate_status(value: Any) -> str:
    check = _Checker()
    check.enum("status", "Status", value, Status)
    check.raise_if_any()
    return str(value)


@dataclass(slots=True)
class Narration(Record):
    story_id: str = ""
    provider: str = NarrationProvider.PIPER.value
    voice_id: str = ""
    language: str = Language.EN.value
    format: str = "wav"
    local_file: str | None = None
    duration_s: float = 0.0
    size: int = 0
    sha256: str = ""
    timings: list[dict[str, Any]] = field(default_factory=list)
    remote_path: str | None = None
    fallback_reason: str | None = None

    def validate(self) -> Narration:
        check = _Checker()
        self._check_id(check)
        check.enum("provider", "Narration provider", self.provider, NarrationProvider)
        check.enum("language", "Language", self.language, Language)
        if not self.story_id:
            check.fail("story_id", msg("validation.narration_story"))
        check.raise_if_any()
        return self
