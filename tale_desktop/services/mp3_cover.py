"""The story's cover as the MP3's ID3 picture (APIC, front cover), added to an exported MP3 in place atomically.

Kept apart from the narrator's MP3 export (and its ID3 text tags) on purpose: it only adds or replaces the
picture frame and leaves every other tag alone. Blocking: call it from a worker thread.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mutagen.id3 import APIC, ID3, ID3NoHeaderError, PictureType

from tale_desktop.services.export import atomic_path

ID3_PICTURE_TYPES = {"image/png", "image/jpeg"}  # what players show; other types are left out


def add_cover_picture(path: Path, data: bytes, mime: str, description: str = "Cover") -> bool:
    """Put ``data`` into ``path``'s ID3 tag as the front cover; returns False when the type cannot be used."""
    if mime not in ID3_PICTURE_TYPES or not data:
        return False
    path = Path(path)
    with atomic_path(path) as temp:
        shutil.copyfile(path, temp)
        try:
            tags = ID3(temp)
        except ID3NoHeaderError:
            tags = ID3()
        tags.delall("APIC")
        tags.add(APIC(encoding=3, mime=mime, type=PictureType.COVER_FRONT, desc=description, data=data))
        tags.save(temp, v2_version=3)
    return True
