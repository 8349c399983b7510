"""Two-way, offline-first sync of the library with the parent's Supabase project.

One run (``SyncService.sync``):
1. make sure of the account (stored session, refreshed; or the stored / environment email and password). A
   different account than last time re-queues every local row and restarts the pull cursors;
2. pull, per table, the rows whose server ``revision`` is above our cursor and that another device (or a
   server-side merge) wrote: rows this device pushed itself are not downloaded again (``origin``). Pages are
   validated (invalid rows are skipped and reported, the run goes on) and merged field by field together with
   the new cursor in one local transaction. A story whose deletion arrives loses its downloaded audio and pictures
   here (``stories_purged``). Files that travel with a table's rows and are fetched at once (pictures,
   services/picture_sync.py) are downloaded after the pull (``pull_fetchers``);
3. push the outbox (rows changed locally since they were last pushed) in upserts of at most 500 rows and ~4 MB,
   acknowledging each batch only after the server took it. Narration audio is uploaded first, once, to
   ``tales/{user_id}/{story_id}/{sha256}.{format}`` with its content type (pictures likewise, through
   ``row_uploads``);
4. remove from Storage the objects of stories deleted here (once their undo window has closed).

Conflict rule (docs/sync.md; the same in the server's trigger): per field, the edit with the larger hybrid logical
clock wins. Deletions travel as tombstones (``deleted_at`` is a field like the others), never as row deletions.
Network failures stop the run with a clear message; nothing already applied is lost and the next run resumes.

Background: ``start_background`` syncs on start, a few seconds after local changes, and every few minutes, all
through the task manager (so progress shows in the tasks panel and nothing blocks the window). Live updates: it
also subscribes to Supabase Realtime (``postgres_changes`` on the synced tables) and syncs right after another
device's change arrives; when Realtime cannot be reached (or drops later) it checks every few seconds instead.
``SyncState.live`` says which is in use.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import logging
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import partial
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
    remote_clocks,
    remote_to_record,
)

log = logging.getLogger(__name__)

PUSH_BATCH_ROWS = 500
# The SDK encodes a request's JSON on the loop thread: batches of at most 128 KB keep that to about 2 ms, so the
# window stays smooth while a big library is sent (a 4 MB batch took over 100 ms).
PUSH_BATCH_BYTES = 128 * 1024
_encode_row = json.JSONEncoder(ensure_ascii=False, default=str).encode  # kept: made once, not per row
PULL_PAGE_ROWS = 200  # the answer is parsed on the loop thread too: a page of stories stays within a few ms
PUSH_ATTEMPTS = 3
CHANGE_DEBOUNCE_S = 3.0
PERIODIC_S = 300.0
AUDIO_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav", "ogg": "audio/ogg", "opus": "audio/ogg",
               "flac": "audio/flac", "m4a": "audio/mp4", "aac": "audio/aac"}
LIVE_POLL_S = 5.0      # the fallback when Realtime is unavailable: a cheap no-change sync costs 5 requests (one per table)
LIVE_DEBOUNCE_S = 0.3
LIVE_RETRY_S = 120.0   # while polling, how often Realtime is tried again  # changes of one push arrive together: one sync for all of them
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


class LiveMode(StrEnum):
    OFF = "off"            # no live updates (background sync not started, or not signed in)
    REALTIME = "realtime"  # Supabase Realtime pushes other devices' changes
    POLLING = "polling"    # Realtime unavailable: checking every few seconds


@dataclass
class SyncState:
    status: SyncStatus = SyncStatus.OFF
    reason: str = ""
    live: LiveMode = LiveMode.OFF
    account: str = ""
    last_sync_at: str | None = None
    last_result: str = ""


@dataclass
class SyncReport:
    pushed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    pulled: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    uploaded: int = 0             # narration audio files
    pictures_uploaded: int = 0
    pictures_downloaded: int = 0
    removed: int = 0
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
        if self.pictures_uploaded:
            text += f", uploaded {self.pictures_uploaded} picture{'s' if self.pictures_uploaded != 1 else ''}"
        if self.pictures_downloaded:
            text += f", downloaded {self.pictures_downloaded} picture{'s' if self.pictures_downloaded != 1 else ''}"
        if self.removed:
            text += f", removed {self.removed} stored file{'s' if self.removed != 1 else ''}"
        if self.skipped:
            text += f", skipped {len(self.skipped)}"
        return text

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["skipped"] = [asdict(s) for s in self.skipped]
        return data


StateListener = Callable[[SyncState], None]
# Given (user id, story id): the Storage paths of that story's objects. Audio is built in; pictures plug in here.
ObjectPaths = Callable[[str, str], Awaitable[list[str]]]
# Before a row of a table is pushed: upload its file when needed; returns whether the row changed (its remote path,
# with new field clocks). Audio is built in; pictures plug in (services/picture_sync.py).
RowUpload = Callable[[Account, Record, "SyncReport"], Awaitable[bool]]
# After the pull: fetch the files this device lacks for a table's rows, given the ids that changed in the pull.
# Such a table's changes are announced by its fetcher (it knows which stories' files arrived), not by the pull.
PulledFiles = Callable[[list[str], "SyncReport"], Awaitable[None]]


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
        self._device: str | None = None
        self._live_off: Callable[[], Awaitable[None]] | None = None
        self.live_poll_s = LIVE_POLL_S
        # Where a deleted story's objects are in the bucket; every source's paths are removed together.
        self.object_sources: list[ObjectPaths] = [self._audio_paths]
        self.row_uploads: dict[str, RowUpload] = {"narrations": self._upload_audio}
        self.pull_fetchers: dict[str, PulledFiles] = {}

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
                await self._ensure_device()
                await self._pull(report, handle)
                await self._push(account, report, handle)
                await self._remove_deleted_objects(account, report)
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

    async def _ensure_device(self) -> None:
        if self._device is None:
            home = f"{socket.gethostname()}:{self.library.store.db.path.resolve()}"
            self._device = await self.library.store.db.run(self.store.device_for, home)

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
        pulled: dict[str, list[str]] = {table: [] for table in self.pull_fetchers}
        for table in TABLES:
            cursor = int(await db.run(self.store.get_meta, cursor_key(table)) or 0)
            while True:
                if handle is not None:
                    handle.report(message=f"Fetching {table} changes…")
                rows = await self.provider.changes_since(table, cursor, PULL_PAGE_ROWS, exclude_origin=self._device)
                report.requests += 1
                if not rows:
                    break
                # Validation and merging run in a database worker thread: a page can be thousands of rows.
                changed, deleted, skipped, cursor = await db.run(self._apply_page, table, rows, cursor)
                report.skipped.extend(skipped)
                report.pulled[table] += len(changed)
                if table in pulled:
                    pulled[table].extend(changed)
                elif changed:
                    self.announce(table, changed)
                    if table == "stories" and deleted:
                        # Deleted on another device: this device's downloaded copies go too.
                        self.announce("stories_purged", deleted)
                if len(rows) < PULL_PAGE_ROWS:
                    break
        for table, ids in pulled.items():
            if handle is not None:
                handle.report(message=f"Fetching {table} files…")
            await self.pull_fetchers[table](ids, report)

    def announce(self, kind: str, ids: list[str]) -> None:
        """Tell the library's listeners about pulled changes (they are not local changes: no new run for them)."""
        self._notifying = True
        try:
            self.library.notify(kind, ids)
        finally:
            self._notifying = False

    def _apply_page(self, table: str, rows: list[dict[str, Any]], cursor: int
                    ) -> tuple[list[str], list[str], list[Skipped], int]:
        """Worker thread: validate a page of remote rows, merge the good ones and save the new cursor atomically."""
        records: list[tuple[Record, dict[str, str]]] = []
        skipped: list[Skipped] = []
        for row in rows:
            revision = row.get("revision")
            if isinstance(revision, int) and revision > cursor:
                cursor = revision
            try:
                records.append((remote_to_record(table, row), remote_clocks(row)))
            except Exception as exc:  # a bad row is reported and skipped; the run goes on
                reason = getattr(exc, "user_message", None) or f"{type(exc).__name__}: {exc}"
                skipped.append(Skipped(table, str(row.get("id", "?")), f"invalid: {reason}"))
                log.warning("Skipped an invalid %s row %s from Supabase: %s", table, row.get("id"), reason)
        applied = self.store.apply(table, records, {cursor_key(table): str(cursor)})
        return applied.changed, applied.newly_deleted, skipped, cursor

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
                    upload = self.row_uploads.get(table)
                    if upload is not None and await upload(account, record, report):
                        clocks = await db.run(self.store.clocks_of, table, record.id)
                        row = record_to_remote(table, record, clocks, self._device)  # with the new remote path
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
        for entry, record, clocks in self.store.pending(table, after, PUSH_BATCH_ROWS):
            row = record_to_remote(table, record, clocks, self._device) if record is not None else {}
            prepared.append((entry, record, row, len(_encode_row(row).encode())))
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

    async def upload_object(self, remote: str, data: bytes, content_type: str, report: SyncReport) -> None:
        """Upload one object to the bucket, retrying a 5xx or a dropped connection a couple of times."""
        delay = self.retry_delay_s
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            report.requests += 1
            try:
                await self.provider.upload(remote, data, content_type)
                return
            except Unavailable:
                if attempt == PUSH_ATTEMPTS:
                    raise
                await asyncio.sleep(delay)
                delay *= 2

    async def _upload_audio(self, account: Account, narration: Record, report: SyncReport) -> bool:
        """Upload a narration's file once; record the remote path on the row that is about to be pushed.

        Returns whether the row changed (its remote path and checksum, with new field clocks)."""
        assert isinstance(narration, Narration)
        path = Path(narration.local_file) if narration.local_file else None
        if path is None or not path.is_file() or narration.deleted_at is not None:
            return False
        if not narration.sha256:
            narration.sha256 = await asyncio.to_thread(file_sha256, path)
        remote = self.remote_audio_path(account.user_id, narration)
        if narration.remote_path == remote:
            return False
        data = await asyncio.to_thread(path.read_bytes)
        content_type = AUDIO_TYPES.get((narration.format or "").lower(), "application/octet-stream")
        await self.upload_object(remote, data, content_type, report)
        narration.remote_path = remote
        await self.library.store.db.run(partial(self.store.set_quietly, stamp=True), "narrations", narration.id,
                                        {"remote_path": remote, "sha256": narration.sha256})
        report.uploaded += 1
        return True

    # -- deleted stories leave the bucket ----------------------------------------------------------------------
    async def _audio_paths(self, user_id: str, story_id: str) -> list[str]:
        """The story's audio: the paths this device recorded, and whatever is in its folder of the bucket (audio
        another device uploaded that this one has not pulled yet)."""
        known = await self.library.store.db.run(self.store.remote_paths, story_id)
        listed = await self.provider.list_folder(f"{user_id}/{story_id}")
        return [*known, *listed]

    async def _remove_deleted_objects(self, account: Account, report: SyncReport) -> None:
        """Remove from Storage the objects of stories deleted on this device (not those still undoable)."""
        db = self.library.store.db
        pending = set(self.library.pending_deletions)
        story_ids = [i for i in await db.run(self.store.object_removals) if i not in pending]
        if not story_ids:
            return
        own = f"{account.user_id}/"
        for story_id in story_ids:
            paths: list[str] = []
            for source in self.object_sources:
                paths.extend(await source(account.user_id, story_id))
                report.requests += 1
            # Only this parent's objects of this story, whatever a source returned.
            paths = sorted({p for p in paths if p.startswith(own) and f"/{story_id}/" in p})
            if paths:
                await self.provider.remove(paths)
                report.requests += 1
                report.removed += len(paths)
            await db.run(self.store.objects_removed, [story_id])

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
                        if self._again:
                            continue  # asked again while this run failed (the offline status showed): try now
                        if by_parent:
                            raise
                        return None  # offline: the status says so, the next timer tries again
                    if not self._again:
                        return report
            finally:
                self._again = False

        return self.tasks.spawn(work, name="sync", title=msg("task.sync"))

    def start_background(self, *, periodic_s: float = PERIODIC_S, debounce_s: float = CHANGE_DEBOUNCE_S,
                         live: bool = True) -> None:
        """Sync now, a few seconds after local changes, every ``periodic_s`` seconds, and (``live``) right after
        another device's change (Realtime, or polling every ``live_poll_s`` seconds when it is unavailable)."""
        self.stop_background()
        self._periodic_s = periodic_s
        loop = asyncio.get_running_loop()

        def on_change(kind: str, ids: list[str]) -> None:
            if self._notifying:
                return  # our own pulled changes need no new run
            # A local change, or a deletion that became final (its objects can now leave the bucket).
            self._schedule(loop, debounce_s, "local change", replace_pending=True)

        self._unsubscribe = self.library.subscribe(on_change)
        self._schedule(loop, 0.0, "start")
        self._schedule_periodic(loop)
        if live and self.provider.configured:
            self.tasks.spawn(lambda handle: self._connect_live(loop), name="sync-live",
                             title="Connect live updates", replace=True)

    # -- live updates ------------------------------------------------------------------------------------------
    def _set_live(self, mode: LiveMode) -> None:
        if self.state.live is mode:
            return
        self.state.live = mode
        self._set_state(self.state.status, self.state.reason)

    async def _connect_live(self, loop: asyncio.AbstractEventLoop) -> None:
        def on_change(table: str, record: dict[str, Any]) -> None:
            if self._device and record.get("origin") == self._device:
                return  # our own push, unchanged by the server: nothing to fetch
            self._schedule(loop, LIVE_DEBOUNCE_S, f"live change in {table}", replace_pending=True)

        def on_lost(reason: str) -> None:
            log.info("Realtime stopped (%s); checking for changes every %.0f s", reason, self.live_poll_s)
            self._live_off = None
            self._start_polling(loop)

        try:
            await self.provider.ensure_signed_in()
            await self._ensure_device()
            self._live_off = await self.provider.watch_changes(TABLES, on_change, on_lost)
        except (NotSignedIn, NotConfigured):
            self._set_live(LiveMode.OFF)
            return
        except ProviderError as exc:
            log.info("Live updates through Realtime are unavailable (%s); polling instead", exc.user_message)
            self._start_polling(loop)
            return
        poll = self._timers.pop("poll", None)
        if poll is not None:
            poll.cancel()
        self._set_live(LiveMode.REALTIME)

    def _start_polling(self, loop: asyncio.AbstractEventLoop) -> None:
        ticks = itertools.count(1)

        def tick() -> None:
            self.request_sync("poll")
            self._timers["poll"] = loop.call_later(self.live_poll_s, tick)
            if next(ticks) * self.live_poll_s >= LIVE_RETRY_S and self.tasks.get("sync-live") is None:
                # Now and then try Realtime again; polling goes on until it answers.
                self.tasks.spawn(lambda handle: self._connect_live(loop), name="sync-live",
                                 title="Connect live updates")

        old = self._timers.pop("poll", None)
        if old is not None:
            old.cancel()
        self._timers["poll"] = loop.call_later(self.live_poll_s, tick)
        self._set_live(LiveMode.POLLING)

    async def stop_live(self) -> None:
        """Leave the Realtime channel (at quit, before the HTTP clients close)."""
        off, self._live_off = self._live_off, None
        if off is not None:
            try:
                await asyncio.wait_for(off(), 3.0)
            except (TimeoutError, ProviderError):
                log.info("Leaving the Realtime channel took too long; closed anyway")
        self._set_live(LiveMode.OFF)

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

