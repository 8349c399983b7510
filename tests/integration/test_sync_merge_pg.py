"""Issue 13 acceptance, end to end: two devices, the real supabase SDK, and a stand-in whose every request runs
on PostgreSQL with the project's migrations (triggers, RLS, storage policies) as the `authenticated` role."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tale_desktop.context import AppContext
from tale_desktop.domain.models import Narration, Story
from tale_desktop.providers.supabase import SchemaOutdated
from tale_desktop.services.sync import SyncStatus
from tests.fakes.pg_supabase import PgSupabase, start_pg_supabase

EMAIL, PASSWORD = "parent@example.org", "correct horse"
TEN_MINUTES_MS = 10 * 60 * 1000


def device_env(root: Path, name: str, fake: PgSupabase, email: str = EMAIL) -> dict[str, str]:
    return {"TALE_DATA_DIR": str(root / name / "data"), "TALE_CONFIG_DIR": str(root / name / "config"),
            "TALE_NO_KEYRING": "1", "SUPABASE_URL": fake.url, "SUPABASE_KEY": fake.anon_key,
            "TALE_SUPABASE_EMAIL": email, "TALE_SUPABASE_PASSWORD": PASSWORD}


async def open_device(env: dict[str, str]) -> AppContext:
    ctx = AppContext.create(env)
    await ctx.start()
    ctx.sync.retry_delay_s = 0.001
    return ctx


@pytest.fixture()
async def devices(tmp_path: Path, pg_fake: PgSupabase) -> AsyncIterator[tuple[AppContext, AppContext]]:
    pg_fake.user_id = pg_fake.add_user(EMAIL, PASSWORD)  # type: ignore[attr-defined]
    a = await open_device(device_env(tmp_path, "a", pg_fake))
    b = await open_device(device_env(tmp_path, "b", pg_fake))
    try:
        yield a, b
    finally:
        await a.aclose()
        await b.aclose()


def skew(ctx: AppContext, ms: int) -> None:
    """Move this device's clock ``ms`` ahead (the other device is then that much slow)."""
    with ctx.library.store.db.write() as conn:
        conn.execute("UPDATE sync_clock SET wall = ?, counter = 0",
                     (int(__import__("time").time() * 1000) + ms,))


async def shared_story(a: AppContext, b: AppContext, title: str = "Shared") -> Story:
    story = await a.library.save_story(Story(title=title, content="Once upon a time."))
    await a.sync.sync()
    await b.sync.sync()
    return story


@pytest.mark.parametrize("first", ["a", "b"])
async def test_rating_on_one_device_and_favourite_on_the_other_both_survive(devices, pg_fake, first) -> None:
    a, b = devices
    story = await shared_story(a, b)
    await a.library.rate(story.id, 7)             # both offline
    await asyncio.sleep(0.01)
    await b.library.set_favourite(story.id, True)  # later, on the other device
    order = (a, b) if first == "a" else (b, a)
    for ctx in (*order, *order):
        await ctx.sync.sync()
    for ctx in (a, b):
        got = await ctx.library.get_story(story.id)
        assert (got.rating, got.favourite) == (7, True)
    [row] = [r for r in pg_fake.table("stories") if r["id"] == story.id]
    assert (row["rating"], row["favourite"]) == (7, True)


async def test_a_slow_device_that_edits_after_seeing_the_other_edit_wins_everywhere(devices, pg_fake) -> None:
    a, b = devices
    story = await shared_story(a, b)
    skew(a, TEN_MINUTES_MS)  # b's clock is ten minutes slow compared with a's
    await a.library.rate(story.id, 4)
    await a.sync.sync()
    await b.sync.sync()  # b has seen the 4
    assert (await b.library.get_story(story.id)).rating == 4
    await b.library.rate(story.id, 9)  # one second later, by a clock ten minutes slow
    await b.sync.sync()
    await a.sync.sync()
    assert (await a.library.get_story(story.id)).rating == 9
    assert (await b.library.get_story(story.id)).rating == 9
    assert [r["rating"] for r in pg_fake.table("stories") if r["id"] == story.id] == [9]


async def test_concurrent_edits_of_one_field_resolve_the_same_everywhere(devices, pg_fake) -> None:
    a, b = devices
    story = await shared_story(a, b)
    skew(b, TEN_MINUTES_MS)  # b's clock runs fast: neither saw the other, b's clock is larger
    await a.library.rate(story.id, 3)
    await b.library.rate(story.id, 8)
    await asyncio.gather(a.sync.sync(), b.sync.sync())  # at once
    for ctx in (a, b, a):
        await ctx.sync.sync()
    ratings = {(await ctx.library.get_story(story.id)).rating for ctx in (a, b)}
    server = {r["rating"] for r in pg_fake.table("stories") if r["id"] == story.id}
    assert ratings == server == {8}


async def test_deletion_wins_over_a_concurrent_edit_and_an_undo_is_a_newer_edit(devices, pg_fake) -> None:
    a, b = devices
    story = await shared_story(a, b)
    await a.library.delete_stories([story.id])   # window deletion, still undoable
    await b.library.rate(story.id, 5)              # concurrent edit on the other device
    for ctx in (a, b, a):
        await ctx.sync.sync()
    for ctx in (a, b):
        got = await ctx.library.store.get_story(story.id, include_deleted=True)
        assert got.deleted_at is not None and got.rating == 5  # still deleted; the rating is kept for an undo
    await a.library.restore_stories([story.id])   # the undo
    for ctx in (a, b):
        await ctx.sync.sync()
    assert (await b.library.get_story(story.id)).rating == 5


