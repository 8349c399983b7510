"""Two-way, offline-first sync of the library with the parent's Supabase project.

One run (``SyncService.sync``):
1. make sure of the account (stored session, refreshed; or the stored / environment email and password). A
   different account than last time re-queues every local row and restarts the pull cursors;
2. pull, per table, the rows whose server ``revision`` is above our cursor, in pages; each page is validated
   (invalid rows are skipped and reported, the run goes on) and applied last-writer-wins together with the new
   cursor in one local transaction;
3. push the outbox (rows changed locally since they were last pushed) in upserts of at most 500 rows and ~4 MB,
   acknowledging each batch only after the server took it. Narration audio is uploaded first, once, to
   ``tales/{user_id}/{story_id}/{sha256}.{format}`` with its content type.

Conflict rule (same on the server, see storage/sync_state.py): newer ``updated_at`` wins; on a tie a tombstone
wins, otherwise the server's copy. Deletions travel as tombstones (``deleted_at``), never as row deletions.
Network failures stop the run with a clear message; nothing already applied is lost and the next run resumes.

Background: ``start_background`` syncs on start, a few seconds after local changes, and every few minutes, all
through the task manager (so progress shows in the tasks panel and nothing blocks the window).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from tale_desktop.domain.messages import message_of, msg
from tale_desktop.domain.models import Narration, Record, utc_now
from tale_desktop.providers.errors import BadResponse, NotConfigured, ProviderError, Unavailable
from tale_desktop.providers.supabase import Account, NotSignedIn, PayloadTooLarge, SupabaseProvider
from tale_desktop.services.library import LibraryService
from tale_desktop.services.tasks import TaskHandle, TaskManager
from tale_desktop.settings import Settings
from tale_desktop.storage.audio_cache import AudioCache, file_sha256
from tale_desktop.storage.sync_state import (
    TABLES,
    OutboxEntry,
    Skipped,
    SyncStore,
    record_to_remote,
    remote_to_record,
)

log = logging.getLogger(__name__)

PUSH_BATCH_ROWS = 500
PUSH_BATCH_BYTES = 4 * 1024 * 1024
PULL_PAGE_ROWS = 1000
PUSH_ATTEMPTS = 3
CHANGE_DEBOUNCE_S = 3.0
PERIODIC_S = 300.0
AUDIO_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav", "ogg": "audio/ogg", "opus": "audio/ogg",
               "flac": "audio/flac", "m4a": "audio/mp4", "aac": "audio/aac"}
META_USER = "sync.user_id"
META_LAST_SYNC = "sync.last_sync_at"
META_LAST_RESULT = "sync.last_result"


def cursor_key(table: str) -> str:
    return f"sync.cursor.{table}"


class SyncStatus(StrEnum):
    OFF = "off"          # not configured or not signed in
    SYNCED = "synced"
    SYNCING = "syncing"
    OFFLINE = "offline"  # the project cannot be reached; will retry
    ERROR = "error"      # something needs the parent (password, migrations, ...)


@dataclass
class SyncState:
    status: SyncStatus = SyncStatus.OFF
    reason: str = ""
    account: str = ""
    last_sync_at: str | None = None
    last_result: str = ""


@dataclass
class SyncReport:
    pushed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    pulled: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    uploaded: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    requests: int = 0

    @property
    def pushed_total(self) -> int:
        return sum(self.pushed.values())

    @property
    def pulled_total(self) -> int:
        return sum(self.pulled.values())

    def summary(self) -> str:
        text = f"pushed {self.pushed_total}, pulled {self.pulled_total}"
        if self.uploaded:
            text += f", uploaded {self.uploaded} audio file{'s' if self.uploaded != 1 else ''}"
        if self.skipped:
            text += f", skipped {len(self.skipped)}"
        return text

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["skipped"] = [asdict(s) for s in self.skipped]
        return data


StateListener = Callable[[SyncState], None]


class SyncService:
    def __init__(self, library: LibraryService, provider: SupabaseProvider, tasks: TaskManager,
                 settings: Settings):
        self.library = library
        self.provider = provider
        self.tasks = tasks
        self.settings = settings
        self.store = SyncStore(library.store.db)
        self.state = SyncState()
        self._listeners: list[StateListener] = []
        self._run_lock = asyncio.Lock()
        self._again = False
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._unsubscribe: Callable[[], None] | None = None
        self._periodic_s = PERIODIC_S
        self._notifying = False
        self._by_parent = False
        self.retry_delay_s = 0.5  # first pause before retrying a failed upsert/upload (doubles each time)

    # -- state for the window --------------------------------------------------------------------------------
    def subscribe(self, listener: StateListener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _set_state(self, status: SyncStatus, reason: str = "", **changes: Any) -> None:
        self.state.status = status
        self.state.reason = reason
        for key, value in changes.items():
            setattr(self.state, key, value)
        for listener in list(self._listeners):
            try:
                listener(self.state)
            except Exception:
                log.exception("Sync listener failed")

    async def load_state(self) -> SyncState:
        """Fill the state from what the last run recorded (for the Account section on start)."""
        self.state.last_sync_at = await self.library.store.get_meta(META_LAST_SYNC)
        self.state.last_result = await self.library.store.get_meta(META_LAST_RESULT) or ""
        if not self.provider.configured:
            self._set_state(SyncStatus.OFF, msg("sync.not_set_up"))
        return self.state

    # -- account ----------------------------------------------------------------------------------------------
    async def sign_in(self, email: str, password: str) -> Account:
        account = await self.provider.sign_in(email, password)
        self._set_state(SyncStatus.SYNCED if self.state.last_sync_at else SyncStatus.OFF, "",
                        account=account.email)
        return account

    async def sign_out(self) -> None:
        await self.provider.sign_out()
        self._set_state(SyncStatus.OFF, msg("sync.signed_out"), account="")

    async def account(self) -> Account | None:
        try:
            return await self.provider.account()
        except NotConfigured:
            return None

    # -- one run ----------------------------------------------------------------------------------------------
    async def sync(self, handle: TaskHandle | None = None) -> SyncReport:
        """Pull then push everything pending. Raises a ProviderError when the run could not finish."""
        async with self._run_lock:
            self._set_state(SyncStatus.SYNCING, "")
            report = SyncReport()
            try:
                account = await self.provider.ensure_signed_in()
                self.state.account = account.email
                await self._check_account(account)
                await self._pull(report, handle)
                await self._push(account, report, handle)
            except (NotSignedIn, NotConfigured) as exc:
                self._set_state(SyncStatus.OFF, message_of(exc), account="")
                raise
            except ProviderError as exc:
                status = SyncStatus.OFFLINE if isinstance(exc, Unavailable) else SyncStatus.ERROR
                await self._record_result(f"failed: {exc.user_message}", finished=False)
                self._set_state(status, message_of(exc))
                raise
            except BaseException:
                self._set_state(SyncStatus.ERROR, msg("sync.stopped"))
                raise
            await self._record_result(report.summary(), finished=True)
            reason = ""
            if report.skipped:
                reason = "; ".join(f"{s.table[:-1]} {s.id[:8]}: {s.reason}" for s in report.skipped[:3])
            self._set_state(SyncStatus.SYNCED, reason)
            log.info("Sync done: %s", report.summary())
            return report

    async def _record_result(self, result: str, *, finished: bool) -> None:
        values: dict[str, str | None] = {META_LAST_RESULT: result}
        if finished:
            values[META_LAST_SYNC] = utc_now()
            self.state.last_sync_at = values[META_LAST_SYNC]
        self.state.last_result = result
        with contextlib.suppress(Exception):
            await self.library.store.db.run(self.store.set_meta, values)

    async def _check_account(self, account: Account) -> None:
        previous = await self.library.store.db.run(self.store.get_meta, META_USER)
        if previous == account.user_id:
            return
        log.info("Syncing with a new account: every local row is queued and the cursors restart")
        await self.library.store.db.run(self.store.enqueue_everything)
        await self.library.store.db.run(self.store.set_meta, {
            META_USER: account.user_id, **{cursor_key(t): None for t in TABLES}})

    # -- pull -------------------------------------------------------------------------------------------------
    async def _pull(self, report: SyncReport, handle: TaskHandle | None) -> None:
        db = self.library.store.db
        for table in TABLES:
            cursor = int(await db.run(self.store.get_meta, cursor_key(table)) or 0)
            while True:
                if handle is not None:
                    handle.report(message=f"Fetching {table} changes…")
                rows = await self.provider.changes_since(table, cursor, PULL_PAGE_ROWS)
                report.requests += 1
                if not rows:
                    break
                # Validation and applying run in a database worker thread: a page can be thousands of rows.
                changed, skipped, cursor = await db.run(self._apply_page, table, rows, cursor)
                report.skipped.extend(skipped)
                report.pulled[table] += len(changed)
                if changed:
                    self._notifying = True
                    try:
                        self.library.notify(table, changed)
                    finally:
                        self._notifying = False

    def _apply_page(self, table: str, rows: list[dict[str, Any]], cursor: int) -> tuple[list[str], list[Skipped], int]:
        """Worker thread: validate a page of remote rows, apply the good ones and the new cursor atomically."""
        records: list[Record] = []
        skipped: list[Skipped] = []
        for row in rows:
            revision = row.get("revision")
            if isinstance(revision, int) and revision > cursor:
                cursor = revision
            try:
                records.append(remote_to_record(table, row))
            except Exception as exc:  # a bad row is reported and skipped; the run goes on
                reason = getattr(exc, "user_message", None) or f"{type(exc).__name__}: {exc}"
                skipped.append(Skipped(table, str(row.get("id", "?")), f"invalid: {reason}"))
                log.warning("Skipped an invalid %s row %s from Supabase: %s", table, row.get("id"), reason)
        changed = self.store.apply(table, records, {cursor_key(table): str(cursor)})
        return changed, skipped, cursor

    # -- push -------------------------------------------------------------------------------------------------
    async def _push(self, account: Account, report: SyncReport, handle: TaskHandle | None) -> None:
        db = self.library.store.db
        total = await db.run(self.store.pending_count)
        done = 0
        for table in TABLES:
            after = -1
            while True:
                pending = await db.run(self._prepare_batch, table, after)
                if not pending:
                    break
                after = pending[-1][0].seq
                batch: list[tuple[OutboxEntry, dict[str, Any]]] = []
                size = 0
                gone: list[OutboxEntry] = []
                for entry, record, row, row_size in pending:
                    if record is None:  # the row no longer exists locally: nothing to send
                        gone.append(entry)
                        continue
                    if table == "narrations":
                        await self._upload_audio(account, record, report)  # type: ignore[arg-type]
                        row = record_to_remote(table, record)  # with the remote path just recorded
                    if batch and size + row_size > PUSH_BATCH_BYTES:
                        await self._send(table, batch, report)
                        done += len(batch)
                        batch, size = [], 0
                    batch.append((entry, row))
                    size += row_size
                if gone:
                    await db.run(self.store.ack, gone)
                if batch:
                    await self._send(table, batch, report)
                    done += len(batch)
                if handle is not None:
                    handle.report(done, max(total, done), f"Sent {done} of {max(total, done)} changes")

    def _prepare_batch(self, table: str, after: int) -> list[tuple[OutboxEntry, Record | None, dict[str, Any], int]]:
        """Worker thread: the next outbox entries with their rows as sent, and each row's JSON size."""
        prepared = []
        for entry, record in self.store.pending(table, after, PUSH_BATCH_ROWS):
            row = record_to_remote(table, record) if record is not None else {}
            prepared.append((entry, record, row, len(json.dumps(row, ensure_ascii=False, default=str).encode())))
        return prepared

    async def _send(self, table: str, batch: list[tuple[OutboxEntry, dict[str, Any]]], report: SyncReport) -> None:
        rows = [row for _, row in batch]
        try:
            await self._upsert_with_retry(table, rows, report)
        except PayloadTooLarge:
            if len(batch) > 1:  # split and try again, so one huge row cannot hold back the others
                middle = len(batch) // 2
                await self._send(table, batch[:middle], report)
                await self._send(table, batch[middle:], report)
                return
            entry = batch[0][0]
            size_mb = len(json.dumps(rows[0], default=str).encode()) / 1e6
            report.skipped.append(Skipped(table, entry.id, f"too large for the Supabase project ({size_mb:.1f} MB); "
                                                           "it stays on this device and sync retries it"))
            log.warning("Row %s/%s (%.1f MB) is too large to sync", table, entry.id, size_mb)
            return
        await self.library.store.db.run(self.store.ack, [entry for entry, _ in batch])
        report.pushed[table] += len(batch)

    async def _upsert_with_retry(self, table: str, rows: list[dict[str, Any]], report: SyncReport) -> None:
        # Upserts are idempotent, so a 5xx or a dropped connection is retried a couple of times before the run
        # stops (the SDK itself only retries reads).
        delay = self.retry_delay_s
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            report.requests += 1
            try:
                await self.provider.upsert(table, rows)
                return
            except Unavailable:
                if attempt == PUSH_ATTEMPTS:
                    raise
                await asyncio.sleep(delay)
                delay *= 2

    # -- audio ------------------------------------------------------------------------------------------------
    @staticmethod
    def remote_audio_path(user_id: str, narration: Narration) -> str:
        extension = (narration.format or "mp3").lower().lstrip(".")
        return f"{user_id}/{narration.story_id}/{narration.sha256}.{extension}"

    async def _upload_audio(self, account: Account, narration: Narration, report: SyncReport) -> None:
        """Upload a narration's file once; record the remote path on the row that is about to be pushed."""
        path = Path(narration.local_file) if narration.local_file else None
        if path is None or not path.is_file():
            return
        if not narration.sha256:
            narration.sha256 = await asyncio.to_thread(file_sha256, path)
        remote = self.remote_audio_path(account.user_id, narration)
        if narration.remote_path == remote:
            return
        data = await asyncio.to_thread(path.read_bytes)
        content_type = AUDIO_TYPES.get((narration.format or "").lower(), "application/octet-stream")
        delay = self.retry_delay_s
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            report.requests += 1
            try:
                await self.provider.upload(remote, data, content_type)
                break
            except Unavailable:
                if attempt == PUSH_ATTEMPTS:
                    raise
                await asyncio.sleep(delay)
                delay *= 2
        narration.remote_path = remote
        await self.library.store.db.run(self.store.set_quietly, "narrations", narration.id,
                                        {"remote_path": remote, "sha256": narration.sha256})
        report.uploaded += 1

    async def fetch_audio(self, narration_id: str) -> Path:
        """The narration's audio file on this device, downloading it from Storage when only another has it."""
        db = self.library.store.db
        narration = await db.run(self.store.get_record, "narrations", narration_id)
        if narration is None:
            raise BadResponse("Supabase", f"No narration with id {narration_id}.")
        assert isinstance(narration, Narration)
        if narration.local_file and Path(narration.local_file).is_file():
            return Path(narration.local_file)
        if not narration.remote_path:
            raise BadResponse("Supabase", "This narration's audio was never uploaded from the device that made "
                                          "it; narrate the story again here.")
        await self.provider.ensure_signed_in()
        data = await self.provider.download(narration.remote_path)
        digest = hashlib.sha256(data).hexdigest()
        try:
            uuid.UUID(narration.story_id)
        except ValueError as exc:  # it names a folder below: never let a remote value escape the cache
            raise BadResponse("Supabase", "This narration's story id is not valid; it was not downloaded.") from exc
        if narration.sha256 and digest != narration.sha256:
            raise BadResponse("Supabase", "The downloaded audio does not match its checksum; try again later.")
        extension = (narration.format or "mp3").lower()
        # Same layout as the audio cache (audio/<story id>/...), so purging a story drops the download too.
        target = self.settings.audio_dir / narration.story_id / f"{digest}.{extension}"
        await asyncio.to_thread(AudioCache(self.settings.audio_dir).write, target, data)
        await db.run(self.store.set_quietly, "narrations", narration.id, {"local_file": str(target)})
        return target

    # -- background ----------------------------------------------------------------------------------------------
    def request_sync(self, reason: str = "", *, by_parent: bool = False) -> TaskHandle | None:
        """Start a run in the background (or queue one right after the current run).

        Automatic runs (start, changes, timer) that find the project unreachable only set the status to offline;
        a run the parent asked for (``by_parent``) also reports the failure in the tasks panel.
        """
        if not self.provider.configured:
            return None
        self._by_parent = self._by_parent or by_parent
        running = self.tasks.get("sync")
        if running is not None:
            self._again = True
            return running
        log.debug("Sync requested (%s)", reason)

        async def work(handle: TaskHandle) -> SyncReport | None:
            try:
                while True:
                    self._again = False
                    by_parent, self._by_parent = self._by_parent, False
                    try:
                        report = await self.sync(handle)
                    except (NotConfigured, NotSignedIn):
                        return None  # nothing to do until the parent signs in: not a failure
                    except Unavailable:
                        if by_parent or self._again:
                            raise
                        return None  # offline: the status says so, the next timer tries again
                    if not self._again:
                        return report
            finally:
                self._again = False

        return self.tasks.spawn(work, name="sync", title=msg("task.sync"))

    def start_background(self, *, periodic_s: float = PERIODIC_S, debounce_s: float = CHANGE_DEBOUNCE_S) -> None:
        """Sync now, a few seconds after local changes, and every ``periodic_s`` seconds."""
        self.stop_background()
        self._periodic_s = periodic_s
        loop = asyncio.get_running_loop()

        def on_change(kind: str, ids: list[str]) -> None:
            if kind == "stories_purged" or self._notifying:
                return  # purges are local; our own pulled changes need no new run
            self._schedule(loop, debounce_s, "local change", replace_pending=True)

        self._unsubscribe = self.library.subscribe(on_change)
        self._schedule(loop, 0.0, "start")
        self._schedule_periodic(loop)

    def _schedule(self, loop: asyncio.AbstractEventLoop, delay: float, reason: str, *,
                  replace_pending: bool = False) -> None:
        kind = "debounce" if replace_pending else "once"
        old = self._timers.pop(kind, None)
        if old is not None and replace_pending:
            old.cancel()
        self._timers[kind] = loop.call_later(delay, self.request_sync, reason)

    def _schedule_periodic(self, loop: asyncio.AbstractEventLoop) -> None:
        def tick() -> None:
            self.request_sync("periodic")
            self._schedule_periodic(loop)

        self._timers["periodic"] = loop.call_later(self._periodic_s, tick)

    def stop_background(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

