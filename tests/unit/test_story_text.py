"""Cleaning a model's answer and judging it (title, Markdown, repeated symbols, degenerate tails, review)."""

from __future__ import annotations

import pytest

from tale_desktop.domain.review import banned_words_found, judge, length_within, parse_model_review
from tale_desktop.domain.story_text import clean_story, local_summary, split_title, trim_degenerate_tail


@pytest.mark.parametrize(
    ("first_line", "title"),
    [
        ("# The Moon Garden", "The Moon Garden"),
        ("**Title: The Moon Garden**", "The Moon Garden"),
        ('"The Moon Garden"', "The Moon Garden"),
        ("## **Название:** «Лунный сад»", "Лунный сад"),
    ],
)
def test_title_extraction(first_line, title):
    story = clean_story(f"{first_line}\n\nOnce upon a time. The end.", fallback_title="X")
    assert story.title == title and story.content == "Once upon a time. The end."


def test_no_title_line_uses_fallback():
    story = clean_story("Once upon a time there was a fox who loved the moon. " * 3, fallback_title="For Mia")
    assert story.title == "For Mia" and story.content.startswith("Once upon")


def test_markdown_and_repeated_symbols_are_cleaned():
    raw = ("Title\n\n**Mia** smiled!!!! She saw *tiny* stars.....\n\n---\n\n- The owl sang ~~~~ softly.\n\n"
           "### Chapter\n\nShe slept.")
    story = clean_story(raw, fallback_title="X")
    assert story.content == "Mia smiled! She saw tiny stars…\n\nThe owl sang ~ softly.\n\nChapter\n\nShe slept."


def test_degenerate_tail_is_trimmed():
    text = "Mia yawned. The owl hooted. Sleep now. Sleep now. Sleep now. Sleep now."
    trimmed, changed = trim_degenerate_tail(text)
    assert changed and trimmed == "Mia yawned. The owl hooted. Sleep now."
    trimmed, changed = trim_degenerate_tail("Mia slept well. zzz zzz zzz zzz zzz zzz")
    assert changed and "zzz zzz" not in trimmed
    trimmed, changed = trim_degenerate_tail("Mia slept well. The owl sang. And then the", cut_off=True)
    assert changed and trimmed == "Mia slept well. The owl sang."
    assert trim_degenerate_tail("A calm story. It ends well.") == ("A calm story. It ends well.", False)


def test_split_title_keeps_a_paragraph_as_body():
    title, body = split_title("Once upon a time, " * 20 + "\n\nMore.")
    assert title == "" and body.startswith("Once upon")


def test_local_summary():
    assert local_summary("One. Two.\n\nThree. Four.") == "One. Two. Four."
    assert local_summary("") == ""


def test_banned_words_whole_words_per_language():
    assert banned_words_found("The knight drew a gun.", "en") == ["gun"]
    assert banned_words_found("A terrific day with ice cream, and Mia said hello.", "en") == []
    assert banned_words_found("They watched Disney cartoons.", "en") == ["disney"]
    assert banned_words_found("Мия легла в кровать и уснула.", "ru") == []
    assert "кровь" in banned_words_found("На лапке была кровь.", "ru")
    assert "убий" in banned_words_found("Это был убийца.", "ru")


def test_length_within_15_percent():
    assert length_within(300, 300) and length_within(255, 300) and length_within(345, 300)
    assert not length_within(254, 300) and not length_within(346, 300)


REVIEW = {"safe": True, "safety_issues": [], "feedback": "ok",
          "scores": {"age_fit": 8, "moral_clarity": 8, "coherence": 8, "character_consistency": 8,
                     "engagement": 8, "language": 8}}


def test_parse_model_review_tolerates_fences():
    import json

    parsed = parse_model_review("```json\n" + json.dumps(REVIEW) + "\n```")
    assert parsed["safe"] is True and parsed["scores"]["age_fit"] == 8.0
    with pytest.raises(ValueError):
        parse_model_review("I liked it a lot!")
    with pytest.raises(ValueError):
        parse_model_review('{"safe": true}')


def test_judge_combines_model_and_local_checks():
    text = " ".join(["calm"] * 300)
    assert judge(text, "en", 300, parse_model_review(str(REVIEW).replace("'", '"').replace("True", "true"))).passed
    low = dict(REVIEW, scores={k: 5 for k in REVIEW["scores"]})
    verdict = judge(text, "en", 300, parse_model_review(_dump(low)), threshold=7)
    assert not verdict.passed and verdict.score == 5.0
    unsafe = dict(REVIEW, safe=False, safety_issues=["a scary wolf"])
    verdict = judge(text, "en", 300, parse_model_review(_dump(unsafe)))
    assert not verdict.passed and "a scary wolf" in verdict.feedback_for_rewrite()
    verdict = judge(" ".join(["calm"] * 100), "en", 300, parse_model_review(_dump(REVIEW)))
    assert not verdict.passed and not verdict.length_ok and "about 300" in verdict.feedback_for_rewrite()
    verdict = judge(text + " gun", "en", 300, None, model_error="offline")
    assert not verdict.passed and verdict.banned == ["gun"] and not verdict.model_checked


def _dump(data):
    import json

    return json.dumps(data)
