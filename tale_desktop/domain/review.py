"""The review verdict: the model's safety + quality answer combined with local checks (length, banned words)."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

from tale_desktop.domain.prompts import LENGTH_TOLERANCE
from tale_desktop.domain.text import word_count
from tale_desktop.resources_path import resource

SCORE_KEYS = ("age_fit", "moral_clarity", "coherence", "character_consistency", "engagement", "language")
DEFAULT_THRESHOLD = 7.0


@cache
def banned_patterns(language: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Whole-word patterns from ``resources/prompts/<language>/banned.txt`` (``*`` = any ending)."""
    path = resource("prompts", language, "banned.txt")
    patterns = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.strip().lower()
        if not word or word.startswith("#"):
            continue
        stem, wildcard = (word[:-1], True) if word.endswith("*") else (word, False)
        body = re.escape(stem) + (r"\w*" if wildcard else "")
        patterns.append((word, re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)))
    return tuple(patterns)


def banned_words_found(text: str, language: str) -> list[str]:
    lowered = text.lower().replace("ё", "е") if language == "ru" else text.lower()
    found = []
    for word, pattern in banned_patterns(language):
        if pattern.search(lowered) or (language == "ru" and pattern.search(text.lower())):
            found.append(word.rstrip("*"))
    return found


def length_within(words: int, target: int, tolerance: float = LENGTH_TOLERANCE) -> bool:
    return abs(words - target) <= target * tolerance


def parse_model_review(answer: str) -> dict[str, Any]:
    """The JSON object in the model's answer (tolerates code fences and text around it); ValueError if none."""
    start, end = answer.find("{"), answer.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("the review answer holds no JSON object")
    data = json.loads(answer[start:end + 1])
    if not isinstance(data, dict):
        raise ValueError("the review answer is not a JSON object")
    scores_in = data.get("scores") if isinstance(data.get("scores"), dict) else {}
    scores: dict[str, float] = {}
    for key in SCORE_KEYS:
        try:
            scores[key] = max(1.0, min(10.0, float(scores_in[key])))
        except (KeyError, TypeError, ValueError):
            continue
    if not scores:
        raise ValueError("the review answer has no scores")
    issues = data.get("safety_issues") if isinstance(data.get("safety_issues"), list) else []
    return {"safe": data.get("safe") is True, "safety_issues": [str(i) for i in issues][:10],
            "scores": scores, "feedback": str(data.get("feedback") or "")[:1000]}


@dataclass(slots=True)
class ReviewVerdict:
    passed: bool
    score: float | None
    safe: bool | None
    scores: dict[str, float] = field(default_factory=dict)
    issues: list[str] = field(default_factory=list)
    feedback: str = ""
    words: int = 0
    target_words: int = 0
    length_ok: bool = True
    banned: list[str] = field(default_factory=list)
    model_checked: bool = True
    model_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def rank(self) -> tuple[int, int, float]:
        """Sort key for "keep the best attempt": safe first, then local checks, then score."""
        return (1 if self.safe is not False and not self.banned else 0, 1 if self.length_ok else 0,
                self.score or 0.0)

    def feedback_for_rewrite(self) -> str:
        notes = list(self.issues)
        if self.banned:
            notes.append("Avoid these words: " + ", ".join(self.banned))
        if not self.length_ok:
            notes.append(f"The story had {self.words} words; it must have about {self.target_words}")
        if self.feedback:
            notes.append(self.feedback)
        return ". ".join(n.rstrip(".") for n in notes if n) + "."


def judge(text: str, language: str, target_words: int, model_review: dict[str, Any] | None, *,
          threshold: float = DEFAULT_THRESHOLD, model_error: str | None = None) -> ReviewVerdict:
    """Combine the model's review (``None`` when it could not be had: then the verdict does not pass) with the
    local checks."""
    words = word_count(text)
    banned = banned_words_found(text, language)
    length_ok = length_within(words, target_words)
    verdict = ReviewVerdict(passed=False, score=None, safe=None, words=words, target_words=target_words,
                            length_ok=length_ok, banned=banned, model_checked=model_review is not None,
                            model_error=model_error)
    if model_review is not None:
        verdict.safe = bool(model_review["safe"])
        verdict.scores = dict(model_review["scores"])
        verdict.score = round(sum(verdict.scores.values()) / len(verdict.scores), 2)
        verdict.issues = list(model_review["safety_issues"])
        verdict.feedback = model_review["feedback"]
    # A review that could not be done or read never counts as passed: the story is saved flagged.
    model_ok = model_review is not None and verdict.safe and (verdict.score or 0) >= threshold
    verdict.passed = bool(model_ok and length_ok and not banned)
    return verdict
