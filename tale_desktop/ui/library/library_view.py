"""The library list: a paged Qt model over ``ctx.library.list_stories`` and the view that shows it.

The model never loads every row: it asks for pages of ``PAGE_SIZE`` through the task helper as the view scrolls
(``canFetchMore``/``fetchMore``), reloads what it has when the library reports a change, and takes a new
:class:`StoryQuery` with :meth:`StoryListModel.set_query` (search and filters plug in there).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QLabel, QListView, QStackedWidget, QVBoxLayout, QWidget

from tale_desktop.context import AppContext
from tale_desktop.domain.enums import LANGUAGE_NAMES
from tale_desktop.domain.query import StoryQuery
from tale_desktop.ui.common.delegates import TwoLineDelegate
from tale_desktop.ui.common.story_mime import STORY_IDS_MIME, story_ids_mime

log = logging.getLogger(__name__)

PAGE_SIZE = 200
REFRESH_DELAY_MS = 80
ModelIndex = QModelIndex | QPersistentModelIndex


class StoryListModel(QAbstractListModel):
    """Story summaries (dicts from ``list_stories``), loaded page by page off the loop thread."""

    IdRole = Qt.ItemDataRole.UserRole + 1
    SummaryRole = Qt.ItemDataRole.UserRole + 2
    SubtitleRole = Qt.ItemDataRole.UserRole + 3

    loading_changed = Signal(bool)
    refreshed = Signal()

    def __init__(self, ctx: AppContext, parent: Any = None, *, page_size: int = PAGE_SIZE):
        super().__init__(parent)
        self.ctx = ctx
        self.page_size = page_size
        self.query = StoryQuery()
        self._rows: list[dict[str, Any]] = []
        self._exhausted = False
        self._loading = False
        self._generation = 0  # bumps on every reset so late pages of an old query are dropped
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._unsubscribe = ctx.library.subscribe(self._on_library_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    # -- Qt model API -----------------------------------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.get("title") or "Untitled story"
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.get("summary") or None
        if role == self.IdRole:
            return row["id"]
        if role == self.SummaryRole:
            return row
        if role == self.SubtitleRole:
            return subtitle_for(row)
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else flags

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt override
        return [STORY_IDS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:  # noqa: N802 - Qt override
        """Rows dragged out (into tonight's queue): their story ids."""
        rows = sorted({i.row() for i in indexes if i.isValid() and 0 <= i.row() < len(self._rows)})
        return story_ids_mime([str(self._rows[r]["id"]) for r in rows])

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._set_loading(True)
        generation, offset = self._generation, len(self._rows)
        self.ctx.tasks.spawn(
            self.ctx.library.list_stories(self.query, offset=offset, limit=self.page_size),
            name="library.page", title="Loading the library", replace=True,  # a new query cancels the old
            on_result=lambda rows: self._page_loaded(generation, offset, rows),
            on_error=lambda _msg, _exc: self._load_failed(generation),
        )

    # -- loading ----------------------------------------------------------------------------------------------
    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    def _page_loaded(self, generation: int, offset: int, rows: list[dict[str, Any]]) -> None:
        if generation != self._generation:
            return
        self._set_loading(False)
        if offset != len(self._rows):
            return
        if len(rows) < self.page_size:
            self._exhausted = True
        if rows:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self.refreshed.emit()

    def _load_failed(self, generation: int) -> None:
        if generation == self._generation:
            self._set_loading(False)
            self._exhausted = True  # the tasks panel shows why; a refresh tries again

    def set_query(self, query: StoryQuery) -> None:
        """Show stories matching ``query`` from the first page."""
        self.query = query
        self._reset()
        self.fetchMore()

    def refresh(self) -> None:
        """Reload the rows loaded so far in one query (keeps the scroll depth), replacing the old rows."""
        self._generation += 1
        generation = self._generation
        limit = max(self.page_size, len(self._rows))
        self._set_loading(True)

        def loaded(rows: list[dict[str, Any]]) -> None:
            if generation != self._generation:
                return
            self._set_loading(False)
            self._exhausted = len(rows) < limit
            if [r["id"] for r in rows] == [r["id"] for r in self._rows]:
                # Same stories in the same order (e.g. a draft saved again): update in place, no reset,
                # so the view keeps its scroll position and selection.
                self._rows = list(rows)
                if rows:
                    self.dataChanged.emit(self.index(0), self.index(len(rows) - 1))
            else:
                self.beginResetModel()
                self._rows = list(rows)
                self.endResetModel()
            self.refreshed.emit()

        self.ctx.tasks.spawn(self.ctx.library.list_stories(self.query, offset=0, limit=limit),
                             name="library.refresh", title="Loading the library", replace=True,
                             on_result=loaded, on_error=lambda _m, _e: self._load_failed(generation))

    def _reset(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._exhausted = False
        self.endResetModel()
        self._set_loading(False)

    def _on_library_change(self, kind: str, _ids: list[str]) -> None:
        if kind in ("stories", "stories_purged", "narrations"):
            self._refresh_timer.start()  # coalesce bursts (e.g. a draft saved every second)

    # -- lookups ----------------------------------------------------------------------------------------------
    def row_of(self, story_id: str) -> int:
        return next((i for i, row in enumerate(self._rows) if row["id"] == story_id), -1)

    def story_id_at(self, row: int) -> str | None:
        return self._rows[row]["id"] if 0 <= row < len(self._rows) else None

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    @property
    def loading(self) -> bool:
        return self._loading


def subtitle_for(row: dict[str, Any]) -> str:
    parts = []
    if row.get("child_name"):
        parts.append(str(row["child_name"]))
    parts.append(LANGUAGE_NAMES.get(row.get("language"), str(row.get("language") or "")))  # type: ignore[call-overload]
    if row.get("minutes"):
        parts.append(f"{row['minutes']} min")
    if row.get("status") in ("draft", "new"):
        parts.append(str(row["status"]))
    if row.get("rating"):
        parts.append(f"★ {row['rating']}")
    if row.get("favourite"):
        parts.append("♥")
    return " · ".join(parts)


class LibraryView(QWidget):
    """The story list with an empty state. ``top_slot`` takes the search box and filters later."""

    story_selected = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("libraryView")
        self.model = StoryListModel(ctx, self)
        self.list = QListView()
        self.list.setObjectName("storyList")
        self.list.setAccessibleName("Stories")
        self.list.setModel(self.model)
        self.list.setItemDelegate(TwoLineDelegate(StoryListModel.SubtitleRole, self.list))
        self.list.setUniformItemSizes(True)
        self.list.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.list.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.list.setDragEnabled(True)  # rows can be dragged into tonight's queue
        self.list.setDragDropMode(QListView.DragDropMode.DragOnly)
        self.list.selectionModel().currentChanged.connect(self._current_changed)
        self.empty = QLabel("No stories yet.")
        self.empty.setObjectName("emptyHint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list)
        self.stack.addWidget(self.empty)

        self.top_slot = QVBoxLayout()
        self.top_slot.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(self.top_slot)
        layout.addWidget(self.stack, 1)
        self._selected_id: str | None = None
        self._scroll = 0
        self.model.modelAboutToBeReset.connect(
            lambda: setattr(self, "_scroll", self.list.verticalScrollBar().value()))
        self.model.modelReset.connect(self._after_reset)
        self.model.refreshed.connect(self._update_empty)
        self.model.rowsInserted.connect(lambda *_: self._update_empty())

    def add_top_widget(self, widget: QWidget) -> None:
        self.top_slot.addWidget(widget)

    def start(self) -> None:
        """Load the first page (call once the event loop runs)."""
        self.model.set_query(self.model.query)

    def select_story(self, story_id: str) -> bool:
        row = self.model.row_of(story_id)
        if row < 0:
            return False
        self.list.setCurrentIndex(self.model.index(row))
        return True

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        story_id = current.data(StoryListModel.IdRole) if current.isValid() else None
        if story_id and story_id != self._selected_id:
            self._selected_id = story_id
            self.story_selected.emit(story_id)

    def _after_reset(self) -> None:
        if self._selected_id:  # keep the selection across reloads without reopening the story
            row = self.model.row_of(self._selected_id)
            if row >= 0:
                self.list.selectionModel().setCurrentIndex(
                    self.model.index(row), self.list.selectionModel().SelectionFlag.ClearAndSelect)
        self.list.verticalScrollBar().setValue(self._scroll)  # a refresh must not jump to the top
        self._update_empty()

    def _update_empty(self) -> None:
        if self.model.rowCount() == 0 and not self.model.loading:
            searching = self.model.query != StoryQuery()
            self.empty.setText("No stories match." if searching else
                               "No stories yet. The starter stories appear here once the library is ready.")
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.list)
