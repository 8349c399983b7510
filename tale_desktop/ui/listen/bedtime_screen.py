"""Bedtime mode: the whole screen dim and still, the sentence being read in large soft letters (following the
voice), nothing else: no menus, no player bar, no pointer. The window's actions added to it (bedtime key B,
Esc, Space) work here as in the window; notifications are held back while it shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor, QFont, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from tale_desktop.ui.common import theme

TEXT_PT = 40
CONTEXT_PT = 22


class BedtimeScreen(QWidget):
    closed = Signal()

    def __init__(self, parent: QWidget | None = None, *, family: str = ""):
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint)
        self.family = family  # the reader's typeface
        self.setObjectName("bedtimeScreen")
        self.setWindowTitle(self.tr("Bedtime"))
        self.setCursor(Qt.CursorShape.BlankCursor)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, theme.colour(theme.NIGHT, "window").darker(180))  # lights out
        palette.setColor(QPalette.ColorRole.WindowText, theme.colour(theme.NIGHT, "muted"))
        self.setPalette(palette)
        self.before = self._label("bedtimeBefore", CONTEXT_PT, theme.colour(theme.NIGHT, "border_strong"))
        self.text = self._label("bedtimeText", TEXT_PT, theme.colour(theme.NIGHT, "muted"))
        self.after = self._label("bedtimeAfter", CONTEXT_PT, theme.colour(theme.NIGHT, "border_strong"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(120, 80, 120, 80)
        layout.setSpacing(28)
        layout.addStretch(1)
        layout.addWidget(self.before)
        layout.addWidget(self.text)
        layout.addWidget(self.after)
        layout.addStretch(1)
        self._content = ""
        self._timings: list[dict[str, Any]] = []
        self.title = ""

    def _label(self, name: str, points: int, colour: QColor) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(self.font())
        if self.family:
            font.setFamily(self.family)
        font.setPointSizeF(points)
        label.setFont(font)
        palette = label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, colour)
        label.setPalette(palette)
        label.setStyleSheet(f"color: {colour.name()}; background: transparent;")
        return label

    def set_story(self, title: str, content: str, timings: Sequence[dict[str, Any]]) -> None:
        self.title, self._content, self._timings = title, content, list(timings)

    def set_timings(self, timings: Sequence[dict[str, Any]]) -> None:
        self._timings = list(timings)

    def _sentence(self, index: int) -> str:
        if not 0 <= index < len(self._timings):
            return ""
        entry = self._timings[index]
        return " ".join(self._content[int(entry["from"]):int(entry["to"])].split())

    def show_sentence(self, index: int) -> None:
        """The sentence being read (``-1``: none yet, the title shows)."""
        if index < 0:
            self.before.setText("")
            self.text.setText(self.title)
            self.after.setText("")
            return
        self.before.setText(self._sentence(index - 1))
        self.text.setText(self._sentence(index))
        self.after.setText("")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.closed.emit()
        super().closeEvent(event)
