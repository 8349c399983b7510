"""Delete with undo: the stories go at once (tombstoned), and a notice offers Undo for ``UNDO_SECONDS``.

When the notice closes (time up, closed by hand, or another deletion replaces it) the deletion becomes final:
``ctx.library.finalize_deletion(ids)``, which tells listeners ``stories_purged`` (the audio cache drops the files).
Deletions still pending when the app quits become final in ``AppContext.aclose``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from tale_desktop.context import AppContext

log = logging.getLogger(__name__)
UNDO_SECONDS = 10


class UndoBar(QFrame):
    """``delete(ids, titles)`` deletes and shows "Deleted … [Undo]"; ``restored`` / ``finalized`` say how it ended."""

    offered = Signal(list)  # the stories are deleted and the notice is showing
    restored = Signal(list)
    finalized = Signal(list)
    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, seconds: float = UNDO_SECONDS):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("undoBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.message = QLabel()
        self.message.setObjectName("undoMessage")
        self.undo_button = QPushButton(self.tr("Undo"))
        self.undo_button.setObjectName("undoButton")
        self.close_button = QToolButton()
        self.close_button.setText(self.tr("✕"))
        self.close_button.setAccessibleName("Dismiss")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.undo_button)
        layout.addWidget(self.close_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(seconds * 1000))
        self._timer.timeout.connect(self.finalize)
        self.undo_button.clicked.connect(self.undo)
        self.close_button.clicked.connect(self.finalize)
        self.pending: list[str] = []
        self.hide()

    def delete(self, story_ids: Sequence[str], titles: Sequence[str] = ()) -> None:
        """Delete the stories now and offer Undo (an earlier pending deletion becomes final first)."""
        ids = list(dict.fromkeys(story_ids))
        if not ids:
            return
        self.finalize()
        text = (f"Deleted “{titles[0]}”" if len(ids) == 1 and titles else
                f"Deleted {len(ids)} stor{'y' if len(ids) == 1 else 'ies'}")

        def deleted(_result: object) -> None:
            self.pending = ids
            self.message.setText(text)
            self.undo_button.setEnabled(True)
            self.show()
            self._timer.start()
            self.offered.emit(ids)

        self.ctx.tasks.spawn(self.ctx.library.delete_stories(ids), name="library.delete", title="Deleting",
                             on_result=deleted, on_error=lambda message, _exc: self.failed.emit(message))

    def undo(self) -> None:
        ids, self.pending = self.pending, []
        self._timer.stop()
        self.hide()
        if not ids:
            return

        def back(_result: object) -> None:
            self.restored.emit(ids)

        self.ctx.tasks.spawn(self.ctx.library.restore_stories(ids), name="library.undo", title="Restoring",
                             on_result=back, on_error=lambda message, _exc: self.failed.emit(message))

    def finalize(self) -> None:
        """The undo window is over: the pending deletion becomes final."""
        ids, self.pending = self.pending, []
        self._timer.stop()
        self.hide()
        if ids:
            self.ctx.library.finalize_deletion(ids)
            self.finalized.emit(ids)

    @property
    def remaining_ms(self) -> int:
        return self._timer.remainingTime() if self._timer.isActive() else 0
