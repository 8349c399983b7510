"""Prompt building for stories, reviews and summaries, in English and Russian.

The wording lives in ``resources/prompts/<language>/`` (``*.txt`` templates with ``$names`` and a
``phrases.json`` of per-language fragments), so Russian prompts are written in Russian rather than translated on
the fly. Everything a parent typed (names, interests, appearance, a custom moral, the earlier story) is passed to
the model as quoted JSON data between ``<data>`` tags, and the system prompt tells the model that this data is never
an instruction. Reading the packaged template files is the only I/O here (cached, read-only package data).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from string import Template
from typing import Any

from tale_desktop.domain.enums import AgeBand, Language, Moral, StoryType, Theme, choices
from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.messages import Message, msg
from tale_desktop.domain.models import (
    CUSTOM_MORAL_MAX,
    Child,
    Hero,
    Story,
    target_words_for,
    validate_minutes,
)
from tale_desktop.resources_path import resource

LENGTH_TOLERANCE = 0.15
SEQUEL_OPENING_WORDS = 120
DEFAULT_AGE_BAND = AgeBand.PRESCHOOL.value


@dataclass(frozen=True, slots=True)
class SequelContext:
    """What a sequel needs from the parent story: its summary, or its opening when it has none."""

    parent_id: str
    title: str
    summary: str = ""
    opening: str = ""

    @classmethod
    def from_story(cls, story: Story) -> SequelContext:
        summary = story.summary.strip()
        opening = "" if summary else " ".join(story.content.split()[:SEQUEL_OPENING_WORDS])
        return cls(parent_id=story.id, title=story.title, summary=summary, opening=opening)


@dataclass(slots=True)
class StoryBrief:
    """Everything a story prompt is built from, with the child and hero already looked up."""

    language: str = Language.EN.value
    story_type: str = StoryType.CHILD.value
    moral: str = Moral.KINDNESS.value
    theme: str | None = None
    minutes: int = 5
    child: Child | None = None
    hero: Hero | None = None
    sequel: SequelContext | None = None
    feedback: str | None = None
    age_band: str | None = None  # for hero-only stories; otherwise the child's

    @property
    def target_words(self) -> int:
        return target_words_for(self.minutes)

    @property
    def word_range(self) -> tuple[int, int]:
        target = self.target_words
        return round(target * (1 - LENGTH_TOLERANCE)), round(target * (1 + LENGTH_TOLERANCE))

    @property
    def listener_age(self) -> str:
        if self.child is not None:
            return self.child.age_band
        return self.age_band or DEFAULT_AGE_BAND

    @property
    def moral_is_custom(self) -> bool:
        return self.moral not in choices(Moral)

    @property
    def hero_in_other_language(self) -> bool:
        return self.hero is not None and self.hero.language != self.language

    def validate(self) -> StoryBrief:
        errors: dict[str, str] = {}
        if self.language not in choices(Language):
            errors["language"] = _choice("language", Language)
        if self.story_type not in choices(StoryType):
            errors["story_type"] = _choice("story_type", StoryType)
        if self.story_type in (StoryType.CHILD, StoryType.COMBINED) and self.child is None:
            errors["child"] = msg("validation.needs_child", story_type=self.story_type)
        if self.story_type in (StoryType.HERO, StoryType.COMBINED) and self.hero is None:
            errors["hero"] = msg("validation.needs_hero", story_type=self.story_type)
        moral = (self.moral or "").strip()
        if not moral:
            errors["moral"] = msg("validation.moral_missing")
        elif len(moral) > CUSTOM_MORAL_MAX:
            errors["moral"] = msg("validation.moral_too_long", max=CUSTOM_MORAL_MAX, count=len(moral))
        if self.theme is not None and self.theme not in choices(Theme):
            errors["theme"] = _choice("theme", Theme)
        if self.age_band is not None and self.age_band not in choices(AgeBand):
            errors["age_band"] = _choice("age_band", AgeBand)
        try:
            validate_minutes(self.minutes)
        except ValidationError as exc:
            errors.update(exc.errors)
        if errors:
            raise ValidationError(errors)
        self.moral = moral
        return self


def _choice(field: str, enum: type) -> Message:
    return msg("validation.choice", field=msg(f"field.{field}"), allowed=", ".join(choices(enum)))


# -- templates ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PromptBook:
    language: str
    texts: dict[str, str]
    phrases: dict[str, Any]

    def render(self, name: str, **values: Any) -> str:
        return Template(self.texts[name]).substitute(values).strip()


@cache
def prompt_book(language: str) -> PromptBook:
    if language not in choices(Language):
        raise ValidationError.single("language", _choice("language", Language))
    folder = resource("prompts", language)
    texts = {path.stem: path.read_text(encoding="utf-8") for path in folder.glob("*.txt")}
    phrases = json.loads((folder / "phrases.json").read_text(encoding="utf-8"))
    return PromptBook(language, texts, phrases)


def _clean(value: str) -> str:
    """Parent-typed text as data: no tag brackets (so it cannot close the <data> block), single-line."""
    return " ".join(str(value).replace("<", "‹").replace(">", "›").split())


def _data_block(fields: dict[str, Any]) -> str:
    cleaned = {k: ([_clean(i) for i in v] if isinstance(v, list) else _clean(v)) for k, v in fields.items()}
    return "<data>\n" + json.dumps(cleaned, ensure_ascii=False, indent=1) + "\n</data>"


def child_block(book: PromptBook, child: Child) -> str:
    f, p = book.phrases["fields"], book.phrases
    return p["child_intro"] + "\n" + _data_block({
        f["name"]: child.name, f["age"]: child.age_band, f["gender"]: p["child_gender"][child.gender],
        f["interests"]: list(child.interests),
    })


def hero_block(book: PromptBook, hero: Hero, story_language: str) -> str:
    f, p = book.phrases["fields"], book.phrases
    text = p["hero_intro"] + "\n" + _data_block({
        f["name"]: hero.name, f["gender"]: p["hero_gender"][hero.gender], f["appearance"]: hero.appearance,
        f["traits"]: list(hero.personality_traits), f["strengths"]: list(hero.strengths),
        f["interests"]: list(hero.interests),
    })
    if hero.language != story_language:
        text += "\n" + p["hero_other_language"]
    return text


def characters_block(book: PromptBook, brief: StoryBrief) -> str:
    parts = []
    if brief.child is not None and brief.story_type in (StoryType.CHILD, StoryType.COMBINED):
        parts.append(child_block(book, brief.child))
    if brief.hero is not None and brief.story_type in (StoryType.HERO, StoryType.COMBINED):
        parts.append(hero_block(book, brief.hero, brief.language))
    return "\n\n".join(parts) + ("\n" if parts else "")


def moral_rule(book: PromptBook, moral: str) -> str:
    if moral in choices(Moral):
        return book.phrases["moral"][moral]
    return book.phrases["custom_moral"] + "\n" + _data_block({book.phrases["fields"].get("moral", "moral"): moral})


def sequel_block(book: PromptBook, sequel: SequelContext | None) -> str:
    if sequel is None:
        return ""
    p = book.phrases
    fields: dict[str, str] = {p["sequel_title"]: sequel.title}
    if sequel.summary:
        fields[p["sequel_summary"]] = sequel.summary
    else:
        fields[p["sequel_opening"]] = sequel.opening
    return "\n" + p["sequel"] + "\n" + _data_block(fields) + "\n"


def feedback_block(book: PromptBook, feedback: str | None) -> str:
    if not feedback:
        return ""
    return "\n" + book.phrases["feedback"] + "\n" + _data_block({"feedback": feedback}) + "\n"


def story_messages(brief: StoryBrief) -> list[dict[str, str]]:
    """System + user messages for writing the story described by ``brief`` (validated first)."""
    brief.validate()
    book = prompt_book(brief.language)
    low, high = brief.word_range
    user = book.render(
        "story_user",
        story_type_rule=book.phrases["story_type"][brief.story_type],
        characters=characters_block(book, brief),
        age_rule=book.phrases["age"][brief.listener_age],
        moral_rule=moral_rule(book, brief.moral),
        theme_rule=book.phrases["theme"][brief.theme] if brief.theme else book.phrases["no_theme"],
        target_words=brief.target_words, minutes=brief.minutes, min_words=low, max_words=high,
        sequel=sequel_block(book, brief.sequel), feedback=feedback_block(book, brief.feedback),
    )
    return [{"role": "system", "content": book.render("story_system")}, {"role": "user", "content": user}]


def review_messages(brief: StoryBrief, title: str, text: str) -> list[dict[str, str]]:
    book = prompt_book(brief.language)
    moral = book.phrases["moral"].get(brief.moral, _clean(brief.moral)).split(":")[0]
    theme = book.phrases["theme"][brief.theme] if brief.theme else "-"
    user = book.render(
        "review_user", age_band=brief.listener_age, moral=moral, theme=theme, target_words=brief.target_words,
        characters=characters_block(book, brief), title=_clean(title), text=text.replace("</data>", ""),
    )
    return [{"role": "system", "content": book.render("review_system")}, {"role": "user", "content": user}]


def summary_messages(language: str, title: str, text: str) -> list[dict[str, str]]:
    book = prompt_book(language)
    user = book.render("summary_user", title=_clean(title), text=text.replace("</data>", ""))
    return [{"role": "system", "content": book.render("summary_system")}, {"role": "user", "content": user}]


def fallback_title(brief: StoryBrief) -> str:
    """A title when the model gave none: named after the child (or hero)."""
    titles = prompt_book(brief.language).phrases["fallback_title"]
    if brief.child is not None and brief.story_type != StoryType.HERO:
        return Template(titles["child"]).substitute(name=brief.child.name)
    if brief.hero is not None:
        return Template(titles["hero"]).substitute(name=brief.hero.name)
    return titles["none"]
