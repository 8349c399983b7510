"""Live updates between two open devices: Supabase Realtime (the SDK's realtime client against the stand-in's
Phoenix-channel websocket fed by PostgreSQL), and the polling fallback when Realtime is unavailable."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tale_desktop.context import AppContext
from tale_desktop.domain.models import Story
from tale_desktop.services.sync import LiveMode
from tests.fakes.pg_supabase import PgSupabase, create_project_database, drop_project_database
from tests.integration.test_sync_merge_pg import EMAIL, PASSWORD, device_env, open_device


async def until(predicate, timeout: float = 10.0) -> float:
    started = time.monotonic()
    while not await predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError("the change did not arrive in time")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def two_open_windows(root: Path, fake: PgSupabase) -> tuple[AppContext, AppContext]:
    fake.add_user(EMAIL, PASSWORD)
    a = await open_device(device_env(root, "a", fake))
    b = await open_device(device_env(root, "b", fake))
    for ctx in (a, b):
        ctx.sync.live_poll_s = 1.0
        ctx.sync.start_background(periodic_s=3600, debounce_s=0.05)
    return a, b


async def rated_elsewhere(a: AppContext, b: AppContext) -> float:
    story = await a.library.save_story(Story(title="Live", content="Once."))

    async def b_has_it() -> bool:
        try:
            return (await b.library.get_story(story.id)).title == "Live"
        except Exception:
            return False

    await until(b_has_it)
    await a.library.rate(story.id, 6)

    async def b_sees_rating() -> bool:
        return (await b.library.get_story(story.id)).rating == 6

    return await until(b_sees_rating)


async def test_a_change_on_one_window_shows_on_the_other_through_realtime(tmp_path, pg_fake) -> None:
    a, b = await two_open_windows(tmp_path, pg_fake)
    try:
        async def live() -> bool:
            return a.sync.state.live is LiveMode.REALTIME and b.sync.state.live is LiveMode.REALTIME

        await until(live)
        polls_before = sum(1 for _, p in pg_fake.requests if p.startswith("/rest/v1/stories"))
        seconds = await rated_elsewhere(a, b)
        assert seconds < 10
        assert pg_fake.realtime.delivered > 0  # it came through the channel, not a timer
        assert b.sync.state.live is LiveMode.REALTIME
        assert sum(1 for _, p in pg_fake.requests if p.startswith("/rest/v1/stories")) - polls_before < 20
    finally:
        await a.aclose()
        await b.aclose()


async def test_without_realtime_the_windows_poll_and_say_so(tmp_path, pg_cluster) -> None:
    fake = PgSupabase(create_project_database(pg_cluster), realtime=False).start()
    try:
        a, b = await two_open_windows(tmp_path, fake)
        try:
            async def polling() -> bool:
                return a.sync.state.live is LiveMode.POLLING and b.sync.state.live is LiveMode.POLLING

            await until(polling)
            assert await rated_elsewhere(a, b) < 10
        finally:
            await a.aclose()
            await b.aclose()
    finally:
        fake.stop()
        drop_project_database(pg_cluster, fake.conninfo)


def test_the_sync_status_says_which_live_update_is_in_use() -> None:
    from tale_desktop.services.sync import SyncState, SyncStatus
    from tale_desktop.ui.sync.sync_status import describe

    label, tip = describe(SyncState(status=SyncStatus.SYNCED, live=LiveMode.REALTIME))
    assert label.endswith("· live") and "Supabase Realtime" in tip
    label, tip = describe(SyncState(status=SyncStatus.SYNCED, live=LiveMode.POLLING))
    assert label.endswith("· checking often") and "every few seconds" in tip
    label, tip = describe(SyncState(status=SyncStatus.SYNCED))
    assert "·" not in label and "Live updates" not in tip
