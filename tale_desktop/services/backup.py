"""The JSONL backup of the whole library: writing it, and merging one back in.

Format (version 1), one JSON document per line, UTF-8:

- line 1, the header: ``{"format": "tale-desktop-backup", "version": 1, "created_at": ..., "app_version": ...}``
- then one line per record: ``{"kind": "child" | "hero" | "story" | "narration" | "illustration", "record": {...}}``
  where the record is the domain record's ``to_dict()`` (profiles first, then stories, then narration and picture
  metadata; the picture files themselves stay in the data folder).

Import is an idempotent merge by id: a record whose id is new is added, one whose ``updated_at`` is newer than
ours replaces ours, anything else is left alone, so importing the same file twice changes nothing. Every line is
validated on its own; a bad line (not JSON, unknown kind, a rule broken, a duplicate id) is reported by its number
and skipped, and the rest is imported. A file that is not a backup at all, or comes from a newer format version,
is rejected before anything is written.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import queue
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, BinaryIO

from tale_desktop import __version__
from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.illustrations import Illustration
from tale_desktop.domain.models import Child, Hero, Narration, Record, Story, utc_now
from tale_desktop.services.export import ExportError, atomic_path
from tale_desktop.services.library import LibraryService
from tale_desktop.storage.errors import StorageError
from tale_desktop.storage.library import MergeCounts, record_to_row

log = logging.getLogger(__name__)

BACKUP_FORMAT = "tale-desktop-backup"
BACKUP_VERSION = 1
# kind in the file -> (table, record type); the order is the order of a backup file.
KINDS: dict[str, tuple[str, type[Record]]] = {
    "child": ("children", Child),
    "hero": ("heroes", Hero),
    "story": ("stories", Story),
    "narration": ("narrations", Narration),
    "illustration": ("illustrations", Illustration),
}
BATCH = 2000
FIRST_BATCH = 200  # the first batch of each kind is small, so the database starts writing sooner
MAX_REPORTED_LINES = 200


class BackupError(StorageError):
    """The file as a whole cannot be imported (nothing was changed)."""


@dataclass(slots=True)
class ImportReport:
    path: Path
    counts: dict[str, MergeCounts] = field(default_factory=lambda: {k: MergeCounts() for k in KINDS})
    bad_lines: list[tuple[int, str]] = field(default_factory=list)
    bad_count: int = 0
    lines: int = 0

    def bad(self, number: int, message: str) -> None:
        self.bad_count += 1
        if len(self.bad_lines) < MAX_REPORTED_LINES:
            self.bad_lines.append((number, message))

    @property
    def imported(self) -> int:
        return sum(c.added + c.updated for c in self.counts.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "lines": self.lines,
            "counts": {kind: {"added": c.added, "updated": c.updated, "unchanged": c.unchanged}
                       for kind, c in self.counts.items()},
            "bad_lines": [{"line": n, "error": m} for n, m in self.bad_lines],
            "bad_count": self.bad_count,
        }


# -- writing ----------------------------------------------------------------------------------------------------
async def write_backup(library: LibraryService, target: Path) -> dict[str, int]:
    """Stream every live record into ``target`` (atomically) from a database thread; returns counts by kind."""
    store = library.store

    def dump() -> dict[str, int]:
        counts: dict[str, int] = {}
        with atomic_path(target) as temp, open(temp, "w", encoding="utf-8", newline="\n") as out:
            header = {"format": BACKUP_FORMAT, "version": BACKUP_VERSION, "created_at": utc_now(),
                      "app_version": __version__}
            out.write(json.dumps(header) + "\n")
            for kind, (table, _type) in KINDS.items():
                def line(record: Record, kind: str = kind) -> None:
                    out.write(json.dumps({"kind": kind, "record": record.to_dict()}, ensure_ascii=False) + "\n")
                counts[kind] = store.each_record(table, line)
        return counts

    try:
        counts = await store.db.run(dump)
    except OSError as exc:
        raise ExportError(f"Cannot write {target} ({exc.strerror or exc}). Nothing was written.") from exc
    log.info("Wrote backup %s: %s", target, counts)
    return counts


# -- reading ----------------------------------------------------------------------------------------------------
# How this app writes a moment (utc_now): a stamp already in this form is kept as it is, once it parses.
_CANONICAL_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")


def _utc_stamp(value: Any, name: str, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ValidationError.single(name, f"{name} must be a date and time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError.single(name, f"{name} is not an ISO-8601 date and time ({value[:40]!r})") from None
    if _CANONICAL_STAMP.fullmatch(value):
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_record(line: str, source: bytes | None = None) -> tuple[str, Record]:
    """One backup line -> (kind, validated record); raises ValueError/ValidationError with a plain message.
    ``source`` is the line as read from the file (its UTF-8 bytes), when the caller has it."""
    try:
        doc = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("record"), dict):
        raise ValueError('expected {"kind": ..., "record": {...}}')
    kind = doc.get("kind")
    if kind not in KINDS:
        raise ValueError(f"unknown kind {str(kind)[:30]!r} (expected one of {', '.join(KINDS)})")
    data = dict(doc["record"])
    if not isinstance(data.get("id"), str):
        raise ValueError(f"the {kind} has no id")
    data["created_at"] = _utc_stamp(data.get("created_at"), "created_at")
    data["updated_at"] = _utc_stamp(data.get("updated_at"), "updated_at")
    data["deleted_at"] = _utc_stamp(data.get("deleted_at"), "deleted_at", required=False)
    record_type = KINDS[kind][1]
    try:
        record = record_type.from_outside(data, source=source)
        record.validate_outside()
        if isinstance(record, Story) and not isinstance(record.content, str):
            raise TypeError("content must be text")
    except ValidationError:
        raise
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"the {kind} has fields of the wrong type ({exc})") from None
    return kind, record


def _read_header(first: str, path: Path) -> None:
    not_backup = BackupError(f"{path} is not a Tale Desktop backup (its first line should be the backup header "
                             "written by 'tale-desktop export --all --format jsonl'). Nothing was imported.")
    try:
        header = json.loads(first)
    except json.JSONDecodeError:
        raise not_backup from None
    if not isinstance(header, dict) or header.get("format") != BACKUP_FORMAT:
        raise not_backup
    version = header.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise BackupError(f"{path} has a damaged header (no valid format version). Nothing was imported.")
    if version > BACKUP_VERSION:
        raise BackupError(f"{path} was written by a newer Tale Desktop (backup format {version}; this version "
                          f"reads up to {BACKUP_VERSION}). Update the application, then import it. "
                          "Nothing was imported.")


Batch = tuple[str, list[dict[str, Any]]]  # kind, database rows


def _open_backup(path: Path) -> BinaryIO:
    """The file, read as bytes: each line is decoded on its own, so one that is not UTF-8 is reported by its
    number and the lines after it are still read."""
    try:
        return open(path, "rb")  # noqa: SIM115 - the callers close it
    except FileNotFoundError:
        raise BackupError(f"There is no file {path}. Nothing was imported.") from None
    except IsADirectoryError:
        raise BackupError(f"{path} is a folder, not a backup file. Nothing was imported.") from None
    except OSError as exc:
        raise BackupError(f"Cannot read {path} ({exc.strerror or exc}). Nothing was imported.") from exc


def _check_header(handle: BinaryIO, path: Path) -> None:
    """Reject a file that is not a backup (or is from a newer format) before anything is written."""
    try:
        first = handle.readline().decode("utf-8")
    except UnicodeDecodeError:
        raise BackupError(f"{path} is not a text file, so not a Tale Desktop backup. "
                          "Nothing was imported.") from None
    _read_header(first, path)


def _parse_file(path: Path, report: ImportReport, put: Callable[[Batch], None]) -> None:
    """Read, validate and turn the lines after the header into database rows, handed to ``put`` in batches;
    bad lines go to ``report``."""
    batches: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    limits = dict.fromkeys(KINDS, FIRST_BATCH)
    seen: dict[tuple[str, str], int] = {}
    with _open_backup(path) as handle:
        _check_header(handle, path)
        number = 1
        for number, raw in enumerate(handle, start=2):  # noqa: B007 - number is read after the loop
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                report.bad(number, f"not UTF-8 text (byte {exc.start + 1} of the line)")
                continue
            if not line.strip():
                continue
            try:
                kind, record = parse_record(line, raw)
            except (ValueError, ValidationError) as exc:
                report.bad(number, getattr(exc, "user_message", None) or str(exc))
                continue
            key = (kind, record.id)
            if key in seen:
                report.bad(number, f"duplicate {kind} id {record.id} (first on line {seen[key]})")
                continue
            seen[key] = number
            batches[kind].append(record_to_row(KINDS[kind][0], record))
            if len(batches[kind]) >= limits[kind]:
                put((kind, batches[kind]))
                batches[kind], limits[kind] = [], BATCH
        report.lines = number
    for kind in KINDS:
        if batches[kind]:
            put((kind, batches[kind]))


# -- a big file is read in a process of its own ---------------------------------------------------------------------
# Parsing and validating is pure Python: in a thread it shares one interpreter lock with the database thread's
# row binding, and each waits for the other. A process of its own parses on the other core while this process
# writes (a process costs ~0.15 s to start, so small files stay in a thread).
PROCESS_MIN_BYTES = 4_000_000


def _parse_in_process(path: Path, sender: Connection) -> None:
    """The reading process: batches, then the report (or the error) through ``sender``."""
    report = ImportReport(path=path)
    try:
        _parse_file(path, report, lambda batch: sender.send(("rows", batch)))
        sender.send(("end", report))
    except BaseException as exc:  # noqa: BLE001 - handed to the importing process
        sender.send(("error", exc if isinstance(exc, StorageError) else
                     BackupError(f"Reading {path} failed ({type(exc).__name__}: {exc}).")))
        raise
    finally:
        sender.close()


def _parse_elsewhere(path: Path, report: ImportReport, put: Callable[[Batch], None]) -> None:
    """:func:`_parse_file` run in a spawned process; its batches handed to ``put`` here."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    reader = context.Process(target=_parse_in_process, args=(path, sender), name="tale-import-parse",
                             daemon=True)
    reader.start()
    sender.close()  # ours: so the reader's end of the pipe is the only one, and its exit is seen as EOF
    try:
        while True:
            try:
                what, payload = receiver.recv()
            except EOFError:
                raise BackupError(f"Reading {path} stopped unexpectedly (the reading process ended with code "
                                  f"{reader.exitcode}); what was read before was imported.") from None
            if what == "rows":
                put(payload)
            elif what == "end":
                report.bad_lines, report.bad_count, report.lines = (payload.bad_lines, payload.bad_count,
                                                                   payload.lines)
                return
            else:
                raise payload
    finally:
        receiver.close()
        reader.join(timeout=5)
        if reader.is_alive():  # we stopped early (a database error): the rest of the file is not wanted
            reader.terminate()
            reader.join()


