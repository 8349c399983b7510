"""The audio cache: narration files under ``TALE_DATA_DIR/audio/<story id>/``, named by a hash of what made them
(text + provider + voice + settings), written to a temporary file and renamed into place (atomic), checked by
sha256 before use (a damaged file is deleted and made again). Blocking: call from a worker thread.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tale_desktop.storage.errors import StorageError

log = logging.getLogger(__name__)

PARTS_DIR = ".parts"


class AudioCacheError(StorageError):
    pass


def cache_key(text: str, provider: str, voice: str, settings: dict[str, Any]) -> str:
    material = json.dumps({"text": text, "provider": provider, "voice": voice, "settings": settings},
                          sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_error(exc: OSError, path: Path) -> AudioCacheError:
    if exc.errno == errno.ENOSPC:
        return AudioCacheError("The disk is full, so the narration could not be saved. Free some space and "
                               "try again.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return AudioCacheError(f"The audio folder {path.parent} cannot be written. Check its permissions.")
    return AudioCacheError(f"The narration could not be saved ({exc.strerror or type(exc).__name__}).")


class AudioCache:
    def __init__(self, root: Path):
        self.root = Path(root)

    def story_dir(self, story_id: str) -> Path:
        if not story_id or "/" in story_id or "\\" in story_id or story_id.startswith("."):
            raise AudioCacheError(f"Invalid story id for the audio cache: {story_id!r}")
        return self.root / story_id

    def path_for(self, story_id: str, key: str, ext: str = "mp3") -> Path:
        return self.story_dir(story_id) / f"{key}.{ext}"

    def verified(self, path: str | Path | None, sha256: str) -> Path | None:
        """The file when it exists and has the expected hash; a damaged file is deleted."""
        if not path:
            return None
        path = Path(path)
        if not path.is_file():
            return None
        try:
            actual = file_sha256(path)
        except OSError:
            return None
        if sha256 and actual == sha256:
            return path
        log.warning("Cached narration %s is damaged (hash mismatch); it will be made again", path.name)
        with contextlib.suppress(OSError):
            path.unlink()
        return None

    def write(self, path: Path, data: bytes) -> tuple[Path, str, int]:
        """Write ``data`` atomically; returns (path, sha256, size)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise _write_error(exc, path) from exc
        return path, hashlib.sha256(data).hexdigest(), len(data)

    def parts_dir(self, story_id: str, key: str) -> Path:
        """A fresh folder for the pieces played while the whole file is still being made."""
        folder = self.story_dir(story_id) / PARTS_DIR / key
        shutil.rmtree(folder, ignore_errors=True)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _write_error(exc, folder / "part") from exc
        return folder

    def write_part(self, folder: Path, name: str, data: bytes) -> Path:
        return self.write(folder / name, data)[0]

    def remove_parts(self, story_id: str, key: str) -> None:
        shutil.rmtree(self.story_dir(story_id) / PARTS_DIR / key, ignore_errors=True)

    def remove_story(self, story_id: str) -> None:
        """Delete every file of one story (its deletion became final)."""
        shutil.rmtree(self.story_dir(story_id), ignore_errors=True)

    def remove_except(self, story_id: str, keep: Path | Iterable[Path]) -> None:
        """Delete older narrations of a story once a new one is saved (``keep``: the files still in use)."""
        folder = self.story_dir(story_id)
        if not folder.is_dir():
            return
        kept = {Path(keep)} if isinstance(keep, str | Path) else {Path(p) for p in keep}
        for item in folder.iterdir():
            if item.is_file() and item not in kept:
                with contextlib.suppress(OSError):
                    item.unlink()
