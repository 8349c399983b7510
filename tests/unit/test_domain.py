import pytest

from tale_desktop.domain import Child, Hero, Story, ValidationError
from tale_desktop.domain.models import split_list, validate_rating
from tale_desktop.domain.text import reading_minutes, split_sentences, word_count


def child(**kw):
    base = {"name": "Mia", "age_band": "3-5", "gender": "female", "interests": ["dragons", "space"]}
    return Child(**{**base, **kw})


def errors_of(record) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        record.validate()
    return info.value.errors


def test_valid_child_is_trimmed():
    c = child(name="  Mia ", interests=[" dragons", "space "]).validate()
    assert c.name == "Mia" and c.interests == ["dragons", "space"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Name must not be empty"),
        ({"name": "   "}, "name", "Name must not be empty"),
        ({"name": "x" * 61}, "name", "Name must be at most 60 characters (it has 61)"),
        ({"age_band": "40"}, "age_band", "Age band must be one of 2-3, 3-5, 5-7, 8-12"),
        ({"gender": "robot"}, "gender", "Gender must be one of male, female, other"),
        ({"interests": []}, "interests", "Add at least one to interests"),
        ({"interests": [f"i{n}" for n in range(11)]}, "interests", "Interests can have at most 10 items (there are 11)"),
        ({"interests": ["x" * 41]}, "interests", "must be at most 40 characters"),
    ],
)
def test_child_rules_name_field_and_rule(changes, field, message):
    errors = errors_of(child(**changes))
    assert message in errors[field]


def test_sixty_characters_is_allowed():
    assert child(name="x" * 60, interests=["y" * 40] * 10).validate()


def test_several_errors_reported_together():
    errors = errors_of(child(name="", age_band="40", gender="robot"))
    assert set(errors) == {"name", "age_band", "gender"}


def test_hero_rules():
    hero = Hero(name="Pip", gender="male", appearance="An orange fox", personality_traits=["kind"],
                strengths=["clever"], language="en")
    assert hero.validate().builtin is False
    errors = errors_of(Hero(name="Pip", gender="male", appearance="", personality_traits=[], strengths=[],
                            language="fr"))
    assert set(errors) == {"appearance", "personality_traits", "strengths", "language"}
    assert errors["language"] == "Language must be one of en, ru"


def test_story_rules_and_target_words():
    story = Story(title="T", content="one two three", minutes=4, moral="bravery", theme="space").validate()
    assert story.target_words == 600 and story.word_count == 3
    errors = errors_of(Story(title="T", minutes=0, status="lost", rating=11, theme="mars", moral="x" * 201))
    assert set(errors) == {"minutes", "status", "rating", "theme", "moral"}
    assert Story(title="", status="draft").validate()  # a draft may not have a title yet


def test_custom_moral_is_kept():
    story = Story(title="T", moral="share your toys").validate()
    assert story.moral_is_custom


def test_round_trip_through_dict_ignores_unknown_keys():
    story = Story(title="T", content="x")
    data = story.to_dict() | {"from_the_future": 1}
    again = Story.from_dict(data)
    assert again == story


@pytest.mark.parametrize("value", [0, 11, 5.5, True, "9"])
def test_rating_rule(value):
    with pytest.raises(ValidationError, match="Rating must be a whole number from 1 to 10"):
        validate_rating(value)


def test_split_list_and_text_rules():
    assert split_list(" a, b ,,c ") == ["a", "b", "c"]
    assert word_count("one two  three\nfour") == 4
    assert reading_minutes(" ".join(["w"] * 300)) == 2.0
    assert split_sentences("Hi there. Sleep now!\n\nДобрый вечер. Спи.") == [
        "Hi there.", "Sleep now!", "Добрый вечер.", "Спи."]


def test_to_dict_is_a_deep_copy_exactly_as_asdict_makes_it():
    from dataclasses import asdict

    from tale_desktop.domain.illustrations import Illustration
    from tale_desktop.domain.models import GenerationStats, Narration

    story = Story(title="The owl", content="Once", child_id="c1",
                  child_snapshot={"name": "Mia", "interests": ["owls", "stars"], "nested": {"a": [1, (2, 3)]}},
                  review={"flagged": False, "notes": ["calm"]},
                  stats=GenerationStats(generation_id="g", prompt_tokens=10, cost=0.5))
    records = [story, child(), Hero(name="Rex", personality_traits=["brave"], strengths=["flying"]),
               Narration(story_id=story.id, provider="piper", voice_id="v", language="en"),
               Illustration(story_id=story.id)]
    for record in records:
        plain = record.to_dict()
        assert plain == asdict(record) and type(plain["id"]) is str
    plain = story.to_dict()
    assert isinstance(plain["stats"], dict) and plain["stats"]["cost"] == 0.5
    plain["child_snapshot"]["interests"].append("moon")
    plain["child_snapshot"]["nested"]["a"].append(4)
    plain["review"]["notes"].clear()
    assert story.child_snapshot["interests"] == ["owls", "stars"]  # the record is untouched
    assert story.child_snapshot["nested"]["a"] == [1, (2, 3)] and story.review["notes"] == ["calm"]
