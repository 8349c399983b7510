"""The mouse wheel scrolls the page, not the value of a combo box or spin box the parent did not click into.

The window's combo boxes and spin boxes are :class:`NoWheelComboBox` and :class:`NoWheelSpinBox`: over an
unfocused one the wheel event is ignored, so it goes on to the scroll area around it. (Not an application-wide
event filter: that would call into Python for every event of the process, and each call has to take the GIL from
whichever worker thread holds it, which under load added up to stalls of the loop thread.)
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QComboBox, QSpinBox, QWidget


class NoWheelComboBox(QComboBox):
    """A combo box that ignores the wheel unless it has the focus."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class NoWheelSpinBox(QSpinBox):
    """A spin box that ignores the wheel unless it has the focus."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()
