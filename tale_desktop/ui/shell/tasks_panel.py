"""The tasks panel: the work the parent started (writing a story, exporting, changing many stories at once),
with its progress, message and a Cancel button.

Only tasks whose names start with one of ``shown_prefixes`` appear: loading pages, counting, preparing a voice
or syncing in the background are not the parent's work (their failures are reported where they happen). Rows
appear only for jobs that run longer than ``reveal_delay_ms`` (quick ones never flicker in), finished and
cancelled ones go away by themselves after ``linger_ms``, failed ones stay with their message until dismissed.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tale_desktop.services.tasks import TaskHandle, TaskManager, TaskState
from tale_desktop.ui.common.language import localized
from tale_desktop.ui.common.progress import set_progress

PROGRESS_STEPS = 1000


class _Bridge(QObject):
    """Carries task notifications into the GUI thread (queued when they come from another thread)."""

    changed = Signal(object)


class TaskRow(QFrame):
    cancel_requested = Signal(object)
    dismissed = Signal(object)

    def __init__(self, handle: TaskHandle | None = None, parent: QWidget | None = None):
        """A row showing ``handle``; without one, a spare row for the next job (see :meth:`bind`)."""
        super().__init__(parent)
        self.handle = handle
        self.setObjectName("taskRow")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel()
        self.title.setObjectName("taskTitle")
        self.message = QLabel()
        self.message.setObjectName("taskMessage")
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.cancel_button = QToolButton()
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.clicked.connect(lambda: self.cancel_requested.emit(self.handle))
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText(self.tr("Dismiss"))
        self.dismiss_button.clicked.connect(lambda: self.dismissed.emit(self.handle))
        self.dismiss_button.hide()

        self.progress.setFixedHeight(6)
        self.title.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(10)
        top.addWidget(self.title)
        top.addWidget(self.message, 1)
        top.addWidget(self.cancel_button)
        top.addWidget(self.dismiss_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 6)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        if handle is not None:
            self.bind(handle)

    @property
    def failed(self) -> bool:
        return bool(self.property("failed"))

    def bind(self, handle: TaskHandle) -> None:
        """Show ``handle`` from now on (a new row, or a spare one that has not shown a failure)."""
        title = localized(handle.title)
        self.cancel_button.setToolTip(self.tr("Stop {0}").format(title))
        self.cancel_button.setAccessibleName(self.tr("Cancel {0}").format(title))
        self.update_from(handle)

    def update_from(self, handle: TaskHandle) -> None:
        self.handle = handle
        if self.title.text() != localized(handle.title):
            self.title.setText(localized(handle.title))
        fraction = handle.fraction
        if handle.state is TaskState.RUNNING:
            if fraction is None:
                self.progress.setRange(0, 0)  # busy indicator: the total is not known
            else:
                set_progress(self.progress, round(fraction * PROGRESS_STEPS), PROGRESS_STEPS)
            message = localized(handle.message)
            if self.message.text() != message:
                self.message.setText(message)  # stays in the layout even when empty: it is the stretch
            self.cancel_button.setVisible(handle.cancellable)
            return
        self.cancel_button.hide()
        self.progress.setRange(0, PROGRESS_STEPS)
        if handle.state is TaskState.DONE:
            self.progress.setValue(PROGRESS_STEPS)
            self.message.setText(localized(handle.message) or self.tr("Done"))
        elif handle.state is TaskState.CANCELLED:
            self.progress.setValue(0)
            self.message.setText(self.tr("Cancelled"))
        else:
            self.setProperty("failed", True)
            self.progress.hide()
            self.message.setText(localized(handle.error) or self.tr("This did not work."))
            self.message.setProperty("error", True)
            self.message.setWordWrap(True)
            self.message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            self.dismiss_button.show()
            self.style().unpolish(self.message)
            self.style().polish(self.message)
        self.message.show()


class TasksPanel(QWidget):
    """Subscribes to ``tasks`` and keeps one :class:`TaskRow` per visible job."""

    reveal_delay_ms = 400
    linger_ms = 1500
    rows_per_frame = 4  # rows built per frame when many jobs become due at once (about what the dock shows)
    frame_ms = 16
    # Rows built ahead, one per loop turn while nothing runs, and kept when a job's row goes: ten stories started at
    # once then show their rows without building widgets in those frames (four rows took 4-6 ms to build and
    # polish, and their first layout and paint 4-5 ms; spare ones 2 ms, and 2 ms).
    spare_rows = 10
    spares_after_ms = 1000
    activity_changed = Signal(bool)  # True when the first row appears, False when the last one goes
    rows_changed = Signal(int)
    shown_prefixes: tuple[str, ...] = ("story:", "export.", "library.bulk", "illustrate:", "redraw:")  # work the parent started
    hidden_prefixes: tuple[str, ...] = ()  # never shown, even when they match ``shown_prefixes``

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("tasksPanel")
        self.tasks = tasks
        self.rows: dict[int, TaskRow] = {}
        self._pending: dict[int, TaskHandle] = {}
        self._due: list[TaskHandle] = []  # revealed this loop turn, added together
        self._spares: list[TaskRow] = []  # hidden rows ready for the next jobs (children of the list, not in it)
        self._bridge = _Bridge(self)
        self._bridge.changed.connect(self._on_changed)
        self._unsubscribe = tasks.subscribe(self._bridge.changed.emit)
        self.destroyed.connect(lambda *_: self._unsubscribe())

        self.empty = QLabel(self.tr("Nothing is running."))
        self.empty.setObjectName("emptyHint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._list = QVBoxLayout()
        self._list.setContentsMargins(0, 0, 0, 0)
        self._list.setSpacing(6)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(6, 6, 6, 6)
        inner_layout.addWidget(self.empty)
        inner_layout.addLayout(self._list)
        inner_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self._inner = inner
        QTimer.singleShot(self.spares_after_ms, self, self._make_spare)

    # -- spare rows -----------------------------------------------------------------------------------------------
    def _make_spare(self) -> None:
        """Build one spare row, polished and hidden, then the next one on a later loop turn (never while jobs are
        becoming due: those frames are the busy ones)."""
        if len(self._spares) >= self.spare_rows:
            return
        if self._due or self._pending:
            QTimer.singleShot(self.spares_after_ms, self, self._make_spare)
            return
        self._spares.append(self._new_row(None))
        QTimer.singleShot(0, self, self._make_spare)

    def _new_row(self, handle: TaskHandle | None) -> TaskRow:
        row = TaskRow(handle, self._inner)
        row.hide()
        row.ensurePolished()
        row.cancel_requested.connect(lambda h: h.cancel())
        row.dismissed.connect(lambda h: self._remove(h.id))
        return row

    def _row_for_job(self, handle: TaskHandle) -> TaskRow:
        if not self._spares:
            return self._new_row(handle)
        row = self._spares.pop()
        row.bind(handle)
        return row

    # -- notifications --------------------------------------------------------------------------------------------
    def _on_changed(self, handle: TaskHandle) -> None:
        row = self.rows.get(handle.id)
        if row is not None:
            row.update_from(handle)
            if handle.state in (TaskState.DONE, TaskState.CANCELLED):
                QTimer.singleShot(self.linger_ms, self, lambda: self._remove(handle.id))
            return
        if not self.shows(handle.name):
            return
        if handle.state is TaskState.RUNNING:
            if handle.id not in self._pending:
                self._pending[handle.id] = handle
                QTimer.singleShot(self.reveal_delay_ms, self, lambda: self._reveal(handle.id))
        elif handle.state is TaskState.FAILED:
            self._pending.pop(handle.id, None)
            self._add(handle)  # a failure always shows, however quick
        else:
            self._pending.pop(handle.id, None)  # finished before it was worth showing

    def shows(self, name: str) -> bool:
        return name.startswith(self.shown_prefixes) and not (self.hidden_prefixes
                                                             and name.startswith(self.hidden_prefixes))

    def _reveal(self, handle_id: int) -> None:
        """A job has run long enough to show. Jobs started together (ten stories, a sync and narrations) become
        due together and are added a few rows per frame: the first rows (what the dock has room for) at once, in
        one layout pass, the rest over the next frames, so no single frame builds and polishes them all."""
        handle = self._pending.pop(handle_id, None)
        if handle is not None and handle.state is TaskState.RUNNING and handle_id not in self.rows:
            if not self._due:
                QTimer.singleShot(0, self, self._add_due)
            self._due.append(handle)

    def _add_due(self) -> None:
        due = [h for h in self._due if h.state is TaskState.RUNNING and h.id not in self.rows]
        now, self._due = due[:self.rows_per_frame], due[self.rows_per_frame:]
        self._add_rows(now)
        if self._due:
            QTimer.singleShot(self.frame_ms, self, self._add_due)

    def _add(self, handle: TaskHandle) -> None:
        self._add_rows([handle])

    def _add_rows(self, handles: list[TaskHandle]) -> None:
        if not handles:
            return
        first = not self.rows
        self.setUpdatesEnabled(False)
        try:
            for handle in handles:
                row = self._row_for_job(handle)
                self.rows[handle.id] = row
                self._list.addWidget(row)
                row.show()
            self.empty.hide()
        finally:
            self.setUpdatesEnabled(True)
        if first:
            self.activity_changed.emit(True)
        self.rows_changed.emit(len(self.rows))

    def _remove(self, handle_id: int) -> None:
        row = self.rows.pop(handle_id, None)
        if row is not None:
            row.hide()
            self._list.removeWidget(row)
            if not row.failed and len(self._spares) < self.spare_rows:
                row.handle = None  # kept for the next job; it no longer holds this one
                self._spares.append(row)
            else:
                row.deleteLater()
            if not self.rows:
                self.activity_changed.emit(False)
            self.rows_changed.emit(len(self.rows))
        self.empty.setVisible(not self.rows)

    def preferred_height(self) -> int:
        """Room for every row (the dock grows with the jobs, up to a limit set by the window)."""
        rows = sum(row.sizeHint().height() + 6 for row in self.rows.values())
        return max(60, rows + 16)

    def row_for(self, name: str) -> TaskRow | None:
        """The visible row of the task called ``name`` (tests and later capabilities)."""
        return next((row for row in self.rows.values() if row.handle.name == name), None)