def _import_blocking(library: LibraryService, path: Path) -> ImportReport:
    """Merge batches as the parser produces them (this runs in a database thread)."""
    with _open_backup(path) as handle:
        _check_header(handle, path)
    report = ImportReport(path=path)
    batches: queue.Queue[Batch | None] = queue.Queue(maxsize=4)
    failure: list[BaseException] = []
    parse_file = _parse_elsewhere if path.stat().st_size >= PROCESS_MIN_BYTES else _parse_file
    stop = threading.Event()

    def put(batch: Batch | None) -> None:
        while not stop.is_set():
            with contextlib.suppress(queue.Full):
                batches.put(batch, timeout=0.1)
                return
        raise _Stopped

    def parse() -> None:
        try:
            parse_file(path, report, put)
        except _Stopped:
            return
        except BaseException as exc:  # noqa: BLE001 - handed to the merging thread
            failure.append(exc)
        with contextlib.suppress(_Stopped):
            put(None)

    parser = threading.Thread(target=parse, name="tale-import-parse", daemon=True)
    parser.start()
    conn = library.store.db.connection()
    # A big import rewrites the same index pages many times: checkpoint the WAL once at the end, not every 1000
    # pages, and give this connection a larger page cache meanwhile.
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("PRAGMA cache_size = -65536")
    try:
        while (item := batches.get()) is not None:
            kind, rows = item
            report.counts[kind] += library.store.merge_rows(KINDS[kind][0], rows, bulk=True)
    finally:
        stop.set()  # a database error stopped us: the parser stops at its next batch
        parser.join()
        conn.execute("PRAGMA cache_size = -2000")
        conn.execute("PRAGMA wal_autocheckpoint = 1000")
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    if failure:
        raise failure[0]
    return report


class _Stopped(Exception):
    """The merging side stopped: the parser gives up."""


async def import_backup(library: LibraryService, path: str | os.PathLike[str]) -> ImportReport:
    """Merge a backup file into the library (in a database thread); listeners hear what changed."""
    report = await library.store.db.run(_import_blocking, library, Path(path))
    for kind, (table, _type) in KINDS.items():
        counts = report.counts[kind]
        if counts.added or counts.updated:
            library.notify(table, [])
    log.info("Imported %s: %d records, %d bad lines", path, report.imported, report.bad_count)
    return report
