"""Stories dragged between panels (library rows into tonight's queue): the story ids, one a line."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QMimeData

STORY_IDS_MIME = "application/x-tale-story-ids"


def story_ids_mime(ids: Sequence[str]) -> QMimeData:
    data = QMimeData()
    data.setData(STORY_IDS_MIME, QByteArray("\n".join(ids).encode("utf-8")))
    return data


def story_ids_of(mime: QMimeData) -> list[str]:
    if not mime.hasFormat(STORY_IDS_MIME):
        return []
    return [line for line in bytes(mime.data(STORY_IDS_MIME).data()).decode("utf-8").splitlines() if line]
