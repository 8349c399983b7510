"""A big import does its insert triggers' work in bulk: searches answer exactly as when each story is saved one by
one, and every new story is queued for the next push with a fresh clock on its fields."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tale_desktop.domain.models import Child
from tale_desktop.domain.query import StoryQuery
from tale_desktop.services.backup import import_backup, write_backup
from tale_desktop.services.library import LibraryService
from tale_desktop.storage.library import Library
from tale_desktop.storage.migrations import bulk_insert_work
from tests.library_helpers import make_story

SEARCHES = ["comet", "com", "ёжик", "ежик", "Ёлка", "dragon moon", "Mia", "Тимоша", "nothing-like-this", "map"]
WORDS = ["comet map", "dragon under the moon", "ёжик и ёлка", "Тимоша и звёзды", "a quiet night", "the big map"]


@pytest.fixture
def services(tmp_path: Path):
    opened = []

    def make(name: str) -> LibraryService:
        library = Library.open(tmp_path / name)
        opened.append(library)
        return LibraryService(library)

    yield make
    for library in opened:
        library.close()


async def titles(service: LibraryService, search: str) -> list[str]:
    rows = await service.list_stories(StoryQuery(search=search), limit=1000)
    return [row["id"] for row in rows]


async def test_bulk_import_matches_one_by_one_saves(services, tmp_path):
    source = services("source")
    child = await source.save_child(Child(name="Mia", age_band="3-5", gender="female", interests=["owls"]))
    for i in range(60):
        await source.save_story(make_story(f"Story {i} {WORDS[i % len(WORDS)]}", f"Text {WORDS[(i + 2) % 6]}.",
                                           child=child if i % 3 == 0 else None))
    backup = tmp_path / "backup.jsonl"
    await write_backup(source, backup)

    older = make_story("Already here comet", "An older story.")
    imported = services("imported")
    await imported.save_story(older)  # the index is not empty before the import
    report = await import_backup(imported, backup)
    assert report.bad_count == 0 and report.counts["story"].added == 60

    expected = services("expected")  # the same stories through the per-row trigger
    await expected.save_story(older)
    for table in ("children", "stories"):
        records: list = []
        await source.store.db.run(source.store.each_record, table, records.append)
        await expected.store.db.run(expected.store.merge_records, table, records)

    for search in SEARCHES:
        assert sorted(await titles(imported, search)) == sorted(await titles(expected, search)), search
    assert len(await titles(imported, "comet")) > 1

    def triggers(service: LibraryService) -> set[str]:
        return {row[0] for row in service.store.db.connection().execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}

    bulk_triggers = {name for table in ("stories", "children") for name, _ in bulk_insert_work(table)}
    assert bulk_triggers <= await imported.store.db.run(triggers, imported)  # all back after the batch
    assert await imported.store.db.run(triggers, imported) == await expected.store.db.run(triggers, expected)

    def sync_state(service: LibraryService) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], str]]:
        conn = service.store.db.connection()
        outbox = {(t, i): n for t, i, n in conn.execute("SELECT tbl, id, seq FROM sync_outbox")}
        clocks = {(t, i): c for t, i, c in conn.execute("SELECT tbl, id, clocks FROM sync_field_clocks")}
        return outbox, clocks

    outbox, clocks = await imported.store.db.run(sync_state, imported)
    expected_outbox, expected_clocks = await expected.store.db.run(sync_state, expected)
    assert outbox.keys() == expected_outbox.keys() and clocks.keys() == expected_clocks.keys()
    assert len([key for key in outbox if key[0] == "stories"]) == 61
    older_key = ("stories", older.id)
    assert all(n > outbox[older_key] for key, n in outbox.items() if key != older_key)  # queued after it
    assert all(set(json.loads(c)) == {""} and json.loads(c)[""] > json.loads(clocks[older_key])[""]
               for key, c in clocks.items() if key != older_key)  # every field stamped, later than before
    later = await imported.save_story(make_story("Saved after the import", "A lantern story."))  # trigger works
    assert await titles(imported, "lantern") == [later.id]


async def test_bulk_import_updates_the_index_of_changed_stories(services, tmp_path):
    source = services("source")
    story = await source.save_story(make_story("Owl at night", "The owl hoots."))
    target = services("target")
    await import_backup(target, await _backup(source, tmp_path / "one.jsonl"))
    assert await titles(target, "owl") == [story.id]

    changed = dataclasses.replace(await source.get_story(story.id), title="Fox at dawn", content="The fox runs.")
    await source.save_story(changed)
    report = await import_backup(target, await _backup(source, tmp_path / "two.jsonl"))
    assert report.counts["story"].updated == 1
    assert await titles(target, "owl") == [] and await titles(target, "fox") == [story.id]


async def test_imported_search_rows_leave_the_index_when_the_story_changes_or_goes(services, tmp_path):
    """The import writes the search rows folded in Python; the update and delete triggers remove them with the
    text folded in SQL. Both must fold alike (ё in title, text and the child's name), or stale words stay."""
    source = services("source")
    child = await source.save_child(Child(name="Алёна", age_band="3-5", gender="female", interests=["ёлки"]))
    changed = await source.save_story(make_story("Ёжик и ёлка", "Ёжик нашёл ёлку. Всё.", child=child,
                                                 language="ru"))
    gone = await source.save_story(make_story("Звёздный котёнок", "Котёнок смотрит на звёзды.", language="ru"))
    target = services("target")
    await import_backup(target, await _backup(source, tmp_path / "one.jsonl"))
    assert await titles(target, "ежик") == [changed.id] and await titles(target, "алена") == [changed.id]
    assert await titles(target, "котенок") == [gone.id]

    def index_rows(word: str) -> list[int]:
        return [row[0] for row in target.store.db.connection().execute(
            "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?", (f'"{word}"*',))]

    story = await target.get_story(changed.id)
    await target.save_story(dataclasses.replace(story, title="Лиса", content="Лиса спит."))
    await target.store.db.run(lambda: target.store.db.connection().execute(
        "DELETE FROM stories WHERE id = ?", (gone.id,)))
    for word in ("ежик", "елка", "нашел", "котенок", "звезды", "ёжик", "ёлку", "нашёл", "котёнок", "звёзды"):
        assert await target.store.db.run(index_rows, word) == [], word
    assert await titles(target, "лиса") == [changed.id] and await titles(target, "алена") == [changed.id]


async def _backup(service: LibraryService, path: Path) -> Path:
    await write_backup(service, path)
    return path
