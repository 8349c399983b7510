import asyncio
import os
import sqlite3
from pathlib import Path

import pytest

from tale_desktop.domain import Child, Story
from tale_desktop.domain.query import StoryQuery
from tale_desktop.storage.db import DB_FILENAME, Database
from tale_desktop.storage.errors import (
    DatabaseCorrupt,
    DatabaseReadOnly,
    DatabaseTooNew,
    DataDirUnwritable,
    NotFound,
)
from tale_desktop.storage.library import Library
from tale_desktop.storage.migrations import SCHEMA_VERSION
from tale_desktop.storage.seed import install_builtin_content, load_builtin_heroes, load_starter_stories


@pytest.fixture
def library(tmp_path: Path):
    lib = Library.open(tmp_path / "lib")
    yield lib
    lib.close()


def mia() -> Child:
    return Child(name="Mia", age_band="3-5", gender="female", interests=["dragons"])


def test_migrates_empty_file_to_current_schema(tmp_path):
    lib = Library.open(tmp_path / "new")
    conn = sqlite3.connect(tmp_path / "new" / DB_FILENAME)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view')")}
    assert {"children", "heroes", "stories", "narrations", "meta", "stories_fts"} <= tables
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"stories_child", "stories_language", "stories_status", "stories_rating", "stories_favourite"} <= indexes
    conn.close()
    lib.close()
    Library.open(tmp_path / "new").close()  # reopening an up-to-date file is a no-op


def test_a_new_file_has_large_pages_and_an_old_one_keeps_its_own(tmp_path):
    from tale_desktop.storage.db import PAGE_SIZE

    Library.open(tmp_path / "new").close()
    with sqlite3.connect(tmp_path / "new" / DB_FILENAME) as conn:
        assert conn.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE == 16384
    (tmp_path / "old").mkdir()
    with sqlite3.connect(tmp_path / "old" / DB_FILENAME) as conn:  # a library made by an earlier version
        conn.execute("PRAGMA page_size = 4096")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE early (x)")
    lib = Library.open(tmp_path / "old")
    asyncio.run(lib.save_child(mia()))
    lib.close()
    with sqlite3.connect(tmp_path / "old" / DB_FILENAME) as conn:
        assert conn.execute("PRAGMA page_size").fetchone()[0] == 4096
        assert conn.execute("SELECT count(*) FROM children").fetchone()[0] == 1


def test_a_checkpoint_aside_copies_what_is_committed_while_the_writer_keeps_its_transaction(tmp_path):
    """The import's checkpoint on a connection of its own: committed pages reach the database file even while the
    importing connection is inside its next write transaction, and nothing of that transaction does."""
    lib = Library.open(tmp_path / "lib")
    db = lib.db
    writer = db.connection()
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    with db.write() as conn:
        conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", [(f"k{n}", "x" * 2000) for n in range(400)])
    before = os.path.getsize(db.path)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO meta(key, value) VALUES ('later', 'y')")
    db.checkpoint_aside()
    assert os.path.getsize(db.path) > before + 400 * 2000
    writer.execute("COMMIT")
    with sqlite3.connect(f"file:{db.path}?mode=ro", uri=True) as other:
        assert other.execute("SELECT count(*) FROM meta WHERE key LIKE 'k%'").fetchone()[0] == 400
    lib.close()
    missing = Database(tmp_path / "missing")
    missing.checkpoint_aside()  # best effort: a library that cannot be opened is not an error here
    missing.close()


async def test_save_list_tombstone(library):
    child = await library.save_child(mia())
    assert [c.name for c in await library.list_children()] == ["Mia"]
    await library.delete_child(child.id)
    assert await library.list_children() == []
    with pytest.raises(NotFound):
        await library.get_child(child.id)
    gone = await library.get("children", child.id, include_deleted=True)
    assert gone.deleted_at is not None and gone.updated_at >= gone.created_at
    with pytest.raises(NotFound):
        await library.delete_child(child.id)


async def test_updated_at_moves_on_every_change(library):
    story = await library.save_story(Story(title="Moon", content="Sleep, little moon."))
    before = story.updated_at
    await asyncio.sleep(0.01)
    after = await library.update_story_fields(story.id, rating=9)
    assert after.rating == 9 and after.updated_at > before

    def raw_update() -> None:  # the trigger catches an update that forgot updated_at
        with library.db.write() as conn:
            conn.execute("UPDATE stories SET favourite = 1 WHERE id = ?", (story.id,))

    await asyncio.sleep(0.01)
    await library.db.run(raw_update)
    again = await library.get_story(story.id)
    assert again.favourite and again.updated_at > after.updated_at


