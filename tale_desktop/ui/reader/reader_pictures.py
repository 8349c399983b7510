"""Pictures in the reader: the cover above the story text and each scene picture after the paragraph it follows.

The pictures are image resources of the reader's ``QTextDocument`` (one centred block each), so reading, read-along
highlighting, zoom and the full-screen reader keep working on the same document. They are decoded once, scaled
for the reading column at the screen's pixel ratio, in a worker thread (``covers.load_picture_async``); placing
them into the text is cheap and happens again whenever the reader lays the text out anew (``rendered``). New and
redrawn pictures arrive through the library's ``"illustrations"`` notification and appear while the parent reads;
the first visible line stays where it was.
"""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import QObject, QPoint, QPointF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QImage, QPixmap, QTextBlockFormat, QTextCursor, QTextDocument, QTextImageFormat
from PySide6.QtWidgets import QTextBrowser

from tale_desktop.context import AppContext
from tale_desktop.domain.illustrations import COVER_PARAGRAPH, Illustration, story_paragraphs
from tale_desktop.services.illustrator import NOTIFY_KIND
from tale_desktop.ui.common.covers import load_picture_async
from tale_desktop.ui.reader.reader import READING_WIDTH, ReaderPane

log = logging.getLogger(__name__)

SCHEME = "tale-picture"
VIEW_SHARE = 0.72  # a picture is at most this share of the visible height, so text stays in sight around it
MIN_PICTURE_WIDTH = 120
TASK = "reader.pictures"
_WORD = re.compile(r"\w+", re.UNICODE)


def picture_url(illustration_id: str) -> QUrl:
    return QUrl(f"{SCHEME}:{illustration_id}")


def picture_id(name: str) -> str | None:
    """The illustration id of an image name in the document (``None`` for other images)."""
    prefix = f"{SCHEME}:"
    return name[len(prefix):] if name.startswith(prefix) else None


def paragraph_ends(document_text: str, paragraphs: list[str]) -> list[int | None]:
    """Document position where each paragraph's text ends (found by its words, in order; ``None`` if not found)."""
    ends: list[int | None] = []
    position = 0
    for paragraph in paragraphs:
        words = _WORD.findall(paragraph)
        if not words:
            ends.append(None)
            continue
        match = re.compile(r"\W*".join(re.escape(w) for w in words), re.UNICODE).search(document_text, position)
        if match is None:
            ends.append(None)
            continue
        ends.append(match.end())
        position = match.end()
    return ends


