"""Picture-book exports without Qt: EPUB 3 with the pictures, and Markdown with the pictures in a folder beside it.

A story with pictures is exported as a picture book: a cover page (the painted cover, or the app's drawn SVG cover
when the image model drew none), then the story with each picture after the paragraph it belongs to. Stories
without pictures keep the plain exports of :mod:`tale_desktop.services.export`. The PDF picture book is typeset by
the Qt renderer the composition root injects (``tale_desktop.ui.library.picture_book_pdf``).
"""

from __future__ import annotations

import html
import logging
import shutil
import zipfile
from pathlib import Path
from typing import Any

from tale_desktop import APP_TITLE
from tale_desktop.domain.labels import field_label
from tale_desktop.services.export import (
    _CONTAINER,
    ExportBook,
    _epub_modified,
    _md_escape,
    _xhtml,
    atomic_path,
    md_paragraph,
)

log = logging.getLogger(__name__)

EPUB_MEDIA_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}
_EXT = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp", "image/svg+xml": "svg"}
_PICTURE_CSS = """figure { margin: 1em 0; text-align: center; page-break-inside: avoid; }
figure img { max-width: 100%; max-height: 60vh; }
section.cover { text-align: center; }
section.cover img { max-width: 100%; max-height: 80vh; }
p { font-size: 1.15em; }
"""


def picture_name(picture: Any, index: int) -> str:
    """File name of a picture inside an export: ``cover.png``, ``picture-01.png``..."""
    ext = _EXT.get(picture.mime, "png")
    return f"cover.{ext}" if picture.paragraph == 0 else f"picture-{index:02d}.{ext}"


def _named(book: ExportBook) -> list[tuple[str, Any]]:
    out, number = [], 0
    for picture in book.pictures:
        if picture.paragraph != 0:
            number += 1
        out.append((picture_name(picture, number), picture))
    return out


def _cover_of(book: ExportBook) -> tuple[str, Any] | None:
    return next(((name, p) for name, p in _named(book) if p.paragraph == 0), None)


def _scenes_after(book: ExportBook) -> dict[int, list[tuple[str, Any]]]:
    after: dict[int, list[tuple[str, Any]]] = {}
    for name, picture in _named(book):
        if picture.paragraph != 0:
            # a paragraph number past the end (the text was edited) goes after the last paragraph
            after.setdefault(min(picture.paragraph, max(1, len(book.paragraphs))), []).append((name, picture))
    return after


# -- EPUB 3 -----------------------------------------------------------------------------------------------------
def picture_epub_files(book: ExportBook) -> dict[str, str | bytes]:
    """The files of the picture book (besides ``mimetype``), by path inside the archive."""
    esc = html.escape
    images: dict[str, tuple[str, bytes]] = {}  # archive name -> (media type, bytes)
    cover = _cover_of(book)
    if cover is not None:
        cover_name = cover[0]
        images[cover_name] = (cover[1].mime, Path(cover[1].path).read_bytes())
    else:
        cover_name = "cover.svg"
        images[cover_name] = ("image/svg+xml", book.cover_svg.encode("utf-8"))
    after = _scenes_after(book)
    story_body = [f"<h2>{esc(book.title)}</h2>"]
    for number, paragraph in enumerate(book.paragraphs, start=1):
        story_body.append(f"<p>{esc(paragraph)}</p>")
        for name, picture in after.get(number, ()):
            images[name] = (picture.mime, Path(picture.path).read_bytes())
            story_body.append(f'<figure><img src="images/{name}" alt="{esc(picture.alt or book.title)}"/></figure>')
    cover_body = (f'<section class="cover"><img src="images/{cover_name}" alt="{esc(book.title)}"/>'
                  f"<h1>{esc(book.title)}</h1></section>")
    title_body = [f"<h1>{esc(book.title)}</h1>"]
    if book.summary:
        title_body.append(f'<p class="summary">{esc(book.summary)}</p>')
    if book.details:
        title_body.append("<dl>" + "".join(f"<dt>{esc(k)}:</dt><dd>{esc(v)}</dd>" for k, v in book.details)
                          + "</dl>")
    nav_body = (f'<nav epub:type="toc" id="toc"><h2>{esc(field_label("contents", book.language))}</h2><ol>'
                f'<li><a href="cover.xhtml">{esc(book.title)}</a></li>'
                f'<li><a href="story.xhtml">{esc(book.title)}</a></li></ol></nav>')
    manifest = []
    for index, (name, (media_type, _data)) in enumerate(images.items()):
        properties = ' properties="cover-image"' if name == cover_name else ""
        manifest.append(f'    <item id="img{index}" href="images/{name}" media-type="{media_type}"{properties}/>')
    package = f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="book-id" xml:lang="{book.language}">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="book-id">urn:uuid:{esc(book.id)}</dc:identifier>
    <dc:title>{esc(book.title)}</dc:title>
    <dc:language>{esc(book.language)}</dc:language>
    <dc:creator>{esc(APP_TITLE)}</dc:creator>
    <meta property="dcterms:modified">{_epub_modified(book.updated_at)}</meta>
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="cover" href="cover.xhtml" media-type="application/xhtml+xml"/>
    <item id="title" href="title.xhtml" media-type="application/xhtml+xml"/>
    <item id="story" href="story.xhtml" media-type="application/xhtml+xml"/>
    <item id="css" href="style.css" media-type="text/css"/>
{chr(10).join(manifest)}
  </manifest>
  <spine>
    <itemref idref="cover"/>
    <itemref idref="title"/>
    <itemref idref="story"/>
  </spine>
