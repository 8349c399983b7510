"""The local SQLite file: connections, migrations and running work off the event-loop thread.

Every call goes through :meth:`Database.run` (async, from the event loop) or :meth:`Database.call` (blocking, for
worker threads). Each worker thread keeps its own connection; WAL lets readers proceed while one writer writes,
and writers use ``BEGIN IMMEDIATE`` with a busy timeout so concurrent tasks queue instead of failing.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from tale_desktop.domain.messages import msg
from tale_desktop.storage.errors import (
    DatabaseCorrupt,
    DatabaseReadOnly,
    DatabaseTooNew,
    DataDirUnwritable,
    StorageError,
)
from tale_desktop.storage.migrations import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)
T = TypeVar("T")
DB_FILENAME = "library.sqlite3"
BUSY_TIMEOUT_MS = 15_000
QUICK_CHECK_MAX_BYTES = 64 * 1024 * 1024
# A new library file is made with 16 KiB pages: a story row (2-10 KB of text) fits several to a page instead of
# one (or one and an overflow page), and a big import or a checkpoint writes a quarter of the pages (each page is
# its own write call): a 20,000-story import spent a fifth of its database time in those calls with 4 KiB pages.
# An existing file keeps the page size it was made with (WAL mode fixes it).
PAGE_SIZE = 16384


def translate_sqlite_error(exc: sqlite3.Error, path: Path) -> StorageError:
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text:
        return DatabaseReadOnly(
            f"The library file {path} is read-only, so nothing can be saved. "
            "Check its permissions (or the data folder's) and try again."
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return DatabaseCorrupt(
            f"The library file {path} is damaged and cannot be opened. It was left untouched: "
            "restore it from a backup, or move it aside to start a new library."
        )
    if "unable to open" in text or "disk i/o" in text:
        return DataDirUnwritable(
            f"The library file {path} cannot be opened or written ({exc}). "
            "Check that the data folder exists and is writable, and that the disk is not full."
        )
    if "database or disk is full" in text:
        return DataDirUnwritable("The disk is full: free some space, then try again. Nothing was lost.")
    return StorageError(f"The library could not complete the operation ({exc}).")


class Database:
    def __init__(self, data_dir: Path, *, workers: int = 3):
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DB_FILENAME
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tale-db")
        self._closed = False

    # -- opening ---------------------------------------------------------------------------------------------
    def open(self) -> None:
        """Create the folder and file if needed, check the file, and migrate it (blocking)."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataDirUnwritable(
                f"The data folder {self.data_dir} cannot be created ({exc.strerror or exc}). "
                "Set TALE_DATA_DIR to a writable folder."
            ) from exc
        try:
            self._executor.submit(self._open_in_thread).result()
        except sqlite3.Error as exc:
            raise translate_sqlite_error(exc, self.path) from exc

    def _open_in_thread(self) -> None:
        conn = self.connection()
        size = self.path.stat().st_size if self.path.exists() else 0
        if size <= QUICK_CHECK_MAX_BYTES:
            row = conn.execute("PRAGMA quick_check").fetchone()
            if row is None or row[0] != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed: {row[0] if row else '?'}")
        else:
            # quick_check reads every page (~0.7 ms per MB here): on a big library it alone would take the
            # whole open budget. Check the header and schema now; a damaged page further in is reported as
            # DatabaseCorrupt by the first query that reads it.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        self._migrate(conn)

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise DatabaseTooNew(
                f"The library at {self.path} was written by a newer Tale Desktop (schema {version}, this "
                f"version knows {SCHEMA_VERSION}). Update the application to open it."
            )
        for number in range(version, SCHEMA_VERSION):
            log.info("Migrating library schema %d -> %d", number, number + 1)
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _split_script(MIGRATIONS[number]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number + 1}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    # -- connections -----------------------------------------------------------------------------------------
    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise StorageError(msg("library.closed"))
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # only takes effect on a new, empty file
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                log.warning("SQLite journal mode is %s, not WAL", mode)
            conn.execute("PRAGMA synchronous = NORMAL")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``) on this thread's connection."""
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    def checkpoint_aside(self) -> None:
        """A passive WAL checkpoint on a short-lived connection of its own (blocking, any thread): what is
        committed is copied into the database file while this process's writer goes on. Best effort: a failure
        only leaves the work to the next checkpoint."""
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                conn.close()
        except sqlite3.Error as exc:
            log.debug("A checkpoint aside did not run: %s", exc)

    # -- running work ----------------------------------------------------------------------------------------
    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the calling (worker) thread, translating SQLite errors."""
        try:
            return fn(*args)
        except sqlite3.Error as exc:
            raise translate_sqlite_error(exc, self.path) from exc

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in a database worker thread and await the result."""
        if self._closed:
            raise StorageError(msg("library.closed"))
        # Imported here: a backup's reading process imports this module (record rows) and has no event loop.
        import asyncio

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.call, fn, *args)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._connections.clear()


def _split_script(script: str) -> list[str]:
    """Split a migration into statements (``sqlite3.complete_statement`` keeps trigger bodies whole)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
