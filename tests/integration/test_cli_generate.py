"""Acceptance of `generate` from outside: a subprocess against the loopback OpenRouter server."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tale_desktop.storage.library import Library
from tests.fakes.openrouter import FakeOpenRouter, Reply
from tests.integration.cli_helpers import run_cli


@pytest.fixture
def fake():
    with FakeOpenRouter(generation_404s=0) as server:
        yield server


@pytest.fixture
def env(fake):
    return {"TALE_LLM_BASE_URL": fake.base_url, "OPENROUTER_API_KEY": "test-key",
            "TALE_LLM_MODEL": "test/bedtime-model"}


def add_mia(env):
    result = run_cli("children", "add", "Mia", "--age-band", "3-5", "--gender", "female",
                     "--interests", "dragons,space rockets", env=env)
    assert result.code == 0, result.err
    return result.out.strip()


def stories() -> list[dict]:
    """Live stories straight from the library file (no subprocess: faster, and independent of the CLI)."""
    with sqlite3.connect(Path(os.environ["TALE_DATA_DIR"]) / "library.sqlite3") as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT id, status, title, content FROM stories WHERE deleted_at IS NULL").fetchall()
    return [dict(r) for r in rows]


def test_generate_json_saves_story_with_request_and_stats(fake, env):
    add_mia(env)
    fake.generation_404s = 1  # /generation answers 404 first, then the data
    result = run_cli("generate", "--child", "Mia", "--moral", "bravery", "--theme", "space", "--language", "en",
                     "--minutes", "2", "--json", env=env)
    assert result.code == 0, result.err
    story = result.json()
    assert story["status"] == "new" and story["title"] == "The Moon Garden"
    assert "silver door" in story["content"] and story["word_count"] > 250
    assert story["model"] == "test/bedtime-model" and story["summary"]
    # The request streamed, used TALE_LLM_MODEL and carried Mia, her interests, the moral and the theme.
    [request] = fake.chat_requests(stream=True)
    assert request.body["model"] == "test/bedtime-model" and request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}
    assert request.headers["x-title"] == "Tale Desktop" and "http-referer" in request.headers
    prompt = request.messages_text
    for expected in ("Mia", "dragons", "space rockets", "bravery", "stars, planets"):
        assert expected in prompt
    # Stats from /generation (cost, generation id) are stored on the story.
    generation = fake.generations[story["stats"]["generation_id"]]
    assert story["stats"]["cost"] == generation["total_cost"]
    assert story["stats"]["provider_name"] == "FakeProvider"
    shown = run_cli("stories", "show", story["id"], "--json", env=env).json()
    assert shown["stats"]["generation_id"] == generation["id"] and shown["stats"]["cost"] == generation["total_cost"]
    polls = [r.query["id"] for r in fake.requests if r.path.endswith("/generation")]
    assert polls == [[generation["id"]]] * 2


def test_text_appears_on_stdout_while_server_is_still_writing(fake, env):
    add_mia(env)
    fake.token_delay = 0.005  # ~300 tokens: ~1.5 s of writing
    proc = subprocess.Popen([sys.executable, "-m", "tale_desktop", "generate", "--child", "Mia", "--minutes", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **env})
    try:
        first = proc.stdout.readline()  # the title line, as soon as it is written
        seen_at = time.monotonic()
        assert b"Moon Garden" in first
        [request] = fake.chat_requests(stream=True)
        gen_id = next(iter(fake.first_token_sent))
        last_token_at = fake.token_times[gen_id][-1][0]
        assert seen_at < last_token_at or len(fake.token_times[gen_id]) < 250, "text only came after the end"
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill() if proc.poll() is None else None
    assert proc.returncode == 0, err
    assert b"Mia yawned" in out and b"Saved story" in err


def test_429_with_retry_after_is_waited_out(fake, env):
    add_mia(env)
    fake.script(Reply(status=429, retry_after=2))
    started = time.monotonic()
    result = run_cli("generate", "--child", "Mia", "--minutes", "2", "--json", env=env)
    assert result.code == 0, result.err
    assert time.monotonic() - started >= 1.9
    streamed = fake.chat_requests(stream=True)
    assert len(streamed) == 2 and streamed[1].time - streamed[0].time >= 1.9
    assert result.json()["status"] == "new"


def test_russian_prompt(fake, env):
    add_mia(env)
    result = run_cli("generate", "--child", "Mia", "--moral", "kindness", "--theme", "forest", "--language", "ru",
                     "--minutes", "2", "--json", env=env)
    assert result.code == 0, result.err
    [request] = fake.chat_requests(stream=True)
    system, user = (m["content"] for m in request.body["messages"])
    assert "Ты — добрый детский писатель" in system and "Напиши сказку на ночь" in user
    assert "доброта" in user and "тихий лес" in user and "девочка" in user and "Mia" in user
    assert result.json()["language"] == "ru"


def test_hero_story_carries_hero_name_and_appearance(fake, env):
    added = run_cli("heroes", "add", "Luna the Owl", "--gender", "female", "--appearance", "a snowy owl with golden "
                    "spectacles", "--traits", "wise,gentle", "--strengths", "sees in the dark", "--language", "en",
                    env=env)
    assert added.code == 0, added.err
    result = run_cli("generate", "--hero", "Luna the Owl", "--type", "hero", "--minutes", "2", "--json", env=env)
    assert result.code == 0, result.err
    prompt = fake.chat_requests(stream=True)[0].messages_text
    assert "Luna the Owl" in prompt and "golden spectacles" in prompt and "sees in the dark" in prompt
    story = result.json()
    assert story["story_type"] == "hero" and story["hero_snapshot"]["name"] == "Luna the Owl"


def test_sequel_carries_the_parent_story(fake, env):
    add_mia(env)
    first = run_cli("generate", "--child", "Mia", "--minutes", "2", "--json", env=env)
    assert first.code == 0, first.err
    parent = first.json()
    second = run_cli("generate", "--child", "Mia", "--minutes", "2", "--sequel-of", parent["id"], "--json", env=env)
    assert second.code == 0, second.err
    prompt = fake.chat_requests(stream=True)[-1].messages_text
    assert parent["title"] in prompt and parent["summary"] in prompt and "continues an earlier story" in prompt
    assert second.json()["parent_id"] == parent["id"]


def test_ctrl_c_exits_130_and_keeps_a_draft(fake, env):
    add_mia(env)
    fake.token_delay = 0.02
    proc = subprocess.Popen([sys.executable, "-m", "tale_desktop", "generate", "--child", "Mia", "--minutes", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **env})
    try:
        proc.stdout.readline()
        proc.stdout.read(200)  # some story text has arrived
        time.sleep(1.2)        # past at least one periodic draft save
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill() if proc.poll() is None else None
    assert proc.returncode == 130, err
    assert b"kept as a draft" in err
    drafts = [s for s in stories() if s["status"] == "draft"]
    assert len(drafts) == 1
    draft = drafts[0]
    assert draft["content"].startswith("Once upon a time") and 30 < len(draft["content"].split()) < 290
    assert draft["title"] == "The Moon Garden"


def test_wrong_key_exits_3_and_saves_nothing(fake, env):
    add_mia(env)
    before = stories()
    result = run_cli("generate", "--child", "Mia", "--minutes", "2", env={**env, "OPENROUTER_API_KEY": "wrong"})
    assert result.code == 3
    assert "API key" in result.err and "Settings" in result.err and result.out == ""
    assert len(result.err.strip().splitlines()) == 1
    assert "wrong" not in result.err
    assert stories() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--minutes", "0"], "Length must be from 1 to 30 minutes"),
        (["--minutes", "120"], "Length must be from 1 to 30 minutes"),
        (["--custom-moral", "be good " * 625], "at most 200 characters"),
        (["--sequel-of", "00000000-0000-4000-8000-000000000000"], "no longer exists"),
        (["--type", "hero"], "needs a hero"),
    ],
)
def test_bad_input_exits_2_and_calls_nothing(fake, env, args, message):
    add_mia(env)
    result = run_cli("generate", "--child", "Mia", *args, env=env)
    assert result.code == 2, result.err
    assert message in result.err and len(result.err.strip().splitlines()) == 1
    assert fake.chat_requests() == []


def test_unknown_model_and_html_endpoint_exit_3_with_clear_messages(fake, env):
    add_mia(env)
    fake.unknown_models.add("no/such-model")
    result = run_cli("generate", "--child", "Mia", "--model", "no/such-model", env=env)
    assert result.code == 3 and "no/such-model" in result.err and "not available" in result.err
    fake.script(*[Reply(html=True)] * 4)
    result = run_cli("generate", "--child", "Mia", env=env)
    assert result.code == 3 and "base URL" in result.err
    assert [s for s in stories() if s["status"] == "draft"] == []


def test_sequel_of_deleted_story(fake, env, tale_env):
    add_mia(env)
    first = run_cli("generate", "--child", "Mia", "--minutes", "2", "--json", env=env).json()

    async def delete() -> None:
        library = Library.open(Path(tale_env["TALE_DATA_DIR"]))
        try:
            await library.delete_stories([first["id"]])
        finally:
            library.close()

    asyncio.run(delete())
    calls = len(fake.chat_requests())
    result = run_cli("generate", "--child", "Mia", "--sequel-of", first["id"], env=env)
    assert result.code == 2 and "no longer exists" in result.err
    assert len(fake.chat_requests()) == calls


def test_json_output_is_one_document(fake, env):
    add_mia(env)
    result = run_cli("generate", "--child", "Mia", "--minutes", "2", "--json", env=env)
    assert result.code == 0
    assert isinstance(json.loads(result.out), dict)
