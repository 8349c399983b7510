"""Property: two devices making random edits and deletions, offline for stretches, with syncs that get cut off,
always converge once both sync, to the last write of every story, and no story is ever lost."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tale_desktop.context import AppContext
from tale_desktop.domain.models import Story
from tale_desktop.providers.errors import Unavailable
from tale_desktop.storage.errors import NotFound
from tests.fakes.supabase_server import FakeSupabase

EMAIL, PASSWORD = "parent@example.org", "pw"

operations = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.integers(0, 1), st.integers(0, 3)),
        st.tuples(st.just("rate"), st.integers(0, 1), st.integers(0, 3), st.integers(1, 10)),
        st.tuples(st.just("retitle"), st.integers(0, 1), st.integers(0, 3)),  # a full save (upsert) of the row
        st.tuples(st.just("delete"), st.integers(0, 1), st.integers(0, 3)),
        st.tuples(st.just("sync"), st.integers(0, 1)),
        st.tuples(st.just("cut"), st.integers(0, 1)),  # a sync whose pushes lose the connection
    ),
    min_size=3, max_size=14,
)


async def scenario(ops: list[tuple], root: Path) -> None:
    fake = FakeSupabase().start()
    fake.add_user(EMAIL, PASSWORD)
    devices: list[AppContext] = []
    try:
        for name in ("a", "b"):
            ctx = AppContext.create({"TALE_DATA_DIR": str(root / name / "d"), "TALE_CONFIG_DIR": str(root / name / "c"),
                                     "TALE_NO_KEYRING": "1", "SUPABASE_URL": fake.url, "SUPABASE_KEY": fake.anon_key,
                                     "TALE_SUPABASE_EMAIL": EMAIL, "TALE_SUPABASE_PASSWORD": PASSWORD})
            await ctx.start()
            ctx.sync.retry_delay_s = 0.001
            devices.append(ctx)
        slots: dict[int, str] = {}          # slot -> story id
        last_write: dict[str, Story] = {}   # story id -> the latest version any device wrote
        for op in ops:
            kind, device = op[0], devices[op[1]]
            await asyncio.sleep(0.002)  # distinct millisecond timestamps: the test predicts the winner exactly
            try:
                if kind == "create":
                    if op[2] in slots:
                        continue
                    story = await device.library.save_story(Story(title=f"Tale {op[2]}", content="Once..."))
                    slots[op[2]] = story.id
                elif kind == "rate":
                    if op[2] not in slots:
                        continue
                    story = await device.library.update_story(slots[op[2]], rating=op[3])
                elif kind == "retitle":
                    if op[2] not in slots:
                        continue
                    current = await device.library.get_story(slots[op[2]])
                    story = await device.library.save_story(current.touched(title=current.title + "!"))
                elif kind == "delete":
                    if op[2] not in slots:
                        continue
                    await device.library.delete_stories([slots[op[2]]])
                    story = await device.library.store.get_story(slots[op[2]], include_deleted=True)
                elif kind == "sync":
                    await device.sync.sync()
                    continue
                else:
                    fake.reset_next(times=50, path="/rest/v1/", method="POST")
                    with contextlib.suppress(Unavailable):
                        await device.sync.sync()
                    fake.clear_script()
                    continue
            except NotFound:  # that device does not have the story (yet), or it is deleted there
                continue
            previous = last_write.get(story.id)
            if previous is None or story.updated_at > previous.updated_at:
                last_write[story.id] = story

        for ctx in (*devices, *devices):  # both come online: two rounds settle everything
            await ctx.sync.sync()

        views = []
        for ctx in devices:
            rows = await ctx.library.store.db.run(
                lambda db=ctx.library.store.db: [tuple(r) for r in db.connection().execute(
                    "SELECT id, title, rating, deleted_at IS NOT NULL, updated_at FROM stories ORDER BY id")])
            views.append(rows)
        assert views[0] == views[1], "the devices did not converge"
        by_id = {row[0]: row for row in views[0]}
        for story_id, story in last_write.items():
            assert story_id in by_id, "a story was lost"
            _, title, rating, deleted, updated_at = by_id[story_id]
            assert (title, rating, deleted, updated_at) == (story.title, story.rating, story.deleted_at is not None,
                                                            story.updated_at)
        server = {r["id"]: r for r in fake.table("stories")}
        assert set(server) == set(by_id)
        for ctx in devices:
            assert await ctx.library.store.db.run(ctx.sync.store.pending_count) == 0
    finally:
        for ctx in devices:
            await ctx.aclose()
        fake.stop()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations)
def test_two_devices_always_converge_without_losing_stories(ops: list[tuple]) -> None:
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as root:
        asyncio.run(scenario(ops, Path(root)))
    gc.collect()
    assert time.monotonic() - started < 30
