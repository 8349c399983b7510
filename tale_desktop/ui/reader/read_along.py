"""Read-along: highlight the sentence being spoken in the reader, keep it in view, and seek when a sentence is
clicked. Works on any QTextEdit/QTextBrowser whose document shows the story (plain or rendered from Markdown):
each timed sentence is found in the document by its words, so markup that is not shown does not matter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QMouseEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextEdit

from tale_desktop.domain.speech import sentence_index_at

HIGHLIGHT = QColor(255, 214, 102, 110)
_WORD = re.compile(r"\w+", re.UNICODE)
_CLOSING = set(".!?…,;:»”’\"')*_")


def locate_sentences(document_text: str, content: str, timings: Sequence[dict[str, Any]]
                     ) -> list[tuple[int, int] | None]:
    """Document spans of each timed sentence (``None`` where a sentence cannot be found)."""
    spans: list[tuple[int, int] | None] = []
    position = 0
    for entry in timings:
        words = _WORD.findall(content[int(entry["from"]):int(entry["to"])])
        if not words:
            spans.append(None)
            continue
        pattern = re.compile(r"\W*".join(re.escape(w) for w in words), re.UNICODE)
        match = pattern.search(document_text, position)
        if match is None:
            spans.append(None)
            continue
        end = match.end()
        while end < len(document_text) and document_text[end] in _CLOSING:
            end += 1  # the sentence's own punctuation belongs to it
        spans.append((match.start(), end))
        position = end
    return spans


_MOUSE_EVENTS = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease)


class ReadAlong(QObject):
    seek_requested = Signal(float)  # seconds: the parent clicked a sentence
    sentence_changed = Signal(int)  # index of the sentence now highlighted (-1: none)

    def __init__(self, view: QTextEdit, parent: QObject | None = None, *, color: QColor = HIGHLIGHT):
        super().__init__(parent or view)
        self.view = view
        self.color = color
        self.enabled = True
        self._timings: list[dict[str, Any]] = []
        self._spans: list[tuple[int, int] | None] = []
        self._content = ""
        self._current = -1
        self._press_pos: Any = None
        self._viewport = view.viewport()
        self._viewport.installEventFilter(self)
        # Pictures placed into the text (or any other change of the document) move the sentences: find them anew.
        self._relocate_timer = QTimer(self)
        self._relocate_timer.setSingleShot(True)
        self._relocate_timer.setInterval(0)
        self._relocate_timer.timeout.connect(self._relocate)
        view.document().contentsChanged.connect(self._relocate_timer.start)

    @property
    def current(self) -> int:
        return self._current

    @property
    def timings(self) -> list[dict[str, Any]]:
        return list(self._timings)

    def set_timings(self, content: str, timings: Sequence[dict[str, Any]]) -> None:
        """The story text the timings refer to, and all timings (replacing earlier ones)."""
        self._content = content
        self._timings = list(timings)
        self._spans = locate_sentences(self.view.document().toPlainText(), content, self._timings)
        self._current = -1

    def add_timings(self, content: str, timings: Sequence[dict[str, Any]]) -> None:
        """More sentences arrived (fast start: timings come piece by piece)."""
        self.set_timings(content, self._timings + list(timings))

    def _relocate(self) -> None:
        if not self._timings:
            return
        spans = locate_sentences(self.view.document().toPlainText(), self._content, self._timings)
        if spans != self._spans:
            self._spans = spans
            if self._current >= 0:
                self._highlight(self._current)

    def clear(self) -> None:
        self._timings, self._spans, self._current = [], [], -1
        self.view.setExtraSelections([])
        self.sentence_changed.emit(-1)

    def highlighted_text(self) -> str:
        selections = self.view.extraSelections()
        return selections[0].cursor.selectedText() if selections else ""

    def on_position(self, seconds: float) -> None:
        if not self.enabled or not self._timings:
            return
        index = sentence_index_at(self._timings, seconds)
        index = -1 if index is None else index
        if index != self._current:
            self._highlight(index)

    def _highlight(self, index: int) -> None:
        self._current = index
        span = self._spans[index] if 0 <= index < len(self._spans) else None
        if span is None:
            self.view.setExtraSelections([])
        else:
            cursor = QTextCursor(self.view.document())
            cursor.setPosition(span[0])
            cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setBackground(self.color)
            selection.format = fmt
            self.view.setExtraSelections([selection])
            self._scroll_to(cursor)
        self.sentence_changed.emit(index)

    def _scroll_to(self, cursor: QTextCursor) -> None:
        """Keep the spoken sentence in the middle third of the view (only scroll when it leaves it)."""
        start = QTextCursor(cursor)
        start.setPosition(cursor.selectionStart())
        rect = self.view.cursorRect(start)
        height = self.view.viewport().height()
        if height <= 0:
            return
        if rect.top() < height / 6 or rect.bottom() > height * 2 / 3:
            bar = self.view.verticalScrollBar()
            bar.setValue(bar.value() + rect.top() - height // 3)

    def sentence_at_document_position(self, position: int) -> int | None:
        for index, span in enumerate(self._spans):
            if span is not None and span[0] <= position <= span[1]:
                return index
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # (Compared with the stored viewport: the view may already be half destroyed when its last events come.)
        if watched is self._viewport and self._timings and event.type() in _MOUSE_EVENTS:
            if event.type() == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
                self._press_pos = event.position().toPoint()
            elif (event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent)
                  and event.button() == Qt.MouseButton.LeftButton and self._press_pos is not None):
                pos = event.position().toPoint()
                moved = (pos - self._press_pos).manhattanLength()
                self._press_pos = None
                if moved <= 4 and not self.view.textCursor().hasSelection():
                    index = self.sentence_at_document_position(self.view.cursorForPosition(pos).position())
                    if index is not None:
                        self.seek_requested.emit(float(self._timings[index]["start"]))
        return False
