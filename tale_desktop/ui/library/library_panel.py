"""Everything the library list gains beyond paging: search and filters, the row delegate, multi-select, the
context menu, keyboard shortcuts and delete with undo.

:class:`LibraryFeatures` installs them on any ``QListView`` whose model has ``set_query(StoryQuery)`` and exposes
the story id and the summary row under two roles (``StoryListModel.IdRole`` / ``SummaryRole``).

Keys on the list: arrows/PageUp/PageDown/Home/End move, Shift/Ctrl extend the selection, Ctrl+A selects all,
Enter opens, Delete deletes (with undo), Ctrl+D toggles favourite, 1-9 and 0 (=10) rate, the Menu key or
Shift+F10 opens the context menu, Ctrl+F jumps to the search box.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QListView, QMenu

from tale_desktop.context import AppContext
from tale_desktop.ui.library.cover_thumbnails import CoverThumbnails
from tale_desktop.ui.library.library_filters import LibraryFilterBar, LibrarySearch
from tale_desktop.ui.library.story_actions import AskPath, StoryActions
from tale_desktop.ui.library.story_delegate import StoryDelegate
from tale_desktop.ui.library.undo_bar import UndoBar

log = logging.getLogger(__name__)


class LibraryFeatures(QObject):
    def __init__(self, ctx: AppContext, view: QListView, model: Any, *, id_role: int, summary_role: int,
                 ask_path: AskPath | None = None, undo_seconds: float | None = None,
                 debounce_ms: int | None = None, count: bool = True, shortcuts: bool = True):
        super().__init__(view)
        self.ctx = ctx
        self.view = view
        self.model = model
        self.id_role = id_role
        self.summary_role = summary_role
        self.filters = LibraryFilterBar(**({"debounce_ms": debounce_ms} if debounce_ms is not None else {}))
        self.search = LibrarySearch(ctx, self.filters, model.set_query, self, count=count)
        self.undo_bar = UndoBar(ctx, **({"seconds": undo_seconds} if undo_seconds is not None else {}))
        self.actions = StoryActions(ctx, self.undo_bar, view, ask_path)
        self.menu: QMenu | None = None
        # Other features add their entries to the story menu (e.g. "Add to tonight's queue").
        self.menu_hooks: list[Callable[[QMenu, list[dict[str, Any]]], None]] = []

        self.covers = CoverThumbnails(ctx, view)  # cover thumbnails, made lazily for the rows painted
        self.covers.ready.connect(self._cover_ready)
        view.setItemDelegate(StoryDelegate(summary_role, view, covers=self.covers))
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self.show_menu)
        view.activated.connect(self._activated)  # Enter / double click
        self._shortcut(QKeySequence("Shift+F10"), self._menu_at_current)
        self._shortcut(QKeySequence(Qt.Key.Key_Menu), self._menu_at_current)
        if not shortcuts:
            return  # the main window's action registry owns Delete, Ctrl+D, the digits and Ctrl+F
        self._shortcut(QKeySequence.StandardKey.Delete, self.delete_selected)
        self._shortcut(QKeySequence("Ctrl+D"), self.toggle_favourite)
        for digit in range(10):
            self._shortcut(QKeySequence(str(digit)), lambda d=digit: self.rate_selected(d or 10))
        find = QShortcut(QKeySequence.StandardKey.Find, view.window())
        find.activated.connect(lambda: (self.filters.search.setFocus(), self.filters.search.selectAll()))

    def _shortcut(self, keys: QKeySequence | QKeySequence.StandardKey, slot: Any) -> None:
        shortcut = QShortcut(keys, self.view)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    def install_into(self, top: Any, bottom: Any) -> None:
        """Put the filter bar and the undo notice into two layouts (above and below the list)."""
        top.addWidget(self.filters)
        bottom.addWidget(self.undo_bar)

    def start(self) -> None:
        """Load the children for the filter and apply the bar's query (call once the loop runs)."""
        self.search.load_children()
        self.search.apply(self.filters.query())

    def _cover_ready(self, story_id: str) -> None:
        """Repaint only the row whose thumbnail arrived, when it is in view (ten new drafts used to repaint the
        whole list ten times over, a delegate paint per visible row each time)."""
        rows = visible_rows(self.view)
        story_id_at = getattr(self.model, "story_id_at", None)  # the paged model answers without Qt's data()
        for row in rows:
            if story_id_at is not None:
                if story_id_at(row) != story_id:
                    continue
            elif self.model.index(row, 0).data(self.id_role) != story_id:
                continue
            self.view.update(self.model.index(row, 0))
            return

    # -- selection --------------------------------------------------------------------------------------------
    def selected_rows(self) -> list[dict[str, Any]]:
        indexes = sorted(self.view.selectionModel().selectedIndexes(), key=QModelIndex.row)
        if not indexes and self.view.currentIndex().isValid():
            indexes = [self.view.currentIndex()]
        rows = [index.data(self.summary_role) for index in indexes]
        return [row for row in rows if isinstance(row, dict)]

    def _activated(self, index: QModelIndex) -> None:
        story_id = index.data(self.id_role)
        if story_id:
            self.actions.open_requested.emit(story_id)

    # -- actions ----------------------------------------------------------------------------------------------
    def delete_selected(self) -> None:
        rows = self.selected_rows()
        if rows:
            selected = self.view.selectionModel().selectedIndexes() or [self.view.currentIndex()]
            next_row = max(index.row() for index in selected)
            self.actions.delete(rows)
            self.view.clearSelection()
            self._keep_position(next_row - len(rows) + 1)

    def _keep_position(self, row: int) -> None:
        self.view.setFocus()
        if self.model.rowCount() > 0:
            self.view.setCurrentIndex(self.model.index(max(0, min(row, self.model.rowCount() - 1)), 0))

    def toggle_favourite(self) -> None:
        rows = self.selected_rows()
        if rows:
            self.actions.set_favourite([r["id"] for r in rows], not all(r.get("favourite") for r in rows))

    def rate_selected(self, rating: int) -> None:
        rows = self.selected_rows()
        if rows:
            self.actions.rate([r["id"] for r in rows], rating)

    def show_menu(self, pos: QPoint) -> QMenu | None:
        index = self.view.indexAt(pos)
        if index.isValid() and not self.view.selectionModel().isSelected(index):
            self.view.setCurrentIndex(index)
        rows = self.selected_rows()
        if not rows:
            return None
        self.menu = self.actions.build_menu(rows, self.view)
        for hook in self.menu_hooks:
            hook(self.menu, rows)
        self.menu.popup(self.view.viewport().mapToGlobal(pos))
        return self.menu

    def _menu_at_current(self) -> None:
        rect = self.view.visualRect(self.view.currentIndex())
        self.show_menu(rect.center() if rect.isValid() else QPoint(10, 10))


def visible_rows(view: QListView) -> range:
    """The rows painted in ``view``'s viewport now (top to bottom), found without reading any row's data."""
    viewport = view.viewport().rect()
    first = view.indexAt(QPoint(viewport.left() + 1, viewport.top() + 1))
    if not first.isValid():
        return range(0)
    last = view.indexAt(QPoint(viewport.left() + 1, viewport.bottom()))
    if last.isValid():
        return range(first.row(), last.row() + 1)
    # The list ends above the bottom edge (or the point falls between rows): walk down from the first row.
    model, row = view.model(), first.row()
    while row + 1 < model.rowCount() and view.visualRect(model.index(row + 1, 0)).top() <= viewport.bottom():
        row += 1
    return range(first.row(), row + 1)
