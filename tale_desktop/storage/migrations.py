"""Forward-only schema migrations, versioned with ``PRAGMA user_version``.

Append new steps to ``MIGRATIONS``; never edit a released one.
"""

from __future__ import annotations

_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


def _touch_trigger(table: str) -> str:
    # Safety net: any UPDATE that forgot to move updated_at gets the current time.
    return f"""
CREATE TRIGGER {table}_touch AFTER UPDATE ON {table}
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE {table} SET updated_at = {_NOW} WHERE seq = NEW.seq;
END;
"""


V1 = f"""
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT
);

CREATE TABLE children (
  seq        INTEGER PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  age_band   TEXT NOT NULL,
  gender     TEXT NOT NULL,
  interests  TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE INDEX children_alive ON children(deleted_at, name COLLATE NOCASE);
CREATE INDEX children_updated ON children(updated_at);

CREATE TABLE heroes (
  seq                INTEGER PRIMARY KEY,
  id                 TEXT NOT NULL UNIQUE,
  name               TEXT NOT NULL,
  gender             TEXT NOT NULL,
  appearance         TEXT NOT NULL,
  personality_traits TEXT NOT NULL DEFAULT '[]',
  interests          TEXT NOT NULL DEFAULT '[]',
  strengths          TEXT NOT NULL DEFAULT '[]',
  language           TEXT NOT NULL,
  builtin            INTEGER NOT NULL DEFAULT 0,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  deleted_at         TEXT
);
CREATE INDEX heroes_alive ON heroes(deleted_at, language, name COLLATE NOCASE);
CREATE INDEX heroes_updated ON heroes(updated_at);

CREATE TABLE stories (
  seq            INTEGER PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  title          TEXT NOT NULL DEFAULT '',
  content        TEXT NOT NULL DEFAULT '',
  summary        TEXT NOT NULL DEFAULT '',
  language       TEXT NOT NULL,
  story_type     TEXT NOT NULL,
  child_id       TEXT,
  hero_id        TEXT,
  child_name     TEXT NOT NULL DEFAULT '',
  child_snapshot TEXT,
  hero_snapshot  TEXT,
  moral          TEXT NOT NULL,
  theme          TEXT,
  minutes        INTEGER NOT NULL,
  target_words   INTEGER NOT NULL,
  word_count     INTEGER NOT NULL DEFAULT 0,
  parent_id      TEXT,
  status         TEXT NOT NULL,
  rating         INTEGER,
  favourite      INTEGER NOT NULL DEFAULT 0,
  model          TEXT,
  stats          TEXT NOT NULL DEFAULT '{{}}',
  review         TEXT,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  deleted_at     TEXT
);
CREATE INDEX stories_created ON stories(deleted_at, created_at);
CREATE INDEX stories_title ON stories(deleted_at, title COLLATE NOCASE);
CREATE INDEX stories_rating ON stories(deleted_at, rating);
CREATE INDEX stories_words ON stories(deleted_at, word_count);
CREATE INDEX stories_child ON stories(child_id);
CREATE INDEX stories_language ON stories(language);
CREATE INDEX stories_status ON stories(status);
CREATE INDEX stories_favourite ON stories(favourite) WHERE favourite = 1;
CREATE INDEX stories_parent ON stories(parent_id);
CREATE INDEX stories_updated ON stories(updated_at);

CREATE VIRTUAL TABLE stories_fts USING fts5(
  title, content, child_name,
  content='stories', content_rowid='seq',
  tokenize='unicode61 remove_diacritics 2',
  prefix='2 3'
);
CREATE TRIGGER stories_fts_insert AFTER INSERT ON stories BEGIN
  INSERT INTO stories_fts(rowid, title, content, child_name)
  VALUES (NEW.seq, NEW.title, NEW.content, NEW.child_name);
END;
CREATE TRIGGER stories_fts_delete AFTER DELETE ON stories BEGIN
  INSERT INTO stories_fts(stories_fts, rowid, title, content, child_name)
  VALUES ('delete', OLD.seq, OLD.title, OLD.content, OLD.child_name);
END;
CREATE TRIGGER stories_fts_update AFTER UPDATE OF title, content, child_name ON stories BEGIN
  INSERT INTO stories_fts(stories_fts, rowid, title, content, child_name)
  VALUES ('delete', OLD.seq, OLD.title, OLD.content, OLD.child_name);
  INSERT INTO stories_fts(rowid, title, content, child_name)
  VALUES (NEW.seq, NEW.title, NEW.content, NEW.child_name);
END;

CREATE TABLE narrations (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  story_id        TEXT NOT NULL,
  provider        TEXT NOT NULL,
  voice_id        TEXT NOT NULL DEFAULT '',
  language        TEXT NOT NULL,
  format          TEXT NOT NULL,
  local_file      TEXT,
  duration_s      REAL NOT NULL DEFAULT 0,
  size            INTEGER NOT NULL DEFAULT 0,
  sha256          TEXT NOT NULL DEFAULT '',
  timings         TEXT NOT NULL DEFAULT '[]',
  remote_path     TEXT,
  fallback_reason TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  deleted_at      TEXT
);
CREATE INDEX narrations_story ON narrations(story_id, deleted_at);
CREATE INDEX narrations_updated ON narrations(updated_at);
{_touch_trigger("children")}
{_touch_trigger("heroes")}
{_touch_trigger("stories")}
{_touch_trigger("narrations")}
"""


