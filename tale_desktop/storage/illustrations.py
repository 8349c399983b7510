"""Pictures on disk and their rows in the library.

Files live under the data folder at ``images/<story id>/<sha256>.<ext>``, written to a temporary file and renamed
into place by the audio cache's atomic writer (one atomic-write helper), and checked by sha256 before use. Their
metadata is the ``illustrations`` table. File methods are blocking (call them from a worker thread); the row
methods are coroutines that run in the database's worker threads.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tale_desktop.domain.illustrations import Illustration
from tale_desktop.domain.models import utc_now
from tale_desktop.storage.audio_cache import AudioCache, AudioCacheError
from tale_desktop.storage.errors import StorageError
from tale_desktop.storage.library import Library, row_to_record

log = logging.getLogger(__name__)

IMAGES_DIR = "images"


class PictureStoreError(StorageError):
    pass


def _write_error(exc: BaseException, folder: Path) -> PictureStoreError:
    cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else None
    if cause is not None and cause.errno == errno.ENOSPC:
        return PictureStoreError("The disk is full, so the picture could not be saved. Free some space and try "
                                 "again.")
    if cause is not None and cause.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return PictureStoreError(f"The pictures folder {folder} cannot be written. Check its permissions.")
    return PictureStoreError("The picture could not be saved "
                             f"({getattr(cause, 'strerror', None) or type(exc).__name__}).")


@dataclass(frozen=True, slots=True)
class StoredFile:
    file: str  # relative to the data folder
    sha256: str
    size: int


class PictureFiles:
    """Picture files of every story under ``<data dir>/images``."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self._files = AudioCache(self.data_dir / IMAGES_DIR)

    @property
    def root(self) -> Path:
        return self._files.root

    def absolute(self, file: str) -> Path:
        return self.data_dir / file

    def write(self, story_id: str, data: bytes, ext: str) -> StoredFile:
        """Blocking: store ``data`` as ``images/<story id>/<sha256>.<ext>`` (atomically; an identical file that
        is already there is kept)."""
        sha = hashlib.sha256(data).hexdigest()
        try:
            path = self._files.path_for(story_id, sha, ext)
            if self._files.verified(path, sha) is None:
                self._files.write(path, data)
        except AudioCacheError as exc:
            raise _write_error(exc, self.root / story_id) from exc
        return StoredFile(path.relative_to(self.data_dir).as_posix(), sha, len(data))

    def verified(self, illustration: Illustration) -> Path | None:
        """The picture's file when it is there and undamaged (a damaged one is deleted)."""
        if not illustration.file:
            return None
        return self._files.verified(self.absolute(illustration.file), illustration.sha256)

    def read(self, illustration: Illustration) -> bytes | None:
        path = self.verified(illustration)
        return path.read_bytes() if path is not None else None

    def remove_file(self, file: str) -> None:
        with contextlib.suppress(OSError):
            self.absolute(file).unlink()

    def remove_story(self, story_id: str) -> None:
        with contextlib.suppress(AudioCacheError):
            self._files.remove_story(story_id)


class IllustrationRows:
    """The ``illustrations`` table."""

    def __init__(self, library: Library):
        self.store = library

    async def save(self, illustration: Illustration) -> Illustration:
        return await self.store.save("illustrations", illustration)  # type: ignore[return-value]

    async def get(self, illustration_id: str) -> Illustration:
        return await self.store.get("illustrations", illustration_id)  # type: ignore[return-value]

    async def for_story(self, story_id: str, *, include_deleted: bool = False) -> list[Illustration]:
        """Live pictures of a story (``include_deleted``: removed ones too): the cover first, then in story
        order."""
        def query() -> list[Illustration]:
            rows = self.store.db.connection().execute(
                "SELECT * FROM illustrations WHERE story_id = ? "
                + ("" if include_deleted else "AND deleted_at IS NULL ") + "ORDER BY paragraph, created_at, seq",
                (story_id,),
            ).fetchall()
            return [row_to_record("illustrations", r) for r in rows]  # type: ignore[misc]
        return await self.store.db.run(query)

    async def remove(self, illustration_ids: Iterable[str]) -> None:
        await self.store.db.run(self.tombstone_blocking, "id", list(illustration_ids))

    async def remove_for_stories(self, story_ids: Iterable[str]) -> None:
        await self.store.db.run(self.tombstone_blocking, "story_id", list(story_ids))

    def tombstone_blocking(self, column: str, keys: list[str]) -> None:
        """Blocking: mark pictures removed by ``id`` or ``story_id``."""
        if column not in ("id", "story_id"):
            raise ValueError(column)
        if not keys:
            return
        now = utc_now()
        marks = ",".join("?" * len(keys))
        with self.store.db.write() as conn:
            conn.execute(f"UPDATE illustrations SET deleted_at = ?, updated_at = ? WHERE {column} IN ({marks}) "
                         "AND deleted_at IS NULL", (now, now, *keys))

    async def files_in_use(self, story_id: str) -> set[str]:
        return {i.file for i in await self.for_story(story_id)}
