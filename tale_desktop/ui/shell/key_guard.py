"""The window's one-key shortcuts (Space, Left/Right, the digits) step aside for the control that has the focus
when that control uses the key itself: Space presses a focused button or opens a focused combo box, Left/Right
move a focused slider or step between the rating buttons. Text fields already keep their keys (Qt asks them
first)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QAbstractSlider, QApplication, QComboBox, QWidget

from tale_desktop.ui.asyncqt import alive

OWN_KEYS: dict[int, tuple[type[QWidget], ...]] = {
    Qt.Key.Key_Space: (QAbstractButton, QComboBox),
    Qt.Key.Key_Left: (QAbstractSlider, QAbstractButton),
    Qt.Key.Key_Right: (QAbstractSlider, QAbstractButton),
}


class KeyGuard(QObject):
    """An event filter on the focused widget only (it follows the focus), not on the whole application: an
    application-wide filter calls into Python for every event of the process."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            kinds = OWN_KEYS.get(event.key())
            focus = QApplication.focusWidget()
            if kinds and watched is focus and event.modifiers() == Qt.KeyboardModifier.NoModifier \
                    and isinstance(focus, kinds):
                event.accept()  # the focused control gets the key press, not the window's shortcut
        return False

    def follow_focus(self, old: QWidget | None, new: QWidget | None) -> None:
        if old is not None and alive(old):
            old.removeEventFilter(self)
        if new is not None and isinstance(new, GUARDED):
            new.installEventFilter(self)


GUARDED = tuple({kind for kinds in OWN_KEYS.values() for kind in kinds})


def install(app: QApplication) -> KeyGuard:
    guard = KeyGuard(app)
    app.focusChanged.connect(guard.follow_focus)
    guard.follow_focus(None, app.focusWidget())
    return guard