def _fold(expr: str) -> str:
    # Keep in step with storage.search.fold: the index sees "е" wherever the text has "ё".
    return f"replace(replace({expr}, 'ё', 'е'), 'Ё', 'Е')"


def _fts_row(prefix: str) -> str:
    return ", ".join(_fold(f"{prefix}.{c}") for c in ("title", "content", "child_name"))




# V2: the search index folds ё into е (Russian is written both ways, and parents type е), and drops the extra
# prefix indexes: prefix queries work from the main index, within the search budget at 100k stories (see
# tests/bench/bench_library.py), while the prefix indexes made every insert (and a big import) ~30% slower.
# The child, language and status indexes also carry the list's default order, so a filtered list reads only the
# matching rows, newest first, instead of walking all stories by date.
V2 = f"""
DROP INDEX stories_child;
CREATE INDEX stories_child ON stories(child_id, deleted_at, created_at);
DROP INDEX stories_language;
CREATE INDEX stories_language ON stories(language, deleted_at, created_at);
DROP INDEX stories_status;
CREATE INDEX stories_status ON stories(status, deleted_at, created_at);
DROP TRIGGER stories_fts_insert;
DROP TRIGGER stories_fts_delete;
DROP TRIGGER stories_fts_update;
DROP TABLE stories_fts;
CREATE VIRTUAL TABLE stories_fts USING fts5(
  title, content, child_name,
  content='stories', content_rowid='seq',
  tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO stories_fts(rowid, title, content, child_name) SELECT seq, {_fts_row("stories")} FROM stories;
CREATE TRIGGER stories_fts_insert AFTER INSERT ON stories BEGIN
  INSERT INTO stories_fts(rowid, title, content, child_name) VALUES (NEW.seq, {_fts_row("NEW")});
END;
CREATE TRIGGER stories_fts_delete AFTER DELETE ON stories BEGIN
  INSERT INTO stories_fts(stories_fts, rowid, title, content, child_name)
  VALUES ('delete', OLD.seq, {_fts_row("OLD")});
END;
CREATE TRIGGER stories_fts_update AFTER UPDATE OF title, content, child_name ON stories BEGIN
  INSERT INTO stories_fts(stories_fts, rowid, title, content, child_name)
  VALUES ('delete', OLD.seq, {_fts_row("OLD")});
  INSERT INTO stories_fts(rowid, title, content, child_name) VALUES (NEW.seq, {_fts_row("NEW")});
END;
"""