class ReaderPictures(QObject):
    """Loads the open story's pictures and keeps them placed in the reader's text."""

    pictures_shown = Signal(int)  # how many pictures the text shows now

    def __init__(self, ctx: AppContext, reader: ReaderPane, parent: QObject | None = None):
        super().__init__(parent or reader)
        self.ctx = ctx
        self.reader = reader
        self.view: QTextBrowser = reader.text_view
        self.story_id: str | None = None
        self.pictures: list[Illustration] = []
        self._images: dict[str, QImage] = {}  # illustration id -> decoded picture
        self._pixmaps: dict[str, QPixmap] = {}  # the same, converted once for painting (not on every paint)
        self._placed: list[str] = []
        reader.rendered.connect(self._place)
        reader.column_changed.connect(self._fit)
        reader.story_shown.connect(self._story_shown)
        self._unsubscribe = ctx.library.subscribe(self._library_changed)
        reader.destroyed.connect(lambda *_: self._unsubscribe())

    # -- what is shown ------------------------------------------------------------------------------------------
    @property
    def shown(self) -> list[str]:
        """Illustration ids placed in the text now, in document order."""
        return list(self._placed)

    def picture_at(self, pos: QPoint) -> Illustration | None:
        """The picture under ``pos`` (viewport coordinates), if any."""
        offset = QPointF(self.view.horizontalScrollBar().value(), self.view.verticalScrollBar().value())
        name = self.view.document().documentLayout().imageAt(QPointF(pos) + offset)
        found = picture_id(name or "")
        return next((p for p in self.pictures if p.id == found), None)

    # -- loading ------------------------------------------------------------------------------------------------
    def _story_shown(self, story_id: str) -> None:
        if story_id != self.story_id:
            self.story_id = story_id
            self.pictures, self._images, self._pixmaps = [], {}, {}
            self.reload()

    def _library_changed(self, kind: str, ids: list[str]) -> None:
        if kind == NOTIFY_KIND and self.story_id is not None and (not ids or self.story_id in ids):
            self.reload()

    def reload(self) -> None:
        """Read the story's pictures and decode the new ones off the loop thread, then place them."""
        story_id = self.story_id
        if story_id is None:
            return
        ratio = max(1.0, self.reader.devicePixelRatioF())
        box = QSize(round(READING_WIDTH * ratio), round(READING_WIDTH * ratio))
        known = dict(self._images)
        data_dir = self.ctx.settings.data_dir

        async def load() -> tuple[list[Illustration], dict[str, QImage]]:
            pictures = await self.ctx.illustrator.pictures(story_id)
            images: dict[str, QImage] = {}
            for picture in pictures:
                image = known.get(picture.id)
                if image is None:
                    image = await load_picture_async(data_dir / picture.file, box)
                    if image.isNull():
                        log.warning("Picture %s of story %s could not be read", picture.id, story_id)
                        continue
                    image.setDevicePixelRatio(ratio)
                images[picture.id] = image
            return [p for p in pictures if p.id in images], images

        def loaded(result: tuple[list[Illustration], dict[str, QImage]]) -> None:
            if self.story_id != story_id:
                return
            self.pictures, self._images = result
            self._pixmaps = {pid: self._pixmaps.get(pid) or QPixmap.fromImage(image)
                             for pid, image in self._images.items()}
            self._place()

        self.ctx.tasks.spawn(load(), name=TASK, title=self.tr("Loading the pictures"), replace=True,
                             on_result=loaded)

    # -- placing ------------------------------------------------------------------------------------------------
    def _column(self) -> tuple[float, float]:
        """(width, height) a picture may take: the reading column, and a share of the visible height."""
        document = self.view.document()
        frame = document.rootFrame().frameFormat()
        width = (self.view.viewport().width() - frame.leftMargin() - frame.rightMargin()
                 - 2 * document.documentMargin())
        return max(MIN_PICTURE_WIDTH, width), max(MIN_PICTURE_WIDTH * 0.75, self.view.viewport().height() * VIEW_SHARE)

    def _size_for(self, image: QImage) -> tuple[float, float]:
        width, height = self._column()
        if image.width() <= 0 or image.height() <= 0:
            return width, height
        aspect = image.height() / image.width()
        if width * aspect > height:
            width = height / aspect
        return round(width), round(width * aspect)

    def _image_format(self, picture_id_: str, image: QImage) -> QTextImageFormat:
        fmt = QTextImageFormat()
        fmt.setName(picture_url(picture_id_).toString())
        width, height = self._size_for(image)
        fmt.setWidth(width)
        fmt.setHeight(height)
        return fmt

    @staticmethod
    def _block_format() -> QTextBlockFormat:
        block = QTextBlockFormat()
        block.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        block.setLineHeight(100, QTextBlockFormat.LineHeightTypes.SingleHeight.value)
        block.setTopMargin(8)
        block.setBottomMargin(20)
        return block

    def _picture_blocks(self) -> list[tuple[int, int, str]]:
        """(block position, block length, illustration id) of every picture block in the document."""
        found = []
        block = self.view.document().begin()
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                fmt = fragment.charFormat()
                if fmt.isImageFormat():
                    found_id = picture_id(fmt.toImageFormat().name())
                    if found_id is not None:
                        found.append((block.position(), block.length(), found_id))
                        break
                iterator += 1
            block = block.next()
        return found

    def _place(self) -> None:
        """Put the pictures into the text (again): the cover first, each scene after its paragraph."""
        story = self.reader.story
        document = self.view.document()
        blocks = self._picture_blocks()
        if (story is None or story.id != self.story_id) and not blocks:
            self._placed = []
            return
        bar = self.view.verticalScrollBar()
        anchor = self.view.cursorForPosition(QPoint(8, 8)) if bar.value() > 0 else None
        anchor_top = self.view.cursorRect(anchor).top() if anchor is not None else 0
        cursor = QTextCursor(document)
        cursor.beginEditBlock()
        for position, length, _ in reversed(blocks):  # remove what an earlier placing put there
            last = position + length >= document.characterCount()
            cursor.setPosition(position)
            cursor.setPosition(position + length - (1 if last else 0), QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            if last and position > 0:
                cursor.deletePreviousChar()  # the last block: drop the separator before it instead
        placed: list[str] = []
        if story is not None and story.id == self.story_id and self.pictures:
            for picture in self.pictures:
                document.addResource(QTextDocument.ResourceType.ImageResource.value, picture_url(picture.id),
                                     self._pixmaps[picture.id])
            ends = paragraph_ends(document.toPlainText(), story_paragraphs(story.content))
            scenes = [(ends[p.paragraph - 1], p) for p in self.pictures
                      if p.paragraph != COVER_PARAGRAPH and 0 < p.paragraph <= len(ends)
                      and ends[p.paragraph - 1] is not None]
            for end, picture in sorted(scenes, key=lambda item: item[0] or 0, reverse=True):
                block = document.findBlock(end or 0)
                cursor.setPosition(block.position() + block.length() - 1)
                cursor.insertBlock(self._block_format())
                cursor.insertImage(self._image_format(picture.id, self._images[picture.id]))
                placed.insert(0, picture.id)
            cover = next((p for p in self.pictures if p.paragraph == COVER_PARAGRAPH), None)
            if cover is not None:
                cursor.setPosition(0)
                cursor.insertBlock()
                cursor.setPosition(0)
                cursor.setBlockFormat(self._block_format())
                cursor.insertImage(self._image_format(cover.id, self._images[cover.id]))
                placed.insert(0, cover.id)
        cursor.endEditBlock()
        if anchor is not None:
            bar.setValue(bar.value() + self.view.cursorRect(anchor).top() - anchor_top)
        changed = placed != self._placed
        self._placed = placed
        if changed:
            self.pictures_shown.emit(len(placed))

    def _fit(self) -> None:
        """The column or the view changed size: give every picture its new size (nothing is decoded again)."""
        if not self._placed:
            return
        document = self.view.document()
        cursor = QTextCursor(document)
        block = document.begin()
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                fmt = fragment.charFormat()
                found = picture_id(fmt.toImageFormat().name()) if fmt.isImageFormat() else None
                image = self._images.get(found or "")
                if image is not None:
                    wanted = self._image_format(found or "", image)
                    current = fmt.toImageFormat()
                    if (current.width(), current.height()) != (wanted.width(), wanted.height()):
                        cursor.setPosition(fragment.position())
                        cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                        cursor.setCharFormat(wanted)
                iterator += 1
            block = block.next()
