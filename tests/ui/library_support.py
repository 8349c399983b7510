"""Support for the library UI tests: a small paged model with the list model's interface, and signal awaiting."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt, Signal, SignalInstance

from tale_desktop.domain.query import StoryQuery
from tale_desktop.ui.asyncqt import signal_future


def type_text(widget: Any, text: str) -> None:
    """Type ``text`` key by key, any script (QTest.keyClicks only knows ASCII)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def next_emission(signal: SignalInstance) -> asyncio.Future[tuple[Any, ...]]:
    """A future resolved with the arguments of the next emission of ``signal``."""
    return signal_future(signal)


def library_event(ctx: Any, kind: str) -> asyncio.Future[list[str]]:
    future: asyncio.Future[list[str]] = asyncio.get_running_loop().create_future()

    def heard(event: str, ids: list[str]) -> None:
        if event == kind and not future.done():
            future.set_result(ids)
            unsubscribe()

    unsubscribe = ctx.library.subscribe(heard)
    return future


class RowsModel(QAbstractListModel):
    """The interface of ``StoryListModel`` (``set_query``, IdRole, SummaryRole) over one page of rows."""

    IdRole = Qt.ItemDataRole.UserRole + 1
    SummaryRole = Qt.ItemDataRole.UserRole + 2
    loaded = Signal()

    def __init__(self, ctx: Any):
        super().__init__()
        self.ctx = ctx
        self.rows: list[dict[str, Any]] = []
        self.query = StoryQuery()
        self.queries: list[StoryQuery] = []
        self._unsubscribe = ctx.library.subscribe(lambda kind, _ids: kind == "stories" and self.set_query(self.query))

    def set_query(self, query: StoryQuery) -> None:
        self.query = query
        self.queries.append(query)
        self.ctx.tasks.spawn(self.ctx.library.list_stories(query, limit=200), name="test.page", replace=True,
                             on_result=self._loaded)

    def _loaded(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()
        self.loaded.emit()

    def titles(self) -> list[str]:
        return [row["title"] for row in self.rows]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row["title"]
        if role == self.IdRole:
            return row["id"]
        if role == self.SummaryRole:
            return row
        return None

    def close(self) -> None:
        self._unsubscribe()