# The tables of the first sync migrations (V_SYNC, V_FIELD_CLOCKS): released, so they keep this list.
_FIRST_SYNC_TABLES = ("children", "heroes", "stories", "narrations")
# Every synced table, in push / pull order (pictures after the stories they belong to).
SYNC_TABLES = (*_FIRST_SYNC_TABLES, "illustrations")


def _outbox_triggers(table: str) -> str:
    # Every local insert or update queues the row for the next push, except writes made by sync itself (it marks
    # its transaction with a row in sync_applying). The touch trigger is re-created so that sync's writes keep the
    # remote updated_at instead of being stamped with the local time.
    # (No OR REPLACE here: inside a trigger the outer statement's conflict handling wins, and the library's
    # INSERT ... ON CONFLICT DO UPDATE would turn it into an error. Delete, then insert.)
    enqueue = f"""
  UPDATE sync_counter SET n = n + 1;
  DELETE FROM sync_outbox WHERE tbl = '{table}' AND id = NEW.id;
  INSERT INTO sync_outbox(tbl, id, seq) VALUES ('{table}', NEW.id, (SELECT n FROM sync_counter));"""
    return f"""
CREATE TRIGGER {table}_outbox_insert AFTER INSERT ON {table}
WHEN NOT EXISTS (SELECT 1 FROM sync_applying)
BEGIN{enqueue}
END;
CREATE TRIGGER {table}_outbox_update AFTER UPDATE ON {table}
WHEN NOT EXISTS (SELECT 1 FROM sync_applying)
BEGIN{enqueue}
END;
DROP TRIGGER {table}_touch;
CREATE TRIGGER {table}_touch AFTER UPDATE ON {table}
WHEN NEW.updated_at IS OLD.updated_at AND NOT EXISTS (SELECT 1 FROM sync_applying)
BEGIN
  UPDATE {table} SET updated_at = {_NOW} WHERE seq = NEW.seq;
END;
INSERT OR REPLACE INTO sync_outbox(tbl, id, seq) SELECT '{table}', id, 0 FROM {table};
"""


# Supabase sync bookkeeping (outbox of rows changed since the last push; cursors live in meta).
V_SYNC = """
CREATE TABLE sync_outbox (
  tbl TEXT NOT NULL,
  id  TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (tbl, id)
) WITHOUT ROWID;
CREATE INDEX sync_outbox_seq ON sync_outbox(tbl, seq);
CREATE TABLE sync_counter (n INTEGER NOT NULL);
INSERT INTO sync_counter(n) VALUES (0);
CREATE TABLE sync_applying (flag INTEGER);
""" + "".join(_outbox_triggers(t) for t in _FIRST_SYNC_TABLES)

# Bedtime listening (local to this device, not synced): where each story stopped playing, and tonight's queue
# (its order; the story playing now is kept in meta under 'tonight_queue_current').
V_BEDTIME = """
CREATE TABLE playback_positions (
  story_id   TEXT PRIMARY KEY,
  position_s REAL NOT NULL,
  duration_s REAL NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE tonight_queue (
  ord      INTEGER PRIMARY KEY,
  story_id TEXT NOT NULL
);
"""


# Pictures of picture books: one row per illustration (its file lives under the data folder at `file`); the cost
# and tokens of each picture are kept in `stats`.
V_ILLUSTRATIONS = f"""
CREATE TABLE illustrations (
  seq         INTEGER PRIMARY KEY,
  id          TEXT NOT NULL UNIQUE,
  story_id    TEXT NOT NULL,
  paragraph   INTEGER NOT NULL DEFAULT 0,
  file        TEXT NOT NULL DEFAULT '',
  sha256      TEXT NOT NULL DEFAULT '',
  mime        TEXT NOT NULL DEFAULT 'image/png',
  width       INTEGER NOT NULL DEFAULT 0,
  height      INTEGER NOT NULL DEFAULT 0,
  size        INTEGER NOT NULL DEFAULT 0,
  prompt      TEXT NOT NULL DEFAULT '',
  scene       TEXT NOT NULL DEFAULT '',
  style       TEXT NOT NULL DEFAULT 'watercolour',
  model       TEXT NOT NULL DEFAULT '',
  stats       TEXT NOT NULL DEFAULT '{{}}',
  remote_path TEXT,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  deleted_at  TEXT
);
CREATE INDEX illustrations_story ON illustrations(story_id, deleted_at, paragraph);
CREATE INDEX illustrations_updated ON illustrations(updated_at);
{_touch_trigger("illustrations")}
"""


