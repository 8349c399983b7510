"""Local sync bookkeeping: the outbox triggers, applying remote rows last-writer-wins, timestamps."""

from __future__ import annotations

from pathlib import Path

import pytest

from tale_desktop.domain.models import Child, Narration, Story
from tale_desktop.storage.library import Library
from tale_desktop.storage.sync_state import (
    SyncStore,
    record_to_remote,
    remote_to_record,
    remote_wins,
    to_local_timestamp,
)


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


def test_last_writer_wins_with_the_documented_tie_break() -> None:
    older = Story(title="a", updated_at="2026-01-01T10:00:00.000Z")
    newer = Story(id=older.id, title="b", updated_at="2026-01-01T10:00:01.000Z")
    assert remote_wins(newer, older) and not remote_wins(older, newer)
    tie_alive = Story(id=older.id, title="c", updated_at=older.updated_at)
    tie_dead = Story(id=older.id, title="a", updated_at=older.updated_at, deleted_at=older.updated_at)
    assert remote_wins(tie_alive, older)  # a tie: the server's copy wins...
    assert not remote_wins(tie_alive, tie_dead)  # ...unless only ours is a tombstone
    assert remote_wins(tie_dead, tie_alive)
    same_instant = Story(id=older.id, updated_at="2026-01-01T10:00:00Z")
    assert remote_wins(same_instant, older)  # formats differ, the instant is the same: a tie


async def test_local_writes_enter_the_outbox_and_sync_writes_do_not(library: Library) -> None:
    store = SyncStore(library.db)
    child = await library.save_child(Child(name="Mia", interests=["cats"]))
    first = outbox(library)[("children", child.id)]
    await library.save_child(child.touched(name="Mia B."))
    assert outbox(library)[("children", child.id)] > first

    await library.db.run(store.ack, [e for e, _ in await library.db.run(store.pending, "children", -1, 10)])
    assert ("children", child.id) not in outbox(library)
    remote = Child(id=child.id, name="From the other laptop", interests=["cats"],
                   created_at=child.created_at, updated_at="2099-01-01T00:00:00.000Z")
    changed = await library.db.run(store.apply, "children", [remote], {"sync.cursor.children": "7"})
    assert changed == [child.id]
    stored = (await library.list_children())[0]
    assert (stored.name, stored.updated_at) == ("From the other laptop", "2099-01-01T00:00:00.000Z")
    assert ("children", child.id) not in outbox(library)  # not re-queued, and not re-stamped by the touch trigger
    assert await library.db.run(store.get_meta, "sync.cursor.children") == "7"

    stale = Child(id=child.id, name="stale", interests=["x"], created_at=child.created_at,
                  updated_at="2000-01-01T00:00:00.000Z")
    assert await library.db.run(store.apply, "children", [stale], {}) == []
    assert ("children", child.id) in outbox(library)  # ours is newer: it goes to the server next


async def test_narration_keeps_its_local_file_and_rows_never_carry_it(library: Library) -> None:
    story = await library.save_story(Story(title="t"))
    local = await library.save_narration(Narration(story_id=story.id, sha256="abc", local_file="/cache/abc.mp3"))
    assert "local_file" not in record_to_remote("narrations", local)
    row = {**record_to_remote("narrations", local), "remote_path": "u/s/abc.mp3", "user_id": "u", "revision": 3,
           "updated_at": "2099-01-01T00:00:00+00:00", "created_at": local.created_at}
    record = remote_to_record("narrations", row)
    assert record.local_file is None
    await library.db.run(SyncStore(library.db).apply, "narrations", [record], {})
    [stored] = await library.narrations_for(story.id)
    assert (stored.local_file, stored.remote_path) == ("/cache/abc.mp3", "u/s/abc.mp3")


def test_invalid_remote_rows_raise() -> None:
    row = record_to_remote("children", Child(name="x", interests=["y"]))
    with pytest.raises(Exception, match="Age band"):
        remote_to_record("children", {**row, "age_band": "99"})
    with pytest.raises(ValueError):
        remote_to_record("children", {**row, "updated_at": None})
