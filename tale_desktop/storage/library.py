"""The local library: children, heroes, stories and narrations in SQLite.

All public methods are coroutines that run their SQL in the database's worker threads, so they are safe to await
from the Qt event loop and from several tasks at once.
"""

from __future__ import annotations

import json
import logging
import operator
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from tale_desktop.domain.illustrations import Illustration
from tale_desktop.domain.models import (
    Child,
    Hero,
    Narration,
    Record,
    Story,
    field_names,
    utc_now,
    validate_rating,
    validate_status,
)
from tale_desktop.domain.query import SortKey, StoryQuery
from tale_desktop.storage.db import Database
from tale_desktop.storage.errors import NotFound
from tale_desktop.storage.migrations import SEARCH_INSERT, SEARCH_TRIGGER, bulk_insert_work
from tale_desktop.storage.search import fold, fts_query

log = logging.getLogger(__name__)
PREFERRED_NARRATION = "preferred_narration:"  # meta key + story id -> the narration chosen to play

_JSON_FIELDS = {
    "children": ("interests",),
    "heroes": ("personality_traits", "interests", "strengths"),
    "stories": ("child_snapshot", "hero_snapshot", "stats", "review"),
    "narrations": ("timings",),
    "illustrations": ("stats",),
}
_BOOL_FIELDS = {"heroes": ("builtin",), "stories": ("favourite",)}
# json.dumps(..., ensure_ascii=False) builds a new encoder on every call: one, kept, writes the same text.
_to_json = json.JSONEncoder(ensure_ascii=False).encode
_RECORD_TYPES: dict[str, type[Record]] = {
    "children": Child, "heroes": Hero, "stories": Story, "narrations": Narration, "illustrations": Illustration,
}
_SORT_SQL = {
    SortKey.DATE: "s.created_at",
    SortKey.TITLE: "s.title COLLATE NOCASE",
    SortKey.RATING: "s.rating",  # NULL sorts as lowest, and the (deleted_at, rating) index serves the order
    SortKey.LENGTH: "s.word_count",
}
STORY_LIST_COLUMNS = (
    "s.id, s.title, s.summary, s.language, s.story_type, s.child_id, s.hero_id, s.child_name, s.moral, s.theme, "
    "s.minutes, s.word_count, s.status, s.rating, s.favourite, s.parent_id, s.created_at, s.updated_at, "
    "EXISTS(SELECT 1 FROM narrations n WHERE n.story_id = s.id AND n.deleted_at IS NULL) AS has_audio, "
    # the painted cover's file (its name is its sha256), for the library's thumbnails; '' when none
    "COALESCE((SELECT i.file FROM illustrations i WHERE i.story_id = s.id AND i.deleted_at IS NULL "
    "AND i.paragraph = 0 ORDER BY i.created_at DESC LIMIT 1), '') AS cover_file"
)


@dataclass(slots=True)
class MergeCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: MergeCounts) -> MergeCounts:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


# The first live story continuing a story. The "+" keeps SQLite from walking every story in date order
# (stories_created) looking for a sequel that usually does not exist (~50 ms at 100k stories, each time a story
# opens): it finds the few by stories_parent and sorts them.
NEXT_SEQUEL_SQL = (f"SELECT {STORY_LIST_COLUMNS} FROM stories s WHERE s.deleted_at IS NULL AND s.parent_id = ? "
                   "ORDER BY +s.created_at, s.seq LIMIT 1")


def record_to_row(table: str, record: Record) -> dict[str, Any]:
    # A shallow copy: the nested values are serialised to JSON right below, so asdict()'s deep copy is not needed
    # (it was the largest cost of importing a big backup).
    row = {name: getattr(record, name) for name in field_names(type(record))}
    if table == "stories":
        row["stats"] = record.stats.to_dict()  # type: ignore[attr-defined]
    for name in _JSON_FIELDS[table]:
        row[name] = None if row[name] is None else _to_json(row[name])
    for name in _BOOL_FIELDS.get(table, ()):
        row[name] = int(bool(row[name]))
    if table == "stories":
        row["child_name"] = record.child_name  # type: ignore[attr-defined]
        row["word_count"] = record.word_count  # type: ignore[attr-defined]
    return row


