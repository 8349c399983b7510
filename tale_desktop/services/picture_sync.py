"""Picture books in sync: the illustration files travel through the ``tales`` bucket, beside the story's audio.

It plugs into :class:`~tale_desktop.services.sync.SyncService` (:meth:`PictureSync.install`):

- push: before a picture's row is sent, its file is uploaded once to ``{user_id}/{story_id}/{sha256}.{ext}``
  with the picture's mime type as content type, and the row records that ``remote_path`` (with a new field clock,
  so the other devices take it);
- pull: a picture of a live story that this device has no undamaged file for is downloaded at once, checked
  against its sha256 and written atomically to ``images/<story id>/<sha256>.<ext>`` (the pictures' own store);
- deletion: the story's picture objects, removed pictures included, are an object source of the removal of a
  purged story's objects. A device that pulls the story's deletion drops its copies through the illustrator
  (``stories_purged``).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import uuid
from functools import partial
from pathlib import PurePosixPath

from tale_desktop.domain.illustrations import Illustration
from tale_desktop.domain.models import Record
from tale_desktop.providers.errors import NotFoundError
from tale_desktop.providers.supabase import Account
from tale_desktop.services.illustrator import NOTIFY_KIND, Illustrator
from tale_desktop.services.sync import SyncReport, SyncService
from tale_desktop.storage.errors import StorageError
from tale_desktop.storage.sync_state import Skipped

log = logging.getLogger(__name__)

TABLE = "illustrations"
_EXTENSION = re.compile(r"[a-z0-9]{1,5}")


class PictureSync:
    def __init__(self, sync: SyncService, illustrator: Illustrator):
        self.sync = sync
        self.illustrator = illustrator

    def install(self) -> None:
        self.sync.row_uploads[TABLE] = self.upload
        self.sync.pull_fetchers[TABLE] = self.fetch
        self.sync.object_sources.append(self.object_paths)

    @staticmethod
    def remote_path(user_id: str, picture: Illustration) -> str:
        return f"{user_id}/{picture.story_id}/{PurePosixPath(picture.file).name}"

    # -- push -------------------------------------------------------------------------------------------------
    async def upload(self, account: Account, record: Record, report: SyncReport) -> bool:
        """Upload the picture's file once; returns whether its row changed (the new remote path)."""
        assert isinstance(record, Illustration)
        picture = record
        if picture.deleted_at is not None or not picture.file:
            return False
        remote = self.remote_path(account.user_id, picture)
        if picture.remote_path == remote:
            return False
        path = await asyncio.to_thread(self.illustrator.files.verified, picture)
        if path is None:  # missing or damaged here: the row goes without a file for the others to fetch
            log.warning("Picture %s has no undamaged file on this device; it is synced without one", picture.id)
            return False
        data = await asyncio.to_thread(path.read_bytes)
        await self.sync.upload_object(remote, data, picture.mime or "application/octet-stream", report)
        picture.remote_path = remote
        await self.sync.library.store.db.run(partial(self.sync.store.set_quietly, stamp=True), TABLE, picture.id,
                                             {"remote_path": remote})
        report.pictures_uploaded += 1
        return True

    # -- pull -------------------------------------------------------------------------------------------------
    async def fetch(self, changed: list[str], report: SyncReport) -> None:
        """Download the pictures of live stories that this device lacks (those just pulled, and any an earlier
        run could not fetch), then announce the stories whose pictures changed."""
        db = self.sync.library.store.db
        wanted, stories = await db.run(self.sync.store.pictures_to_fetch, changed)
        arrived: set[str] = set()
        for picture in wanted:
            assert isinstance(picture, Illustration)
            if await asyncio.to_thread(self.illustrator.files.verified, picture) is not None:
                continue
            if await self._download(picture, report):
                arrived.add(picture.story_id)
        touched = sorted(set(stories) | arrived)
        if touched:
            self.sync.announce(NOTIFY_KIND, touched)

    async def _download(self, picture: Illustration, report: SyncReport) -> bool:
        remote = picture.remote_path or ""
        extension = PurePosixPath(remote).suffix.lstrip(".").lower()
        try:
            uuid.UUID(picture.story_id)  # it names a folder below: never let a remote value leave images/
        except ValueError:
            return self._skip(report, picture, "its story id is not valid; the picture was not downloaded")
        if not _EXTENSION.fullmatch(extension):
            return self._skip(report, picture, "its stored file name is not a picture's; it was not downloaded")
        report.requests += 1
        try:
            data = await self.sync.provider.download(remote)
        except NotFoundError:
            return self._skip(report, picture, "its file is not in Supabase Storage")
        if hashlib.sha256(data).hexdigest() != picture.sha256:
            return self._skip(report, picture, "the downloaded picture does not match its checksum")
        try:
            stored = await asyncio.to_thread(self.illustrator.files.write, picture.story_id, data, extension)
        except StorageError as exc:
            return self._skip(report, picture, exc.user_message)
        await self.sync.library.store.db.run(self.sync.store.set_quietly, TABLE, picture.id, {"file": stored.file})
        report.pictures_downloaded += 1
        return True

    @staticmethod
    def _skip(report: SyncReport, picture: Illustration, reason: str) -> bool:
        log.warning("Picture %s was not downloaded: %s", picture.id, reason)
        report.skipped.append(Skipped(TABLE, picture.id, reason))
        return False

    # -- deleted stories ----------------------------------------------------------------------------------------
    async def object_paths(self, user_id: str, story_id: str) -> list[str]:
        """Every picture object of the story, removed pictures included: the names of the files this device has
        and the remote paths its rows recorded (pictures another device drew and this one never fetched)."""
        objects = await self.illustrator.image_objects(story_id, include_deleted=True)
        rows = await self.illustrator.rows.for_story(story_id, include_deleted=True)
        return [*(f"{user_id}/{o.object_name}" for o in objects), *(r.remote_path for r in rows if r.remote_path)]
