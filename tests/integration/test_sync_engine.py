"""The sync engine end to end: two devices (data dirs) and the real supabase SDK against the loopback stand-in
whose PostgREST and Storage run on real PostgreSQL with the migrations applied (tests/fakes/pg_supabase.py). The
in-memory imitation stays only where a test needs what PostgreSQL cannot do (a project with no schema at all,
then the schema appearing)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tale_desktop.context import AppContext
from tale_desktop.domain.models import Child, Narration, Story
from tale_desktop.providers.errors import AuthError, BadResponse, Unavailable
from tale_desktop.providers.supabase import SchemaMissing
from tale_desktop.settings import SUPABASE_SESSION
from tale_desktop.storage.errors import NotFound
from tests.fakes.pg_supabase import PgSupabase
from tests.fakes.supabase_server import FakeSupabase

EMAIL, PASSWORD = "parent@example.org", "correct horse"


@pytest.fixture()
def fake(pg_fake: PgSupabase) -> Iterator[PgSupabase]:
    pg_fake.user_id = pg_fake.add_user(EMAIL, PASSWORD)  # type: ignore[attr-defined]
    yield pg_fake


@pytest.fixture()
def memory_fake() -> Iterator[FakeSupabase]:
    with FakeSupabase() as server:
        server.user_id = server.add_user(EMAIL, PASSWORD)  # type: ignore[attr-defined]
        yield server


def device_env(tmp_path: Path, name: str, fake: FakeSupabase, **extra: str) -> dict[str, str]:
    return {"TALE_DATA_DIR": str(tmp_path / name / "data"), "TALE_CONFIG_DIR": str(tmp_path / name / "config"),
            "TALE_NO_KEYRING": "1", "SUPABASE_URL": fake.url, "SUPABASE_KEY": fake.anon_key,
            "TALE_SUPABASE_EMAIL": EMAIL, "TALE_SUPABASE_PASSWORD": PASSWORD, **extra}


async def open_device(env: dict[str, str]) -> AppContext:
    ctx = AppContext.create(env)  # on this thread: its QSettings must not belong to a finished worker thread
    await ctx.start()
    return ctx


@pytest.fixture()
async def devices(tmp_path: Path, fake: FakeSupabase) -> AsyncIterator[tuple[AppContext, AppContext]]:
    a = await open_device(device_env(tmp_path, "a", fake))
    b = await open_device(device_env(tmp_path, "b", fake))
    try:
        yield a, b
    finally:
        await a.aclose()
        await b.aclose()


def make_story(child: Child | None = None, **fields) -> Story:
    snapshot = {"id": child.id, "name": child.name} if child else None
    return Story(title=fields.pop("title", "The Moon Boat"), content=fields.pop("content", "Once upon a time."),
                 child_id=child.id if child else None, child_snapshot=snapshot, **fields)


async def add_narration(ctx: AppContext, story: Story, data: bytes = b"ID3\x04fake-mp3-bytes") -> Narration:
    folder = ctx.settings.audio_dir
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()
    path = folder / f"{digest}.mp3"
    path.write_bytes(data)
    narration = Narration(story_id=story.id, provider="elevenlabs", voice_id="v1", language="en", format="mp3",
                          local_file=str(path), size=len(data), sha256=digest, duration_s=1.5)
    return await ctx.library.store.save_narration(narration)


async def test_two_devices_share_profiles_stories_ratings_deletions_and_audio(devices, fake) -> None:
    a, b = devices
    child = await a.library.save_child(Child(name="Mia", age_band="3-5", gender="female", interests=["cats"]))
    story = await a.library.save_story(make_story(child))
    narration = await add_narration(a, story)

    report = await a.sync.sync()
    assert report.pushed["stories"] >= 1 and report.pushed["children"] == 1 and report.uploaded == 1
    remote_ids = {r["id"] for r in fake.table("stories")}
    assert story.id in remote_ids and child.id in {r["id"] for r in fake.table("children")}
    assert all(r["user_id"] == fake.user_id for r in fake.table("stories"))
    assert fake.object_names() == {f"{fake.user_id}/{story.id}/{narration.sha256}.mp3"}
    [(key, stored)] = fake.blobs.items()
    assert stored.content_type == "audio/mpeg"

    report = await b.sync.sync()
    assert report.pulled["stories"] >= 1 and report.pulled["children"] == 1
    assert (await b.library.get_story(story.id)).title == "The Moon Boat"
    assert [c.name for c in await b.library.list_children()] == ["Mia"]
    # The audio comes down on demand, verified against its checksum.
    [remote_narration] = await b.library.store.narrations_for(story.id)
    assert remote_narration.local_file is None
    path = await b.sync.fetch_audio(remote_narration.id)
    assert path.read_bytes() == Path(narration.local_file).read_bytes()
    assert path.parent == b.settings.audio_dir / story.id

    await asyncio.sleep(0.002)  # a later updated_at than the pull's copy
    await a.library.update_story(story.id, rating=9)
    await a.sync.sync()
    await b.sync.sync()
    assert (await b.library.get_story(story.id)).rating == 9

    await a.library.delete_stories([story.id])
    await a.sync.sync()
    report = await b.sync.sync()
    assert report.pulled["stories"] == 1
    with pytest.raises(NotFound):
        await b.library.get_story(story.id)
    # The audio went up once, however often the rows were pushed.
    assert fake.count("POST", "/storage/v1/object/tales/") == 1


async def test_nothing_to_do_is_cheap_and_resyncing_pushes_nothing_twice(devices, fake) -> None:
    a, _ = devices
    first = await a.sync.sync()
    assert first.pushed_total > 0  # built-in heroes and starter stories
    before = len(fake.requests)
    second = await a.sync.sync()
    assert second.pushed_total == 0 and second.pulled_total == 0
    assert len(fake.requests) - before <= 6  # session check + one empty page per table


async def test_concurrent_offline_edits_converge_to_the_newest(devices, fake) -> None:
    a, b = devices
    story = await a.library.save_story(make_story(title="Shared"))
    await a.sync.sync()
    await b.sync.sync()
    await a.library.update_story(story.id, rating=3)
    await asyncio.sleep(0.002)
    await b.library.update_story(story.id, rating=7)  # the later edit
    await a.sync.sync()
    await b.sync.sync()
    await a.sync.sync()
    assert (await a.library.get_story(story.id)).rating == 7
    assert (await b.library.get_story(story.id)).rating == 7


async def test_invalid_remote_rows_are_skipped_and_reported(devices, fake) -> None:
    a, b = devices
    good = await a.library.save_child(Child(name="Leo", age_band="5-7", gender="male", interests=["trains"]))
    bad = await a.library.save_child(Child(name="Bad", age_band="5-7", gender="male", interests=["x"]))
    await a.sync.sync()
    # Damaged on the server behind the app's back (triggers off: as the owner would in the SQL editor).
    fake.sql("alter table public.children disable trigger tale_sync_stamp")
    fake.sql("update public.children set age_band = '99-100' where id = %s", (bad.id,))
    fake.sql("alter table public.children enable trigger tale_sync_stamp")
    report = await b.sync.sync()
    assert [(s.table, s.id) for s in report.skipped] == [("children", bad.id)]
    assert "Age band" in report.skipped[0].reason
    assert [c.id for c in await b.library.list_children()] == [good.id]
    assert b.sync.state.status == "synced"


async def test_interrupted_push_resumes_without_duplicates(devices, fake, monkeypatch) -> None:
    from tale_desktop.services import sync as sync_module

    monkeypatch.setattr(sync_module, "PUSH_BATCH_BYTES", 4 * 1024 * 1024)  # batches of 500 rows here
    a, _ = devices
    await a.sync.sync()
    stories = [make_story(title=f"Story {i}") for i in range(1200)]
    for story in stories:
        await a.library.store.save_story(story)
    # The second batch's connection drops on every attempt: the run stops after one batch went through.
    fake.reset_next(times=3, path="/rest/v1/stories", method="POST", after=1)
    with pytest.raises(Unavailable):
        await a.sync.sync()
    assert a.sync.state.status == "offline"
    sent = {r["id"] for r in fake.table("stories")}
    assert len(sent & {s.id for s in stories}) == 500
    posts_before = fake.count("POST", "/rest/v1/stories")

    report = await a.sync.sync()
    assert report.pushed["stories"] == 700
    assert fake.count("POST", "/rest/v1/stories") - posts_before == 2  # 500 + 200, nothing resent
    assert {s.id for s in stories} <= {r["id"] for r in fake.table("stories")}


async def test_a_big_push_goes_in_requests_of_bounded_size(devices, fake) -> None:
    """The SDK encodes each request's JSON on the loop thread: no request carries more than about
    PUSH_BATCH_BYTES, however many rows are waiting."""
    from tale_desktop.services import sync as sync_module

    a, _ = devices
    await a.sync.sync()
    text = "A long and quiet story about the moon. " * 60  # ~2.4 KB per story
    stories = [make_story(title=f"Moon {i}", content=text) for i in range(300)]
    for story in stories:
        await a.library.store.save_story(story)
    posts_before = fake.count("POST", "/rest/v1/stories")
    report = await a.sync.sync()
    assert report.pushed["stories"] == 300
    posts = fake.count("POST", "/rest/v1/stories") - posts_before
    least = len(text) * 300 // sync_module.PUSH_BATCH_BYTES
    assert posts >= least > 1  # split by size, not only by the row limit
    assert {s.id for s in stories} <= {r["id"] for r in fake.table("stories")}


async def test_a_503_during_push_is_retried(devices, fake) -> None:
    a, _ = devices
    fake.fail_next(503, path="/rest/v1/stories", method="POST")
    report = await a.sync.sync()
    assert report.pushed["stories"] > 0 and a.sync.state.status == "synced"


async def test_pull_resumes_from_its_cursor(devices, fake) -> None:
    a, b = devices
    for i in range(30):
        await a.library.store.save_story(make_story(title=f"Tale {i}"))
    await a.sync.sync()
    import tale_desktop.services.sync as sync_module

    original = sync_module.PULL_PAGE_ROWS
    sync_module.PULL_PAGE_ROWS = 10
    try:
        fake.fail_next(500, times=1, path="/rest/v1/stories", method="GET", after=2)
        with pytest.raises((Unavailable, BadResponse)):
            await b.sync.sync()
        got_first = await b.library.count_stories()
        assert got_first >= 20
        report = await b.sync.sync()
    finally:
        sync_module.PULL_PAGE_ROWS = original
    remote_alive = sum(1 for r in fake.table("stories") if r["deleted_at"] is None)
    assert await b.library.count_stories() == remote_alive
    assert report.pulled["stories"] == remote_alive - got_first


async def test_wrong_password_unreachable_html_and_missing_schema(tmp_path, memory_fake) -> None:
    fake = memory_fake
    ctx = await open_device(device_env(tmp_path, "w", fake, TALE_SUPABASE_PASSWORD="wrong"))
    try:
        story = await ctx.library.save_story(make_story())
        with pytest.raises(AuthError, match="refused the email or password"):
            await ctx.sync.sync()
        assert ctx.sync.state.status == "error"
        assert (await ctx.library.get_story(story.id)).title == "The Moon Boat"
    finally:
        await ctx.aclose()

    ctx = await open_device(device_env(tmp_path, "u", fake, SUPABASE_URL="http://127.0.0.1:9"))
    try:
        with pytest.raises(Unavailable, match="Cannot reach"):
            await ctx.sync.sync()
        assert ctx.sync.state.status == "offline"
    finally:
        await ctx.aclose()

    ctx = await open_device(device_env(tmp_path, "h", fake))
    try:
        fake.html_next(path="/auth/v1/token")
        with pytest.raises(BadResponse, match="did not answer like a Supabase project"):
            await ctx.sync.sync()
        fake.schema_applied = False
        with pytest.raises(SchemaMissing, match="apply the migrations"):
            await ctx.sync.sync()
    finally:
        fake.schema_applied = True
        await ctx.aclose()


async def test_session_is_stored_and_refreshed(tmp_path, fake) -> None:
    fake.token_ttl = 60  # inside the refresh margin: every use refreshes
    ctx = await open_device(device_env(tmp_path, "s", fake, TALE_SUPABASE_PASSWORD=""))
    try:
        with pytest.raises(AuthError, match="Not signed in"):
            await ctx.sync.sync()
        await ctx.sync.sign_in(EMAIL, PASSWORD)
        assert fake.url in ctx.settings.get(SUPABASE_SESSION)
        await ctx.sync.sync()
        assert any("grant_type=refresh_token" in p for _, p in fake.requests)
        await ctx.sync.sign_out()
        assert ctx.settings.get(SUPABASE_SESSION) == ""
        assert await ctx.sync.account() is None
    finally:
        await ctx.aclose()


async def test_switching_accounts_pushes_everything_to_the_new_one(tmp_path, fake) -> None:
    other = fake.add_user("other@example.org", "pw2")
    ctx = await open_device(device_env(tmp_path, "x", fake))
    try:
        await ctx.sync.sync()
        mine = len(fake.table("stories", fake.user_id))
        await ctx.sync.sign_out()
        await ctx.sync.sign_in("other@example.org", "pw2")
        await ctx.sync.sync()
        assert len(fake.table("stories", other)) == mine
    finally:
        await ctx.aclose()


async def test_background_sync_runs_on_start_and_after_changes(tmp_path, fake) -> None:
    ctx = await open_device(device_env(tmp_path, "bg", fake))
    try:
        done: asyncio.Queue[str] = asyncio.Queue()
        ctx.sync.subscribe(lambda state: done.put_nowait(state.status) if state.status != "syncing" else None)
        ctx.sync.start_background(periodic_s=3600, debounce_s=0.05)
        assert await asyncio.wait_for(done.get(), 10) == "synced"
        story = await ctx.library.save_story(make_story(title="Made while online"))
        assert await asyncio.wait_for(done.get(), 10) == "synced"
        assert story.id in {r["id"] for r in fake.table("stories")}
        handle = ctx.tasks.get("sync")
        if handle is not None:
            await handle.wait()
    finally:
        await ctx.aclose()


async def test_a_huge_story_is_skipped_and_reported_while_the_rest_syncs(devices, fake) -> None:
    a, _ = devices
    await a.sync.sync()
    fake.max_body = 1_000_000
    huge = await a.library.save_story(make_story(title="Huge", content="word " * 400_000))  # ~2 MB
    small = [await a.library.save_story(make_story(title=f"Small {i}")) for i in range(3)]
    report = await a.sync.sync()
    assert [(s.table, s.id) for s in report.skipped] == [("stories", huge.id)]
    assert "too large" in report.skipped[0].reason
    remote = {r["id"] for r in fake.table("stories")}
    assert huge.id not in remote and {s.id for s in small} <= remote
    assert (await a.library.get_story(huge.id)).content.startswith("word")  # untouched locally
    assert await a.library.store.db.run(a.sync.store.pending_count) == 1  # retried next time
    fake.max_body = 50 * 1024 * 1024
    assert (await a.sync.sync()).pushed["stories"] == 1


async def test_a_device_with_a_slow_clock_still_gets_its_changes_through(devices, fake) -> None:
    a, b = devices
    await a.sync.sync()
    await b.sync.sync()
    # Device A's clock is a year behind: its new story is "older" than everything B has seen.
    late = make_story(title="Written on a slow clock")
    late.created_at = late.updated_at = "2025-01-01T00:00:00.000Z"
    await a.library.store.save_story(late)
    await a.sync.sync()
    report = await b.sync.sync()
    assert report.pulled["stories"] == 1
    assert (await b.library.get_story(late.id)).title == "Written on a slow clock"


async def test_a_wrong_anon_key_is_named(tmp_path, fake) -> None:
    ctx = await open_device(device_env(tmp_path, "k", fake, SUPABASE_KEY="not-the-anon-key"))
    try:
        with pytest.raises(AuthError, match="refused the anon key"):
            await ctx.sync.sync()
    finally:
        await ctx.aclose()


async def test_a_malformed_url_and_an_html_answer_to_a_query(tmp_path, fake) -> None:
    from tale_desktop.providers.errors import NotConfigured

    ctx = await open_device(device_env(tmp_path, "m", fake, SUPABASE_URL="myproject.supabase.co"))
    try:
        with pytest.raises(NotConfigured, match="must start with https://"):
            await ctx.sync.sync()
    finally:
        await ctx.aclose()
    ctx = await open_device(device_env(tmp_path, "q", fake))
    try:
        story = await ctx.library.save_story(make_story(title="Kept"))
        fake.html_next(path="/rest/v1/children", method="GET")
        with pytest.raises(BadResponse, match="not rows"):
            await ctx.sync.sync()
        assert (await ctx.library.get_story(story.id)).title == "Kept"
        assert (await ctx.sync.sync()).pushed["stories"] >= 1  # the next sync retries and succeeds
    finally:
        await ctx.aclose()


async def test_a_sync_asked_for_while_a_run_goes_offline_runs_again(tmp_path, fake) -> None:
    """The parent clicks "Sync now" the moment the status turns offline, while the failing run is still ending:
    that click starts a new run once the project answers again, instead of being lost with the failure."""
    ctx = await open_device(device_env(tmp_path, "a", fake))
    try:
        await ctx.sync.request_sync("start").wait()
        await ctx.library.save_child(Child(name="Ada", age_band="5-7", gender="female", interests=["maps"]))
        fake.reset_next(times=20, path="/rest/v1/", method="POST")  # the next push cannot reach the project
        asked: list[object] = []

        def on_state(state) -> None:
            if state.status == "offline" and not asked:
                fake.clear_script()  # the project answers again
                asked.append(ctx.sync.request_sync("menu", by_parent=True))

        ctx.sync.subscribe(on_state)
        run = ctx.sync.request_sync("menu", by_parent=True)
        await run.wait()
        assert asked and asked[0] is run  # the click joined the running run
        assert (run.state, run.error) == ("done", None)
        assert ctx.sync.state.status == "synced"
        assert any(row["name"] == "Ada" for row in fake.table("children"))
    finally:
        await ctx.aclose()


async def test_offline_automatic_runs_stay_quiet_but_a_requested_run_reports(tmp_path, fake) -> None:
    ctx = await open_device(device_env(tmp_path, "o", fake, SUPABASE_URL="http://127.0.0.1:9"))
    try:
        automatic = ctx.sync.request_sync("timer")
        await automatic.wait()
        assert (automatic.state, automatic.error) == ("done", None)
        assert ctx.sync.state.status == "offline"
        requested = ctx.sync.request_sync("menu", by_parent=True)
        await requested.wait()
        assert requested.state == "failed" and "Cannot reach" in requested.error
    finally:
        await ctx.aclose()
