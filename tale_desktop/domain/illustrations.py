"""Picture books (pure rules, no I/O): the illustration record, styles, how many pictures a story gets, the
character sheet that keeps the child and hero looking the same on every page, child-safe picture prompts, and
choosing the scenes (the model's short plan, or a deterministic fallback).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.models import Record, _Checker

COVER_PARAGRAPH = 0
SCENES_MIN, SCENES_MAX = 3, 6
SCENE_TEXT_MAX = 300
PROMPT_MAX = 2400
ASPECT_RATIO = "4:3"


class IllustrationStyle(StrEnum):
    WATERCOLOUR = "watercolour"
    PENCIL = "pencil"
    CRAYON = "crayon"
    PAPERCUT = "papercut"
    GOUACHE = "gouache"
    INK = "ink"


DEFAULT_STYLE = IllustrationStyle.WATERCOLOUR
STYLE_PROMPTS = {
    IllustrationStyle.WATERCOLOUR: "soft watercolour painting, gentle washes of colour, white paper showing "
                                   "through, calm pastel palette",
    IllustrationStyle.PENCIL: "coloured pencil drawing, soft shading, visible paper grain, warm muted colours",
    IllustrationStyle.CRAYON: "wax crayon drawing with a childlike, cosy feel, bold simple shapes, warm colours",
    IllustrationStyle.PAPERCUT: "layered paper-cut collage, soft shadows between the layers, simple shapes",
    IllustrationStyle.GOUACHE: "matte gouache painting, flat soft shapes, mid-century picture-book look",
    IllustrationStyle.INK: "fine ink line drawing with light watercolour tints, lots of white space",
}
STYLE_NAMES = {
    "en": {IllustrationStyle.WATERCOLOUR: "Watercolour", IllustrationStyle.PENCIL: "Coloured pencil",
           IllustrationStyle.CRAYON: "Crayon", IllustrationStyle.PAPERCUT: "Paper cut",
           IllustrationStyle.GOUACHE: "Gouache", IllustrationStyle.INK: "Ink and wash"},
    "ru": {IllustrationStyle.WATERCOLOUR: "Акварель", IllustrationStyle.PENCIL: "Цветные карандаши",
           IllustrationStyle.CRAYON: "Восковые мелки", IllustrationStyle.PAPERCUT: "Аппликация из бумаги",
           IllustrationStyle.GOUACHE: "Гуашь", IllustrationStyle.INK: "Тушь и акварель"},
}


def style_of(value: str | None) -> IllustrationStyle:
    """A style from its stored name (``watercolor`` is accepted too); ValidationError for anything else."""
    if not value:
        return DEFAULT_STYLE
    key = value.strip().lower().replace("watercolor", "watercolour").replace("-", "").replace(" ", "")
    try:
        return IllustrationStyle(key)
    except ValueError:
        raise ValidationError.single("style", "Style must be one of " + ", ".join(s.value for s in
                                                                                  IllustrationStyle)) from None


@dataclass(slots=True)
class Illustration(Record):
    """One picture of a story: the file lives under the data folder at ``file`` (relative to it)."""

    story_id: str = ""
    paragraph: int = COVER_PARAGRAPH  # the picture follows this paragraph (1-based); 0 is the cover
    file: str = ""  # "images/<story id>/<sha256>.<ext>"
    sha256: str = ""
    mime: str = "image/png"
    width: int = 0
    height: int = 0
    size: int = 0
    prompt: str = ""
    scene: str = ""  # what the picture shows, in plain words (alt text in exports)
    style: str = DEFAULT_STYLE.value
    model: str = ""
    stats: dict[str, Any] = field(default_factory=dict)  # generation_id, prompt/completion tokens, cost
    remote_path: str | None = None

    @property
    def is_cover(self) -> bool:
        return self.paragraph == COVER_PARAGRAPH

    def validate(self) -> Illustration:
        check = _Checker()
        self._check_id(check)
        if not self.story_id:
            check.fail("story_id", "An illustration belongs to a story")
        if not isinstance(self.paragraph, int) or self.paragraph < 0:
            check.fail("paragraph", "Paragraph must be 0 (cover) or a paragraph number")
        if not re.fullmatch(r"[0-9a-f]{64}", str(self.sha256)):
            check.fail("sha256", "sha256 must be 64 hex digits")
        if self.style not in {s.value for s in IllustrationStyle}:
            check.fail("style", "Unknown illustration style")
        if not isinstance(self.width, int) or not isinstance(self.height, int) or self.width <= 0 \
                or self.height <= 0:
            check.fail("width", "Width and height must be positive")
        if not isinstance(self.stats, dict):
            check.fail("stats", "Stats must be an object")
        check.raise_if_any()
        return self


def story_paragraphs(content: str) -> list[str]:
    """The story's paragraphs, as the exports and the reader number them (1-based in illustrations)."""
    return [p.strip() for p in re.split(r"\n\s*\n|\n", content or "") if p.strip()]


