"""The streaming view: a story's title and text growing as the model writes, a progress bar and Cancel.

Storyteller events arrive on the loop thread (one per token); the view only buffers them and paints at most every
``BATCH_MS`` (a leading-edge throttle: a token after a quiet spell is shown at once, a burst is painted in one go),
so the event loop stays free while several stories stream.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tale_desktop.domain.story_text import TITLE_MAX_CHARS, TITLE_MAX_WORDS, clean_title
from tale_desktop.services.storyteller import StoryEvent, StoryEventKind, review_unchecked
from tale_desktop.services.tasks import TaskHandle
from tale_desktop.ui.common.language import localized
from tale_desktop.ui.common.progress import set_progress

BATCH_MS = 16  # at most one paint per frame (~60 Hz) per view; tokens in between are coalesced


def looks_like_title(line: str) -> bool:
    return len(line) <= TITLE_MAX_CHARS and len(line.split()) <= TITLE_MAX_WORDS


class StoryStreamView(QWidget):
    """Shows one generation. Feed it with :meth:`on_event` (pass the method as the storyteller listener)."""

    cancel_requested = Signal(str)   # story id
    settings_requested = Signal()
    open_requested = Signal(str)     # story id of the saved story (or kept draft)
    finished = Signal(str, str)      # story id, outcome: done | failed | cancelled
    painted = Signal()               # after each batch reaches the screen (tests and benchmarks listen)

    def __init__(self, parent: QWidget | None = None, *, batch_ms: int = BATCH_MS):
        super().__init__(parent)
        self.setObjectName("storyStream")
        self.batch_ms = batch_ms
        self.story_id: str | None = None
        self.handle: TaskHandle | None = None
        self.outcome: str | None = None
        self._raw = ""             # everything received, title line included
        self._shown_body = 0       # characters of the body already in the text view
        self._body_start = 0       # where the body starts in _raw (after the title line)
        self._title_done = False
        self._words = 0
        self._target = 0
        self._last_paint = 0.0
        self.pending_since: float | None = None  # monotonic time of the oldest unpainted token
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.paint)

        self.title = QLabel("")
        self.title.setObjectName("streamTitle")
        self.title.setWordWrap(True)
        title_font = QFont()
        title_font.setPointSizeF(18)
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.status = QLabel("")
        self.status.setObjectName("streamStatus")
        self.status.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setObjectName("streamText")
        self.text.setReadOnly(True)
        self.text.setFrameShape(QFrame.Shape.NoFrame)
        body_font = QFont("Georgia")
        body_font.setStyleHint(QFont.StyleHint.Serif)
        body_font.setPointSizeF(14)
        self.text.setFont(body_font)
        self.progress = QProgressBar()
        self.progress.setObjectName("streamProgress")
        # The words go to a label next to the bar (a label repaints with the next frame).
        self.progress.setTextVisible(False)
        self.words_label = QLabel("")
        self.words_label.setObjectName("streamWords")
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("streamCancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.open_button = QPushButton(self.tr("Open in the reader"))
        self.open_button.clicked.connect(lambda: self.story_id and self.open_requested.emit(self.story_id))
        self.open_button.hide()

        self.error_box = QFrame()
        self.error_box.setObjectName("streamError")
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setObjectName("fieldError")
        self.settings_button = QPushButton(self.tr("Open Settings…"))
        self.settings_button.clicked.connect(self.settings_requested)
        error_layout = QVBoxLayout(self.error_box)
        error_layout.setContentsMargins(0, 0, 0, 0)
        error_layout.addWidget(self.error_label)
        error_layout.addWidget(self.settings_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.error_box.hide()

        bar = QHBoxLayout()
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.words_label)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.error_box)
        layout.addWidget(self.text, 1)
        layout.addLayout(bar)
        layout.addStretch(0)  # takes the room while the text is hidden, so the hint stays under its heading
        self.clear()

    def clear(self) -> None:
        """Nothing being written: a hint where the story will appear."""
        self._timer.stop()
        self.handle = None
        self.story_id = None
        self.outcome = None
        self._reset_text()
        self.title.setText(self.tr("Your story will appear here"))
        self.status.setText(self.tr("Choose who the story is for, then press “Write the story”. You can watch it "
                                    "being written, or go back to the library: it is saved when it is done."))
        self.error_box.hide()
        self.cancel_button.hide()
        self.open_button.hide()
        self.progress.hide()
        self.text.hide()
        self.words_label.setText("")

    # -- binding ------------------------------------------------------------------------------------------------
    def bind(self, handle: TaskHandle | None, story_id: str | None = None) -> None:
        """Show a new generation (events for other stories are ignored from now on)."""
        self._timer.stop()
        self.handle = handle
        self.story_id = story_id or getattr(handle, "story_id", None)
        self.outcome = None
        self._reset_text()
        self.title.setText(self.tr("Writing your story…"))
        self.status.setText("")
        self.error_box.hide()
        self.progress.show()
        self.text.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.open_button.hide()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.words_label.setText("")

    def _reset_text(self) -> None:
        self._raw = ""
        self._shown_body = 0
        self._body_start = 0
        self._title_done = False
        self._words = 0
        self.pending_since = None
        self.text.clear()

    def cancel(self) -> None:
        if self.story_id:
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("Stopping… what was written is kept as a draft."))
            if self.handle is not None:
                self.handle.cancel()
            self.cancel_requested.emit(self.story_id)

    @property
    def body_text(self) -> str:
        return self.text.toPlainText()

    # -- events -------------------------------------------------------------------------------------------------
    def on_event(self, event: StoryEvent) -> None:
        if self.story_id is None:
            self.story_id = event.story_id
        if event.story_id != self.story_id:
            return
        kind = event.kind
        if kind is StoryEventKind.TEXT:
            self._raw += event.delta
            self._words = event.words
            self._target = event.target_words or self._target
            if self.pending_since is None:
                self.pending_since = time.monotonic()
            self._schedule()
            return
        self.paint()
        if kind is StoryEventKind.STARTED:
            self._target = event.target_words
            self.progress.setRange(0, max(1, self._target))
            self.status.setText(event.message)
        elif kind is StoryEventKind.RESTART:
            self._reset_text()
            self.status.setText(event.message)
        elif kind is StoryEventKind.STATUS:
            self.status.setText(event.message)
        elif kind is StoryEventKind.DONE and event.story is not None:
            story = event.story
            self.title.setText(story.title)
            self.text.setPlainText(story.content)
            self.progress.setRange(0, max(1, story.target_words))
            self._target = story.target_words
            self._show_progress(story.word_count)
            flagged = (story.review or {}).get("flagged")
            if review_unchecked(story.review):
                self.status.setText(self.tr("Saved, but the safety review could not be done, so the story is "
                                            "flagged: please read it first."))
            else:
                self.status.setText(self.tr("Saved. The review had doubts about this story: please read it first.")
                                    if flagged else self.tr("Saved to your library."))
            self._finish("done")
        elif kind is StoryEventKind.FAILED:
            if not self._title_done or not self.title.text() or self.title.text() == self.tr("Writing your story…"):
                self.title.setText(self.tr("The story could not be written"))
            self.show_error(localized(event.error) or self.tr("The story could not be written."),
                            settings_fix=event.settings_fix)
            self.status.setText(self.tr("What was written so far is kept as a draft in your library.")
                                if event.draft_saved else "")
            self.progress.hide()
            self._finish("failed")
        elif kind is StoryEventKind.CANCELLED:
            self.status.setText(self.tr("Cancelled. What was written so far is kept as a draft in your library.")
                                if event.draft_saved else self.tr("Cancelled."))
            self._finish("cancelled")

    def show_error(self, message: str, *, settings_fix: bool = False) -> None:
        self.error_label.setText(message)
        self.settings_button.setVisible(settings_fix)
        self.error_box.show()

    def _finish(self, outcome: str) -> None:
        self.outcome = outcome
        self.cancel_button.hide()
        self.open_button.setVisible(outcome == "done" or (outcome != "done" and bool(self._raw.strip())))
        if self.story_id:
            self.finished.emit(self.story_id, outcome)

    # -- painting -----------------------------------------------------------------------------------------------
    def _schedule(self) -> None:
        if self._timer.isActive():
            return
        # The next frame: on the next loop turn (so tokens arriving in this turn are painted together), or when
        # the last paint is one frame old.
        wait_ms = self.batch_ms - (time.monotonic() - self._last_paint) * 1000
        self._timer.start(max(0, int(wait_ms) + 1) if wait_ms > 0 else 0)

    def paint(self) -> None:
        """Put everything buffered on screen in one go."""
        self._timer.stop()
        if self.pending_since is None:
            return
        self._last_paint = time.monotonic()
        self.pending_since = None
        raw = self._raw
        if not self._title_done:
            head, newline, _ = raw.lstrip().partition("\n")
            title = clean_title(head)
            if not looks_like_title(head):  # the model started with prose, not a title line: all of it is body
                self.title.setText(self.tr("Writing your story…"))
                self._title_done = True
                self._body_start = self._shown_body = len(raw) - len(raw.lstrip())
            elif not newline:
                self.title.setText(title or self.tr("Writing your story…"))
                self._show_progress(self._words)
                self.painted.emit()
                return
            else:
                self.title.setText(title or self.tr("Untitled story"))
                self._title_done = True
                self._body_start = len(raw) - len(raw.lstrip()) + len(head) + 1
                self._shown_body = self._body_start
        new = raw[self._shown_body:]
        if self._shown_body == self._body_start:
            new = new.lstrip("\n")
        if new:
            scrollbar = self.text.verticalScrollBar()
            follow = scrollbar.value() >= scrollbar.maximum() - 4
            cursor = self.text.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(new)
            self._shown_body = len(raw)
            if follow:
                scrollbar.setValue(scrollbar.maximum())
        self._show_progress(self._words)
        self.painted.emit()

    def _show_progress(self, words: int) -> None:
        target = self.progress.maximum()
        value = min(words, target)
        set_progress(self.progress, value)
        self.words_label.setText(self.tr("{0} / {1} words").format(words, self._target or target))