async def test_delete_and_restore_stories_with_search(library):
    story = await library.save_story(Story(title="Comet night", content="Comets sparkle over the quiet sea."))
    assert [r["id"] for r in await library.list_stories(StoryQuery(search="comet"))] == [story.id]
    await library.delete_stories([story.id])
    assert await library.list_stories(StoryQuery(search="comet")) == []
    await library.restore_stories([story.id])
    assert await library.count_stories(StoryQuery(search='"comets" -sea* (')) == 1


async def test_concurrent_writers_all_land(library):
    async def writer(n: int) -> None:
        for i in range(20):
            await library.save_child(Child(name=f"Kid {n}-{i}", age_band="5-7", gender="other", interests=["x"]))

    await asyncio.gather(*(writer(n) for n in range(5)))
    assert len(await library.list_children()) == 100


def test_concurrent_processes_share_the_file(tmp_path):
    """Two Database objects (as two app instances would) writing at once both succeed."""
    a, b = Library.open(tmp_path / "shared"), Library.open(tmp_path / "shared")

    async def go() -> None:
        await asyncio.gather(*(lib.save_child(Child(name=f"K{n}", age_band="2-3", gender="male", interests=["y"]))
                               for n in range(30) for lib in (a, b)))

    asyncio.run(go())
    assert len(asyncio.run(a.list_children())) == 60
    a.close()
    b.close()


def test_corrupt_file_is_reported_and_left_untouched(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    path = folder / DB_FILENAME
    path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes()
    with pytest.raises(DatabaseCorrupt, match="damaged"):
        Library.open(folder)
    assert path.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_file_is_reported(tmp_path):  # pragma: no cover - CI runs as root
    lib = Library.open(tmp_path / "ro")
    lib.close()
    for p in (tmp_path / "ro").iterdir():
        p.chmod(0o444)
    (tmp_path / "ro").chmod(0o555)
    with pytest.raises(DatabaseReadOnly):
        Library.open(tmp_path / "ro")


def test_read_only_database_refuses_writes_but_keeps_data(tmp_path, monkeypatch):
    """Simulated with SQLite's query_only switch on every connection, which behaves like a read-only file (and
    works as root, where file permissions are ignored)."""
    lib = Library.open(tmp_path / "ro")
    asyncio.run(lib.save_child(mia()))
    lib.close()
    opened = Database.connection

    def read_only_connection(self):
        conn = opened(self)
        conn.execute("PRAGMA query_only = ON")
        return conn

    monkeypatch.setattr(Database, "connection", read_only_connection)
    locked = Library(Database(tmp_path / "ro"))
    with pytest.raises(DatabaseReadOnly, match="read-only"):
        asyncio.run(locked.save_child(Child(name="Leo", age_band="2-3", gender="male", interests=["cars"])))
    locked.close()
    monkeypatch.undo()
    again = Library.open(tmp_path / "ro")
    assert [c.name for c in asyncio.run(again.list_children())] == ["Mia"]
    again.close()


def test_unwritable_data_dir(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DataDirUnwritable, match="TALE_DATA_DIR"):
        Library.open(blocker / "data")


def test_newer_schema_is_refused(tmp_path):
    Library.open(tmp_path / "future").close()
    conn = sqlite3.connect(tmp_path / "future" / DB_FILENAME)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(DatabaseTooNew, match="newer Tale Desktop"):
        Database(tmp_path / "future").open()


async def test_builtin_content_installs_once_and_deleted_starter_stays_deleted(library):
    assert await install_builtin_content(library) > 0
    stories = await library.list_stories()
    languages = {r["language"] for r in stories}
    assert languages == {"en", "ru"} and len(stories) >= 4
    await library.delete_stories([stories[0]["id"]])
    assert await install_builtin_content(library) == 0
    await library.set_meta("seed_version", "0")  # even a re-seed keeps the parent's deletion
    await install_builtin_content(library)
    assert stories[0]["id"] not in {r["id"] for r in await library.list_stories()}


def test_shipped_content_is_valid():
    heroes = load_builtin_heroes()
    assert {h.language for h in heroes} == {"en", "ru"}
    assert all(sum(h.language == lang for h in heroes) >= 2 for lang in ("en", "ru"))
    stories = load_starter_stories(heroes)
    for lang in ("en", "ru"):
        assert sum(s.language == lang for s in stories) >= 2
    for story in stories:
        assert 300 <= story.word_count <= 500, story.title
        assert story.hero_snapshot and story.hero_snapshot["language"] == story.language