def scene_count(minutes: int, paragraphs: int) -> int:
    """Scene pictures (besides the cover): 3-6 by length, 2 for a story of two minutes or less, never more than
    there are paragraphs."""
    if minutes <= 2:
        wanted = 2
    elif minutes <= 4:
        wanted = SCENES_MIN
    elif minutes <= 7:
        wanted = 4
    elif minutes <= 11:
        wanted = 5
    else:
        wanted = SCENES_MAX
    return max(0, min(wanted, paragraphs))


# -- the character sheet ----------------------------------------------------------------------------------------
_HAIR = ("short curly brown hair", "straight black hair in a bob", "wavy red hair", "sandy blond hair",
         "dark brown hair in two puffs", "light brown hair in a ponytail", "short black curls")
_TOPS = ("a mustard-yellow raincoat", "a teal striped jumper", "a soft red hoodie", "a lilac cardigan",
         "a green dungaree dress over a white shirt", "a navy jumper with a star on it", "an orange knitted sweater")
_SHOES = ("red rubber boots", "blue canvas shoes", "yellow wellies", "brown lace-up boots", "green trainers")
_AGE = {"2-3": "a toddler of about 2", "3-5": "a small child of about 4", "5-7": "a child of about 6",
        "8-12": "a child of about 10"}
_GENDER = {"female": "girl", "male": "boy"}


def _pick(options: tuple[str, ...], seed: str, salt: str) -> str:
    digest = hashlib.sha256(f"{salt}:{seed}".encode()).digest()
    return options[digest[0] % len(options)]


@dataclass(frozen=True, slots=True)
class CharacterSheet:
    """How the main characters look; the same words go into every picture prompt of every story with them."""

    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def character_sheet(child: dict[str, Any] | None, hero: dict[str, Any] | None) -> CharacterSheet:
    """From the story's child and hero snapshots. A child profile has no appearance field, so its look (hair,
    clothes, colours) is chosen from its id: the same child looks the same in every story."""
    lines: list[str] = []
    if child:
        seed = str(child.get("id") or child.get("name") or "child")
        who = _AGE.get(str(child.get("age_band")), "a young child")
        kind = _GENDER.get(str(child.get("gender")), "child")
        name = _clean(str(child.get("name") or ""), 60)
        lines.append(
            f"{name or 'The child'}: an original storybook character, {who} ({kind}), round friendly face, "
            f"{_pick(_HAIR, seed, 'hair')}, wearing {_pick(_TOPS, seed, 'top')} and {_pick(_SHOES, seed, 'shoes')}."
        )
    if hero:
        name = _clean(str(hero.get("name") or ""), 60)
        appearance = _clean(str(hero.get("appearance") or ""), 240)
        seed = str(hero.get("id") or name or "hero")
        look = appearance or f"wearing {_pick(_TOPS, seed, 'top')}"
        lines.append(f"{name or 'The hero'}: an original storybook character; {look}. Same colours and clothes "
                     "in every picture.")
    return CharacterSheet(tuple(lines))


# -- child-safe prompts -----------------------------------------------------------------------------------------
# Words that would steer a picture towards a photo or a real person's likeness, or away from a calm bedtime page.
_UNSAFE = re.compile(
    r"\b(photo\w*|photoreal\w*|realistic|hyper-?real\w*|portrait of|likeness|celebrit\w*|famous|selfie|"
    r"lookalike|in the style of|blood\w*|gory|gore|weapon\w*|"
    r"guns?|knife|knives|kill\w*|scary|horror|nude|naked)\b",
    re.IGNORECASE,
)
SAFETY_RULES = (
    "A gentle, calm illustration for a children's bedtime picture book, suitable for ages 2-10. "
    "All characters are original, invented storybook characters: do not depict or resemble any real person, "
    "celebrity or photograph. Not photorealistic. No text, letters or words in the picture. Nothing frightening, "
    "violent or sad: soft light, friendly faces, cosy mood."
)


