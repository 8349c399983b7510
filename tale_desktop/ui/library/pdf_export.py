"""PDF rendering with Qt's typesetter (``QTextDocument`` printed on a ``QPdfWriter``).

This is the renderer :class:`tale_desktop.services.export.ExportService` is given by the composition root (Qt
stays out of services). Build :class:`QtPdfRenderer` on the main thread: when no ``QGuiApplication`` exists yet
(the CLI), it creates an offscreen one, since Qt needs one for fonts. Calling the renderer is blocking and
thread-safe: it only creates its own document and writer, so exports run it in a worker thread.
"""

from __future__ import annotations

import html
import logging
import threading
from pathlib import Path

from PySide6.QtCore import QMarginsF, QThread
from PySide6.QtGui import QFont, QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from tale_desktop import APP_TITLE
from tale_desktop.services.export import ExportBook

log = logging.getLogger(__name__)
_app_guard = threading.Lock()
_own_app: QGuiApplication | None = None
RESOLUTION_DPI = 300
BODY_PT = 12.5
MARGIN_MM = 8  # print_() adds its own 2 cm around the text


def ensure_gui_application() -> None:
    """Qt needs a QGuiApplication for fonts; the CLI has none, so make an offscreen one (main thread only)."""
    global _own_app
    with _app_guard:
        if QGuiApplication.instance() is None:
            _own_app = QGuiApplication(["tale-desktop", "-platform", "offscreen"])


def book_html(book: ExportBook) -> str:
    """The book as the HTML subset QTextDocument understands: a title page, then the story."""
    esc = html.escape
    parts = [
        '<p style="margin-top: 180px;"></p>',
        f'<h1 align="center" style="font-size: 30pt; font-weight: 600;">{esc(book.title)}</h1>',
    ]
    if book.summary:
        parts.append(f'<p align="center" style="font-size: 13pt; font-style: italic; margin: 36px 60px 0 60px;">'
                     f"{esc(book.summary)}</p>")
    if book.details:
        parts.append('<p style="margin-top: 60px;"></p>')
        for label, value in book.details:
            parts.append(f'<p align="center" style="font-size: 11pt; margin: 4px;"><b>{esc(label)}:</b> '
                         f"{esc(value)}</p>")
    parts.append(f'<h2 align="center" style="page-break-before: always; font-size: 18pt; margin-bottom: 24px;">'
                 f"{esc(book.title)}</h2>")
    for paragraph in book.paragraphs:
        parts.append(f'<p style="line-height: 150%; text-indent: 24px; margin: 0 0 8px 0;" align="justify">'
                     f"{esc(paragraph)}</p>")
    return "<html><body>" + "\n".join(parts) + "</body></html>"


class _RenderThread(QThread):
    """Qt caches fonts per thread and cleans the cache with timers; a plain Python worker thread ends without
    a Qt event dispatcher and Qt then complains at exit, so the typesetting runs in a short-lived QThread."""

    def __init__(self, book: ExportBook, path: Path):
        super().__init__()
        self.book, self.path = book, path
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            if self.book.pictures:  # a picture book (ui/picture_book_pdf.py)
                from tale_desktop.ui.library.picture_book_pdf import render_picture_book

                render_picture_book(self.book, self.path)
            else:
                render_pdf(self.book, self.path)
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
            self.error = exc


def render_pdf(book: ExportBook, path: Path) -> int:
    """Typeset ``book`` into an A4 PDF at ``path``; returns the page count."""
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION_DPI)
    writer.setTitle(book.title)
    writer.setCreator(APP_TITLE)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                                     QPageLayout.Unit.Millimeter))
    document = QTextDocument()
    font = QFont("DejaVu Serif")
    font.setStyleHint(QFont.StyleHint.Serif)
    font.setPointSizeF(BODY_PT)
    no_ligatures(font)
    document.setDefaultFont(font)
    document.setHtml(book_html(book))
    no_ligatures_in(document)
    # An unpaginated document is laid out by print_() at screen resolution on the paper size, with a 2 cm margin
    # and page numbers at the foot of each page, then scaled to the writer's resolution.
    document.print_(writer)
    return document.pageCount()


_LIGATURE_FEATURES = ("liga", "clig", "dlig", "hlig")


def no_ligatures(font: QFont) -> None:
    """Plain letters in the PDF text ("find", not "ﬁnd"): ligature glyphs break search and copy-paste."""
    for tag in _LIGATURE_FEATURES:
        font.setFeature(QFont.Tag(tag), 0)


def no_ligatures_in(document: QTextDocument) -> None:
    """The HTML's own character formats (headings, bold labels) carry their own fonts: turn ligatures off there
    too."""
    from PySide6.QtGui import QTextCursor

    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.isValid():
                char_format = fragment.charFormat()
                font = char_format.font()
                no_ligatures(font)
                char_format.setFont(font)
                part = QTextCursor(document)
                part.setPosition(fragment.position())
                part.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                part.setCharFormat(char_format)
            iterator += 1
        block = block.next()


class QtPdfRenderer:
    """``renderer(book, path)`` writes an A4 PDF with a title page and readable typography (blocking: call it
    from a worker thread; it typesets in its own QThread and waits)."""

    def __init__(self) -> None:
        ensure_gui_application()

    def __call__(self, book: ExportBook, path: Path) -> None:
        thread = _RenderThread(book, path)
        thread.start()
        thread.wait()
        if thread.error is not None:
            raise thread.error
        log.debug("Rendered '%s' to %s", book.title, path)
