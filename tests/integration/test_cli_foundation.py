import pytest

from tale_desktop import __version__
from tests.integration.cli_helpers import run_cli


def test_version():
    result = run_cli("--version")
    assert result.code == 0 and __version__ in result.out


def test_add_and_list_child():
    added = run_cli("children", "add", "Mia", "--age-band", "3-5", "--gender", "female", "--interests", "dragons,space")
    assert added.code == 0, added.err
    child_id = added.out.strip()
    listed = run_cli("children", "list", "--json")
    assert listed.code == 0
    [mia] = listed.json()
    assert mia["id"] == child_id and mia["name"] == "Mia" and mia["age_band"] == "3-5"
    assert mia["interests"] == ["dragons", "space"]
    table = run_cli("children", "list")
    assert "Mia" in table.out and "dragons, space" in table.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["", "--age-band", "3-5", "--gender", "female", "--interests", "a"], "Name must not be empty"),
        (["Mia", "--age-band", "40", "--gender", "female", "--interests", "a"], "Age band must be one of"),
        (["Mia", "--age-band", "3-5", "--gender", "robot", "--interests", "a"], "Gender must be one of"),
        (["M" * 61, "--age-band", "3-5", "--gender", "male", "--interests", "a"], "at most 60 characters"),
        (["Mia", "--age-band", "3-5", "--gender", "male", "--interests", ",".join("abcdefghijk")], "at most 10"),
        (["Mia", "--age-band", "3-5", "--gender", "male", "--interests", "x" * 41], "at most 40 characters"),
    ],
)
def test_bad_child_exits_2_and_adds_nothing(args, message):
    result = run_cli("children", "add", *args)
    assert result.code == 2
    assert message in result.err and len(result.err.strip().splitlines()) == 1
    assert result.out == ""
    assert run_cli("children", "list", "--json").json() == []


def test_missing_required_option_is_usage_error():
    result = run_cli("children", "add", "Mia")
    assert result.code == 2 and "--age-band" in result.err


def test_delete_child_and_unknown_id():
    child_id = run_cli("children", "add", "Leo", "--age-band", "2-3", "--gender", "male", "--interests", "cars").out.strip()
    assert run_cli("children", "delete", child_id).code == 0
    assert run_cli("children", "list", "--json").json() == []
    missing = run_cli("children", "delete", child_id)
    assert missing.code == 2 and "No child" in missing.err


def test_builtin_heroes_and_starter_stories_in_both_languages():
    heroes = run_cli("heroes", "list", "--json").json()
    assert {h["language"] for h in heroes if h["builtin"]} == {"en", "ru"}
    stories = run_cli("stories", "list", "--json").json()
    assert {s["language"] for s in stories} == {"en", "ru"}
    shown = run_cli("stories", "show", stories[0]["id"], "--json").json()
    assert shown["id"] == stories[0]["id"] and len(shown["content"].split()) >= 300
    assert run_cli("stories", "show", "nope").code == 2


def test_add_hero_and_delete():
    added = run_cli("heroes", "add", "Zed", "--gender", "other", "--appearance", "A tiny blue comet",
                    "--traits", "curious,gentle", "--strengths", "glowing", "--language", "en", "--json")
    assert added.code == 0, added.err
    hero = added.json()
    assert hero["personality_traits"] == ["curious", "gentle"] and hero["builtin"] is False
    assert run_cli("heroes", "delete", hero["id"]).code == 0
    assert hero["id"] not in {h["id"] for h in run_cli("heroes", "list", "--json").json()}
    bad = run_cli("heroes", "add", "Zed", "--gender", "other", "--appearance", "x", "--traits", "",
                  "--strengths", "y", "--language", "de")
    assert bad.code == 2 and "Language must be one of en, ru" in bad.err


def test_corrupt_database_exits_2_and_keeps_file(tale_env):
    from pathlib import Path

    data = Path(tale_env["TALE_DATA_DIR"])
    data.mkdir(parents=True)
    db = data / "library.sqlite3"
    db.write_bytes(b"garbage" * 1000)
    result = run_cli("children", "list", "--json")
    assert result.code == 2 and "damaged" in result.err and result.out == ""
    assert db.read_bytes() == b"garbage" * 1000


def test_unwritable_data_dir_exits_2(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    result = run_cli("children", "list", env={"TALE_DATA_DIR": str(blocker / "data")})
    assert result.code == 2 and "TALE_DATA_DIR" in result.err