# The synced fields of each table (the Supabase columns, without the row's identity and server bookkeeping).
SYNC_FIELDS: dict[str, tuple[str, ...]] = {
    "children": ("name", "age_band", "gender", "interests", "created_at", "updated_at", "deleted_at"),
    "heroes": ("name", "gender", "appearance", "personality_traits", "interests", "strengths", "language",
               "builtin", "created_at", "updated_at", "deleted_at"),
    "stories": ("title", "content", "summary", "language", "story_type", "child_id", "hero_id", "child_snapshot",
                "hero_snapshot", "moral", "theme", "minutes", "target_words", "parent_id", "status", "rating",
                "favourite", "model", "stats", "review", "created_at", "updated_at", "deleted_at"),
    "narrations": ("story_id", "provider", "voice_id", "language", "format", "duration_s", "size", "sha256",
                   "timings", "remote_path", "fallback_reason", "created_at", "updated_at", "deleted_at"),
    # `file` (where the picture is on this device) is local, like a narration's local_file.
    "illustrations": ("story_id", "paragraph", "sha256", "mime", "width", "height", "size", "prompt", "scene",
                      "style", "model", "stats", "remote_path", "created_at", "updated_at", "deleted_at"),
}
_WALL_NOW = "CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER)"
# The hybrid logical clock of a local edit (domain/field_merge.py tick): wall time, counter, device.
HLC_TICK = (f"UPDATE sync_clock SET counter = CASE WHEN {_WALL_NOW} > wall THEN 0 ELSE counter + 1 END, "
            f"wall = max(wall, {_WALL_NOW})")
HLC_TEXT = "(SELECT printf('%013d.%05d.%s', wall, counter, device) FROM sync_clock)"


def _legacy_clock(column: str) -> str:
    return f"printf('%013d.00000.', CAST(ROUND((julianday({column}) - 2440587.5) * 86400000) AS INTEGER))"


def _clock_triggers(table: str) -> str:
    # Local edits stamp the fields they change with a new clock; writes made by sync (sync_applying) carry the
    # clocks they came with, so they stamp nothing. The clocks live beside the row (sync_field_clocks), so
    # stamping never re-updates the library row.
    fields = SYNC_FIELDS[table]
    changed = " OR ".join(f"NEW.{f} IS NOT OLD.{f}" for f in fields)
    names = " UNION ALL ".join(f"SELECT '{f}' AS f WHERE NEW.{f} IS NOT OLD.{f}" for f in fields)
    return f"""
CREATE TRIGGER {table}_clock_insert AFTER INSERT ON {table}
WHEN NOT EXISTS (SELECT 1 FROM sync_applying)
BEGIN
  {HLC_TICK};
  DELETE FROM sync_field_clocks WHERE tbl = '{table}' AND id = NEW.id;
  INSERT INTO sync_field_clocks(tbl, id, clocks) VALUES ('{table}', NEW.id, json_object('', {HLC_TEXT}));
END;
CREATE TRIGGER {table}_clock_update AFTER UPDATE ON {table}
WHEN NOT EXISTS (SELECT 1 FROM sync_applying) AND ({changed})
BEGIN
  {HLC_TICK};
  UPDATE sync_field_clocks SET clocks = json_patch(clocks, (
    SELECT json_group_object(f, {HLC_TEXT}) FROM ({names})))
  WHERE tbl = '{table}' AND id = NEW.id;
END;
INSERT INTO sync_field_clocks(tbl, id, clocks)
  SELECT '{table}', id, json_object('', {_legacy_clock("updated_at")}) FROM {table};
"""


