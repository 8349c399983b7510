"""Reading a backup file (the format is described in :mod:`tale_desktop.services.backup`): every line parsed and
validated into database rows, in batches. A big file is read by this module run as a process of its own
(:func:`main`), which imports only what reading needs, so it starts at once."""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import re
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.illustrations import Illustration
from tale_desktop.domain.models import Child, Hero, Narration, Record, Story
from tale_desktop.storage.errors import StorageError
from tale_desktop.storage.library import MergeCounts, record_to_row

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


def read_header(first: str, path: Path) -> None:
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


def open_backup(path: Path) -> BinaryIO:
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


def check_header(handle: BinaryIO, path: Path) -> None:
    """Reject a file that is not a backup (or is from a newer format) before anything is written."""
    try:
        first = handle.readline().decode("utf-8")
    except UnicodeDecodeError:
        raise BackupError(f"{path} is not a text file, so not a Tale Desktop backup. "
                          "Nothing was imported.") from None
    read_header(first, path)


def parse_file(path: Path, report: ImportReport, put: Callable[[Batch], None]) -> None:
    """Read, validate and turn the lines after the header into database rows, handed to ``put`` in batches;
    bad lines go to ``report``."""
    batches: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    limits = dict.fromkeys(KINDS, FIRST_BATCH)
    seen: dict[tuple[str, str], int] = {}
    with open_backup(path) as handle:
        check_header(handle, path)
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


# -- the reading process ----------------------------------------------------------------------------------------
# A message to the importing process: what (ROWS, END or ERROR) and the length of the pickle that follows. The
# importing process keeps a batch's bytes as they are until its database thread is ready for them: unpickling
# them in its pipe-reading thread would take the interpreter lock from the database thread row after row.
FRAME = struct.Struct("<4sQ")
ROWS, END, ERROR = b"rows", b"end.", b"err."


def read_to(path: Path, out: BinaryIO) -> int:
    """Read ``path`` and write what the importing process needs to ``out``: a ROWS message per batch, then END
    with the report, or ERROR with the exception. Returns the exit code."""
    def send(what: bytes, payload: Any) -> None:
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(FRAME.pack(what, len(data)))
        out.write(data)
        out.flush()

    report = ImportReport(path=path)
    try:
        parse_file(path, report, lambda batch: send(ROWS, batch))
        send(END, report)
    except BrokenPipeError:  # the importing process stopped early (a database error): nothing more is wanted
        return 1
    except BaseException as exc:  # noqa: BLE001 - handed to the importing process
        send(ERROR, exc if isinstance(exc, StorageError) else
             BackupError(f"Reading {path} failed ({type(exc).__name__}: {exc})."))
        return 1
    return 0


def read_message(stream: BinaryIO) -> tuple[bytes, bytes] | None:
    """The next (what, pickled payload) written by :func:`read_to`, or ``None`` if the stream ended first."""
    head = stream.read(FRAME.size)
    if len(head) < FRAME.size:
        return None
    what, size = FRAME.unpack(head)
    data = stream.read(size)
    return (what, data) if len(data) == size else None


def main() -> int:
    """``python -c "...; main()" FILE``: started by the import for a big file (services.backup). The messages go
    to what was standard output; anything printed meanwhile goes to standard error, so it cannot break them."""
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        return read_to(Path(sys.argv[1]), channel)
    finally:
        with contextlib.suppress(BrokenPipeError):  # the importing process stopped reading
            channel.close()
