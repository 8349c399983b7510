"""The story as a prompt while a parent records their reading: the sentence to read now is highlighted and moves
on at the parent's pace.

The pace is estimated in words per second (a calm bedtime reading to start with) and the highlight moves on with
the time recorded (pauses of the recording do not count). When the parent presses "Next sentence" (or clicks a
sentence) the highlight goes there at once and the estimate learns from how long the sentence really took.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QMouseEvent,
    QResizeEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QFrame, QTextBrowser, QTextEdit, QWidget

from tale_desktop.domain.speech import Sentence, sentences_of
from tale_desktop.ui.common import theme
from tale_desktop.ui.reader.read_along import locate_sentences

START_WORDS_PER_SECOND = 2.2  # about 130 words a minute: reading aloud to a sleepy child
MIN_WORDS_PER_SECOND, MAX_WORDS_PER_SECOND = 0.8, 5.0
SENTENCE_PAUSE_S = 0.7  # a breath between sentences
LEARNING = 0.5  # how much one measured sentence moves the estimate
PROMPT_FONT_PT = 17.0  # read from a little way off the screen
COLUMN_WIDTH = 820
LINE_HEIGHT_PERCENT = 150


def words_in(text: str) -> int:
    return max(1, len(text.split()))


class ReadingPrompt(QTextBrowser):
    sentence_changed = Signal(int)  # index of the sentence highlighted now

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("readingPrompt")
        self.setAccessibleName(self.tr("Story text to read aloud"))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setOpenLinks(False)
        font = QFont("Georgia")
        font.setStyleHint(QFont.StyleHint.Serif)
        font.setPointSizeF(PROMPT_FONT_PT)
        self.document().setDefaultFont(font)
        self.document().setDocumentMargin(8)
        self.words_per_second = START_WORDS_PER_SECOND
        self.sentences: list[Sentence] = []
        self._spans: list[tuple[int, int] | None] = []
        self._index = 0
        self._anchor_s = 0.0  # recorded time at which the current sentence began
        self._elapsed_s = 0.0
        self.viewport().installEventFilter(self)

    # -- content -------------------------------------------------------------------------------------------------
    def set_story(self, content: str) -> None:
        self.document().setMarkdown(content, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
        cursor = QTextCursor(self.document())
        cursor.select(QTextCursor.SelectionType.Document)
        block = QTextBlockFormat()
        block.setLineHeight(LINE_HEIGHT_PERCENT, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        block.setBottomMargin(12)
        cursor.mergeBlockFormat(block)
        self._center_column()
        self.sentences = sentences_of(content)
        timings = [{"from": s.start, "to": s.end} for s in self.sentences]
        self._spans = locate_sentences(self.document().toPlainText(), content, timings)
        self.restart()

    def restart(self) -> None:
        """Back to the first sentence at time zero (a new recording)."""
        self._index, self._anchor_s, self._elapsed_s = 0, 0.0, 0.0
        self._highlight()

    @property
    def current(self) -> int:
        return self._index

    def highlighted_text(self) -> str:
        selections = self.extraSelections()
        return selections[0].cursor.selectedText() if selections else ""

    def expected_seconds(self, index: int) -> float:
        return words_in(self.sentences[index].text) / self.words_per_second + SENTENCE_PAUSE_S

    # -- the parent's pace ---------------------------------------------------------------------------------------
    def set_elapsed(self, seconds: float) -> None:
        """The recording has lasted ``seconds``: move on past the sentences that should be read by now."""
        self._elapsed_s = max(0.0, seconds)
        moved = False
        while self._index < len(self.sentences) - 1 and \
                self._elapsed_s >= self._anchor_s + self.expected_seconds(self._index):
            self._anchor_s += self.expected_seconds(self._index)
            self._index += 1
            moved = True
        if moved:
            self._highlight()

    def next_sentence(self) -> None:
        """The parent finished the sentence: learn from how long it took, and highlight the next one."""
        if not self.sentences:
            return
        took = self._elapsed_s - self._anchor_s - SENTENCE_PAUSE_S
        if took > 0.5:
            measured = words_in(self.sentences[self._index].text) / took
            measured = min(MAX_WORDS_PER_SECOND, max(MIN_WORDS_PER_SECOND, measured))
            self.words_per_second += LEARNING * (measured - self.words_per_second)
        self.go_to(self._index + 1)

    def previous_sentence(self) -> None:
        self.go_to(self._index - 1)

    def go_to(self, index: int) -> None:
        if not self.sentences:
            return
        self._index = min(len(self.sentences) - 1, max(0, index))
        self._anchor_s = self._elapsed_s
        self._highlight()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._center_column()

    def _center_column(self) -> None:
        """A readable column in the middle of a wide page."""
        side = max(8, (self.viewport().width() - COLUMN_WIDTH) // 2)
        frame = self.document().rootFrame()
        fmt = frame.frameFormat()
        if fmt.leftMargin() != side:
            fmt.setLeftMargin(side)
            fmt.setRightMargin(side)
            frame.setFrameFormat(fmt)

    # -- painting ------------------------------------------------------------------------------------------------
    def recolour(self, _theme: str = "") -> None:
        self._highlight()

    def _highlight(self) -> None:
        span = self._spans[self._index] if 0 <= self._index < len(self._spans) else None
        if span is None:
            self.setExtraSelections([])
        else:
            cursor = QTextCursor(self.document())
            cursor.setPosition(span[0])
            cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(theme.colour(theme.current(), "highlight")))
            fmt.setForeground(QColor(theme.colour(theme.current(), "text_strong")))
            selection.format = fmt
            self.setExtraSelections([selection])
            self._keep_in_view(cursor)
        self.sentence_changed.emit(self._index)

    def _keep_in_view(self, cursor: QTextCursor) -> None:
        start = QTextCursor(cursor)
        start.setPosition(cursor.selectionStart())
        rect = self.cursorRect(start)
        height = self.viewport().height()
        if height > 0 and (rect.top() < height / 6 or rect.bottom() > height * 2 / 3):
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() + rect.top() - height // 3)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """A click on a sentence makes it the one being read."""
        if watched is self.viewport() and isinstance(event, QMouseEvent) and \
                event.type() == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton \
                and not self.textCursor().hasSelection():
            position = self.cursorForPosition(event.position().toPoint()).position()
            for index, span in enumerate(self._spans):
                if span is not None and span[0] <= position <= span[1]:
                    self.go_to(index)
                    break
        return False