# Per-field clocks (hybrid logical clocks) for the per-field merge of sync (docs/sync.md). Rows that exist already
# get their updated_at as the clock of every field (what the server's migration 0002 gives its rows).
V_FIELD_CLOCKS = """
CREATE TABLE sync_field_clocks (
  tbl    TEXT NOT NULL,
  id     TEXT NOT NULL,
  clocks TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (tbl, id)
) WITHOUT ROWID;
CREATE TABLE sync_clock (wall INTEGER NOT NULL, counter INTEGER NOT NULL, device TEXT NOT NULL);
INSERT INTO sync_clock(wall, counter, device) VALUES (0, 0, lower(hex(randomblob(16))));
CREATE TABLE sync_object_removals (story_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TRIGGER stories_object_removal AFTER UPDATE OF deleted_at ON stories
WHEN NOT EXISTS (SELECT 1 FROM sync_applying)
BEGIN
  DELETE FROM sync_object_removals WHERE story_id = NEW.id;
  INSERT INTO sync_object_removals(story_id) SELECT NEW.id WHERE NEW.deleted_at IS NOT NULL;
END;
""" + "".join(_clock_triggers(t) for t in _FIRST_SYNC_TABLES)

# Pictures sync like narrations (server migration 0003): local edits enter the outbox and stamp field clocks; the
# pictures that exist already are queued for the first push with their updated_at as clock. (A story's deletion
# already queues the removal of its objects, pictures included: stories_object_removal.)
V_ILLUSTRATIONS_SYNC = _outbox_triggers("illustrations") + _clock_triggers("illustrations")

MIGRATIONS: list[str] = [V1, V2, V_SYNC, V_BEDTIME, V_ILLUSTRATIONS, V_FIELD_CLOCKS, V_ILLUSTRATIONS_SYNC]
SCHEMA_VERSION = len(MIGRATIONS)


# -- a big import: the insert triggers' work, done once per batch ---------------------------------------------------
_NOT_SYNCING = "NOT EXISTS (SELECT 1 FROM sync_applying)"


SEARCH_TRIGGER = "stories_fts_insert"
# A story's search row, its text folded as _fold does (storage.search.fold): (seq, title, content, child_name).
SEARCH_INSERT = "INSERT INTO stories_fts(rowid, title, content, child_name) VALUES (?, ?, ?, ?)"


def bulk_insert_work(table: str) -> list[tuple[str, list[str]]]:
    """The AFTER INSERT triggers of ``table`` with set-based statements doing the same work for every row whose
    ``seq`` is above ``:before`` (the table's maximum before the batch). A bulk import (storage.library) drops the
    triggers that exist inside its write transaction, inserts the batch, runs these statements and re-creates the
    triggers, so the search index, the sync outbox and the field clocks end up as if each row had fired them.
    The search trigger comes with no statement: the caller writes those rows itself (:data:`SEARCH_INSERT`).

    Keep in step with the triggers above: one counter step and one clock tick stand for the whole batch (every new
    row is queued with the same outbox number and stamped with the same clock, which is all the per-row triggers
    promise: later than any earlier edit)."""
    new_rows = f"FROM {table} WHERE seq > :before AND {_NOT_SYNCING}"
    work: list[tuple[str, list[str]]] = []
    if table == "stories":
        work.append((SEARCH_TRIGGER, []))  # the caller writes the search rows (SEARCH_INSERT), folded in Python
    if table in SYNC_TABLES:
        work.append((f"{table}_outbox_insert", [
            f"UPDATE sync_counter SET n = n + 1 WHERE {_NOT_SYNCING}",
            f"INSERT OR REPLACE INTO sync_outbox(tbl, id, seq) SELECT '{table}', id, (SELECT n FROM sync_counter) "
            f"{new_rows}"]))
        work.append((f"{table}_clock_insert", [
            f"{HLC_TICK} WHERE {_NOT_SYNCING}",
            f"INSERT OR REPLACE INTO sync_field_clocks(tbl, id, clocks) SELECT '{table}', id, "
            f"json_object('', {HLC_TEXT}) {new_rows}"]))
    return work
