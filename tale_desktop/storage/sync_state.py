"""The local half of Supabase sync: the outbox of changed rows, pull cursors, and applying remote rows.

Rows enter ``sync_outbox`` through triggers (migration V_SYNC) whenever the app inserts or updates them. A push reads
the outbox in ``seq`` order and acknowledges exactly the entries it sent: an entry whose row changed again while
the push was in flight has a newer ``seq`` and stays queued. Remote rows are applied inside a transaction marked
in ``sync_applying``, so they neither re-enter the outbox nor get a local ``updated_at`` stamp; the pull cursor is
saved in that same transaction, so an interrupted sync resumes exactly where it stopped.

Conflicts (DESIGN section 4, same rule as the server's trigger): the newer ``updated_at`` wins; at equal
``updated_at`` a tombstone beats a live row, otherwise the server's copy wins (the first version to reach the
server at that instant). Every device applies the same rule, so all of them converge to the server's rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tale_desktop.domain.models import Record
from tale_desktop.storage.db import Database
from tale_desktop.storage.library import row_to_record
from tale_desktop.storage.migrations import SYNC_TABLES

TABLES = SYNC_TABLES
LOCAL_ONLY = {"stories": ("child_name", "word_count"), "narrations": ("local_file",)}
SERVER_ONLY = ("user_id", "revision", "synced_at")
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


def record_to_remote(table: str, record: Record) -> dict[str, Any]:
    """A local record as a row of the Supabase table (no device-local columns)."""
    row = record.to_dict()
    for name in LOCAL_ONLY.get(table, ()):
        row.pop(name, None)
    return row


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
    return record.validate()


def _comparable(table: str, record: Record) -> str:
    return json.dumps(record_to_remote(table, record), sort_keys=True, default=str)


def remote_wins(remote: Record, local: Record | None) -> bool:
    """The shared last-writer-wins rule (see the module docstring)."""
    if local is None:
        return True
    remote_at, local_at = to_local_timestamp(remote.updated_at), to_local_timestamp(local.updated_at)
    if remote_at != local_at:
        return remote_at > local_at  # type: ignore[operator]
    return not (local.deleted_at is not None and remote.deleted_at is None)


class SyncStore:
    """Blocking helpers; call them through ``db.run`` (a database worker thread)."""

    def __init__(self, db: Database):
        self.db = db

    # -- outbox ---------------------------------------------------------------------------------------------
    def pending_count(self) -> int:
        return self.db.connection().execute("SELECT count(*) FROM sync_outbox").fetchone()[0]

    def pending(self, table: str, after_seq: int, limit: int) -> list[tuple[OutboxEntry, Record | None]]:
        conn = self.db.connection()
        entries = [OutboxEntry(table, r[0], r[1]) for r in conn.execute(
            "SELECT id, seq FROM sync_outbox WHERE tbl = ? AND seq > ? ORDER BY seq LIMIT ?",
            (table, after_seq, limit))]
        if not entries:
            return []
        marks = ",".join("?" * len(entries))
        rows = {r["id"]: r for r in conn.execute(f"SELECT * FROM {table} WHERE id IN ({marks})",
                                                 [e.id for e in entries])}
        return [(e, row_to_record(table, rows[e.id]) if e.id in rows else None) for e in entries]

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
    def apply(self, table: str, records: list[Record], meta: dict[str, str | None]) -> list[str]:
        """Apply validated remote records (last-writer-wins) and save ``meta`` (the cursor) atomically.

        Returns the ids whose local copy changed.
        """
        from tale_desktop.storage.library import record_to_row

        changed: list[str] = []
        with self.db.write() as conn:
            conn.execute("INSERT INTO sync_applying(flag) VALUES (1)")
            try:
                for remote in records:
                    row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (remote.id,)).fetchone()
                    local = row_to_record(table, row) if row is not None else None
                    if not remote_wins(remote, local):
                        # Ours is newer: make sure it is queued so the server gets it.
                        conn.execute("INSERT OR IGNORE INTO sync_outbox(tbl, id, seq) VALUES (?, ?, 0)",
                                     (table, remote.id))
                        continue
                    conn.execute("DELETE FROM sync_outbox WHERE tbl = ? AND id = ?", (table, remote.id))
                    if local is not None and _comparable(table, local) == _comparable(table, remote):
                        continue
                    if table == "narrations" and local is not None and local.sha256 == remote.sha256:  # type: ignore[attr-defined]
                        remote.local_file = local.local_file  # type: ignore[attr-defined]
                    values = record_to_row(table, remote)
                    columns = ", ".join(values)
                    marks = ", ".join(f":{c}" for c in values)
                    updates = ", ".join(f"{c} = excluded.{c}" for c in values if c != "id")
                    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks}) "
                                 f"ON CONFLICT(id) DO UPDATE SET {updates}", values)
                    changed.append(remote.id)
                self._set_meta(conn, meta)
            finally:
                conn.execute("DELETE FROM sync_applying")
        return changed

    def set_quietly(self, table: str, record_id: str, values: dict[str, Any]) -> None:
        """Change device-local bookkeeping columns (local_file, remote_path) without queueing or re-stamping."""
        assignments = ", ".join(f"{k} = :{k}" for k in values)
        with self.db.write() as conn:
            conn.execute("INSERT INTO sync_applying(flag) VALUES (1)")
            try:
                conn.execute(f"UPDATE {table} SET {assignments} WHERE id = :id", {**values, "id": record_id})
            finally:
                conn.execute("DELETE FROM sync_applying")

    def get_record(self, table: str, record_id: str) -> Record | None:
        row = self.db.connection().execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,)).fetchone()
        return None if row is None else row_to_record(table, row)
