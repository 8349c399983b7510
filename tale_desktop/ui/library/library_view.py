"""The library list: a windowed Qt model over ``ctx.library.list_stories`` and the view that shows it.

The model knows how many stories match (one count per query or library change) and reports that many rows at
once, so the scroll bar, End and dragging reach any row immediately. Row data is fetched by pages of
``PAGE_SIZE`` around the rows the view actually asks for (off the loop thread, through the task helper); only the
``MAX_PAGES`` most recently used pages are kept, so 100,000 stories cost a few pages of memory. A row whose page is
still loading shows empty for a frame. A change reported by the library recounts and reloads the pages in use;
:meth:`StoryListModel.set_query` takes a new :class:`StoryQuery` (search and filters plug in there).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
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
MAX_PAGES = 24  # pages kept in memory (least recently used ones are dropped)
MAX_PAGE_FETCHES = 2  # pages fetched at once: the ones the view asked for last win
REFRESH_PAGES = 4  # pages reloaded when the library changes (the most recently used ones, and the first)
REFRESH_DELAY_MS = 80
REFRESH_GAP_S = 0.5  # at most two refreshes a second while changes keep coming (ten drafts saved each second)
LAYOUT_ROWS = 2000  # up to this many rows, changes are also announced with dataChanged
ModelIndex = QModelIndex | QPersistentModelIndex


class StoryListModel(QAbstractListModel):
    """Story summaries (dicts from ``list_stories``), fetched by pages around the visible rows."""

    IdRole = Qt.ItemDataRole.UserRole + 1
    SummaryRole = Qt.ItemDataRole.UserRole + 2
    SubtitleRole = Qt.ItemDataRole.UserRole + 3

    loading_changed = Signal(bool)
    refreshed = Signal()
    rows_changed = Signal(int, int)  # first, last: rows whose data arrived or changed (repaint them)

    def __init__(self, ctx: AppContext, parent: Any = None, *, page_size: int = PAGE_SIZE,
                 max_pages: int = MAX_PAGES):
        super().__init__(parent)
        self.ctx = ctx
        self.page_size = page_size
        self.max_pages = max(2, max_pages)
        self.query = StoryQuery()
        self._total = 0
        self._counted = False
        self._pages: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()
        self._wanted: OrderedDict[int, None] = OrderedDict()
        self._in_flight: set[int] = set()
        self._loading = False
        self._generation = 0  # bumps on every reset so late pages of an old query are dropped
        self._fetch_timer = QTimer(self)
        self._fetch_timer.setSingleShot(True)
        self._fetch_timer.setInterval(0)
        self._fetch_timer.timeout.connect(self._fetch_wanted)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._last_refresh = 0.0
        self._unsubscribe = ctx.library.subscribe(self._on_library_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    # -- Qt model API -----------------------------------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else self._total

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._total:
            return None
        row = self._row(index.row())
        if row is None:  # its page is on the way: an empty row for a frame
            return "" if role in (Qt.ItemDataRole.DisplayRole, self.SubtitleRole) else None
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
        """Rows dragged out (into tonight's queue): their story ids (rows still loading are left out)."""
        ids = [index.data(self.IdRole) for index in sorted(indexes, key=lambda i: i.row()) if index.isValid()]
        return story_ids_mime([str(i) for i in dict.fromkeys(ids) if i])

    def _row(self, row: int) -> dict[str, Any] | None:
        number, offset = divmod(row, self.page_size)
        page = self._pages.get(number)
        if page is None:
            self._want(number)
            return None
        self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    # -- loading ----------------------------------------------------------------------------------------------
    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    def _want(self, number: int) -> None:
        if number in self._in_flight:
            return
        self._wanted.pop(number, None)
        self._wanted[number] = None  # the most recently asked-for page last
        if not self._fetch_timer.isActive():
            self._fetch_timer.start()  # after this paint: fetch what the whole frame asked for

    def _fetch_wanted(self) -> None:
        numbers = [n for n in reversed(self._wanted) if n not in self._pages and n not in self._in_flight]
        self._wanted.clear()
        for number in numbers[:MAX_PAGE_FETCHES]:
            self._fetch_page(number)

    def _fetch_page(self, number: int) -> None:
        generation, query = self._generation, self.query
        self._in_flight.add(number)

        def loaded(rows: list[dict[str, Any]]) -> None:
            self._in_flight.discard(number)
            first = number * self.page_size
            last = min(self._total, first + self.page_size) - 1
            if generation == self._generation:
                self._store_page(number, rows)
                if len(rows) < last - first + 1:  # the library shrank meanwhile: recount
                    self._refresh_timer.start()
            elif number in self._pages:
                return
            if last >= first:  # repaint: the rows show, or (a stale page) ask again if still visible
                self._changed(first, last)

        self.ctx.tasks.spawn(
            self.ctx.library.list_stories(query, offset=number * self.page_size, limit=self.page_size),
            name=f"library.page.{number}", title="Loading the library",
            on_result=loaded, on_error=lambda _msg, _exc: self._in_flight.discard(number),
        )

    def _changed(self, first: int, last: int) -> None:
        """Rows got data. ``dataChanged`` makes QListView lay out every row again (two ``rowCount`` calls per
        row: ~0.3 s at 100,000 rows), so beyond ``LAYOUT_ROWS`` rows only ``rows_changed`` is emitted and the view
        repaints its viewport (item data is read at paint time; nothing is cached)."""
        if self._total <= LAYOUT_ROWS:
            self.dataChanged.emit(self.index(first), self.index(last))
        self.rows_changed.emit(first, last)

    def _store_page(self, number: int, rows: list[dict[str, Any]]) -> None:
        self._pages[number] = rows
        self._pages.move_to_end(number)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)

    async def _load(self, query: StoryQuery, numbers: list[int]) -> tuple[int, dict[int, list[dict[str, Any]]]]:
        numbers = sorted(set(numbers))
        total, pages = await self.ctx.library.count_and_pages(
            query, [(number * self.page_size, self.page_size) for number in numbers])
        return total, {number: rows for number, rows in zip(numbers, pages, strict=True)
                       if number * self.page_size < total}

    def set_query(self, query: StoryQuery) -> None:
        """Show stories matching ``query`` from the first page (one count, then pages as the view asks)."""
        self.query = query
        self._reset()
        generation = self._generation
        self._set_loading(True)

        def loaded(result: tuple[int, dict[int, list[dict[str, Any]]]]) -> None:
            if generation != self._generation:
                return
            total, pages = result
            self.beginResetModel()
            self._total, self._counted = total, True
            for number, rows in pages.items():
                self._store_page(number, rows)
            self.endResetModel()
            self._set_loading(False)
            self.refreshed.emit()

        self.ctx.tasks.spawn(self._load(query, [0]), name="library.page", title="Loading the library",
                             replace=True, on_result=loaded,  # a new query cancels the old
                             on_error=lambda _msg, _exc: self._load_failed(generation))

    def refresh(self) -> None:
        """Recount and reload the pages in use (keeps the scroll depth): rows update in place when the same
        stories are still in the same places, otherwise the model resets to the new rows."""
        self._generation += 1
        self._last_refresh = time.monotonic()
        generation, query = self._generation, self.query
        numbers = [0, *list(self._pages)[-REFRESH_PAGES:]]
        self._set_loading(True)

        def loaded(result: tuple[int, dict[int, list[dict[str, Any]]]]) -> None:
            if generation != self._generation:
                return
            total, pages = result
            same = total == self._total and all(
                [r["id"] for r in rows] == [r["id"] for r in self._pages.get(number, ())]
                for number, rows in pages.items())
            if same and all(rows == self._pages.get(number) for number, rows in pages.items()):
                # Nothing the list shows has changed (a hidden draft saved again): no repaint. Pages not read
                # again may be out of date: they are read when next shown.
                for number in [n for n in self._pages if n not in pages]:
                    del self._pages[number]
            elif same:
                # Same stories in the same places (e.g. a story renamed): update in place, no reset, so the
                # view keeps its scroll position and selection.
                self._pages.clear()
                for number, rows in pages.items():
                    self._store_page(number, rows)
                if total:
                    self._changed(0, total - 1)
            else:
                self.beginResetModel()
                self._pages.clear()
                self._total, self._counted = total, True
                for number, rows in pages.items():
                    self._store_page(number, rows)
                self.endResetModel()
            self._set_loading(False)
            self.refreshed.emit()

        self.ctx.tasks.spawn(self._load(query, numbers), name="library.refresh", title="Loading the library",
                             replace=True, on_result=loaded, on_error=lambda _m, _e: self._load_failed(generation))

    def _load_failed(self, generation: int) -> None:
        if generation == self._generation:
            self._set_loading(False)  # the tasks panel shows why; a refresh tries again

    def _reset(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self._pages.clear()
        self._wanted.clear()
        self._in_flight.clear()
        self._total, self._counted = 0, False
        self.endResetModel()
        self._set_loading(False)

    def _on_library_change(self, kind: str, _ids: list[str]) -> None:
        # A change alone is shown after REFRESH_DELAY_MS; a stream of them (drafts of ten stories, saved every
        # second) is gathered into at most one refresh per REFRESH_GAP_S.
        if kind in ("stories", "stories_purged", "narrations", "illustrations") and not self._refresh_timer.isActive():
            since = time.monotonic() - self._last_refresh
            self._refresh_timer.start(max(REFRESH_DELAY_MS, int((REFRESH_GAP_S - since) * 1000)))

    # -- lookups ----------------------------------------------------------------------------------------------
    def row_of(self, story_id: str) -> int:
        """The row of a story among the loaded pages (-1 when it is not loaded or does not match)."""
        for number, rows in self._pages.items():
            for offset, row in enumerate(rows):
                if row["id"] == story_id:
                    return number * self.page_size + offset
        return -1

    def story_id_at(self, row: int) -> str | None:
        number, offset = divmod(row, self.page_size)
        page = self._pages.get(number)
        return page[offset]["id"] if page is not None and offset < len(page) and 0 <= row < self._total else None

    @property
    def exhausted(self) -> bool:
        """True once the count for the current query is known: every row is then reachable."""
        return self._counted

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def loaded_pages(self) -> list[int]:
        return list(self._pages)


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
        self.list.setAccessibleName(self.tr("Stories"))
        self.list.setModel(self.model)
        self.list.setItemDelegate(TwoLineDelegate(StoryListModel.SubtitleRole, self.list))
        self.list.setUniformItemSizes(True)
        self.list.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.list.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.list.setDragEnabled(True)  # rows can be dragged into tonight's queue
        self.list.setDragDropMode(QListView.DragDropMode.DragOnly)
        self.list.selectionModel().currentChanged.connect(self._current_changed)
        self.empty = QLabel(self.tr("No stories yet."))
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
        self.model.rows_changed.connect(lambda *_: self.list.viewport().update())

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
            self.empty.setText(self.tr("No stories match.") if searching else
                               self.tr("No stories yet. The starter stories appear here once the library is ready."))
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.list)
