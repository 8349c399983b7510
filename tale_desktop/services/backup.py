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
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from tale_desktop import __version__
from tale_desktop.domain.models import Record, utc_now
from tale_desktop.services.backup_reading import (  # noqa: F401 - the names callers import from here
    BACKUP_FORMAT,
    BACKUP_VERSION,
    BATCH,
    END,
    FIRST_BATCH,
    KINDS,
    ROWS,
    BackupError,
    Batch,
    ImportReport,
    check_header,
    open_backup,
    parse_file,
    parse_record,
    read_message,
)
from tale_desktop.services.export import ExportError, atomic_path
from tale_desktop.services.library import LibraryService

log = logging.getLogger(__name__)

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


# -- a big file is read in a process of its own ---------------------------------------------------------------------
# Parsing and validating is pure Python: in a thread it shares one interpreter lock with the database thread's
# row binding, and each waits for the other. A process of its own parses on the other core while this process
# writes (a process costs ~0.1 s to start, so small files stay in a thread). It is a plain child interpreter
# running services.backup_reading, not multiprocessing's spawn, which also starts a resource tracker process and
# imports this whole module (and asyncio) in the child before the first line is read.
PROCESS_MIN_BYTES = 4_000_000
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
# The child imports the same copy of the package as this process, and nothing outside the standard library: it
# starts without the site module (-S: no .pth files run, ~50 ms sooner), with the package's folder first on the
# path, or last when that folder is site-packages (which must not go before the standard library).
_READER = """
import os, sys
root = sys.argv.pop(1)
if os.path.basename(os.path.normpath(root)) in ("site-packages", "dist-packages"):
    sys.path.append(root)
else:
    sys.path.insert(0, root)
from tale_desktop.services.backup_reading import main
sys.exit(main())
"""


PIPE_BYTES = 1 << 20  # the largest pipe an unprivileged process may ask for on Linux (fs.pipe-max-size)


def _widen_pipe(fd: int) -> None:
    """Let the reading process's pipe hold 1 MB instead of 64 KB (Linux): the ~40 MB of rows of a 20,000-story
    backup then cross it in a sixteenth of the wake-ups of both processes. Best effort."""
    try:
        import fcntl
    except ImportError:  # Windows: pipes keep their size
        return
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if set_size is None:
        return
    try:
        fcntl.fcntl(fd, set_size, PIPE_BYTES)
    except OSError as exc:  # a lower fs.pipe-max-size: the default size works too
        log.debug("The import pipe keeps its default size: %s", exc)


def _parse_elsewhere(path: Path, report: ImportReport, put: Callable[[Batch | bytes], None]) -> None:
    """:func:`parse_file` run in a child process; its batches handed to ``put`` here, still pickled."""
    reader = subprocess.Popen([sys.executable, "-S", "-c", _READER, _PACKAGE_ROOT, str(path)],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, bufsize=1 << 20)
    assert reader.stdout is not None
    _widen_pipe(reader.stdout.fileno())
    finished = False
    try:
        while (message := read_message(reader.stdout)) is not None:
            what, data = message
            if what == ROWS:
                put(data)
                continue
            finished = True
            payload = pickle.loads(data)
            if what == END:
                report.bad_lines, report.bad_count, report.lines = (payload.bad_lines, payload.bad_count,
                                                                   payload.lines)
                return
            raise payload
        raise BackupError(f"Reading {path} stopped unexpectedly (the reading process ended with code "
                          f"{reader.wait()}); what was read before was imported.")
    finally:
        reader.stdout.close()
        if not finished:  # we stopped early (a database error): the rest of the file is not wanted
            reader.kill()
        reader.wait()


def _import_blocking(library: LibraryService, path: Path) -> ImportReport:
    """Merge batches as the parser produces them (this runs in a database thread)."""
    with open_backup(path) as handle:
        check_header(handle, path)
    report = ImportReport(path=path)
    batches: queue.Queue[Batch | bytes | None] = queue.Queue(maxsize=4)
    failure: list[BaseException] = []
    read = _parse_elsewhere if path.stat().st_size >= PROCESS_MIN_BYTES else parse_file
    stop = threading.Event()

    def put(batch: Batch | bytes | None) -> None:
        while not stop.is_set():
            with contextlib.suppress(queue.Full):
                batches.put(batch, timeout=0.1)
                return
        raise _Stopped

    aside: list[threading.Thread] = []

    def parse() -> None:
        try:
            read(path, report, put)
        except _Stopped:
            return
        except BaseException as exc:  # noqa: BLE001 - handed to the merging thread
            failure.append(exc)
        else:
            # The reading is done and a core is free while the last batches are merged: copy what is committed
            # so far into the database file now, so the checkpoint at the end has only the rest to copy.
            aside.append(threading.Thread(target=library.store.db.checkpoint_aside, name="tale-import-checkpoint",
                                          daemon=True))
            aside[0].start()
        with contextlib.suppress(_Stopped):
            put(None)

    parser = threading.Thread(target=parse, name="tale-import-parse", daemon=True)
    parser.start()
    conn = library.store.db.connection()
    # A big import rewrites the same index pages many times: checkpoint the WAL at the end (and once aside when the
    # reading is done), not every 1000 pages, and give this connection a larger page cache meanwhile.
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("PRAGMA cache_size = -65536")
    try:
        while (item := batches.get()) is not None:
            kind, rows = pickle.loads(item) if isinstance(item, bytes) else item
            report.counts[kind] += library.store.merge_rows(KINDS[kind][0], rows, bulk=True)
    finally:
        stop.set()  # a database error stopped us: the parser stops at its next batch
        parser.join()
        for thread in aside:
            thread.join()
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
