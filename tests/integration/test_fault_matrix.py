"""Every failure a server can produce, from outside: `generate` and `narrate` run as subprocesses through the real
SDKs (openai, elevenlabs) against the loopback fakes, with short waits set through configuration
(``TALE_NET_*``, providers/http.py ``NetPolicy``).

Each case asserts the exit code, one ``tale-desktop:`` line that names the service, a bounded time (the fakes hang
for far longer than the bound), that nothing was lost (a partial story is kept as a draft, no broken audio is
cached) and that running the command again, once the server behaves, works.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import time
from pathlib import Path

import pytest

from tale_desktop.providers.audio_check import file_problem
from tale_desktop.providers.http import NetPolicy
from tests.fakes.elevenlabs_server import FakeElevenLabs
from tests.fakes.openrouter import FakeOpenRouter, Reply
from tests.integration.cli_helpers import Result, run_cli
from tests.integration.narration_helpers import EN_TEXT, save_story_blocking

SHORT = {"TALE_NET_CONNECT_TIMEOUT": "1", "TALE_NET_READ_TIMEOUT": "1.5", "TALE_NET_ATTEMPTS": "2"}
POLICY = NetPolicy.from_env(SHORT)
HANG_S = 40.0  # a fake hangs this long: far beyond the bound, so a wait that is not bounded fails the test
# The policy's worst case for one request, the SDKs' backoff, and starting Python in a subprocess on a busy machine.
BOUND_S = POLICY.worst_case_s + 15.0


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_line(result: Result) -> str:
    lines = [line for line in result.err.splitlines() if line.startswith("tale-desktop:")]
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err and "\x1b" not in result.err
    return lines[0]


def timed(*args: str, env: dict[str, str]) -> tuple[Result, float]:
    started = time.monotonic()
    result = run_cli(*args, env=env, timeout=HANG_S + 30)
    return result, time.monotonic() - started


def stories() -> list[dict]:
    with sqlite3.connect(Path(os.environ["TALE_DATA_DIR"]) / "library.sqlite3") as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT id, status, content FROM stories WHERE deleted_at IS NULL").fetchall()
    return [dict(r) for r in rows]


# -- the story service ----------------------------------------------------------------------------------------------
@pytest.fixture
def llm():
    with FakeOpenRouter(story_words=120, generation_404s=0) as server:
        yield server


def llm_env(fake: FakeOpenRouter, **extra: str) -> dict[str, str]:
    return {**SHORT, "TALE_LLM_BASE_URL": fake.base_url, "OPENROUTER_API_KEY": "test-key",
            "TALE_LLM_MODEL": "test/bedtime-model", **extra}


@pytest.fixture
def mia(llm) -> str:
    result = run_cli("children", "add", "Mia", "--age-band", "3-5", "--gender", "female", "--interests", "owls",
                     env=llm_env(llm))
    assert result.code == 0, result.err
    return result.out.strip()


def both_tries(reply: Reply) -> list[Reply]:
    return [reply] * POLICY.attempts


LLM_CASES = {
    "429 with Retry-After": (both_tries(Reply(status=429, retry_after=1)), "Try again in 1 second.", False),
    "5xx": (both_tries(Reply(status=503)), "having trouble", False),
    "reset before the answer": (both_tries(Reply(reset_before=True)), "cut the connection", False),
    "reset mid-body": ([Reply(reset_after_tokens=8)], "kept", True),
    "hang before the answer": (both_tries(Reply(first_byte_delay=HANG_S)), "did not answer in time", False),
    "stall mid-body": ([Reply(hang_after_tokens=8, hang_s=HANG_S)], "did not answer in time", True),
    # answered (200): not retried by the SDK, so one reply is enough
    "malformed body": ([Reply(garbage=True)], "not an OpenAI-compatible", False),
    "HTML with 200": ([Reply(html=True)], "The server at", False),
    "402 no credits": ([Reply(status=402)], "run out of credits", False),
}


@pytest.mark.parametrize("case", list(LLM_CASES), ids=list(LLM_CASES))
def test_generate_fault(llm, mia, case):
    replies, expected, partial = LLM_CASES[case]
    llm.script(*replies)
    env = llm_env(llm)
    before = stories()  # the starter stories
    result, took = timed("generate", "--child", "Mia", "--minutes", "1", env=env)
    assert result.code == 3, result.err
    line = service_line(result)
    assert any(name in line.lower() for name in ("story service", "server at", "openrouter")), line
    assert expected in result.err, result.err
    if case == "429 with Retry-After":
        assert "1 seconds" not in line
    assert took < BOUND_S, f"{case}: {took:.1f} s"
    kept = [s for s in stories() if s not in before]
    if partial:  # the text that arrived is a draft, nothing lost
        assert "kept as a draft" in result.err
        [draft] = kept
        assert draft["status"] == "draft" and len(draft["content"].split()) >= 4
    else:
        assert kept == []
    # Once the server behaves, the same command works.
    again = run_cli("generate", "--child", "Mia", "--minutes", "1", "--json", env=env)
    assert again.code == 0, again.err
    assert again.json()["status"] == "new"


def test_generate_wrong_key(llm, mia):
    result, took = timed("generate", "--child", "Mia", env=llm_env(llm, OPENROUTER_API_KEY="sk-or-wrong"))
    assert result.code == 3 and "refused the API key" in service_line(result)
    assert "sk-or-wrong" not in result.err and took < BOUND_S
    assert run_cli("generate", "--child", "Mia", "--minutes", "1", env=llm_env(llm)).code == 0


def test_generate_connection_refused(llm, mia):
    env = llm_env(llm, TALE_LLM_BASE_URL=f"http://127.0.0.1:{closed_port()}/v1")
    before = stories()
    result, took = timed("generate", "--child", "Mia", env=env)
    assert result.code == 3 and "refused the connection" in service_line(result) and took < BOUND_S
    assert stories() == before


def test_generate_base_url_without_v1(llm, mia):
    root = llm.base_url.rsplit("/api/v1", 1)[0]
    result, took = timed("generate", "--child", "Mia", env=llm_env(llm, TALE_LLM_BASE_URL=root))
    line = service_line(result)
    assert result.code == 3 and "looks wrong" in line and f"{root}/v1" in line, line
    assert "not available" not in line and took < BOUND_S


def test_generate_json_against_a_local_server_does_not_wait_for_statistics(mia):
    with FakeOpenRouter(api_key=None, story_words=120, openrouter_extras=False) as local:
        result = run_cli("generate", "--child", "Mia", "--minutes", "1", "--json",
                         env=llm_env(local, OPENROUTER_API_KEY=""))
        finished = time.monotonic()
        assert result.code == 0, result.err
        [story_stream] = [times for times in local.token_times.values() if len(times) > 20]
        last_token = story_stream[-1][0]
        assert not [r for r in local.requests if r.path.endswith("/generation")]
    assert finished - last_token < 2.0, f"exited {finished - last_token:.1f} s after the last token"


def test_unreadable_review_is_saved_flagged_and_said(llm, mia):
    llm.review_json = {"safe": True, "feedback": "I think the story is lovely!"}  # no scores: cannot be read
    result = run_cli("generate", "--child", "Mia", "--minutes", "1", "--json", env=llm_env(llm))
    assert result.code == 0, result.err
    story = result.json()
    assert story["review"]["flagged"] is True and story["review"]["passed"] is False
    assert story["review"]["model_checked"] is False
    assert "safety review could not be done" in result.err
    reviews = [r for r in llm.chat_requests(stream=False)
               if (r.body.get("response_format") or {}).get("type") == "json_object"]
    assert len(reviews) == 2  # asked again before giving up; no rewrite for an unreadable review


# -- ElevenLabs -----------------------------------------------------------------------------------------------------
@pytest.fixture
def eleven():
    with FakeElevenLabs() as server:
        yield server


def eleven_env(fake: FakeElevenLabs, **extra: str) -> dict[str, str]:
    return {**SHORT, "ELEVENLABS_API_KEY": fake.api_key, "TALE_ELEVENLABS_BASE_URL": fake.base_url, **extra}


def narrate(story_id: str, env: dict[str, str]) -> tuple[Result, float]:
    return timed("narrate", story_id, "--provider", "elevenlabs", "--voice", "voice-en-calm", env=env)


def cached_audio(story_id: str) -> list[Path]:
    folder = Path(os.environ["TALE_DATA_DIR"]) / "audio" / story_id
    return [p for p in folder.glob("*.mp3")] if folder.is_dir() else []


ELEVEN_CASES = {
    "429 with Retry-After": (dict(status=429, headers={"Retry-After": "1"}, times=2), "Try again in 1 second."),
    "5xx": (dict(status=500, times=2), "having trouble"),
    "reset before the answer": (dict(reset_before=True, times=2), "cut the connection"),
    "reset mid-body": (dict(status=200, reset_after=300, times=2), "cut the connection"),
    "hang before the answer": (dict(status=200, delay=HANG_S, times=2), "did not answer in time"),
    "stall mid-body": (dict(status=200, stall_after=300, stall_s=HANG_S, times=2), "did not answer in time"),
    "malformed body": (dict(status=200, malformed=True), "answered with something unexpected"),
    "HTML with 200": (dict(status=200, html=True), "answered with something unexpected"),
    "junk audio": (dict(status=200, junk_audio=True), "cannot be played"),
    "401 quota": (dict(status=401, body={"detail": {"status": "quota_exceeded", "message": "No credits."}}),
                  "quota used up"),
}


@pytest.mark.parametrize("case", list(ELEVEN_CASES), ids=list(ELEVEN_CASES))
def test_narrate_fault(eleven, case):
    fault, expected = ELEVEN_CASES[case]
    eleven.fail_next(**fault)
    story_id = save_story_blocking(EN_TEXT, "en")
    env = eleven_env(eleven)
    result, took = narrate(story_id, env)
    assert result.code == 3, result.err
    line = service_line(result)
    assert "ElevenLabs" in line and expected in line, line
    if case == "429 with Retry-After":
        assert "1 seconds" not in line
    assert took < BOUND_S, f"{case}: {took:.1f} s"
    assert cached_audio(story_id) == []  # nothing half-made or broken is cached
    shown = run_cli("stories", "show", story_id, "--json", env=env).json()
    assert shown["content"] == EN_TEXT and not shown["has_audio"]
    # Once the server behaves, the same command works and the file is real audio.
    again, _ = narrate(story_id, env)
    assert again.code == 0, again.err
    assert file_problem(again.out.strip(), len(EN_TEXT)) is None


def test_narrate_wrong_key(eleven):
    story_id = save_story_blocking(EN_TEXT, "en")
    result, took = narrate(story_id, eleven_env(eleven, ELEVENLABS_API_KEY="el-wrong"))
    line = service_line(result)
    assert result.code == 3 and "ElevenLabs refused the API key" in line and "el-wrong" not in result.err
    assert took < BOUND_S
    assert narrate(story_id, eleven_env(eleven))[0].code == 0


def test_narrate_connection_refused(eleven):
    story_id = save_story_blocking(EN_TEXT, "en")
    result, took = narrate(story_id, eleven_env(eleven, TALE_ELEVENLABS_BASE_URL=f"http://127.0.0.1:{closed_port()}"))
    assert result.code == 3 and "refused the connection" in service_line(result) and took < BOUND_S


def test_junk_audio_cached_before_the_check_is_not_served_again(eleven):
    """A narration saved by an older version from junk bytes: the next `narrate` asks the server again."""
    story_id = save_story_blocking(EN_TEXT, "en")
    env = eleven_env(eleven)
    first, _ = narrate(story_id, env)
    assert first.code == 0, first.err
    path = Path(first.out.strip())
    junk = os.urandom(20000)
    path.write_bytes(junk)
    with sqlite3.connect(Path(os.environ["TALE_DATA_DIR"]) / "library.sqlite3") as conn:  # hash matches the junk
        conn.execute("UPDATE narrations SET sha256 = ?, size = ?", (hashlib.sha256(junk).hexdigest(), len(junk)))
    requests_before = len(eleven.tts_requests())
    again = run_cli("narrate", story_id, "--provider", "elevenlabs", "--voice", "voice-en-calm", "--json", env=env)
    assert again.code == 0, again.err
    record = again.json()
    assert len(eleven.tts_requests()) > requests_before  # asked the server again instead of serving the junk
    assert file_problem(record["local_file"], len(EN_TEXT)) is None


def test_a_review_the_server_never_answers_does_not_hold_the_story(llm, mia):
    """The story streams, then the server hangs: the story is saved (flagged, the parent told) in bounded time."""
    llm.script(Reply(), *both_tries(Reply(first_byte_delay=HANG_S)))
    result, took = timed("generate", "--child", "Mia", "--minutes", "1", "--json", env=llm_env(llm))
    assert result.code == 0, result.err
    story = result.json()
    assert story["status"] == "new" and story["review"]["flagged"] is True
    assert "safety review could not be done" in result.err
    assert took < BOUND_S, f"{took:.1f} s"
    assert len(llm.chat_requests(stream=False)) == POLICY.attempts  # no second review, no summary call


# -- bad input ------------------------------------------------------------------------------------------------------
def test_control_characters_are_refused_and_listings_never_print_escapes(llm, mia):
    env = llm_env(llm)
    for bad in ("Mia\x1b[31mRED", "Bell\x07", "Two\nLines", "Del\x7f", "Evil\u202etxt.exe", "Iso\u2066late"):
        result = run_cli("children", "add", bad, "--age-band", "3-5", "--gender", "female", "--interests", "owls",
                         env=env)
        assert result.code == 2 and "control characters" in service_line(result), result.err
    with sqlite3.connect(Path(os.environ["TALE_DATA_DIR"]) / "library.sqlite3") as conn:  # stored by an old version
        conn.execute("UPDATE children SET name = ? WHERE id = ?", ("Mia\x1b]0;pwned\x07\x1b[2J\u202e", mia))
    listing = run_cli("children", "list", env=env)
    assert listing.code == 0 and "Mia" in listing.out
    assert not any(ch in listing.out for ch in ("\x1b", "\x07", "\u202e")), repr(listing.out)
    rated = run_cli("stories", "rate", stories()[0]["id"], "\u0667", env=env)  # ARABIC-INDIC DIGIT SEVEN
    assert rated.code == 2 and "whole number" in rated.err
