"""Non-blocking message dialogs (``open()``, never ``exec()``), for errors a parent must see."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from tale_desktop.ui.common.language import localized


def show_error(parent: QWidget | None, title: str, message: str) -> QMessageBox:
    """Show ``message`` in a window-modal box that returns immediately; the box deletes itself when closed.
    A service message is shown in the interface language."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, localized(message), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()
    return box


def confirm(parent: QWidget | None, title: str, message: str, on_yes: Callable[[], None], *,
            yes_text: str = "Delete") -> QMessageBox:
    """Ask a yes/no question without blocking; ``on_yes`` runs only when the parent agrees."""
    box = QMessageBox(QMessageBox.Icon.Question, title, message, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("confirmBox")
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def done(_result: int) -> None:
        if box.clickedButton() is yes:
            on_yes()

    box.finished.connect(done)
    box.open()
    return box
