"""The search box, filters and sort above the library list.

Typing is debounced (``SEARCH_DEBOUNCE_MS``); every other control applies at once. The bar emits the whole
:class:`StoryQuery` in ``query_changed``; :class:`LibrarySearch` hands it to the list model (``set_query``) and
counts the matches with ``ctx.tasks.spawn(..., replace=True)``, so a new query cancels the previous count.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tale_desktop.context import AppContext
from tale_desktop.domain.enums import Language
from tale_desktop.domain.models import Child
from tale_desktop.domain.query import SortKey, StoryQuery
from tale_desktop.ui.common import formatting, labels
from tale_desktop.ui.common.wheel_guard import NoWheelComboBox

log = logging.getLogger(__name__)
SEARCH_DEBOUNCE_MS = 200


def _t(text: str) -> str:
    return QCoreApplication.translate("LibraryFilterBar", text)


def sort_labels() -> dict[SortKey, str]:
    return {SortKey.DATE: QCoreApplication.translate("LibraryFilterBar", "Date"), SortKey.TITLE: QCoreApplication.translate("LibraryFilterBar", "Title"), SortKey.RATING: QCoreApplication.translate("LibraryFilterBar", "Rating"),
            SortKey.LENGTH: QCoreApplication.translate("LibraryFilterBar", "Length")}


def status_labels() -> dict[str, str]:
    return {"": QCoreApplication.translate("LibraryFilterBar", "Any"), "new": QCoreApplication.translate("LibraryFilterBar", "Not read yet"), "read": QCoreApplication.translate("LibraryFilterBar", "Read"), "archived": QCoreApplication.translate("LibraryFilterBar", "Archived"),
            "draft": QCoreApplication.translate("LibraryFilterBar", "Unfinished drafts")}


class LibraryFilterBar(QWidget):
    """Search box on top; below it the sort and a "Filters" button that opens a labelled filter panel (each
    filter says what it filters); ``query_changed(StoryQuery)``."""

    query_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, debounce_ms: int = SEARCH_DEBOUNCE_MS):
        super().__init__(parent)
        self.setObjectName("libraryFilters")
        self.search = QLineEdit()
        self.search.setObjectName("librarySearch")
        self.search.setPlaceholderText(self.tr("Search titles, text and names…"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(self.tr("Search stories"))
        self.search.setToolTip(self.tr("Search the stories (Ctrl+F)"))

        def combo(name: str, accessible: str) -> QComboBox:
            box = NoWheelComboBox()
            box.setObjectName(name)
            box.setAccessibleName(accessible)
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(8)
            return box

        self.child = combo("childFilter", self.tr("Child"))
        self.child.addItem(self.tr("All children"), None)
        self.language = combo("languageFilter", self.tr("Language"))
        self.language.addItem(self.tr("Any"), None)
        for language in Language:
            self.language.addItem(labels.language_names().get(language, language.value), language.value)
        self.min_rating = combo("minRatingFilter", self.tr("Lowest rating"))
        self.min_rating.addItem(self.tr("Any"), None)
        for n in range(10, 0, -1):
            self.min_rating.addItem(self.tr("★ {0} or more").format(n) if n < 10 else "★ 10", n)
        self.status = combo("statusFilter", self.tr("Status"))
        for value, label in status_labels().items():
            self.status.addItem(label, value or None)
        self.favourite = QCheckBox(self.tr("Favourites only"))
        self.favourite.setObjectName("favouriteFilter")
        self.has_audio = QCheckBox(self.tr("Only stories with audio"))
        self.has_audio.setObjectName("audioFilter")
        self.sort = combo("sortBox", self.tr("Sort by"))
        self.sort.setMinimumContentsLength(6)
        for key, label in sort_labels().items():
            self.sort.addItem(label, key.value)
        self.order = QToolButton()
        self.order.setObjectName("sortOrder")
        self.order.setCheckable(True)  # checked = ascending
        self.order.setAccessibleName(self.tr("Sort direction"))
        self._update_order_text()
        self.count = QLabel()
        self.count.setObjectName("libraryCount")
        self.filters_button = QToolButton()
        self.filters_button.setObjectName("filtersButton")
        self.filters_button.setCheckable(True)
        self.filters_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.filters_button.setToolTip(self.tr("Show or hide the filters"))

        self.filter_panel = QFrame()
        self.filter_panel.setObjectName("filterPanel")
        form = QFormLayout(self.filter_panel)
        form.setContentsMargins(4, 2, 4, 4)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Child"), self.child)
        form.addRow(self.tr("Language"), self.language)
        form.addRow(self.tr("Lowest rating"), self.min_rating)
        form.addRow(self.tr("Status"), self.status)
        for box in (self.favourite, self.has_audio):
            box.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)  # as wide as its words
            form.addRow(box)
        self.clear_button = QToolButton()
        self.clear_button.setObjectName("clearFilters")
        self.clear_button.setText(self.tr("Clear the filters"))
        self.clear_button.clicked.connect(self.clear)
        form.addRow(self.clear_button)
        self.filter_panel.hide()
        self.filters_button.toggled.connect(self._show_filters)

        sort_row = QHBoxLayout()
        sort_row.setContentsMargins(0, 0, 0, 0)
        sort_label = QLabel(self.tr("Sort by"))
        sort_label.setObjectName("filterLabel")
        sort_label.setBuddy(self.sort)
        sort_row.addWidget(self.filters_button)
        sort_row.addStretch(1)
        sort_row.addWidget(sort_label)
        sort_row.addWidget(self.sort)
        sort_row.addWidget(self.order)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addLayout(sort_row)
        layout.addWidget(self.filter_panel)
        layout.addWidget(self.count)
        self._update_filters_button()

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
        self._show_count = True

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
        self.child.addItem(self.tr("All children"), None)
        for child in children:
            self.child.addItem(child.name, child.id)
        found = self.child.findData(current) if current else 0
        self.child.setCurrentIndex(max(found, 0))
        self.child.blockSignals(False)
        if current and found < 0:
            self._emit()

    def set_count(self, count: int | None) -> None:
        self.count.setText("" if count is None else formatting.stories_text(count))
        self.count.setVisible(bool(self.count.text()) and self._show_count)

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
        self.order.setToolTip(self.tr("Oldest / A–Z / lowest / shortest first") if ascending else
                              self.tr("Newest / Z–A / highest / longest first"))

    def _show_filters(self, on: bool) -> None:
        self.filter_panel.setVisible(on)
        self.layout().activate()  # place the filters now, so they can be used at once

    def active_filters(self) -> list[str]:
        """The filters in use, in words ("Child: Mia")."""
        active = []
        for label, box in ((self.tr("Child"), self.child), (self.tr("Language"), self.language),
                           (self.tr("Lowest rating"), self.min_rating), (self.tr("Status"), self.status)):
            if box.currentData() is not None:
                active.append(f"{label}: {box.currentText()}")
        for box in (self.favourite, self.has_audio):
            if box.isChecked():
                active.append(box.text())
        return active

    def _update_filters_button(self) -> None:
        active = self.active_filters()
        self.filters_button.setText(self.tr("Filters ({0})").format(len(active)) if active else self.tr("Filters"))
        self.filters_button.setToolTip("\n".join(active) if active else self.tr("Filter by child, language, "
                                                                                   "rating, status…"))
        self.clear_button.setEnabled(bool(active))

    def _emit(self) -> None:
        self._debounce.stop()
        self._update_filters_button()
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
        bar._show_count = count
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
                             title=self.tr("Searching the library"), replace=True, on_result=done)

    def load_children(self) -> None:
        self.ctx.tasks.spawn(self.ctx.library.list_children(), name="library.children", replace=True,
                             title=self.tr("Loading children"), on_result=self.bar.set_children)

    def _on_change(self, kind: str, _ids: list[str]) -> None:
        if kind == "children":
            self.load_children()
        elif kind in ("stories", "narrations"):
            self.recount()
