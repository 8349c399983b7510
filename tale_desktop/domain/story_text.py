"""Turning a model's raw answer into a clean story: title extraction, Markdown and symbol cleanup, tail trimming."""

from __future__ import annotations

import re
from dataclasses import dataclass

TITLE_MAX_CHARS = 120
TITLE_MAX_WORDS = 16
_TITLE_PREFIX = re.compile(r"^[\s#*_]*(?:title|название|заголовок)\s*[:：—-]\s*", re.IGNORECASE)
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]*", re.MULTILINE)
_BULLET = re.compile(r"^[ \t]*(?:[-*+•]|\d+[.)])[ \t]+", re.MULTILINE)
_RULE_LINE = re.compile(r"^[ \t]*(?:[-*_=~#][ \t]*){3,}$", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~|`)(?=\S)(.+?)(?<=\S)\1", re.DOTALL)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_REPEATED_PUNCT = re.compile(r"([!?])\1{2,}")
_MANY_DOTS = re.compile(r"\.{4,}|…{2,}")
_REPEATED_SYMBOL = re.compile(r"([^\w\s.!?,;:«»\"'()\-–—…])\1{2,}")
_SPACES = re.compile(r"[ \t\u00a0]{2,}")
_SENTENCE = re.compile(r"[^.!?…]+[.!?…]+[\"'»”)]*\s*|[^.!?…]+$")


@dataclass(frozen=True, slots=True)
class CleanStory:
    title: str
    content: str
    trimmed: bool = False  # a degenerate or cut-off tail was removed


def strip_markdown(text: str) -> str:
    text = _RULE_LINE.sub("", text)
    text = _HEADING.sub("", text)
    text = _BULLET.sub("", text)
    text = _LINK.sub(r"\1", text)
    for _ in range(2):  # nested emphasis such as ***word***
        text = _EMPHASIS.sub(r"\2", text)
    return text.replace("**", "").replace("__", "")


def collapse_symbols(text: str) -> str:
    text = _REPEATED_PUNCT.sub(r"\1", text)
    text = _MANY_DOTS.sub("…", text)
    text = _REPEATED_SYMBOL.sub(r"\1", text)
    return _SPACES.sub(" ", text)


def normalize_paragraphs(text: str) -> str:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    return "\n\n".join(p for p in paragraphs if p)


def clean_title(line: str) -> str:
    title = _TITLE_PREFIX.sub("", line)
    title = strip_markdown(title).strip().strip("\"'«»“”*#_ ").strip()
    title = collapse_symbols(title)
    return title[:TITLE_MAX_CHARS].rstrip()


def split_title(raw: str) -> tuple[str, str]:
    """The first non-empty line is the title when it looks like one (short, not a full paragraph)."""
    text = raw.lstrip()
    first, _, rest = text.partition("\n")
    candidate = clean_title(first)
    looks_like_title = 0 < len(candidate) <= TITLE_MAX_CHARS and len(candidate.split()) <= TITLE_MAX_WORDS and rest.strip()
    if looks_like_title:
        return candidate, rest
    return "", text


def _sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE.findall(paragraph) if s.strip()]


def trim_degenerate_tail(text: str, *, cut_off: bool = False) -> tuple[str, bool]:
    """Remove looping repetition and, when the answer was cut off, the unfinished last sentence.

    A sentence that already appeared three times, or that repeats the one before it, ends the story there.
    """
    paragraphs = text.split("\n\n")
    seen: dict[str, int] = {}
    kept: list[str] = []
    trimmed = False
    previous = ""
    for paragraph in paragraphs:
        out: list[str] = []
        for sentence in _sentences(paragraph):
            key = " ".join(sentence.lower().split())
            seen[key] = seen.get(key, 0) + 1
            if len(key) > 3 and (key == previous or seen[key] >= 3):
                trimmed = True
                break
            previous = key
            out.append(sentence.strip())
        if out:
            kept.append(" ".join(out))
        if trimmed:
            break
    result = "\n\n".join(kept)
    # A run of the same word ("zzz zzz zzz zzz ...") at the end.
    words = result.split()
    end = len(words)
    while end >= 2 and words[end - 1].lower() == words[end - 2].lower():
        end -= 1
    if len(words) - end >= 3:
        result = result[: _offset_of_word(result, end)].rstrip()
        trimmed = True
    if cut_off or trimmed:
        stripped = result.rstrip()
        if stripped and stripped[-1] not in ".!?…»\"”)":
            cut = max(stripped.rfind(ch) for ch in ".!?…")
            if cut > len(stripped) // 2:
                result = stripped[: cut + 1]
                trimmed = True
    return result.strip(), trimmed


def _offset_of_word(text: str, index: int) -> int:
    matches = list(re.finditer(r"\S+", text))
    return matches[index].start() if index < len(matches) else len(text)


def clean_story(raw: str, *, fallback_title: str, cut_off: bool = False) -> CleanStory:
    """Title + cleaned paragraphs from the raw model answer; ``fallback_title`` when it gave none."""
    title, body = split_title(raw)
    body = normalize_paragraphs(collapse_symbols(strip_markdown(body)))
    body, trimmed = trim_degenerate_tail(body, cut_off=cut_off)
    return CleanStory(title=title or fallback_title, content=body, trimmed=trimmed)


def local_summary(content: str, *, sentences: int = 2) -> str:
    """A summary made without the model: the first sentences and the last one, at most ~60 words."""
    all_sentences = [s.strip() for p in content.split("\n\n") for s in _sentences(p)]
    if not all_sentences:
        return ""
    chosen = all_sentences[:sentences]
    if len(all_sentences) > sentences:
        chosen.append(all_sentences[-1])
    words = " ".join(chosen).split()
    return " ".join(words[:60]) + ("…" if len(words) > 60 else "")