</package>
"""
    from tale_desktop.services.export import _CSS

    files: dict[str, str | bytes] = {
        "META-INF/container.xml": _CONTAINER,
        "OEBPS/package.opf": package,
        "OEBPS/nav.xhtml": _xhtml(book.language, book.title, nav_body,
                                  extra_ns=' xmlns:epub="http://www.idpf.org/2007/ops"'),
        "OEBPS/cover.xhtml": _xhtml(book.language, book.title, cover_body),
        "OEBPS/title.xhtml": _xhtml(book.language, book.title, "\n".join(title_body)),
        "OEBPS/story.xhtml": _xhtml(book.language, book.title, "\n".join(story_body)),
        "OEBPS/style.css": _CSS + _PICTURE_CSS,
    }
    for name, (_media_type, data) in images.items():
        files[f"OEBPS/images/{name}"] = data
    return files


def write_picture_epub(book: ExportBook, path: Path) -> None:
    """Blocking: the EPUB 3 picture book; ``mimetype`` first and stored, pictures stored (already compressed)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        for name, content in picture_epub_files(book).items():
            binary = isinstance(content, bytes) and not name.endswith(".svg")
            archive.writestr(name, content, compress_type=zipfile.ZIP_STORED if binary else zipfile.ZIP_DEFLATED)


# -- Markdown ---------------------------------------------------------------------------------------------------
def pictures_folder(target: Path) -> Path:
    """Where a Markdown export keeps its pictures: ``<name>_pictures/`` beside the file."""
    return target.with_name(f"{target.stem}_pictures")


def picture_markdown(book: ExportBook, folder_name: str) -> str:
    lines = [f"# {_md_escape(book.title)}", ""]
    cover = _cover_of(book)
    if cover is not None:
        lines += [f"![{_md_escape(book.title)}]({folder_name}/{cover[0]})", ""]
    if book.summary:
        lines += [f"*{_md_escape(book.summary)}*", ""]
    lines += [f"- **{label}:** {_md_escape(value)}" for label, value in book.details]
    lines += ["", "---", ""]
    after = _scenes_after(book)
    for number, paragraph in enumerate(book.paragraphs, start=1):
        lines += [md_paragraph(paragraph), ""]  # story text stays text (no markup from the model)
        for name, picture in after.get(number, ()):
            lines += [f"![{_md_escape(picture.alt or book.title)}]({folder_name}/{name})", ""]
    return "\n".join(lines)


def write_picture_markdown(book: ExportBook, target: Path) -> None:
    """Blocking: the pictures (each written atomically) into the folder beside ``target``, then the text."""
    folder = pictures_folder(target)
    folder.mkdir(exist_ok=True)
    for name, picture in _named(book):
        with atomic_path(folder / name) as temp:
            shutil.copyfile(picture.path, temp)
    with atomic_path(target) as temp:
        temp.write_text(picture_markdown(book, folder.name), encoding="utf-8")