def _clean(text: str, limit: int) -> str:
    text = _UNSAFE.sub("", text)
    text = re.sub(r"[\x00-\x1f<>{}\[\]`]+", " ", text)
    text = re.sub(r"\s{2,}", " ", text).strip(" ,.;:")
    return text[:limit].rstrip()


def safe_scene(text: str) -> str:
    """A scene description cleaned for a picture prompt (short, no likeness or frightening words)."""
    return _clean(text, SCENE_TEXT_MAX)


def picture_prompt(*, sheet: CharacterSheet, style: IllustrationStyle, scene: str, title: str,
                   cover: bool, reference: bool) -> str:
    """The full prompt of one picture (stored with it)."""
    parts = [SAFETY_RULES, f"Style: {STYLE_PROMPTS[style]}. Landscape picture, {ASPECT_RATIO}."]
    if sheet.lines:
        parts.append("Characters (keep exactly this look):\n" + sheet.text)
    if reference:
        parts.append("The attached image is this book's cover: draw the same characters with the same faces, hair, "
                     "clothes and colours, in the same style.")
    if cover:
        parts.append(f"The cover of the story '{_clean(title, 120)}': the main characters together in the story's "
                     f"world, inviting and calm. {safe_scene(scene)}".rstrip())
    else:
        parts.append(f"Scene: {safe_scene(scene)}")
    return "\n\n".join(parts)[:PROMPT_MAX]


# -- choosing the scenes ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Scene:
    paragraph: int  # 0: the cover
    description: str


def scene_messages(title: str, paragraphs: list[str], count: int) -> list[dict[str, str]]:
    """One short model call: which paragraphs to illustrate and what to draw (JSON answer)."""
    numbered = "\n".join(f"[P{n}] {p[:400]}" for n, p in enumerate(paragraphs, start=1))
    system = ("You plan the illustrations of a children's picture book. Pick the moments that are most fun to "
              "look at, spread over the whole story, calm and gentle (nothing frightening). Describe each picture "
              "in one or two plain English sentences: who is there, what they do, where, the light. Never mention "
              "real people, photos or text in the picture. Answer only with JSON.")
    user = (f"Story title: {title}\n\n{numbered}\n\n"
            f"Choose exactly {count} scenes and a cover. Answer as "
            '{"cover": "what the cover shows", "scenes": [{"paragraph": <P number>, "description": "..."}]}')
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def parse_scene_plan(text: str, paragraphs: list[str], count: int) -> tuple[str, list[Scene]] | None:
    """The model's plan -> (cover description, scenes in story order), or ``None`` when it is unusable."""
    match = re.search(r"\{.*\}", text or "", re.DOTALL)
    if match is None:
        return None
    try:
        doc = json.loads(match.group(0))
    except ValueError:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("scenes"), list):
        return None
    chosen: dict[int, Scene] = {}
    for item in doc["scenes"]:
        if not isinstance(item, dict):
            continue
        number, description = item.get("paragraph"), safe_scene(str(item.get("description") or ""))
        if isinstance(number, str) and number.strip().lstrip("Pp").isdigit():
            number = int(number.strip().lstrip("Pp"))
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= len(paragraphs):
            continue
        if description and number not in chosen:
            chosen[number] = Scene(number, description)
    if not chosen:
        return None
    scenes = sorted(chosen.values(), key=lambda s: s.paragraph)[:count]
    cover = safe_scene(str(doc.get("cover") or ""))
    return cover, scenes


def _first_sentence(paragraph: str) -> str:
    match = re.match(r".+?[.!?…](?=\s|$)", paragraph.strip(), re.DOTALL)
    return (match.group(0) if match else paragraph)[:SCENE_TEXT_MAX]


def fallback_scenes(paragraphs: list[str], count: int) -> list[Scene]:
    """Deterministic: ``count`` paragraphs spread evenly over the story, drawn from their first sentence."""
    total = len(paragraphs)
    if count <= 0 or total == 0:
        return []
    count = min(count, total)
    picks = sorted({min(total, max(1, round((i + 0.5) * total / count + 0.5))) for i in range(count)})
    for n in range(1, total + 1):  # rounding can merge two picks: fill up with the first free paragraphs
        if len(picks) >= count:
            break
        if n not in picks:
            picks = sorted([*picks, n])
    return [Scene(n, safe_scene(_first_sentence(paragraphs[n - 1]))) for n in picks]


def fallback_cover(title: str, theme: str | None) -> str:
    where = f" in a {theme} world" if theme else ""
    return safe_scene(f"The main characters{where}, for the story '{title}'")
