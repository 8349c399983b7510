"""`tale-desktop sync` from the outside: two data dirs against one loopback Supabase whose every request runs on
PostgreSQL with the migrations (issue 6 and issue 13 acceptance)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tale_desktop.domain.models import Narration, Story
from tale_desktop.storage.library import Library
from tests.fakes.pg_supabase import PgSupabase
from tests.fakes.supabase_server import FakeSupabase
from tests.integration.cli_helpers import run_cli

EMAIL, PASSWORD = "parent@example.org", "s3cret-pass"


@pytest.fixture()
def fake(pg_fake: PgSupabase) -> Iterator[PgSupabase]:
    pg_fake.user_id = pg_fake.add_user(EMAIL, PASSWORD)  # type: ignore[attr-defined]
    yield pg_fake


def env_for(tmp_path: Path, name: str, fake: FakeSupabase, **extra: str) -> dict[str, str]:
    return {"TALE_DATA_DIR": str(tmp_path / name / "data"), "TALE_CONFIG_DIR": str(tmp_path / name / "config"),
            "TALE_NO_KEYRING": "1", "SUPABASE_URL": fake.url, "SUPABASE_KEY": fake.anon_key,
            "TALE_SUPABASE_EMAIL": EMAIL, "TALE_SUPABASE_PASSWORD": PASSWORD, **extra}


def with_library(env: dict[str, str], work) -> object:
    """Run ``work(library)`` on the device's library file (as the narrator / library window would)."""
    async def run() -> object:
        library = await asyncio.to_thread(Library.open, Path(env["TALE_DATA_DIR"]))
        try:
            return await work(library)
        finally:
            library.close()
    return asyncio.run(run())


def test_sync_acceptance_two_devices(tmp_path: Path, fake: FakeSupabase) -> None:
    a, b = env_for(tmp_path, "a", fake), env_for(tmp_path, "b", fake)
    added = run_cli("children", "add", "Mia", "--age-band", "3-5", "--gender", "female", "--interests",
                    "cats,boats", env=a)
    assert added.code == 0, added.err
    child_id = added.out.strip().split()[-1]
    audio = b"ID3\x03\x00" + bytes(range(256)) * 40

    async def make_story(library: Library) -> tuple[str, str]:
        child = next(c for c in await library.list_children() if c.id == child_id)
        story = await library.save_story(Story(title="Mia and the Moon Boat", content="Once upon a time...",
                                               child_id=child.id, child_snapshot={"id": child.id, "name": "Mia"}))
        folder = Path(a["TALE_DATA_DIR"]) / "audio"
        folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(audio).hexdigest()
        (folder / f"{digest}.mp3").write_bytes(audio)
        await library.save_narration(Narration(story_id=story.id, provider="elevenlabs", language="en",
                                               format="mp3", local_file=str(folder / f"{digest}.mp3"),
                                               size=len(audio), sha256=digest))
        return story.id, digest

    story_id, digest = with_library(a, make_story)  # type: ignore[misc]

    first = run_cli("sync", env=a)
    assert first.code == 0, first.err
    assert "Pushed:" in first.out and "1 children" in first.out and "1 audio files" in first.out
    assert story_id in {r["id"] for r in fake.table("stories")}
    assert child_id in {r["id"] for r in fake.table("children")}
    assert fake.object_names() == {f"{fake.user_id}/{story_id}/{digest}.mp3"}

    second = run_cli("sync", "--json", env=b)
    assert second.code == 0, second.err
    report = second.json()
    assert report["pulled"]["children"] == 1 and report["pulled"]["stories"] >= 1
    shown = run_cli("stories", "show", story_id, "--json", env=b)
    assert shown.code == 0 and shown.json()["title"] == "Mia and the Moon Boat"
    assert [c.id for c in with_library(b, lambda lib: lib.list_children())] == [child_id]  # type: ignore[attr-defined]

    # A rating given on the first device reaches the second.
    with_library(a, lambda lib: lib.update_story_fields(story_id, rating=8))
    assert run_cli("sync", env=a).code == 0
    assert run_cli("sync", env=b).code == 0
    assert with_library(b, lambda lib: lib.get_story(story_id)).rating == 8  # type: ignore[attr-defined]

    # So does a deletion (of the story and of the child, through the CLI); the story's audio leaves the bucket.
    assert run_cli("stories", "delete", story_id, env=a).code == 0
    assert run_cli("children", "delete", child_id, env=a).code == 0
    assert run_cli("sync", env=a).code == 0
    assert fake.object_names() == set()
    pulled = run_cli("sync", env=b)
    assert pulled.code == 0 and "Pulled: 1 children, 0 heroes, 1 stories" in pulled.out
    assert with_library(b, lambda lib: lib.get_story(story_id, include_deleted=True)).deleted_at  # type: ignore[attr-defined]
    assert with_library(b, lambda lib: lib.list_children()) == []


def _library_snapshot(env: dict[str, str]) -> str:
    listing = run_cli("stories", "list", "--json", env=env)
    assert listing.code == 0, listing.err
    return listing.out


@pytest.mark.parametrize("problem", ["wrong password", "unreachable server", "not configured"])
def test_sync_failures_exit_3_and_leave_the_library_alone(tmp_path: Path, fake: FakeSupabase, problem: str) -> None:
    env = env_for(tmp_path, "d", fake)
    before = _library_snapshot(env)
    if problem == "wrong password":
        env["TALE_SUPABASE_PASSWORD"] = "not-the-password"
        expected = "refused the email or password"
    elif problem == "unreachable server":
        env["SUPABASE_URL"] = "http://127.0.0.1:9"
        expected = "Cannot reach the Supabase project at 127.0.0.1:9"
    else:
        env["SUPABASE_URL"] = ""
        expected = "set SUPABASE_URL and SUPABASE_KEY"
    result = run_cli("sync", env=env)
    assert result.code == 3
    assert expected in result.err
    assert "Traceback" not in result.err and "not-the-password" not in result.err
    assert _library_snapshot(env) == before
    assert fake.table("stories") == []