async def test_no_echo_a_device_does_not_download_what_it_pushed(devices, pg_fake) -> None:
    a, _ = devices
    await a.sync.sync()
    for i in range(20):
        await a.library.save_story(Story(title=f"Tale {i}", content="Once."))
    report = await a.sync.sync()
    assert report.pushed["stories"] == 20 and report.pulled_total == 0
    before_requests, before_bytes = len(pg_fake.requests), pg_fake.bytes_out
    again = await a.sync.sync()
    assert again.pushed_total == again.pulled_total == 0
    assert len(pg_fake.requests) - before_requests <= 5
    assert pg_fake.bytes_out - before_bytes < 2_000


async def add_narration(ctx: AppContext, story: Story, data: bytes) -> Narration:
    digest = hashlib.sha256(data).hexdigest()
    folder = ctx.settings.audio_dir / story.id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}.mp3"
    path.write_bytes(data)
    return await ctx.library.store.save_narration(Narration(
        story_id=story.id, provider="piper", voice_id="v", language="en", format="mp3", local_file=str(path),
        size=len(data), sha256=digest, duration_s=1.0))


async def test_deleting_a_story_removes_its_audio_from_the_bucket_and_from_the_other_device(
        tmp_path, devices, pg_fake) -> None:
    a, b = devices
    doomed = await a.library.save_story(Story(title="Doomed", content="Once."))
    kept = await a.library.save_story(Story(title="Kept", content="Once."))
    await add_narration(a, doomed, b"ID3 doomed audio")
    await add_narration(a, kept, b"ID3 kept audio")
    # Another parent with a story of the same id and audio in their own folder.
    other_email = "other@example.org"
    pg_fake.add_user(other_email, PASSWORD)
    other = await open_device(device_env(tmp_path, "other", pg_fake, other_email))
    try:
        await other.library.save_story(Story(id=doomed.id, title="Theirs", content="Once."))
        await add_narration(other, await other.library.get_story(doomed.id), b"ID3 theirs")
        await other.sync.sync()
        await a.sync.sync()
        await b.sync.sync()
        [b_narration] = await b.library.store.narrations_for(doomed.id)
        downloaded = await b.sync.fetch_audio(b_narration.id)
        assert downloaded.is_file()
        uid = pg_fake.user_id  # type: ignore[attr-defined]
        assert len([n for n in pg_fake.object_names() if n.startswith(f"{uid}/")]) == 2

        await a.library.delete_stories([doomed.id], final=True)  # `stories delete ID`
        report = await a.sync.sync()
        assert report.removed == 1
        names = pg_fake.object_names()
        assert not any(n.startswith(f"{uid}/{doomed.id}/") for n in names)
        assert any(n.startswith(f"{uid}/{kept.id}/") for n in names)          # another story's audio stays
        other_uid = next(u.id for u in pg_fake.users.values() if u.email == other_email)
        assert any(n.startswith(f"{other_uid}/{doomed.id}/") for n in names)  # another parent's stays

        await b.sync.sync()
        await b.narrator.aclose()  # waits for the purge of the downloaded copy
        assert not downloaded.exists()
    finally:
        await other.aclose()


async def test_a_project_still_on_the_old_schema_is_reported_clearly(tmp_path, pg_cluster) -> None:
    from tests.fakes.pg_supabase import drop_project_database

    old = start_pg_supabase(pg_cluster, upto="0001")
    old.add_user(EMAIL, PASSWORD)
    ctx = await open_device(device_env(tmp_path, "a", old))
    try:
        with pytest.raises(SchemaOutdated) as caught:
            await ctx.sync.sync()
        assert "0002_field_clocks.sql" in caught.value.user_message
        assert ctx.sync.state.status == SyncStatus.ERROR
        assert "previous Tale Desktop schema" in ctx.sync.state.reason
        assert await ctx.library.store.db.run(ctx.sync.store.pending_count) > 0  # nothing lost: still queued
    finally:
        await ctx.aclose()
        old.stop()
        drop_project_database(pg_cluster, old.conninfo)


async def test_other_object_sources_plug_in_to_the_removal(devices, pg_fake) -> None:
    """Pictures (or anything stored per story) register where their objects are; a deletion removes them too."""
    a, _ = devices
    story = await a.library.save_story(Story(title="Illustrated", content="Once."))
    uid = pg_fake.user_id  # type: ignore[attr-defined]
    await a.sync.sync()
    picture = f"{uid}/images/{story.id}/cover.png"
    await a.sync.provider.upload(picture, b"\x89PNG picture", "image/png")
    elsewhere = f"{uid}/images/{story.id}-not-this/cover.png"
    await a.sync.provider.upload(elsewhere, b"\x89PNG other", "image/png")

    async def pictures(user_id: str, story_id: str) -> list[str]:
        # A source returning a path outside the story is ignored: only the story's own objects go.
        return [f"{user_id}/images/{story_id}/cover.png", elsewhere]

    a.sync.object_sources.append(pictures)
    await a.library.delete_stories([story.id], final=True)
    await a.sync.sync()
    assert picture not in pg_fake.object_names() and elsewhere in pg_fake.object_names()
