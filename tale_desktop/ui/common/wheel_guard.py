"""The mouse wheel scrolls the page, not the value of a combo box or spin box the parent did not click into.

:class:`WheelGuard` is an application-wide event filter (installed once by the main window): a wheel event over an
unfocused ``QComboBox`` / ``QAbstractSpinBox`` / ``QSlider`` (other than the player's) goes to the scroll area
around it instead. :class:`NoWheelComboBox` does the same for one combo box without the filter.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget

GUARDED = (QComboBox, QAbstractSpinBox)


def _ignore_unfocused(widget: QWidget, event: QEvent) -> bool:
    if event.type() == QEvent.Type.Wheel and isinstance(widget, GUARDED) and not widget.hasFocus():
        event.ignore()  # the parent widget (a scroll area) gets it
        return True
    return False


class WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if isinstance(watched, QWidget) and _ignore_unfocused(watched, event):
            parent = watched.parentWidget()
            if parent is not None and isinstance(event, QWheelEvent):
                QApplication.sendEvent(parent, event)
            return True
        return False


def install(app: QApplication) -> WheelGuard:
    guard = WheelGuard(app)
    app.installEventFilter(guard)
    for widget in app.allWidgets():
        if isinstance(widget, GUARDED):
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return guard


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
