"""JSONL backup: round trip, idempotent merge, newest wins, bad lines reported by number, whole-file rejects."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tale_desktop.domain.models import Child, Hero
from tale_desktop.domain.query import StoryQuery
from tale_desktop.services import backup
from tale_desktop.services.backup import BACKUP_FORMAT, BackupError, import_backup, write_backup
from tale_desktop.services.library import LibraryService
from tale_desktop.storage.errors import StorageError
from tale_desktop.storage.library import Library
from tests.library_helpers import make_narration, make_story


@pytest.fixture(autouse=True, params=["thread", "process"])
def reading(request, monkeypatch) -> str:
    """Every test twice: the file read in a thread (small files) and in a process of its own (big ones)."""
    monkeypatch.setattr(backup, "PROCESS_MIN_BYTES", 0 if request.param == "process" else 1 << 40)
    return request.param


@pytest.fixture
def open_service(tmp_path: Path):
    opened = []

    def make(name: str) -> LibraryService:
        library = Library.open(tmp_path / name)
        opened.append(library)
        return LibraryService(library)

    yield make
    for library in opened:
        library.close()


async def fill(service: LibraryService) -> dict[str, str]:
    child = await service.save_child(Child(name="Tom", age_band="5-7", gender="male", interests=["space"]))
    hero = await service.save_hero(Hero(name="Orbi", gender="other", appearance="copper robot",
                                        personality_traits=["patient"], strengths=["drawing"]))
    story = await service.save_story(make_story("Comet Map", "Orbi drew comets.", child=child, rating=8))
    sequel = await service.save_story(make_story("Comet Map II", "More comets.", parent_id=story.id))
    gone = await service.save_story(make_story("Gone", "deleted"))
    await service.delete_stories([gone.id], final=True)
    narration = await service.store.save_narration(make_narration(story.id))
    return {"child": child.id, "hero": hero.id, "story": story.id, "sequel": sequel.id, "gone": gone.id,
            "narration": narration.id}


def header(version: int = 1) -> str:
    return json.dumps({"format": BACKUP_FORMAT, "version": version})


async def test_round_trip_into_a_fresh_library_is_idempotent(open_service, tmp_path):
    source = open_service("a")
    ids = await fill(source)
    counts = await write_backup(source, tmp_path / "backup.jsonl")
    assert counts == {"child": 1, "hero": 1, "story": 2, "narration": 1, "illustration": 0}  # deleted story: out
    lines = (tmp_path / "backup.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["format"] == BACKUP_FORMAT and len(lines) == 6

    target = open_service("b")
    report = await import_backup(target, tmp_path / "backup.jsonl")
    assert report.bad_count == 0 and report.imported == 5
    story = await target.get_story(ids["story"])
    assert story.rating == 8 and story.child_name == "Tom"
    assert (await target.get_child(ids["child"])).name == "Tom"
    assert (await target.details(ids["story"])).next["id"] == ids["sequel"]
    assert [n.id for n in await target.store.narrations_for(ids["story"])] == [ids["narration"]]
    rows = await target.list_stories(StoryQuery(search="comets"))
    assert {r["id"] for r in rows} == {ids["story"], ids["sequel"]}

    again = await import_backup(target, tmp_path / "backup.jsonl")
    assert again.imported == 0 and again.counts["story"].unchanged == 2


async def test_newest_updated_at_wins_both_ways(open_service, tmp_path):
    source = open_service("a")
    ids = await fill(source)
    await write_backup(source, tmp_path / "old.jsonl")
    await source.rate(ids["story"], 3)  # the library moves on after the backup
    report = await import_backup(source, tmp_path / "old.jsonl")
    assert report.counts["story"].updated == 0
    assert (await source.get_story(ids["story"])).rating == 3

    await write_backup(source, tmp_path / "new.jsonl")
    other = open_service("b")
    await import_backup(other, tmp_path / "old.jsonl")
    assert (await other.get_story(ids["story"])).rating == 8
    report = await import_backup(other, tmp_path / "new.jsonl")
    assert report.counts["story"].updated == 1
    assert (await other.get_story(ids["story"])).rating == 3


async def test_bad_lines_are_reported_by_number_and_the_rest_imported(open_service, tmp_path):
    good = make_story("Good one", "fine")
    also_good = make_story("Another", "fine too")
    bad_rating = make_story("Bad", "x").to_dict() | {"rating": 11}
    lines = [
        header(),
        json.dumps({"kind": "story", "record": good.to_dict()}),
        "this is not json",
        json.dumps({"kind": "spaceship", "record": {"id": "x"}}),
        json.dumps({"kind": "story", "record": bad_rating}),
        "",
        json.dumps({"kind": "story", "record": good.to_dict()}),  # duplicate id
        json.dumps({"kind": "story", "record": {**also_good.to_dict(), "updated_at": "yesterday"}}),
        json.dumps({"kind": "story", "record": {**also_good.to_dict(), "content": 42}}),
        json.dumps([1, 2]),
        json.dumps({"kind": "story", "record": also_good.to_dict()}),
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    service = open_service("a")
    report = await import_backup(service, path)
    bad = dict(report.bad_lines)
    assert sorted(bad) == [3, 4, 5, 7, 8, 9, 10]
    assert "not valid JSON" in bad[3]
    assert "unknown kind" in bad[4]
    assert "Rating must be a whole number" in bad[5]
    assert "duplicate story id" in bad[7] and "line 2" in bad[7]
    assert "updated_at" in bad[8]
    assert "wrong type" in bad[9]
    assert report.counts["story"].added == 2
    assert {r["title"] for r in await service.list_stories()} == {"Good one", "Another"}


@pytest.mark.parametrize("content, message", [
    ("id,title\n1,Dragon\n", "not a Tale Desktop backup"),
    ("", "not a Tale Desktop backup"),
    (json.dumps({"format": "something-else", "version": 1}) + "\n", "not a Tale Desktop backup"),
    (header(2) + "\n", "newer Tale Desktop"),
    (json.dumps({"format": BACKUP_FORMAT, "version": "1"}) + "\n", "damaged header"),
])
async def test_whole_file_rejects_change_nothing(open_service, tmp_path, content, message):
    service = open_service("a")
    ids = await fill(service)
    path = tmp_path / "file.jsonl"
    path.write_text(content + json.dumps({"kind": "story", "record": make_story("Intruder").to_dict()}) + "\n")
    with pytest.raises(BackupError, match=message):
        await import_backup(service, path)
    assert {r["id"] for r in await service.list_stories()} == {ids["story"], ids["sequel"]}


async def test_binary_and_missing_files(open_service, tmp_path):
    service = open_service("a")
    (tmp_path / "bin.jsonl").write_bytes(b"\xff\xfe\x00garbage\x89PNG")
    with pytest.raises(BackupError):
        await import_backup(service, tmp_path / "bin.jsonl")
    with pytest.raises(BackupError, match="There is no file"):
        await import_backup(service, tmp_path / "missing.jsonl")
    with pytest.raises(BackupError, match="is a folder"):
        await import_backup(service, tmp_path)


async def test_timestamps_are_normalised_to_utc(open_service, tmp_path):
    story = make_story("Zoned").to_dict() | {"created_at": "2026-03-01T12:00:00+03:00",
                                             "updated_at": "2026-03-01T12:00:00"}
    path = tmp_path / "z.jsonl"
    path.write_text(header() + "\n" + json.dumps({"kind": "story", "record": story}) + "\n")
    service = open_service("a")
    await import_backup(service, path)
    saved = await service.get_story(story["id"])
    assert saved.created_at == "2026-03-01T09:00:00.000Z" and saved.updated_at == "2026-03-01T12:00:00.000Z"


async def test_a_line_that_is_not_utf8_is_reported_and_the_lines_after_it_imported(open_service, tmp_path):
    stories = [json.dumps({"kind": "story", "record": make_story(f"Story {n}").to_dict()}).encode()
               for n in range(3)]
    path = tmp_path / "torn.jsonl"
    path.write_bytes(b"\n".join([header().encode(), stories[0], b'{"kind": "story", "\xff\xfe"}', *stories[1:]]))
    service = open_service("a")
    report = await import_backup(service, path)
    assert report.counts["story"].added == 3 and report.lines == 5
    assert report.bad_lines == [(3, "not UTF-8 text (byte 20 of the line)")]


async def test_a_database_failure_stops_the_reading_and_keeps_what_was_written(open_service, tmp_path,
                                                                               monkeypatch, reading):
    """Several batches (the first one is small); the second merge fails: the error reaches the caller, the first
    batch stays, and no reading process is left behind."""
    count = backup.FIRST_BATCH + 50
    path = tmp_path / "big.jsonl"
    lines = [header()] + [json.dumps({"kind": "story", "record": make_story(f"S{n}").to_dict()})
                          for n in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    service = open_service("a")
    merge = service.store.merge_rows
    calls = []

    def failing(table, rows, **kwargs):
        calls.append(len(rows))
        if len(calls) == 2:
            raise StorageError("The disk is full.")
        return merge(table, rows, **kwargs)

    monkeypatch.setattr(service.store, "merge_rows", failing)
    readers: list[subprocess.Popen] = []
    popen = subprocess.Popen

    class Recorded(popen):  # the reading processes started, to see that none is left running
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            readers.append(self)

    monkeypatch.setattr(subprocess, "Popen", Recorded)
    with pytest.raises(StorageError, match="disk is full"):
        await import_backup(service, path)
    assert calls == [backup.FIRST_BATCH, 50]
    assert len(await service.list_stories(limit=1000)) == backup.FIRST_BATCH
    assert len(readers) == (1 if reading == "process" else 0)
    assert all(reader.returncode is not None for reader in readers)


async def test_a_reading_process_that_dies_is_reported(open_service, tmp_path, monkeypatch, reading):
    """The reading process ends without a word (killed, out of memory): the import says so, with its exit code,
    instead of waiting or passing for a success."""
    if reading != "process":
        pytest.skip("only a big file is read in a process of its own")
    path = tmp_path / "backup.jsonl"
    path.write_text(header() + "\n" + json.dumps({"kind": "story", "record": make_story("S").to_dict()}) + "\n",
                    encoding="utf-8")
    monkeypatch.setattr(backup, "_READER", "import sys; sys.exit(3)")
    with pytest.raises(BackupError, match="stopped unexpectedly.*code 3"):
        await import_backup(open_service("a"), path)


async def test_the_reading_process_reads_from_a_lean_start(tmp_path):
    """The reading process imports what reading needs, not the event loop or the services around it (it is
    started for a big file, and everything it imports is time before the first row is written)."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import tale_desktop.services.backup_reading; "
            "print(sorted(m for m in sys.modules if m in ('asyncio', 'multiprocessing', 'httpx', "
            "'tale_desktop.services.backup', 'tale_desktop.services.export', 'tale_desktop.services.library')))")
    loaded = subprocess.run([sys.executable, "-c", code, backup._PACKAGE_ROOT], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


def test_what_the_reading_process_prints_cannot_break_its_messages(tmp_path):
    """A print in the reading process (a library's warning, say) goes to standard error, not into the batches."""
    from tale_desktop.services import backup_reading

    path = tmp_path / "backup.jsonl"
    path.write_text(header() + "\n" + json.dumps({"kind": "story", "record": make_story("S").to_dict()}) + "\n",
                    encoding="utf-8")
    code = ("import sys; sys.path.insert(0, sys.argv.pop(1)); import tale_desktop.services.backup_reading as r; "
            "read = r.parse_file; r.parse_file = lambda *a: (print('noise'), read(*a)); sys.exit(r.main())")
    done = subprocess.run([sys.executable, "-c", code, backup._PACKAGE_ROOT, str(path)], capture_output=True,
                          check=True)
    assert b"noise" in done.stderr and b"noise" not in done.stdout
    stream = io.BytesIO(done.stdout)
    kinds = [message[0] for message in iter(lambda: backup_reading.read_message(stream), None)]
    assert kinds == [backup_reading.ROWS, backup_reading.END]


async def test_an_installed_copy_is_read_with_the_standard_library_first(open_service, tmp_path, monkeypatch,
                                                                         reading):
    """Installed, the package's folder is site-packages: the reading process (started without the site module)
    finds the package there, after the standard library, and imports a big file from it."""
    if reading != "process":
        pytest.skip("only a big file is read in a process of its own")
    installed = tmp_path / "lib" / "site-packages"
    installed.mkdir(parents=True)
    (installed / "tale_desktop").symlink_to(Path(backup.__file__).resolve().parents[1], target_is_directory=True)
    (installed / "json.py").write_text("raise SystemExit('site-packages went before the standard library')\n",
                                       encoding="utf-8")
    monkeypatch.setattr(backup, "_PACKAGE_ROOT", str(installed))
    path = tmp_path / "backup.jsonl"
    path.write_text(header() + "\n" + json.dumps({"kind": "story", "record": make_story("S").to_dict()}) + "\n",
                    encoding="utf-8")
    service = open_service("a")
    report = await import_backup(service, path)
    assert report.counts["story"].added == 1


def test_the_reading_pipe_is_widened_where_the_system_allows():
    fcntl = pytest.importorskip("fcntl")
    if not hasattr(fcntl, "F_GETPIPE_SZ"):
        pytest.skip("pipe sizes are Linux's")
    read_end, write_end = os.pipe()
    try:
        backup._widen_pipe(read_end)
        assert fcntl.fcntl(read_end, fcntl.F_GETPIPE_SZ) == backup.PIPE_BYTES
    finally:
        os.close(read_end)
        os.close(write_end)
