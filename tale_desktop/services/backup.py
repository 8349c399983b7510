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

import json
import logging
import os
import queue
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
def _utc_stamp(value: Any, name: str, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ValidationError.single(name, f"{name} must be a date and time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError.single(name, f"{name} is not an ISO-8601 date and time ({value[:40]!r})") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_record(line: str) -> tuple[str, Record]:
    """One backup line -> (kind, validated record); raises ValueError/ValidationError with a plain message."""
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
        record = record_type.from_outside(data)
        record.validate()
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


def _parse_file(path: Path, report: ImportReport, out: queue.Queue[Batch | None]) -> None:
    """Read, validate and turn the lines into database rows in batches (runs in its own thread, so this work
    overlaps the database writes)."""
    batches: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    seen: dict[tuple[str, str], int] = {}
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed below, errors mapped to BackupError
    except FileNotFoundError:
        raise BackupError(f"There is no file {path}. Nothing was imported.") from None
    except IsADirectoryError:
        raise BackupError(f"{path} is a folder, not a backup file. Nothing was imported.") from None
    except OSError as exc:
        raise BackupError(f"Cannot read {path} ({exc.strerror or exc}). Nothing was imported.") from exc
    with handle:
        number = 1
        try:
            _read_header(handle.readline(), path)
            for number, line in enumerate(handle, start=2):  # noqa: B007 - number is read after the loop
                if not line.strip():
                    continue
                try:
                    kind, record = parse_record(line)
                except (ValueError, ValidationError) as exc:
                    report.bad(number, getattr(exc, "user_message", None) or str(exc))
                    continue
                key = (kind, record.id)
                if key in seen:
                    report.bad(number, f"duplicate {kind} id {record.id} (first on line {seen[key]})")
                    continue
                seen[key] = number
                batches[kind].append(record_to_row(KINDS[kind][0], record))
                if len(batches[kind]) >= BATCH:
                    out.put((kind, batches[kind]))
                    batches[kind] = []
        except UnicodeDecodeError:
            if number <= 1:
                raise BackupError(f"{path} is not a text file, so not a Tale Desktop backup. "
                                  "Nothing was imported.") from None
            report.bad(number + 1, "the rest of the file is not UTF-8 text")
        report.lines = number
    for kind in KINDS:
        if batches[kind]:
            out.put((kind, batches[kind]))


def _import_blocking(library: LibraryService, path: Path) -> ImportReport:
    """Merge batches as the parser thread produces them (this runs in a database thread)."""
    report = ImportReport(path=path)
    batches: queue.Queue[Batch | None] = queue.Queue(maxsize=4)
    failure: list[BaseException] = []

    def parse() -> None:
        try:
            _parse_file(path, report, batches)
        except BaseException as exc:  # noqa: BLE001 - handed to the merging thread
            failure.append(exc)
        finally:
            batches.put(None)

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
        if parser.is_alive():  # a database error stopped us: let the parser finish into the void
            while batches.get() is not None:
                pass
        parser.join()
        conn.execute("PRAGMA cache_size = -2000")
        conn.execute("PRAGMA wal_autocheckpoint = 1000")
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    if failure:
        raise failure[0]
    return report


async def import_backup(library: LibraryService, path: str | os.PathLike[str]) -> ImportReport:
    """Merge a backup file into the library (in a database thread); listeners hear what changed."""
    report = await library.store.db.run(_import_blocking, library, Path(path))
    for kind, (table, _type) in KINDS.items():
        counts = report.counts[kind]
        if counts.added or counts.updated:
            library.notify(table, [])
    log.info("Imported %s: %d records, %d bad lines", path, report.imported, report.bad_count)
    return report