def row_to_record(table: str, row: sqlite3.Row | dict[str, Any]) -> Record:
    data = dict(row)
    data.pop("seq", None)
    for name in _JSON_FIELDS[table]:
        if data.get(name) is not None:
            data[name] = json.loads(data[name])
    for name in _BOOL_FIELDS.get(table, ()):
        data[name] = bool(data[name])
    return _RECORD_TYPES[table].from_dict(data)


class Library:
    """Async access to the library file. Create with :meth:`open` (blocking: call it off the loop or at start)."""

    def __init__(self, db: Database):
        self.db = db

    @classmethod
    def open(cls, data_dir: Path) -> Library:
        db = Database(data_dir)
        db.open()
        return cls(db)

    def close(self) -> None:
        self.db.close()

    # -- generic record access -------------------------------------------------------------------------------
    def _upsert(self, table: str, record: Record) -> None:
        row = record_to_row(table, record)
        columns = ", ".join(row)
        marks = ", ".join(f":{c}" for c in row)
        updates = ", ".join(f"{c} = excluded.{c}" for c in row if c != "id")
        with self.db.write() as conn:
            conn.execute(
                f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT(id) DO UPDATE SET {updates}", row
            )

    def _get(self, table: str, record_id: str, *, include_deleted: bool = False) -> Record:
        sql = f"SELECT * FROM {table} WHERE id = ?" + ("" if include_deleted else " AND deleted_at IS NULL")
        row = self.db.connection().execute(sql, (record_id,)).fetchone()
        if row is None:
            raise NotFound(f"No {table[:-1] if table != 'children' else 'child'} with id {record_id}.")
        return row_to_record(table, row)

    def _tombstone(self, table: str, record_id: str, deleted: bool) -> None:
        now = utc_now()
        with self.db.write() as conn:
            cur = conn.execute(
                f"UPDATE {table} SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS "
                + ("NULL" if deleted else "NOT NULL"),
                (now if deleted else None, now, record_id),
            )
            if cur.rowcount == 0:
                raise NotFound(f"Nothing to {'delete' if deleted else 'restore'} with id {record_id}.")

    async def save(self, table: str, record: Record) -> Record:
        """Validate and insert or replace ``record`` in ``table``."""
        record.validate()
        await self.db.run(self._upsert, table, record)
        return record

    async def get(self, table: str, record_id: str, *, include_deleted: bool = False) -> Record:
        return await self.db.run(partial(self._get, table, record_id, include_deleted=include_deleted))

    # -- children ---------------------------------------------------------------------------------------------
    async def save_child(self, child: Child) -> Child:
        return await self.save("children", child)  # type: ignore[return-value]

    async def get_child(self, child_id: str) -> Child:
        return await self.get("children", child_id)  # type: ignore[return-value]

    async def list_children(self) -> list[Child]:
        def query() -> list[Child]:
            rows = self.db.connection().execute(
                "SELECT * FROM children WHERE deleted_at IS NULL ORDER BY name COLLATE NOCASE"
            ).fetchall()
            return [row_to_record("children", r) for r in rows]  # type: ignore[misc]
        return await self.db.run(query)

    async def delete_child(self, child_id: str) -> None:
        await self.db.run(self._tombstone, "children", child_id, True)

    # -- heroes -----------------------------------------------------------------------------------------------
    async def save_hero(self, hero: Hero) -> Hero:
        return await self.save("heroes", hero)  # type: ignore[return-value]

    async def get_hero(self, hero_id: str) -> Hero:
        return await self.get("heroes", hero_id)  # type: ignore[return-value]

    async def list_heroes(self, language: str | None = None) -> list[Hero]:
        def query() -> list[Hero]:
            sql = "SELECT * FROM heroes WHERE deleted_at IS NULL"
            args: tuple[Any, ...] = ()
            if language:
                sql += " AND language = ?"
                args = (language,)
            rows = self.db.connection().execute(sql + " ORDER BY builtin DESC, name COLLATE NOCASE", args)
            return [row_to_record("heroes", r) for r in rows.fetchall()]  # type: ignore[misc]
        return await self.db.run(query)

    async def delete_hero(self, hero_id: str) -> None:
        await self.db.run(self._tombstone, "heroes", hero_id, True)

    # -- stories ----------------------------------------------------------------------------------------------
    async def save_story(self, story: Story) -> Story:
        return await self.save("stories", story)  # type: ignore[return-value]

    async def get_story(self, story_id: str, *, include_deleted: bool = False) -> Story:
        return await self.get("stories", story_id, include_deleted=include_deleted)  # type: ignore[return-value]

    async def delete_stories(self, story_ids: Iterable[str]) -> None:
        """Tombstone stories (and their narration records); :meth:`restore_stories` undoes it."""
        await self.db.run(self._set_deleted, list(story_ids), True)

    async def restore_stories(self, story_ids: Iterable[str]) -> None:
        await self.db.run(self._set_deleted, list(story_ids), False)

    def _set_deleted(self, story_ids: list[str], deleted: bool) -> None:
        now = utc_now()
        marks = ",".join("?" * len(story_ids))
        with self.db.write() as conn:
            if deleted:
                cur = conn.execute(
                    f"UPDATE stories SET deleted_at = ?, updated_at = ? WHERE id IN ({marks}) AND deleted_at IS NULL",
                    (now, now, *story_ids),
                )
                conn.execute(
                    f"UPDATE narrations SET deleted_at = ?, updated_at = ? "
                    f"WHERE story_id IN ({marks}) AND deleted_at IS NULL",
                    (now, now, *story_ids),
                )
            else:
                # Bring back only the narrations that went with the story, not ones removed earlier on their own.
                conn.execute(
                    f"UPDATE narrations SET deleted_at = NULL, updated_at = ? WHERE story_id IN ({marks}) AND "
                    "deleted_at = (SELECT s.deleted_at FROM stories s WHERE s.id = narrations.story_id)",
                    (now, *story_ids),
                )
                cur = conn.execute(
                    f"UPDATE stories SET deleted_at = NULL, updated_at = ? WHERE id IN ({marks}) "
                    "AND deleted_at IS NOT NULL",
                    (now, *story_ids),
                )
            if cur.rowcount == 0:
                raise NotFound(f"No story to {'delete' if deleted else 'restore'} with id {', '.join(story_ids)}.")

    async def resolve_story_id(self, key: str) -> str:
        """A full id, or a unique prefix of one (at least 4 characters, as the CLI's short ids), -> the full id."""
        def resolve() -> str:
            conn = self.db.connection()
            if conn.execute("SELECT 1 FROM stories WHERE id = ? AND deleted_at IS NULL", (key,)).fetchone():
                return key
            if len(key) >= 4 and all(c in "0123456789abcdef-" for c in key.lower()):
                rows = conn.execute(
                    "SELECT id FROM stories WHERE id >= ? AND id < ? AND deleted_at IS NULL LIMIT 2",
                    (key.lower(), key.lower() + "\uffff"),
                ).fetchall()
                if len(rows) == 1:
                    return rows[0][0]
                if len(rows) > 1:
                    raise NotFound(f"Several stories have ids starting with {key}: give more of the id.")
            raise NotFound(f"No story with id {key}.")
        return await self.db.run(resolve)

    async def sequel_links(self, story_id: str) -> dict[str, dict[str, Any] | None]:
        """The story this one continues (``previous``) and the first live story continuing it (``next``)."""
        def links() -> dict[str, dict[str, Any] | None]:
            conn = self.db.connection()
            prev = conn.execute(
                f"SELECT {STORY_LIST_COLUMNS} FROM stories s WHERE s.deleted_at IS NULL AND s.id = "
                "(SELECT parent_id FROM stories WHERE id = ?)", (story_id,),
            ).fetchone()
            nxt = conn.execute(NEXT_SEQUEL_SQL, (story_id,)).fetchone()
            return {"previous": _summary_row(prev) if prev else None, "next": _summary_row(nxt) if nxt else None}
        return await self.db.run(links)

    async def update_story_fields(self, story_id: str, **changes: Any) -> Story:
        """Change a few fields of a live story (rating, status, favourite...) and bump ``updated_at``."""
        if "rating" in changes and changes["rating"] is not None:
            validate_rating(changes["rating"])
        if "status" in changes:
            validate_status(changes["status"])
        if "favourite" in changes:
            changes["favourite"] = int(bool(changes["favourite"]))

        def update() -> Story:
            allowed = {"rating", "status", "favourite", "title", "summary", "review", "stats"}
            unknown = set(changes) - allowed
            if unknown:
                raise ValueError(f"unknown story fields {sorted(unknown)}")
            values = dict(changes)
            for name in ("review", "stats"):
                if name in values and not isinstance(values[name], str):
                    values[name] = json.dumps(values[name], ensure_ascii=False)
            values["updated_at"] = utc_now()
            assignments = ", ".join(f"{k} = :{k}" for k in values)
            with self.db.write() as conn:
                cur = conn.execute(
                    f"UPDATE stories SET {assignments} WHERE id = :id AND deleted_at IS NULL",
                    {**values, "id": story_id},
                )
                if cur.rowcount == 0:
                    raise NotFound(f"No story with id {story_id}.")
            return self._get("stories", story_id)  # type: ignore[return-value]
        return await self.db.run(update)

    def _where(self, query: StoryQuery) -> tuple[str, list[Any]]:
        clauses, args = ["s.deleted_at IS NULL"], []
        if query.search:
            match = fts_query(query.search)
            if match is None:
                clauses.append("0")
            else:
                clauses.append("s.seq IN (SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?)")
                args.append(match)
        if query.child_id:
            clauses.append("s.child_id = ?")
            args.append(query.child_id)
        if query.language:
            clauses.append("s.language = ?")
            args.append(query.language)
        if query.status:
            clauses.append("s.status = ?")
            args.append(query.status)
        elif not query.include_drafts:
            clauses.append("s.status != 'draft'")
        if query.min_rating is not None:
            clauses.append("s.rating >= ?")
            args.append(query.min_rating)
        if query.favourite:
            clauses.append("s.favourite = 1")
        if query.has_audio:
            # Few stories have audio: drive the query from the narrations (an IN list looked up by id) instead of
            # walking every live story ("+" keeps SQLite from picking the deleted_at indexes to start from).
            clauses[0] = "+s.deleted_at IS NULL"
            clauses.append("s.id IN (SELECT n.story_id FROM narrations n WHERE n.deleted_at IS NULL)")
        return " AND ".join(clauses), args

    # No ANALYZE / PRAGMA optimize on purpose: with statistics SQLite starts a broad search from the FTS matches
    # and sorts them all (80-180 ms at 100k stories); without, it walks the sort index and stops at a page
    # (10-40 ms), which also stays fast for rare words (see tests/bench/bench_library.py).
    def _list(self, query: StoryQuery, offset: int, limit: int) -> list[dict[str, Any]]:
        where, args = self._where(query)
        direction = "DESC" if query.descending else "ASC"
        sql = (f"SELECT {STORY_LIST_COLUMNS} FROM stories s WHERE {where} "
               f"ORDER BY {_SORT_SQL[query.sort]} {direction}, s.seq {direction} LIMIT ? OFFSET ?")
        rows = self.db.connection().execute(sql, (*args, limit, offset)).fetchall()
        return [_summary_row(r) for r in rows]

    async def list_stories(self, query: StoryQuery = StoryQuery(), *, offset: int = 0,
                           limit: int = 200) -> list[dict[str, Any]]:
        """One page of story summaries (no full text) matching ``query``."""
        return await self.db.run(self._list, query, offset, limit)

    async def count_stories(self, query: StoryQuery = StoryQuery()) -> int:
        def count() -> int:
            where, args = self._where(query)
            return self.db.connection().execute(f"SELECT count(*) FROM stories s WHERE {where}", args).fetchone()[0]
        return await self.db.run(count)

    async def count_and_pages(self, query: StoryQuery, pages: list[tuple[int, int]],
                              ) -> tuple[int, list[list[dict[str, Any]]]]:
        """How many stories match ``query`` and the pages ``(offset, limit)`` of them, in one read transaction
        (so the count and the rows agree)."""
        def read() -> tuple[int, list[list[dict[str, Any]]]]:
            where, args = self._where(query)
            conn = self.db.connection()
            conn.execute("BEGIN")
            try:
                total = conn.execute(f"SELECT count(*) FROM stories s WHERE {where}", args).fetchone()[0]
                return total, [self._list(query, offset, limit) if offset < total else []
                               for offset, limit in pages]
            finally:
                conn.execute("COMMIT")
        return await self.db.run(read)

    # -- backup: whole-table streaming and merging ---------------------------------------------------------------
    def each_record(self, table: str, consumer: Callable[[Record], None], *, include_deleted: bool = False,
                    ) -> int:
        """Blocking (call through :meth:`Database.run`): feed every record of ``table`` to ``consumer`` in
        insertion order without holding the table in memory; returns how many were fed."""
        if table not in _RECORD_TYPES:
            raise ValueError(f"unknown table {table}")
        sql = f"SELECT * FROM {table}" + ("" if include_deleted else " WHERE deleted_at IS NULL") + " ORDER BY seq"
        count = 0
        for row in self.db.connection().execute(sql):
            consumer(row_to_record(table, row))
            count += 1
        return count

    def merge_records(self, table: str, records: Sequence[Record]) -> MergeCounts:
        """Blocking: insert records whose id is new, replace those whose ``updated_at`` is newer than ours, and
        leave the rest alone (so merging the same file twice changes nothing). One transaction."""
        return self.merge_rows(table, [record_to_row(table, r) for r in records])

    def merge_rows(self, table: str, rows: Sequence[dict[str, Any]], *, bulk: bool = False) -> MergeCounts:
        """:meth:`merge_records` for rows already made by :func:`record_to_row` from validated records.

        ``bulk`` (a big import): new rows reach the search index, the sync outbox and the field clocks with one
        statement each instead of through the per-row insert triggers (:func:`_insert_in_bulk`)."""
        counts = MergeCounts()
        if not rows:
            return counts
        if table not in _RECORD_TYPES:
            raise ValueError(f"unknown table {table}")
        columns = list(rows[0])
        row_values = operator.itemgetter(*columns)
        # Positional parameters, a tuple per row (cheaper to bind than ~30 names looked up in a dict per row). New
        # rows take a plain INSERT: an upsert costs three times as much per row even when nothing conflicts (the
        # lookup below runs in the same write transaction, so "new" cannot change under us).
        insert = (f"INSERT INTO {table} ({', '.join(columns)}) "
                  f"VALUES ({', '.join('?' for _ in columns)})")
        update = (f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in columns if c != 'id')} "
                  f"WHERE id = ? AND updated_at < ?")
        update_values = operator.itemgetter(*(c for c in columns if c != "id"), "id", "updated_at")
        with self.db.write() as conn:
            existing = {}
            ids = [r["id"] for r in rows]
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                existing.update(conn.execute(
                    f"SELECT id, updated_at FROM {table} WHERE id IN ({','.join('?' * len(chunk))})", chunk
                ).fetchall())
            added, changed = [], []  # an unchanged row (ours is as new or newer) is left alone
            for row in rows:
                before = existing.get(row["id"])
                if before is None:
                    added.append(row)
                elif row["updated_at"] > before:
                    changed.append(update_values(row))
                else:
                    counts.unchanged += 1
            counts.added, counts.updated = len(added), len(changed)
            if added and bulk:
                _insert_in_bulk(conn, table, columns, added)
            elif added:
                conn.executemany(insert, map(row_values, added))
            if changed:
                conn.executemany(update, changed)
        return counts

    # -- narrations -------------------------------------------------------------------------------------------
    async def save_narration(self, narration: Narration) -> Narration:
        return await self.save("narrations", narration)  # type: ignore[return-value]

    async def narrations_for(self, story_id: str) -> list[Narration]:
        def query() -> list[Narration]:
            rows = self.db.connection().execute(
                "SELECT * FROM narrations WHERE story_id = ? AND deleted_at IS NULL ORDER BY created_at DESC",
                (story_id,),
            ).fetchall()
            return [row_to_record("narrations", r) for r in rows]  # type: ignore[misc]
        return await self.db.run(query)

    async def recordings(self) -> list[tuple[Narration, str]]:
        """Every live family recording in the library with its story's title, newest first."""
        def query() -> list[tuple[Narration, str]]:
            rows = self.db.connection().execute(
                "SELECT n.*, s.title AS story_title FROM narrations n JOIN stories s ON s.id = n.story_id "
                "WHERE n.provider = 'recording' AND n.deleted_at IS NULL AND s.deleted_at IS NULL "
                "ORDER BY n.created_at DESC").fetchall()
            found = []
            for row in rows:
                values = dict(row)
                title = values.pop("story_title") or ""
                found.append((row_to_record("narrations", values), title))
            return found  # type: ignore[return-value]
        return await self.db.run(query)

    async def preferred_narration(self, story_id: str) -> str | None:
        """The id of the narration the parent chose to play for a story (kept on this device), or ``None``."""
        return await self.get_meta(PREFERRED_NARRATION + story_id) or None

    async def set_preferred_narration(self, story_id: str, narration_id: str | None) -> None:
        await self.set_meta(PREFERRED_NARRATION + story_id, narration_id or "")

    # -- meta -------------------------------------------------------------------------------------------------
    async def get_meta(self, key: str, default: str | None = None) -> str | None:
        def read() -> str | None:
            row = self.db.connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            return default if row is None else row[0]
        return await self.db.run(read)

    async def set_meta(self, key: str, value: str) -> None:
        def write() -> None:
            with self.db.write() as conn:
                conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                             "value = excluded.value", (key, value))
        await self.db.run(write)


