"""The open story: loaded once per open or change, then handed to every view that shows it.

``open(id)`` loads through ``ctx.library.open_story`` (which marks a new story read) and emits ``loaded`` with the
:class:`StoryDetails`; when the library reports a change of that story it loads it again (``library.details``)
and emits ``loaded`` once more; when the story is gone (deleted here or on another device) it emits ``closed``
quietly, without an error for the parent. The reader and the details header both listen to ``loaded``.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from tale_desktop.context import AppContext
from tale_desktop.services.library import StoryDetails
from tale_desktop.storage.errors import NotFound

log = logging.getLogger(__name__)
TASK = "reader.open"


class StoryController(QObject):
    loaded = Signal(object)  # StoryDetails: opened, or changed and loaded again
    closed = Signal()  # the open story was deleted
    failed = Signal(str)  # a message for the parent

    def __init__(self, ctx: AppContext, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.details: StoryDetails | None = None
        self._wanted: str | None = None
        self._unsubscribe = ctx.library.subscribe(self._on_change)

    @property
    def story_id(self) -> str | None:
        return self.details.story.id if self.details else None

    def open(self, story_id: str) -> None:
        self._wanted = story_id
        self._load(story_id, first=True)

    def reload(self) -> None:
        if self.story_id:
            self._load(self.story_id, first=False)

    def _load(self, story_id: str, *, first: bool) -> None:
        async def load() -> StoryDetails | None:
            try:
                if first:
                    return await self.ctx.library.open_story(story_id)
                return await self.ctx.library.details(story_id)
            except NotFound:
                return None

        def done(details: StoryDetails | None) -> None:
            if self._wanted != story_id:
                return  # the parent opened another story meanwhile
            if details is None:
                self.close()
                return
            self.details = details
            self.loaded.emit(details)

        self.ctx.tasks.spawn(load(), name=TASK, title=self.tr("Opening the story"), replace=True, on_result=done,
                             on_error=lambda message, _exc: self.failed.emit(message))

    def close(self) -> None:
        had = self.details is not None or self._wanted is not None
        self.details = None
        self._wanted = None
        if had:
            self.closed.emit()

    def _on_change(self, kind: str, ids: list[str]) -> None:
        story_id = self.story_id
        if story_id is None:
            return
        if kind == "stories_purged" and story_id in ids:
            self.close()
        elif kind in ("stories", "narrations") and (not ids or story_id in ids):
            self.reload()

    def shutdown(self) -> None:
        self._unsubscribe()
