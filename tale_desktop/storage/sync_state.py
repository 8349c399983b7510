"""The local half of Supabase sync: the outbox of changed rows, pull cursors, and applying remote rows.

Rows enter ``sync_outbox`` through triggers (migration V_SYNC) whenever the app inserts or updates them. A push reads
the outbox in ``seq`` order and acknowledges exactly the entries it sent: an entry whose row changed again while
the push was in flight has a newer ``seq`` and stays queued. Remote rows are applied inside a transaction marked
in ``sync_applying``, so they neither re-enter the outbox nor get a local ``updated_at`` stamp; the pull cursor is
saved in that same transaction, so an interrupted sync resumes exactly where it stopped.

Conflicts (DESIGN section 10, docs/sync.md): rows merge field by field. Every synced field carries the hybrid
logical clock of the edit that set it (``sync_field_clocks``, stamped by triggers from migration V_FIELD_CLOCKS);
the larger clock wins each field, here and in the server's trigger (migration 0002), so every device converges to
the server's rows and no edit that a device had seen is undone by an older one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tale_desktop.domain.field_merge import Hlc, legacy_clock, merge, observe
from tale_desktop.domain.models import Record
from tale_desktop.storage.db import Database
from tale_desktop.storage.library import row_to_record
from tale_desktop.storage.migrations import HLC_TEXT, HLC_TICK, SYNC_TABLES

TABLES = SYNC_TABLES
LOCAL_ONLY = {"stories": ("child_name", "word_count"), "narrations": ("local_file",), "illustrations": ("file",)}
SERVER_ONLY = ("user_id", "revision", "synced_at", "clocks", "origin")
TIMESTAMPS = ("created_at", "updated_at", "deleted_at")


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    table: str
    id: str
    seq: int


@dataclass(frozen=True, slots=True)
class Skipped:
    table: str
    id: str
    reason: str


def to_local_timestamp(value: Any) -> str | None:
    """``2026-01-01T10:00:00.5+00:00`` (PostgREST) -> ``2026-01-01T10:00:00.500Z`` (the library's format)."""
    if value is None:
        return None
    dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def record_to_remote(table: str, record: Record, clocks: dict[str, str] | None = None,
                     origin: str | None = None) -> dict[str, Any]:
    """A local record as a row of the Supabase table (no device-local columns), with its field clocks and the
    pushing device (``origin``) when given."""
    row = record.to_dict()
    for name in LOCAL_ONLY.get(table, ()):
        row.pop(name, None)
    if clocks is not None:
        row["clocks"] = clocks
    if origin is not None:
        row["origin"] = origin
    return row


def remote_clocks(row: dict[str, Any]) -> dict[str, str]:
    """The field clocks of a Supabase row (rows without any: their updated_at, like the server's migration)."""
    clocks = row.get("clocks")
    if isinstance(clocks, dict) and all(isinstance(v, str) for v in clocks.values()) and clocks:
        return dict(clocks)
    return {"": legacy_clock(str(row.get("updated_at")))}


def remote_to_record(table: str, row: dict[str, Any]) -> Record:
    """A Supabase row as a validated local record (raises on anything invalid)."""
    from tale_desktop.storage.library import _RECORD_TYPES

    data = {k: v for k, v in row.items() if k not in SERVER_ONLY}
    for name in TIMESTAMPS:
        data[name] = to_local_timestamp(data.get(name))
    if data["created_at"] is None or data["updated_at"] is None:
        raise ValueError("a timestamp is missing")
    record = _RECORD_TYPES[table].from_outside(data)
    if table == "narrations":
        record.local_file = None  # type: ignore[attr-defined]
    if table == "illustrations":
        record.file = ""  # type: ignore[attr-defined]
    return record.validate_outside()


@dataclass(frozen=True, slots=True)
class Applied:
    changed: list[str]          # ids whose local copy changed
    newly_deleted: list[str]    # ids that were alive here and are deleted now


def _clocks(conn: sqlite3.Connection, table: str, ids: list[str]) -> dict[str, dict[str, str]]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT id, clocks FROM sync_field_clocks WHERE tbl = ? AND id IN ({marks})", (table, *ids))
    return {r[0]: json.loads(r[1]) for r in rows}


def _set_clocks(conn: sqlite3.Connection, table: str, record_id: str, clocks: dict[str, str]) -> None:
    conn.execute("DELETE FROM sync_field_clocks WHERE tbl = ? AND id = ?", (table, record_id))
    conn.execute("INSERT INTO sync_field_clocks(tbl, id, clocks) VALUES (?, ?, ?)",
                 (table, record_id, json.dumps(clocks, separators=(",", ":"))))


class SyncStore:
    """Blocking helpers; call them through ``db.run`` (a database worker thread)."""

    def __init__(self, db: Database):
        self.db = db

    # -- outbox ---------------------------------------------------------------------------------------------
    def pending_count(self) -> int:
        return self.db.connection().execute("SELECT count(*) FROM sync_outbox").fetchone()[0]

    def device_id(self) -> str:
        return self.db.connection().execute("SELECT device FROM sync_clock").fetchone()[0]

    def device_for(self, home: str) -> str:
        """This library's device id, made anew when the file has moved to another computer or folder (a copied
        library file must not share its id: each device skips the rows whose origin is its own id)."""
        with self.db.write() as conn:
            known = conn.execute("SELECT value FROM meta WHERE key = 'sync.device_home'").fetchone()
            if known is not None and known[0] != home:
                conn.execute("UPDATE sync_clock SET device = lower(hex(randomblob(16)))")
            if known is None or known[0] != home:
                self._set_meta(conn, {"sync.device_home": home})
            return conn.execute("SELECT device FROM sync_clock").fetchone()[0]

    def clock(self) -> Hlc:
        wall, counter, device = self.db.connection().execute("SELECT wall, counter, device FROM sync_clock").fetchone()
        return Hlc(wall, counter, device)

    def clocks_of(self, table: str, record_id: str) -> dict[str, str]:
        return _clocks(self.db.connection(), table, [record_id]).get(record_id, {})

    def pending(self, table: str, after_seq: int, limit: int
                ) -> list[tuple[OutboxEntry, Record | None, dict[str, str]]]:
        """The next outbox entries with their rows (``None`` when gone) and field clocks."""
        conn = self.db.connection()
        entries = [OutboxEntry(table, r[0], r[1]) for r in conn.execute(
            "SELECT id, seq FROM sync_outbox WHERE tbl = ? AND seq > ? ORDER BY seq LIMIT ?",
            (table, after_seq, limit))]
        if not entries:
            return []
        marks = ",".join("?" * len(entries))
        rows = {r["id"]: r for r in conn.execute(f"SELECT * FROM {table} WHERE id IN ({marks})",
                                                 [e.id for e in entries])}
        clocks = _clocks(conn, table, list(rows))
        out = []
        for e in entries:
            record = row_to_record(table, rows[e.id]) if e.id in rows else None
            own = clocks.get(e.id) or ({"": legacy_clock(record.updated_at)} if record is not None else {})
            out.append((e, record, own))
        return out

    def ack(self, entries: Iterable[OutboxEntry]) -> None:
        with self.db.write() as conn:
            conn.executemany("DELETE FROM sync_outbox WHERE tbl = ? AND id = ? AND seq = ?",
                             [(e.table, e.id, e.seq) for e in entries])

    def enqueue_everything(self) -> None:
        """Queue every local row (first sync with an account, or after switching accounts)."""
        with self.db.write() as conn:
            for table in TABLES:
                conn.execute(f"INSERT OR REPLACE INTO sync_outbox(tbl, id, seq) SELECT '{table}', id, "
                             "COALESCE((SELECT seq FROM sync_outbox o WHERE o.tbl = ? AND o.id = t.id), 0) "
                             f"FROM {table} t", (table,))

    # -- meta -----------------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, values: dict[str, str | None]) -> None:
        with self.db.write() as conn:
            self._set_meta(conn, values)

    @staticmethod
    def _set_meta(conn: sqlite3.Connection, values: dict[str, str | None]) -> None:
        for key, value in values.items():
            if value is None:
                conn.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                             "value = excluded.value", (key, value))

    # -- applying remote rows -------------------------------------------------------------------------------
    def apply(self, table: str, items: list[tuple[Record, dict[str, str]]], meta: dict[str, str | None]) -> Applied:
        """Merge validated remote records (with their field clocks) into the local rows, field by field, and save
        ``meta`` (the cursor) in the same transaction. The device's clock takes in every clock it saw."""
        from tale_desktop.storage.library import _RECORD_TYPES, record_to_row

        changed: list[str] = []
        newly_deleted: list[str] = []
        with self.db.write() as conn:
            conn.execute("INSERT INTO sync_applying(flag) VALUES (1)")
            try:
                ids = [remote.id for remote, _ in items]
                marks = ",".join("?" * len(ids))
                local_rows = {r["id"]: r for r in conn.execute(f"SELECT * FROM {table} WHERE id IN ({marks})", ids)}
                local_clocks = _clocks(conn, table, list(local_rows))
                seen: list[str] = []
                for remote, theirs in items:
                    seen.extend(theirs.values())
                    row = local_rows.get(remote.id)
                    local = row_to_record(table, row) if row is not None else None
                    ours = local_clocks.get(remote.id) or (
                        {"": legacy_clock(local.updated_at)} if local is not None else {})
                    merged = merge(record_to_remote(table, local) if local is not None else None, ours,
                                   record_to_remote(table, remote), theirs)
                    if merged.remote_behind:
                        # The local copy has newer fields: make sure it is queued so the server gets them.
                        conn.execute("INSERT OR IGNORE INTO sync_outbox(tbl, id, seq) VALUES (?, ?, 0)",
                                     (table, remote.id))
                    else:
                        conn.execute("DELETE FROM sync_outbox WHERE tbl = ? AND id = ?", (table, remote.id))
                    if not merged.local_changed:
                        continue
                    _set_clocks(conn, table, remote.id, merged.clocks)
                    record = _RECORD_TYPES[table].from_dict({**merged.values, "id": remote.id}).validate()
                    if table == "narrations":
                        keep = local is not None and local.sha256 == record.sha256  # type: ignore[attr-defined]
                        record.local_file = local.local_file if keep else None  # type: ignore[attr-defined,union-attr]
                    if table == "illustrations":  # this device's copy of the picture, while it is the same one
                        keep = local is not None and local.sha256 == record.sha256  # type: ignore[attr-defined]
                        record.file = local.file if keep else ""  # type: ignore[attr-defined,union-attr]
                    if local is not None and record_to_row(table, record) == record_to_row(table, local):
                        continue  # only the clocks moved
                    values = record_to_row(table, record)
                    columns = ", ".join(values)
                    marks = ", ".join(f":{c}" for c in values)
                    updates = ", ".join(f"{c} = excluded.{c}" for c in values if c != "id")
                    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks}) "
                                 f"ON CONFLICT(id) DO UPDATE SET {updates}", values)
                    changed.append(remote.id)
                    if local is not None and local.deleted_at is None and record.deleted_at is not None:
                        newly_deleted.append(remote.id)
                self._observe(conn, seen)
                self._set_meta(conn, meta)
            finally:
                conn.execute("DELETE FROM sync_applying")
        return Applied(changed, newly_deleted)

    @staticmethod
    def _observe(conn: sqlite3.Connection, seen: list[str]) -> None:
        wall, counter, device = conn.execute("SELECT wall, counter, device FROM sync_clock").fetchone()
        last = Hlc(wall, counter, device)
        now = observe(last, seen)
        if now != last:
            conn.execute("UPDATE sync_clock SET wall = ?, counter = ?", (now.wall_ms, now.counter))

    def set_quietly(self, table: str, record_id: str, values: dict[str, Any], *, stamp: bool = False) -> None:
        """Change bookkeeping columns (local_file; remote_path and sha256) without queueing the row or moving its
        updated_at. With ``stamp`` the synced ones among them get a new field clock (so the server takes them)."""
        assignments = ", ".join(f"{k} = :{k}" for k in values)
        with self.db.write() as conn:
            conn.execute("INSERT INTO sync_applying(flag) VALUES (1)")
            try:
                conn.execute(f"UPDATE {table} SET {assignments} WHERE id = :id", {**values, "id": record_id})
                if stamp:
                    conn.execute(HLC_TICK)
                    clock = conn.execute(HLC_TEXT.strip("()")).fetchone()[0]
                    own = _clocks(conn, table, [record_id]).get(record_id, {})
                    own.update({name: clock for name in values if name not in LOCAL_ONLY.get(table, ())})
                    _set_clocks(conn, table, record_id, own)
            finally:
                conn.execute("DELETE FROM sync_applying")

    # -- stories whose objects must leave the bucket ---------------------------------------------------------
    def object_removals(self) -> list[str]:
        """Stories deleted here whose objects (audio, pictures) have not been removed from Storage yet."""
        return [r[0] for r in self.db.connection().execute("SELECT story_id FROM sync_object_removals")]

    def objects_removed(self, story_ids: list[str]) -> None:
        with self.db.write() as conn:
            conn.executemany("DELETE FROM sync_object_removals WHERE story_id = ?", [(i,) for i in story_ids])

    def remote_paths(self, story_id: str) -> list[str]:
        """The Storage paths this device knows for a story's narrations."""
        rows = self.db.connection().execute(
            "SELECT remote_path FROM narrations WHERE story_id = ? AND remote_path IS NOT NULL", (story_id,))
        return [r[0] for r in rows]

    def pictures_to_fetch(self, illustration_ids: list[str]) -> tuple[list[Record], list[str]]:
        """Pictures of live stories that another device uploaded and this one has no file for (``file`` empty),
        and those among ``illustration_ids`` (just pulled: their file is checked by the caller); and the stories
        of ``illustration_ids``."""
        conn = self.db.connection()
        stories: set[str] = set()
        chosen: list[str] = []
        for start in range(0, len(illustration_ids), 500):
            part = illustration_ids[start:start + 500]
            marks = ",".join("?" * len(part))
            stories.update(r[0] for r in conn.execute(
                f"SELECT DISTINCT story_id FROM illustrations WHERE id IN ({marks})", part))
            chosen.extend(part)
        rows = conn.execute(
            "SELECT i.* FROM illustrations i JOIN stories s ON s.id = i.story_id AND s.deleted_at IS NULL "
            "WHERE i.deleted_at IS NULL AND i.remote_path IS NOT NULL "
            "AND (i.file = '' OR i.id IN (SELECT value FROM json_each(?)))", (json.dumps(chosen),)).fetchall()
        return [row_to_record("illustrations", r) for r in rows], sorted(stories)

    def get_record(self, table: str, record_id: str) -> Record | None:
        row = self.db.connection().execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,)).fetchone()
        return None if row is None else row_to_record(table, row)
