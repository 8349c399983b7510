"""Local sync bookkeeping: the outbox and field-clock triggers, merging remote rows field by field, timestamps;
and the pure merge rule (domain/field_merge.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tale_desktop.domain.field_merge import Hlc, canonical, legacy_clock, merge, observe, tick
from tale_desktop.domain.models import Child, Narration, Story
from tale_desktop.storage.library import Library
from tale_desktop.storage.sync_state import (
    SyncStore,
    record_to_remote,
    remote_to_record,
    to_local_timestamp,
)


def clock(wall: int, counter: int = 0, device: str = "d1") -> str:
    return str(Hlc(wall, counter, device))


@pytest.fixture()
def library(tmp_path: Path):
    lib = Library.open(tmp_path / "data")
    yield lib
    lib.close()


def outbox(lib: Library) -> dict[tuple[str, str], int]:
    return {(r[0], r[1]): r[2] for r in lib.db.connection().execute("SELECT tbl, id, seq FROM sync_outbox")}


def test_timestamps_round_trip_to_the_library_format() -> None:
    assert to_local_timestamp("2026-01-01T10:00:00.5+00:00") == "2026-01-01T10:00:00.500Z"
    assert to_local_timestamp("2026-01-01T12:00:00+02:00") == "2026-01-01T10:00:00.000Z"
    assert to_local_timestamp("2026-01-01T10:00:00.123Z") == "2026-01-01T10:00:00.123Z"
    assert to_local_timestamp(None) is None


def test_clocks_order_like_their_triples_and_tick_past_what_was_seen() -> None:
    assert clock(999, 5) < clock(1000, 0) < clock(1000, 1) < clock(1000, 1, "d2")
    assert Hlc.parse(clock(1234, 7, "abc")) == Hlc(1234, 7, "abc")
    assert tick(Hlc(1000, 3, "d1"), 2000, "d1") == Hlc(2000, 0, "d1")
    # A slow wall clock: the next edit still comes after everything this device has seen.
    seen = observe(Hlc(1000, 0, "slow"), [clock(600_000 + 1000, 4, "fast")])
    assert tick(seen, 1500, "slow") > Hlc.parse(clock(600_000 + 1000, 4, "fast"))
    assert legacy_clock("2026-01-01T10:00:00.500Z") == f"{1767261600500:013d}.00000."


def test_merge_keeps_both_fields_and_the_newer_edit_of_each() -> None:
    base = {"": clock(100)}
    local = {"rating": 7, "favourite": False, "created_at": "c"}
    remote = {"rating": None, "favourite": True, "created_at": "c"}
    merged = merge(local, {**base, "rating": clock(200)}, remote, {**base, "favourite": clock(300, 0, "d2")})
    assert merged.values == {"rating": 7, "favourite": True, "created_at": "c"}
    assert merged.local_changed and merged.remote_behind
    assert merged.clocks == {"": clock(100), "rating": clock(200), "favourite": clock(300, 0, "d2")}
    # Equal clocks: the server's copy (rows from before field clocks can differ at the same updated_at).
    tie = merge({"rating": 1, "created_at": "c"}, base, {"rating": 2, "created_at": "c"}, base)
    assert tie.values["rating"] == 2 and not tie.remote_behind
    assert canonical({"created_at": "x", "rating": "x", "title": "y"}) == {"": "x", "title": "y"}


async def test_local_writes_enter_the_outbox_and_sync_writes_do_not(library: Library) -> None:
    store = SyncStore(library.db)
    child = await library.save_child(Child(name="Mia", interests=["cats"]))
    first = outbox(library)[("children", child.id)]
    await library.save_child(child.touched(name="Mia B."))
    assert outbox(library)[("children", child.id)] > first

    await library.db.run(store.ack, [e for e, _, _ in await library.db.run(store.pending, "children", -1, 10)])
    assert ("children", child.id) not in outbox(library)
    remote = Child(id=child.id, name="From the other laptop", interests=["cats"],
                   created_at=child.created_at, updated_at="2099-01-01T00:00:00.000Z")
    newer = {"": clock(4_000_000_000_000, 0, "other")}
    applied = await library.db.run(store.apply, "children", [(remote, newer)], {"sync.cursor.children": "7"})
    assert applied.changed == [child.id]
    stored = (await library.list_children())[0]
    assert (stored.name, stored.updated_at) == ("From the other laptop", "2099-01-01T00:00:00.000Z")
    assert ("children", child.id) not in outbox(library)  # not re-queued, and not re-stamped by the touch trigger
    assert await library.db.run(store.get_meta, "sync.cursor.children") == "7"

    stale = Child(id=child.id, name="stale", interests=["x"], created_at=child.created_at,
                  updated_at="2000-01-01T00:00:00.000Z")
    await library.save_child((await library.get_child(child.id)).touched(name="Mine"))  # a newer local edit
    applied = await library.db.run(store.apply, "children", [(stale, newer)], {})
    assert applied.changed == [child.id]  # the other fields come from the remote copy...
    assert (await library.get_child(child.id)).name == "Mine"  # ...the name edited after seeing it stays
    assert ("children", child.id) in outbox(library)  # ours has a newer field: it goes to the server next


async def test_narration_keeps_its_local_file_and_rows_never_carry_it(library: Library) -> None:
    story = await library.save_story(Story(title="t"))
    local = await library.save_narration(Narration(story_id=story.id, sha256="abc", local_file="/cache/abc.mp3"))
    assert "local_file" not in record_to_remote("narrations", local)
    row = {**record_to_remote("narrations", local), "remote_path": "u/s/abc.mp3", "user_id": "u", "revision": 3,
           "updated_at": "2099-01-01T00:00:00+00:00", "created_at": local.created_at}
    record = remote_to_record("narrations", row)
    assert record.local_file is None
    await library.db.run(SyncStore(library.db).apply, "narrations",
                         [(record, {"": clock(4_000_000_000_000, 0, "other")})], {})
    [stored] = await library.narrations_for(story.id)
    assert (stored.local_file, stored.remote_path) == ("/cache/abc.mp3", "u/s/abc.mp3")


async def test_pictures_enter_the_outbox_with_field_clocks_and_keep_their_local_file(library: Library) -> None:
    """Migration V_ILLUSTRATIONS_SYNC: picture rows sync like narrations; `file` is this device's and never sent."""
    import json

    from tale_desktop.domain.illustrations import Illustration
    from tale_desktop.storage.migrations import MIGRATIONS

    assert library.db.connection().execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    store = SyncStore(library.db)
    story = await library.save_story(Story(title="t"))
    sha = "b" * 64
    picture = await library.save("illustrations", Illustration(
        story_id=story.id, file=f"images/{story.id}/{sha}.png", sha256=sha, width=4, height=3))
    assert ("illustrations", picture.id) in outbox(library)
    assert set(store.clocks_of("illustrations", picture.id)) == {""}
    await library.db.run(store.ack, [e for e, _, _ in await library.db.run(store.pending, "illustrations", -1, 9)])
    # Where the file is on this device is not a synced field: changing it queues the row but stamps no clock.
    await library.db.run(store.set_quietly, "illustrations", picture.id, {"file": "images/elsewhere.png"})
    assert ("illustrations", picture.id) not in outbox(library)
    await library.save("illustrations", (await library.get("illustrations", picture.id)).touched(prompt="new"))
    assert "prompt" in store.clocks_of("illustrations", picture.id)
    [(entry, record, clocks)] = await library.db.run(store.pending, "illustrations", -1, 9)
    row = record_to_remote("illustrations", record, clocks, "me")
    assert "file" not in row and row["prompt"] == "new" and json.dumps(row)
    # A pulled copy of the same picture keeps this device's file; another picture (new sha256) drops it.
    remote = remote_to_record("illustrations", {**row, "remote_path": "u/s/b.png", "user_id": "u", "revision": 1})
    assert remote.file == ""
    later = {**clocks, "remote_path": clock(4_000_000_000_000, 0, "other")}
    await library.db.run(store.apply, "illustrations", [(remote, later)], {})
    stored = await library.get("illustrations", picture.id)
    assert (stored.file, stored.remote_path) == ("images/elsewhere.png", "u/s/b.png")
    other = remote_to_record("illustrations", {**row, "sha256": "c" * 64, "user_id": "u", "revision": 2})
    await library.db.run(store.apply, "illustrations",
                         [(other, {**later, "sha256": clock(4_000_000_000_001, 0, "other")})], {})
    assert (await library.get("illustrations", picture.id)).file == ""


def test_invalid_remote_rows_raise() -> None:
    row = record_to_remote("children", Child(name="x", interests=["y"]))
    with pytest.raises(Exception, match="Age band"):
        remote_to_record("children", {**row, "age_band": "99"})
    with pytest.raises(ValueError):
        remote_to_record("children", {**row, "updated_at": None})


async def test_a_copied_library_file_gets_its_own_device_id(library: Library) -> None:
    store = SyncStore(library.db)
    first = await library.db.run(store.device_for, "laptop:/home/a/library.sqlite3")
    assert await library.db.run(store.device_for, "laptop:/home/a/library.sqlite3") == first
    moved = await library.db.run(store.device_for, "desktop:/home/b/library.sqlite3")
    assert moved != first and len(moved) == 32
