"""The PDF picture book, typeset with Qt (``QTextDocument`` printed on a ``QPdfWriter``), for stories with pictures.

Layout: a cover page (the painted cover, or the app's drawn SVG cover, large, with the title under it), a page with
the summary and details, then the story in large type; each picture starts a new page above the paragraph it
shows (its ``paragraph``) and the text that follows. Sizes are chosen to fit the text area of both A4 and US Letter, so the book prints
well on either; the paper itself follows the locale (Letter in the US, Canada, Mexico and the Philippines...).
Called from :class:`tale_desktop.ui.library.pdf_export.QtPdfRenderer` in its render thread (blocking).
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

from PySide6.QtCore import QLocale, QMarginsF, QSize, QUrl
from PySide6.QtGui import QFont, QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from tale_desktop import APP_TITLE
from tale_desktop.services.export import ExportBook
from tale_desktop.ui.common.covers import load_picture, render_cover
from tale_desktop.ui.library.pdf_export import no_ligatures, no_ligatures_in

log = logging.getLogger(__name__)

RESOLUTION_DPI = 300
BODY_PT = 17.0
TITLE_PT = 34
MARGIN_MM = 8  # print_() adds its own 2 cm around the text
# The text area (in the document's 96-dpi pixels) is ~582 px wide on A4 and ~604 px on Letter, ~911 px / ~844 px
# high: pictures stay inside the smaller of each.
PICTURE_MAX_W, PICTURE_MAX_H = 560, 420
COVER_MAX_W, COVER_MAX_H = 560, 640
PICTURE_PIXELS = QSize(1600, 1200)  # decoded size: sharp at 300 dpi, never the full original
LETTER_TERRITORIES = {
    QLocale.Country.UnitedStates, QLocale.Country.Canada, QLocale.Country.Mexico,
    QLocale.Country.Philippines, QLocale.Country.Chile, QLocale.Country.Colombia,
    QLocale.Country.Venezuela, QLocale.Country.PuertoRico,
}


def paper_for(locale: QLocale | None = None) -> QPageSize.PageSizeId:
    territory = (locale or QLocale()).territory()
    return QPageSize.PageSizeId.Letter if territory in LETTER_TERRITORIES else QPageSize.PageSizeId.A4


def _fit(width: int, height: int, max_w: int, max_h: int) -> tuple[int, int]:
    scale = min(max_w / max(1, width), max_h / max(1, height))
    return max(1, int(width * scale)), max(1, int(height * scale))


def picture_book_html(book: ExportBook, sizes: dict[str, tuple[int, int]]) -> str:
    """The book as QTextDocument HTML; ``sizes`` maps image resource names to their size on the page."""
    esc = html.escape
    parts = ['<p style="margin-top: 12px;"></p>']
    if "cover" in sizes:
        w, h = sizes["cover"]
        parts.append(f'<p align="center"><img src="cover" width="{w}" height="{h}"/></p>')
    parts.append(f'<h1 align="center" style="font-size: {TITLE_PT}pt; font-weight: 600; margin-top: 24px;">'
                 f"{esc(book.title)}</h1>")
    parts.append('<p style="page-break-before: always; margin-top: 160px;"></p>')
    if book.summary:
        parts.append(f'<p align="center" style="font-size: 16pt; font-style: italic; margin: 0 40px 36px 40px;">'
                     f"{esc(book.summary)}</p>")
    for label, value in book.details:
        parts.append(f'<p align="center" style="font-size: 13pt; margin: 4px;"><b>{esc(label)}:</b> '
                     f"{esc(value)}</p>")
    after: dict[int, list[str]] = {}
    scenes = [p for p in book.pictures if p.paragraph != 0]
    for index, picture in enumerate(scenes):
        after.setdefault(min(picture.paragraph, max(1, len(book.paragraphs))), []).append(f"scene{index}")
    body = f'style="font-size: {BODY_PT}pt; line-height: 150%; margin: 0 0 14px 0;"'
    # A picture heads the page of the paragraph it shows, with the text after it below (picture above the text).
    parts.append('<p style="page-break-before: always;"></p>')
    for number, paragraph in enumerate(book.paragraphs, start=1):
        for index, name in enumerate(name for name in after.get(number, ()) if name in sizes):
            w, h = sizes[name]
            brk = "page-break-before: always; " if index == 0 and number > 1 else ""
            parts.append(f'<p align="center" style="{brk}margin: 0 0 18px 0;">'
                         f'<img src="{name}" width="{w}" height="{h}"/></p>')
        parts.append(f"<p {body}>{esc(paragraph)}</p>")
    return "<html><body>" + "\n".join(parts) + "</body></html>"


def _images(book: ExportBook) -> dict[str, QImage]:
    images: dict[str, QImage] = {}
    cover = next((p for p in book.pictures if p.paragraph == 0), None)
    if cover is not None:
        image = load_picture(Path(cover.path), PICTURE_PIXELS)
        if not image.isNull():
            images["cover"] = image
    if "cover" not in images and book.cover_svg:
        images["cover"] = render_cover(book.cover_svg, QSize(1200, 1600))
    for index, picture in enumerate(p for p in book.pictures if p.paragraph != 0):
        image = load_picture(Path(picture.path), PICTURE_PIXELS)
        if not image.isNull():
            images[f"scene{index}"] = image
        else:
            log.warning("Picture %s could not be read; the book is printed without it", picture.path)
    return images


def render_picture_book(book: ExportBook, path: Path,
                        paper: QPageSize.PageSizeId | None = None) -> None:
    """Typeset the picture book into a PDF at ``path`` (blocking)."""
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION_DPI)
    writer.setTitle(book.title)
    writer.setCreator(APP_TITLE)
    writer.setPageLayout(QPageLayout(QPageSize(paper or paper_for()), QPageLayout.Orientation.Portrait,
                                     QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                                     QPageLayout.Unit.Millimeter))
    document = QTextDocument()
    font = QFont("DejaVu Serif")
    font.setStyleHint(QFont.StyleHint.Serif)
    font.setPointSizeF(BODY_PT)
    no_ligatures(font)  # plain letters in the PDF text, as in the plain export
    document.setDefaultFont(font)
    images = _images(book)
    sizes: dict[str, tuple[int, int]] = {}
    for name, image in images.items():
        max_w, max_h = (COVER_MAX_W, COVER_MAX_H) if name == "cover" else (PICTURE_MAX_W, PICTURE_MAX_H)
        sizes[name] = _fit(image.width(), image.height(), max_w, max_h)
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    document.setHtml(picture_book_html(book, sizes))
    no_ligatures_in(document)
    document.print_(writer)
