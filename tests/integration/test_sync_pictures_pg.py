"""Picture books in sync, end to end: device A draws pictures through the real openai SDK against the OpenRouter
fake, both devices sync through the real supabase SDK against the stand-in that runs every request on PostgreSQL
with the project's migrations (0003's table, triggers, RLS and storage policies)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tale_desktop.context import AppContext
from tale_desktop.domain.models import Story
from tale_desktop.providers.supabase import SchemaOutdated
from tests.fakes.openrouter import FakeOpenRouter
from tests.fakes.pg_supabase import PgObject, PgSupabase, drop_project_database, start_pg_supabase
from tests.integration.picture_helpers import IMAGE_MODEL, save_story
from tests.integration.test_sync_merge_pg import EMAIL, PASSWORD, device_env, open_device


@pytest.fixture
def openrouter():
    with FakeOpenRouter(generation_404s=0) as server:
        yield server


def drawing_env(env: dict[str, str], openrouter: FakeOpenRouter) -> dict[str, str]:
    return {**env, "TALE_LLM_BASE_URL": openrouter.base_url, "OPENROUTER_API_KEY": "test-key",
            "TALE_IMAGE_MODEL": IMAGE_MODEL}


@pytest.fixture()
async def devices(tmp_path: Path, pg_fake: PgSupabase, openrouter) -> AsyncIterator[tuple[AppContext, AppContext]]:
    pg_fake.user_id = pg_fake.add_user(EMAIL, PASSWORD)  # type: ignore[attr-defined]
    a = await open_device(drawing_env(device_env(tmp_path, "a", pg_fake), openrouter))  # draws the pictures
    b = await open_device(device_env(tmp_path, "b", pg_fake))                           # has no image model
    try:
        yield a, b
    finally:
        await a.aclose()
        await b.aclose()


async def illustrated(ctx: AppContext, title: str) -> Story:
    story = await save_story(ctx, minutes=2)  # the cover and two scenes
    story = await ctx.library.save_story(story.touched(title=title))
    result = await ctx.illustrator.illustrate(story.id)
    assert result.error is None and len(result.added) == 3
    return story


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_pictures_travel_to_the_other_device_and_leave_with_their_story(devices, pg_fake) -> None:
    a, b = devices
    doomed = await illustrated(a, "The Moon Garden")
    kept = await illustrated(a, "The Sea Garden")
    uid = pg_fake.user_id  # type: ignore[attr-defined]

    first = await a.sync.sync()
    assert first.pushed["illustrations"] == 6 and first.pictures_uploaded == 6
    rows = {r["id"]: r for r in pg_fake.table("illustrations")}
    assert len(rows) == 6 and {r["user_id"] for r in rows.values()} == {uid}
    assert "file" not in next(iter(rows.values()))  # where the file is on a computer stays on that computer
    for story in (doomed, kept):
        for picture in await a.illustrator.pictures(story.id):
            remote = f"{uid}/{story.id}/{picture.sha256}.png"
            assert rows[picture.id]["remote_path"] == remote and rows[picture.id]["origin"] == \
                await a.library.store.db.run(a.sync.store.device_id)
            blob = pg_fake.blobs[("tales", remote)]
            assert blob.content_type == "image/png"
            assert hashlib.sha256(blob.data).hexdigest() == picture.sha256

    pulled = await b.sync.sync()
    assert pulled.pulled["illustrations"] == 6 and pulled.pictures_downloaded == 6 and not pulled.skipped
    for story in (doomed, kept):
        theirs = await a.illustrator.pictures(story.id)
        mine = await b.illustrator.pictures(story.id)
        assert [(p.id, p.paragraph, p.sha256, p.prompt, p.width, p.height, p.mime) for p in mine] == \
               [(p.id, p.paragraph, p.sha256, p.prompt, p.width, p.height, p.mime) for p in theirs]
        for picture in mine:
            assert picture.file == f"images/{story.id}/{picture.sha256}.png"
            assert sha256_of(b.settings.data_dir / picture.file) == picture.sha256
        listing = await b.illustrator.listing(story.id)  # `stories show --json` on the other device
        assert [Path(item["path"]).is_file() for item in listing] == [True] * 3

    # Uploaded once, nothing echoes: another round moves no picture and no picture row. (The built-in sample
    # stories that each device installed itself do travel once more: they are not this test's subject.)
    objects_before = len(pg_fake.requests)
    again_a, again_b = await a.sync.sync(), await b.sync.sync()
    for report in (again_a, again_b):
        assert report.pictures_uploaded == report.pictures_downloaded == 0
        assert report.pushed["illustrations"] == report.pulled["illustrations"] == 0
    assert not any("/storage/" in str(r) for r in pg_fake.requests[objects_before:])

    await a.library.delete_stories([doomed.id], final=True)  # `stories delete ID`
    removal = await a.sync.sync()
    assert removal.removed == 3
    names = pg_fake.object_names()
    assert not any(n.startswith(f"{uid}/{doomed.id}/") for n in names)
    assert len([n for n in names if n.startswith(f"{uid}/{kept.id}/")]) == 3  # another story's pictures stay

    b_files = [b.settings.data_dir / p.file for p in await b.illustrator.pictures(doomed.id)]
    assert all(f.is_file() for f in b_files)
    await b.sync.sync()
    await b.illustrator.aclose()  # waits for the removal of the purged story's pictures
    assert not any(f.exists() for f in b_files)
    assert await b.illustrator.pictures(doomed.id) == []
    for picture in await b.illustrator.pictures(kept.id):
        assert sha256_of(b.settings.data_dir / picture.file) == picture.sha256


async def test_a_damaged_download_is_refused_and_fetched_again_later(devices, pg_fake) -> None:
    a, b = devices
    story = await illustrated(a, "The Moon Garden")
    await a.sync.sync()
    cover = (await a.illustrator.pictures(story.id))[0]
    key = ("tales", cover.remote_path)
    good = pg_fake.blobs[key]
    pg_fake.blobs[key] = PgObject(good.data[:-7] + b"garbage", good.content_type)

    first = await b.sync.sync()
    assert first.pictures_downloaded == 2
    assert [(s.table, s.id) for s in first.skipped] == [("illustrations", cover.id)]
    assert "checksum" in first.skipped[0].reason
    [b_cover] = [p for p in await b.illustrator.pictures(story.id) if p.id == cover.id]
    assert b_cover.file == "" and not (b.settings.data_dir / "images" / story.id / f"{cover.sha256}.png").exists()

    pg_fake.blobs[key] = good  # the next run fetches what is still missing
    second = await b.sync.sync()
    assert second.pictures_downloaded == 1 and not second.skipped
    [b_cover] = [p for p in await b.illustrator.pictures(story.id) if p.id == cover.id]
    assert sha256_of(b.settings.data_dir / b_cover.file) == cover.sha256


async def test_a_project_without_migration_0003_is_reported_clearly(tmp_path, pg_cluster) -> None:
    old = start_pg_supabase(pg_cluster, upto="0002")
    old.add_user(EMAIL, PASSWORD)
    ctx = await open_device(device_env(tmp_path, "a", old))
    try:
        await ctx.library.save_story(Story(title="A tale", content="Once."))
        with pytest.raises(SchemaOutdated) as caught:
            await ctx.sync.sync()
        assert "0003_illustrations.sql" in caught.value.user_message
        assert await ctx.library.store.db.run(ctx.sync.store.pending_count) > 0  # nothing lost: still queued
    finally:
        await ctx.aclose()
        old.stop()
        drop_project_database(pg_cluster, old.conninfo)
