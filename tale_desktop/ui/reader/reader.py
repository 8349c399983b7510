"""The reader: a story's title, a meta line and its text rendered from Markdown by QTextDocument.

Later capabilities plug in without touching this layout: ``show_story`` can be called again as streamed text
arrives, ``add_bottom_widget`` hosts the player bar, and ``text_view.document()`` is where read-along
highlighting goes.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont, QResizeEvent, QTextBlockFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from tale_desktop import settings as cfg
from tale_desktop.context import AppContext
from tale_desktop.domain.models import Story
from tale_desktop.domain.text import reading_minutes, word_count
from tale_desktop.storage.errors import NotFound
from tale_desktop.ui.common import formatting

READING_WIDTH = 760
LINE_HEIGHT_PERCENT = 150
FONT_MIN_PT, FONT_MAX_PT, FONT_STEP_PT = 10.0, 30.0, 1.5


def meta_line(story: Story) -> str:
    """“For Mia · with Pip the Lighthouse Fox · English · 412 words · about 3 min read”."""
    parts = []
    if story.child_name:
        parts.append(QCoreApplication.translate("ReaderPane", "For {0}").format(story.child_name))
    if story.hero_name:
        parts.append(QCoreApplication.translate("ReaderPane", "with {0}").format(story.hero_name))
    parts.append(formatting.enum_text("language", story.language))
    parts.append(formatting.words_text(word_count(story.content)))
    parts.append(QCoreApplication.translate("ReaderPane", "about {0}").format(
        formatting.reading_text(reading_minutes(story.content))))
    if story.status == "draft":
        parts.append(QCoreApplication.translate("ReaderPane", "unfinished draft"))
    return " · ".join(parts)


class ReaderPane(QWidget):
    """Shows one story, or an empty state. ``open_story(id)`` loads it through the task helper."""

    story_shown = Signal(str)
    rendered = Signal()
    column_changed = Signal()  # the reading column may have a new width (pictures follow it)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.story: Story | None = None
        self.setObjectName("reader")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)

        self.empty = QLabel(self.tr("Choose a story from the library to read it here."))
        self.empty.setObjectName("readerEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)

        self.title = QLabel()
        self.title.setObjectName("readerTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta = QLabel()
        self.meta.setObjectName("readerMeta")
        self.meta.setWordWrap(True)
        self.text_view = QTextBrowser()
        self.text_view.setObjectName("readerText")
        self.text_view.setAccessibleName(self.tr("Story text"))
        self.text_view.setFrameShape(QFrame.Shape.NoFrame)
        self.text_view.setOpenExternalLinks(False)
        self.text_view.setOpenLinks(False)
        font = QFont("Georgia")
        font.setStyleHint(QFont.StyleHint.Serif)
        size = ctx.settings.get_float(cfg.UI_READER_FONT_PT)
        font.setPointSizeF(min(FONT_MAX_PT, max(FONT_MIN_PT, size)))
        self.text_view.document().setDefaultFont(font)
        self.text_view.document().setDocumentMargin(4)

        # The text spans the pane (scroll bar at the edge); margins keep a readable column centred.
        self.header = QWidget()
        header_layout = QVBoxLayout(self.header)
        header_layout.setSpacing(4)
        header_layout.addWidget(self.title)
        header_layout.addWidget(self.meta)
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(1, 18, 1, 1)
        page_layout.setSpacing(8)
        page_layout.addWidget(self.header)
        page_layout.addWidget(self.text_view, 1)

        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(page)

        # Extension slot under the text (the player bar goes here).
        self.bottom_slot = QVBoxLayout()
        self.bottom_slot.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.pages, 1)
        layout.addLayout(self.bottom_slot)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._center_column()

    def _center_column(self) -> None:
        side = max(24, (self.width() - READING_WIDTH) // 2)
        self.header.layout().setContentsMargins(side, 0, side, 0)
        frame = self.text_view.document().rootFrame()
        fmt = frame.frameFormat()
        scrollbar = self.text_view.verticalScrollBar().sizeHint().width()
        if fmt.leftMargin() != side or fmt.rightMargin() != max(0, side - scrollbar):
            fmt.setLeftMargin(side)
            fmt.setRightMargin(max(0, side - scrollbar))
            frame.setFrameFormat(fmt)
        self.column_changed.emit()  # (the window's height may have changed too: pictures fit the view)

    # -- text size --------------------------------------------------------------------------------------------
    @property
    def font_size(self) -> float:
        return self.text_view.document().defaultFont().pointSizeF()

    def zoom(self, steps: int) -> None:
        """Make the story text larger (positive ``steps``) or smaller, and remember the size."""
        size = min(FONT_MAX_PT, max(FONT_MIN_PT, self.font_size + steps * FONT_STEP_PT))
        if size == self.font_size:
            return
        font = self.text_view.document().defaultFont()
        font.setPointSizeF(size)
        self.text_view.document().setDefaultFont(font)
        if self.story is not None:
            self._render(self.story.content)
        self.ctx.settings.set(cfg.UI_READER_FONT_PT, f"{size:g}")

    # -- extension points ---------------------------------------------------------------------------------------
    def add_bottom_widget(self, widget: QWidget) -> None:
        self.bottom_slot.addWidget(widget)

    # -- showing ------------------------------------------------------------------------------------------------
    @property
    def story_id(self) -> str | None:
        return self.story.id if self.story else None

    def plain_text(self) -> str:
        return self.text_view.document().toPlainText()

    def open_story(self, story_id: str) -> None:
        """Load the story off the loop thread and show it (a newer request replaces an older one)."""
        self.ctx.tasks.spawn(self.ctx.library.get_story(story_id), name="reader.open", title=self.tr("Opening the story"),
                             replace=True, on_result=self.show_story)

    def show_story(self, story: Story) -> None:
        same = self.story is not None and self.story.id == story.id
        scroll = self.text_view.verticalScrollBar().value() if same else 0
        self.story = story
        self.title.setText(story.title or self.tr("Untitled story"))
        self.meta.setText(meta_line(story))
        self._render(story.content)
        self.pages.setCurrentIndex(1)
        self.text_view.moveCursor(QTextCursor.MoveOperation.Start)  # replacing the text drags the cursor along
        self.text_view.verticalScrollBar().setValue(scroll)
        self.story_shown.emit(story.id)

    def _render(self, markdown: str) -> None:
        document = self.text_view.document()
        document.setMarkdown(markdown, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
        cursor = QTextCursor(document)
        cursor.select(QTextCursor.SelectionType.Document)
        block = QTextBlockFormat()
        block.setLineHeight(LINE_HEIGHT_PERCENT, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        block.setBottomMargin(12)
        cursor.mergeBlockFormat(block)
        self._center_column()
        self.rendered.emit()

    def refresh(self) -> None:
        """Reload the story shown (it changed elsewhere); clear the page if it was deleted meanwhile."""
        if self.story is None:
            return
        story_id = self.story.id

        async def reload() -> Story | None:
            try:
                return await self.ctx.library.get_story(story_id)
            except NotFound:
                return None

        def done(story: Story | None) -> None:
            if self.story_id != story_id:
                return
            if story is None:
                self.clear()
            else:
                self.show_story(story)

        self.ctx.tasks.spawn(reload(), name="reader.open", title=self.tr("Opening the story"), replace=True, on_result=done)

    def clear(self) -> None:
        self.story = None
        self.title.clear()
        self.meta.clear()
        self.text_view.clear()
        self.pages.setCurrentIndex(0)

    def forget(self, story_ids: list[str]) -> None:
        """Clear the page when the story shown was deleted."""
        if self.story is not None and self.story.id in story_ids:
            self.clear()