def _insert_in_bulk(conn: sqlite3.Connection, table: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    """Inside a write transaction: insert new ``rows`` with the work of ``table``'s insert triggers (search
    index, sync outbox, field clocks) done for all of them at once, instead of the triggers firing once per row.
    The triggers are dropped and re-created inside the same transaction, so no other connection ever sees the
    table without them. The rows take the sequence numbers after the table's largest, so the set-based
    statements find them as those above it.

    A story's search row is folded here (:func:`~tale_desktop.storage.search.fold`, what the trigger's SQL
    ``replace`` does): SQLite's ``replace`` walks the text byte by byte, a tenth of a big import's database work."""
    present = []
    for name, statements in bulk_insert_work(table):
        found = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                             (name,)).fetchone()
        if found is not None:
            present.append((name, found[0], statements))
    before = conn.execute(f"SELECT coalesce(max(seq), 0) FROM {table}").fetchone()[0]
    for name, _sql, _statements in present:
        conn.execute(f"DROP TRIGGER {name}")
    row_values = operator.itemgetter(*columns)
    conn.executemany(f"INSERT INTO {table} (seq, {', '.join(columns)}) VALUES (?{', ?' * len(columns)})",
                     [(before + n, *row_values(row)) for n, row in enumerate(rows, 1)])
    if any(name == SEARCH_TRIGGER for name, _sql, _statements in present):
        conn.executemany(SEARCH_INSERT, [(before + n, fold(row["title"]), fold(row["content"]),
                                          fold(row["child_name"])) for n, row in enumerate(rows, 1)])
    for _name, sql, statements in present:
        for statement in statements:
            conn.execute(statement, {"before": before})
        conn.execute(sql)


def _summary_row(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    data["favourite"] = bool(data["favourite"])
    data["has_audio"] = bool(data["has_audio"])
    return data
