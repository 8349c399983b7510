"""Acceptance of picture books from outside: `generate --illustrate`, `illustrate`, `stories show --json`, in a
subprocess against the loopback OpenRouter that draws images."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tale_desktop.domain.image_bytes import image_info
from tests.fakes.openrouter import FakeOpenRouter, Reply, input_images
from tests.integration.cli_helpers import run_cli

IMAGE_MODEL = "google/gemini-2.5-flash-image"


@pytest.fixture
def fake():
    with FakeOpenRouter(generation_404s=0) as server:
        yield server


@pytest.fixture
def env(fake):
    environment = {"TALE_LLM_BASE_URL": fake.base_url, "OPENROUTER_API_KEY": "test-key",
                   "TALE_LLM_MODEL": "test/bedtime-model", "TALE_IMAGE_MODEL": IMAGE_MODEL}
    added = run_cli("children", "add", "Mia", "--age-band", "3-5", "--gender", "female", "--interests", "owls",
                    env=environment)
    assert added.code == 0, added.err
    return environment


def test_generate_illustrate_stores_valid_pictures_listed_by_stories_show(fake, env):
    result = run_cli("generate", "--child", "Mia", "--illustrate", "--json", env=env, timeout=120)
    assert result.code == 0, result.err
    story = result.json()
    assert story["status"] == "new" and len(story["illustrations"]) >= 3
    shown = run_cli("stories", "show", story["id"], "--json", env=env)
    assert shown.code == 0, shown.err
    pictures = shown.json()["illustrations"]
    assert pictures == story["illustrations"] and pictures[0]["paragraph"] == 0
    for picture in pictures:
        assert {"path", "sha256", "paragraph", "prompt", "width", "height"} <= set(picture)
        data = Path(picture["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == picture["sha256"]
        info = image_info(data)
        assert (info.width, info.height) == (picture["width"], picture["height"])
        assert Path(picture["path"]).parent.name == story["id"] and Path(picture["path"]).parent.parent.name == "images"
    requests = fake.image_requests()
    assert len(requests) == len(pictures)
    assert input_images(requests[0]) == [] and all(len(input_images(r)) == 1 for r in requests[1:])
    assert "Drawing" in result.err and "Picture 1 of" in result.err


def test_illustrate_count_two_adds_two_pictures_to_a_story_without_any(fake, env):
    made = run_cli("generate", "--child", "Mia", "--json", env=env, timeout=120)
    assert made.code == 0, made.err
    story_id = made.json()["id"]
    assert "illustrations" not in made.json() and fake.image_requests() == []
    assert run_cli("stories", "show", story_id, "--json", env=env).json()["illustrations"] == []
    result = run_cli("illustrate", story_id[:8], "--count", "2", "--style", "crayon", "--json", env=env)
    assert result.code == 0, result.err
    document = result.json()
    assert len(document["added"]) == 2 and len(document["illustrations"]) == 2
    assert all(p["style"] == "crayon" for p in document["added"])
    shown = run_cli("stories", "show", story_id, "--json", env=env).json()["illustrations"]
    assert [p["sha256"] for p in shown] == [p["sha256"] for p in document["illustrations"]]


def test_failing_image_model_leaves_the_story_saved_with_a_clear_message(fake, env):
    fake.image_reply = Reply(status=500, retry_after_ms=5)
    result = run_cli("generate", "--child", "Mia", "--illustrate", "--json", env=env, timeout=120)
    assert result.code == 0, result.err
    story = result.json()
    assert story["illustrations"] == [] and "having trouble" in story["illustration_error"] and "500" in story["illustration_error"]
    assert "Pictures:" in result.err and "The story is saved." in result.err
    shown = run_cli("stories", "show", story["id"], "--json", env=env)
    assert shown.code == 0 and shown.json()["content"] == story["content"]
    again = run_cli("illustrate", story["id"], env=env)
    assert again.code == 3 and "server error, 500" in again.err and "The story is unchanged." in again.err


def test_without_image_model_the_story_is_written_and_the_reason_given_once(fake, env):
    env = {**env, "TALE_IMAGE_MODEL": ""}
    result = run_cli("generate", "--child", "Mia", "--illustrate", "--json", env=env, timeout=120)
    assert result.code == 0, result.err
    assert result.err.count("no image model is set") == 1 and fake.image_requests() == []
    assert result.json()["illustrations"] == []


def test_illustrate_rejects_a_bad_count(env):
    result = run_cli("illustrate", "0000", "--count", "0", env=env)
    assert result.code == 2 and "--count must be from 1" in result.err


def test_exported_mp3_carries_the_painted_cover_as_its_id3_picture(fake, env, tmp_path):
    from mutagen.id3 import ID3

    from tests.integration.narration_helpers import RU_TEXT, save_story_blocking

    story_id = save_story_blocking(RU_TEXT, "ru")  # a short Russian story: the offline voice is quick
    drawn = run_cli("illustrate", story_id, "--count", "1", "--json", env=env)
    assert drawn.code == 0, drawn.err
    [cover] = drawn.json()["added"]
    assert cover["paragraph"] == 0
    result = run_cli("export", story_id, "--format", "mp3", "--out", str(tmp_path / "story.mp3"), env=env,
                     timeout=120)
    assert result.code == 0, result.err
    [picture] = ID3(tmp_path / "story.mp3").getall("APIC")
    assert picture.data == Path(cover["path"]).read_bytes() and picture.mime == "image/png"
    assert not list(tmp_path.glob(".*"))  # no temporary file left beside it
