"""The search box, filters and sort above the library list.

Typing is debounced (``SEARCH_DEBOUNCE_MS``); every other control applies at once. The bar emits the whole
:class:`StoryQuery` in ``query_changed``; :class:`LibrarySearch` hands it to the list model (``set_query``) and
counts the matches with ``ctx.tasks.spawn(..., replace=True)``, so a new query cancels the previous count.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tale_desktop.context import AppContext
from tale_desktop.domain.enums import LANGUAGE_NAMES, Language
from tale_desktop.domain.models import Child
from tale_desktop.domain.query import SortKey, StoryQuery

log = logging.getLogger(__name__)
SEARCH_DEBOUNCE_MS = 200
SORT_LABELS = {SortKey.DATE: "Date", SortKey.TITLE: "Title", SortKey.RATING: "Rating", SortKey.LENGTH: "Length"}
STATUS_LABELS = {"": "Any status", "new": "New", "read": "Read", "archived": "Archived", "draft": "Drafts"}


class LibraryFilterBar(QWidget):
    """Search box on top, a row of filters and the sort below; ``query_changed(StoryQuery)``."""

    query_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, debounce_ms: int = SEARCH_DEBOUNCE_MS):
        super().__init__(parent)
        self.setObjectName("libraryFilters")
        self.search = QLineEdit()
        self.search.setObjectName("librarySearch")
        self.search.setPlaceholderText("Search titles, text and names…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search stories")

        self.child = QComboBox()
        self.child.setObjectName("childFilter")
        self.child.setAccessibleName("Child")
        self.child.addItem("All children", None)
        self.language = QComboBox()
        self.language.setObjectName("languageFilter")
        self.language.setAccessibleName("Language")
        self.language.addItem("Any language", None)
        for language in Language:
            self.language.addItem(LANGUAGE_NAMES.get(language, language.value), language.value)
        self.min_rating = QComboBox()
        self.min_rating.setObjectName("minRatingFilter")
        self.min_rating.setAccessibleName("Minimum rating")
        self.min_rating.addItem("Any rating", None)
        for n in range(10, 0, -1):
            self.min_rating.addItem(f"★ {n}+" if n < 10 else "★ 10", n)
        self.status = QComboBox()
        self.status.setObjectName("statusFilter")
        self.status.setAccessibleName("Status")
        for value, label in STATUS_LABELS.items():
            self.status.addItem(label, value or None)
        self.favourite = QCheckBox("Favourites")
        self.favourite.setObjectName("favouriteFilter")
        self.has_audio = QCheckBox("With audio")
        self.has_audio.setObjectName("audioFilter")
        self.sort = QComboBox()
        self.sort.setObjectName("sortBox")
        self.sort.setAccessibleName("Sort by")
        for key, label in SORT_LABELS.items():
            self.sort.addItem(label, key.value)
        self.order = QToolButton()
        self.order.setObjectName("sortOrder")
        self.order.setCheckable(True)  # checked = ascending
        self.order.setAccessibleName("Sort direction")
        self._update_order_text()
        self.count = QLabel("")
        self.count.setObjectName("libraryCount")

        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        for widget in (self.child, self.language, self.min_rating, self.status, self.favourite, self.has_audio):
            filters.addWidget(widget)
        filters.addStretch(1)
        sort_row = QHBoxLayout()
        sort_row.setContentsMargins(0, 0, 0, 0)
        sort_row.addWidget(QLabel("Sort:"))
        sort_row.addWidget(self.sort)
        sort_row.addWidget(self.order)
        sort_row.addStretch(1)
        sort_row.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addLayout(sort_row)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self._emit)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.search.returnPressed.connect(self._emit)  # Enter applies at once
        for combo in (self.child, self.language, self.min_rating, self.status, self.sort):
            combo.currentIndexChanged.connect(lambda _i: self._emit())
        for box in (self.favourite, self.has_audio):
            box.toggled.connect(lambda _on: self._emit())
        self.order.toggled.connect(self._order_toggled)
        self._last: StoryQuery | None = None

    # -- state ----------------------------------------------------------------------------------------------
    def query(self) -> StoryQuery:
        return StoryQuery(
            search=self.search.text().strip(), child_id=self.child.currentData(),
            language=self.language.currentData(), status=self.status.currentData(),
            min_rating=self.min_rating.currentData(), favourite=self.favourite.isChecked(),
            has_audio=self.has_audio.isChecked(), sort=SortKey(self.sort.currentData()),
            descending=not self.order.isChecked(),
        )

    def set_children(self, children: Sequence[Child]) -> None:
        """Fill the child filter, keeping the current choice when that child is still there."""
        current = self.child.currentData()
        self.child.blockSignals(True)
        self.child.clear()
        self.child.addItem("All children", None)
        for child in children:
            self.child.addItem(child.name, child.id)
        found = self.child.findData(current) if current else 0
        self.child.setCurrentIndex(max(found, 0))
        self.child.blockSignals(False)
        if current and found < 0:
            self._emit()

    def set_count(self, count: int | None) -> None:
        self.count.setText("" if count is None else f"{count:,} stor{'y' if count == 1 else 'ies'}")

    def clear(self) -> None:
        """Back to every story, newest first."""
        for widget in (self.search, self.child, self.language, self.min_rating, self.status, self.sort,
                       self.favourite, self.has_audio, self.order):
            widget.blockSignals(True)
        self.search.clear()
        for combo in (self.child, self.language, self.min_rating, self.status, self.sort):
            combo.setCurrentIndex(0)
        self.favourite.setChecked(False)
        self.has_audio.setChecked(False)
        self.order.setChecked(False)
        self._update_order_text()
        for widget in (self.search, self.child, self.language, self.min_rating, self.status, self.sort,
                       self.favourite, self.has_audio, self.order):
            widget.blockSignals(False)
        self._emit()

    # -- emitting ---------------------------------------------------------------------------------------------
    def _order_toggled(self, _ascending: bool) -> None:
        self._update_order_text()
        self._emit()

    def _update_order_text(self) -> None:
        ascending = self.order.isChecked()
        self.order.setText("↑" if ascending else "↓")
        self.order.setToolTip("Oldest / A–Z / lowest / shortest first" if ascending else
                              "Newest / Z–A / highest / longest first")

    def _emit(self) -> None:
        self._debounce.stop()
        query = self.query()
        if query != self._last:
            self._last = query
            self.query_changed.emit(query)


class LibrarySearch(QObject):
    """Connects a filter bar to a list model: each query goes to ``model.set_query`` (whose page loads replace
    each other), and its match count is computed in a task named ``library.search`` with ``replace=True`` (a newer
    query cancels an older count)."""

    counted = Signal(int)

    def __init__(self, ctx: AppContext, bar: LibraryFilterBar, set_query: Callable[[StoryQuery], Any],
                 parent: QObject | None = None, *, count: bool = True):
        super().__init__(parent or bar)
        self.ctx = ctx
        self.bar = bar
        self.count = count  # False where something else shows the total (the main window's status bar)
        bar.count.setVisible(count)
        self._set_query = set_query
        bar.query_changed.connect(self.apply)
        self._unsubscribe = ctx.library.subscribe(self._on_change)
        bar.destroyed.connect(lambda *_: self._unsubscribe())

    def apply(self, query: StoryQuery) -> None:
        self.bar.set_count(None)  # the old total no longer applies
        self._set_query(query)
        self.recount(query)

    def recount(self, query: StoryQuery | None = None) -> None:
        if not self.count:
            return
        query = query or self.bar.query()

        def done(count: int) -> None:
            if query == self.bar.query():
                self.bar.set_count(count)
                self.counted.emit(count)

        self.ctx.tasks.spawn(self.ctx.library.count_stories(query), name="library.search",
                             title="Searching the library", replace=True, on_result=done)

    def load_children(self) -> None:
        self.ctx.tasks.spawn(self.ctx.library.list_children(), name="library.children", replace=True,
                             title="Loading children", on_result=self.bar.set_children)

    def _on_change(self, kind: str, _ids: list[str]) -> None:
        if kind == "children":
            self.load_children()
        elif kind in ("stories", "narrations"):
            self.recount()
