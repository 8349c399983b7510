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


class _WheelWhenFocused:
    """Mixin for a Qt input widget: the wheel changes its value only once the parent clicked into it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)  # type: ignore[call-arg]
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # type: ignore[attr-defined]

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        if self.hasFocus():  # type: ignore[attr-defined]
            super().wheelEvent(event)  # type: ignore[misc]
        else:
            event.ignore()


class NoWheelComboBox(_WheelWhenFocused, QComboBox):
    """A combo box that ignores the wheel unless it has the focus."""


class NoWheelSpinBox(_WheelWhenFocused, QSpinBox):
    """A spin box that ignores the wheel unless it has the focus."""
