"""Property: two or three devices editing different and the same fields, deleting and undoing, offline for
stretches, with clocks up to ten minutes apart, syncing one after another or all at once (and some syncs cut
off), always converge once everyone syncs, to the server's rows, and no edit that a device had seen is lost.

Everything runs against the stand-in on real PostgreSQL (the migrations' trigger does the server's merge).

"No seen edit lost": every edit supersedes the edits of the same field its device knew about (its own and what
it had pulled). The final value of each field must come from an edit that nothing superseded. What a device
knows is modelled conservatively (a sync learns at least what the server had when the sync began), so the
check never blames the sync for an edit the device might not have seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tale_desktop.context import AppContext
from tale_desktop.domain.models import Story
from tale_desktop.providers.errors import Unavailable
from tale_desktop.storage.errors import NotFound
from tests.fakes.pg_supabase import PgSupabase, create_project_database, drop_project_database
from tests.fakes.postgres_cluster import PostgresCluster

EMAIL, PASSWORD = "parent@example.org", "pw"
FIELDS = ("title", "rating", "favourite", "deleted")
device_index = st.integers(0, 2)
slot = st.integers(0, 2)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("create"), device_index, slot),
        st.tuples(st.just("rate"), device_index, slot, st.integers(1, 10)),
        st.tuples(st.just("favourite"), device_index, slot),
        st.tuples(st.just("retitle"), device_index, slot),
        st.tuples(st.just("delete"), device_index, slot),
        st.tuples(st.just("undo"), device_index, slot),
        st.tuples(st.just("sync"), device_index),
        st.tuples(st.just("together"),),  # every device syncs at the same moment
        st.tuples(st.just("cut"), device_index),  # a sync whose pushes lose the connection
    ),
    min_size=4, max_size=18,
)
# Every scenario starts from two stories every device has (made on device 0, then everyone synced).
PREAMBLE = [("create", 0, 0), ("create", 0, 1), ("sync", 0), ("sync", 1), ("sync", 2)]


@dataclass
class Edit:
    story: str
    name: str
    value: object


@dataclass
class Model:
    edits: list[Edit] = field(default_factory=list)
    superseded: set[int] = field(default_factory=set)
    known: dict[int, set[int]] = field(default_factory=dict)  # device -> edit numbers it knows
    server: set[int] = field(default_factory=set)

    def edit(self, device: int, story: str, name: str, value: object) -> None:
        for number in self.known[device]:
            old = self.edits[number]
            if old.story == story and old.name == name:
                self.superseded.add(number)
        self.edits.append(Edit(story, name, value))
        self.known[device].add(len(self.edits) - 1)

    def allowed(self, story: str, name: str) -> list[object]:
        return [e.value for n, e in enumerate(self.edits)
                if e.story == story and e.name == name and n not in self.superseded]


def values_of(story: Story) -> dict[str, object]:
    return {"title": story.title, "rating": story.rating, "favourite": story.favourite,
            "deleted": story.deleted_at is not None}


async def scenario(ops: list[tuple], devices_count: int, skews: list[int], root: Path,
                   cluster: PostgresCluster) -> None:
    fake = PgSupabase(create_project_database(cluster)).start()
    fake.add_user(EMAIL, PASSWORD)
    devices: list[AppContext] = []
    model = Model()
    try:
        for n in range(devices_count):
            ctx = AppContext.create({"TALE_DATA_DIR": str(root / str(n) / "d"),
                                     "TALE_CONFIG_DIR": str(root / str(n) / "c"), "TALE_NO_KEYRING": "1",
                                     "SUPABASE_URL": fake.url, "SUPABASE_KEY": fake.anon_key,
                                     "TALE_SUPABASE_EMAIL": EMAIL, "TALE_SUPABASE_PASSWORD": PASSWORD})
            await ctx.start()
            ctx.sync.retry_delay_s = 0.001
            # This device's clock runs skews[n] minutes off (all moved forward by ten so none is behind now).
            with ctx.library.store.db.write() as conn:
                conn.execute("UPDATE sync_clock SET wall = ?", (int(time.time() * 1000) + (skews[n] + 10) * 60_000,))
            devices.append(ctx)
            model.known[n] = set()
        slots: dict[int, str] = {}
        titles = itertools.count()

        async def sync(n: int, *, learn_from: set[int]) -> None:
            await devices[n].sync.sync()
            model.known[n] |= learn_from
            model.server |= model.known[n]

        for op in [*PREAMBLE, *ops]:
            kind = op[0]
            if kind == "together":
                before = set(model.server)
                await asyncio.gather(*(sync(n, learn_from=before) for n in range(devices_count)))
                continue
            n = op[1] % devices_count
            ctx = devices[n]
            if kind == "sync":
                await sync(n, learn_from=set(model.server))
                continue
            if kind == "cut":
                fake.reset_next(times=50, path="/rest/v1/", method="POST")
                with contextlib.suppress(Unavailable):
                    await ctx.sync.sync()
                fake.clear_script()
                continue
            if kind == "create":
                if op[2] in slots:
                    continue
                story = await ctx.library.save_story(Story(title=f"Tale {op[2]}", content="Once..."))
                slots[op[2]] = story.id
                for name, value in values_of(story).items():
                    model.edit(n, story.id, name, value)
                continue
            if op[2] not in slots:
                continue
            story_id = slots[op[2]]
            try:
                if kind == "rate":
                    await ctx.library.rate(story_id, op[3])
                    model.edit(n, story_id, "rating", op[3])
                elif kind == "favourite":
                    current = await ctx.library.get_story(story_id)
                    await ctx.library.set_favourite(story_id, not current.favourite)
                    model.edit(n, story_id, "favourite", not current.favourite)
                elif kind == "retitle":
                    current = await ctx.library.get_story(story_id)
                    title = f"Tale {op[2]}.{next(titles)}"
                    await ctx.library.save_story(current.touched(title=title))
                    model.edit(n, story_id, "title", title)
                elif kind == "delete":
                    await ctx.library.delete_stories([story_id])
                    model.edit(n, story_id, "deleted", True)
                elif story_id in ctx.library.pending_deletions:  # undo
                    await ctx.library.restore_stories([story_id])
                    model.edit(n, story_id, "deleted", False)
            except NotFound:  # that device does not have the story (yet), or it is deleted there
                continue

        for _ in range(2):  # everyone comes online: two rounds settle everything
            for n in range(devices_count):
                await sync(n, learn_from=set(model.server))

        server = {r["id"]: r for r in fake.table("stories")}
        views = []
        for ctx in devices:
            view = {}
            for story_id in slots.values():
                story = await ctx.library.store.get_story(story_id, include_deleted=True)
                view[story_id] = values_of(story)
            views.append(view)
            assert await ctx.library.store.db.run(ctx.sync.store.pending_count) == 0
        assert all(view == views[0] for view in views), f"the devices did not converge: {views}"
        for story_id, values in views[0].items():
            row = server[story_id]
            assert values == {"title": row["title"], "rating": row["rating"], "favourite": row["favourite"],
                              "deleted": row["deleted_at"] is not None}, "a device differs from the server"
            for name in FIELDS:
                allowed = model.allowed(story_id, name)
                assert values[name] in allowed, f"{name} of {story_id[:8]} is {values[name]!r}, not one of " \
                                                f"the edits nothing superseded {allowed!r}"
    finally:
        for ctx in devices:
            await ctx.aclose()
        fake.stop()
        drop_project_database(cluster, fake.conninfo)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(ops=operations, devices_count=st.integers(2, 3),
       skews=st.lists(st.integers(-10, 10), min_size=3, max_size=3))
def test_devices_always_converge_and_keep_every_seen_edit(pg_cluster: PostgresCluster, ops: list[tuple],
                                                          devices_count: int, skews: list[int]) -> None:
    with tempfile.TemporaryDirectory() as root:
        asyncio.run(scenario(ops, devices_count, skews, Path(root), pg_cluster))
    gc.collect()
