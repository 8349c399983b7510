"""Exporting stories: Markdown, PDF, EPUB 3 (one story) and the JSONL backup of the whole library.

Files are written to a temporary file next to the target and renamed into place, so a failed export never leaves
a half-written file (or clobbers an older good one). Writing runs in worker threads, never on the loop thread.

PDF and layering: a good PDF needs a typesetter, and the one we use is Qt's (``QTextDocument`` printed on a
``QPdfWriter``), which lives in QtGui. Services must not import Qt, so this module only knows the renderer as a
plain function ``render(book, path)`` (:data:`PdfRenderer`). The composition root injects a factory that builds it
(``tale_desktop.ui.library.pdf_export.QtPdfRenderer``); the factory is called on the loop (main) thread, because it may
have to create the ``QGuiApplication`` when the CLI runs without a window, and the rendering itself then runs in a
worker thread like every other export. Without an injected renderer a PDF export fails with a clear message.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import os
import re
import tempfile
import zipfile
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from tale_desktop import APP_TITLE
from tale_desktop.domain.labels import field_label, story_facts
from tale_desktop.domain.locale_format import format_date
from tale_desktop.domain.messages import msg
from tale_desktop.domain.models import Story
from tale_desktop.domain.text import reading_minutes
from tale_desktop.services.library import LibraryService
from tale_desktop.storage.errors import StorageError

log = logging.getLogger(__name__)


class ExportFormat(StrEnum):
    MARKDOWN = "md"
    PDF = "pdf"
    EPUB = "epub"


class ExportError(StorageError):
    """The export could not be written (missing or read-only folder, full disk...); nothing was changed."""


@dataclass(slots=True)
class ExportBook:
    """A story laid out for a reader: what every export format prints (pure data, no Qt)."""

    id: str
    title: str
    language: str
    summary: str
    paragraphs: list[str]
    details: list[tuple[str, str]] = field(default_factory=list)
    written: str = ""  # "12 March 2026"
    updated_at: str = ""
    # Picture books (services/picture_book.py): the story's pictures (services.illustrator.BookPicture) and the
    # app's drawn SVG cover, used when no painted cover exists.
    pictures: list[Any] = field(default_factory=list)
    cover_svg: str = ""


PdfRenderer = Callable[[ExportBook, Path], None]
PictureSource = Callable[[str], Awaitable[list[Any]]]
PdfRendererFactory = Callable[[], PdfRenderer]

def book_for(story: Story) -> ExportBook:
    """Lay out ``story`` for an export: every label and value in the story's language (domain/labels.py)."""
    language = story.language
    details = story_facts(language=language, child_name=story.child_name, hero_name=story.hero_name,
                          moral=story.moral, theme=story.theme, reading_minutes=reading_minutes(story.content),
                          word_count=story.word_count, created_at=story.created_at)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", story.content) if p.strip()]
    return ExportBook(id=story.id, title=story.title.strip() or field_label("untitled", language),
                      language=language, summary=story.summary.strip(), paragraphs=paragraphs, details=details,
                      written=format_date(story.created_at, language), updated_at=story.updated_at)


# -- Markdown ---------------------------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


_MD_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))")


def md_paragraph(paragraph: str) -> str:
    """A story paragraph as plain Markdown text: inline markup characters and HTML are escaped, and a line that
    would start a quote, heading, list or rule (``> ``, ``# ``, ``1. ``, ``- ``) starts with an escape."""
    lines = []
    for line in paragraph.split("\n"):
        line = _md_escape(line)
        match = _MD_LINE_START.match(line)
        if match:
            marker = match.group(2)
            end = match.end(2)
            line = (f"{match.group(1)}{marker}\\{line[end:]}" if marker[0].isdigit()
                    else f"{match.group(1)}\\{line[match.start(2):]}")
        lines.append(line)
    return "\n".join(lines)


def markdown_for(book: ExportBook) -> str:
    lines = [f"# {_md_escape(book.title)}", ""]
    if book.summary:
        lines += [f"*{_md_escape(book.summary)}*", ""]
    lines += [f"- **{label}:** {_md_escape(value)}" for label, value in book.details]
    lines += ["", "---", ""]
    for paragraph in book.paragraphs:
        lines += [md_paragraph(paragraph), ""]
    return "\n".join(lines)


# -- EPUB 3 -----------------------------------------------------------------------------------------------------
_CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""
_CSS = """body { font-family: serif; line-height: 1.5; margin: 0 5%; }
h1 { text-align: center; margin-top: 30%; font-size: 2em; }
p { text-indent: 1.5em; margin: 0 0 0.4em 0; }
p.summary { font-style: italic; text-align: center; text-indent: 0; margin-top: 2em; }
dl { margin: 3em auto 0 auto; text-align: center; }
dt { font-weight: bold; display: inline; }
dd { display: inline; margin: 0 1.5em 0 0.3em; }
h2 { text-align: center; margin: 1em 0 1.5em 0; }
"""


def _xhtml(language: str, title: str, body: str, *, extra_ns: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
            f'<html xmlns="http://www.w3.org/1999/xhtml"{extra_ns} xml:lang="{language}" lang="{language}">\n'
            f'<head><meta charset="UTF-8"/><title>{html.escape(title)}</title>'
            f'<link rel="stylesheet" type="text/css" href="style.css"/></head>\n<body>\n{body}\n</body>\n</html>\n')


def epub_files(book: ExportBook) -> dict[str, str]:
    """The files of the book (besides ``mimetype``), by path inside the archive."""
    esc = html.escape
    modified = _epub_modified(book.updated_at)
    title_body = [f"<h1>{esc(book.title)}</h1>"]
    if book.summary:
        title_body.append(f'<p class="summary">{esc(book.summary)}</p>')
    if book.details:
        title_body.append("<dl>" + "".join(f"<dt>{esc(k)}:</dt><dd>{esc(v)}</dd>" for k, v in book.details)
                          + "</dl>")
    story_body = [f"<h2>{esc(book.title)}</h2>"] + [f"<p>{esc(p)}</p>" for p in book.paragraphs]
    nav_body = (f'<nav epub:type="toc" id="toc"><h2>{esc(field_label("contents", book.language))}</h2><ol>'
                f'<li><a href="title.xhtml">{esc(book.title)}</a></li>'
                f'<li><a href="story.xhtml">{esc(book.title)}</a></li></ol></nav>')
    package = f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="book-id" xml:lang="{book.language}">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="book-id">urn:uuid:{esc(book.id)}</dc:identifier>
    <dc:title>{esc(book.title)}</dc:title>
    <dc:language>{esc(book.language)}</dc:language>
    <dc:creator>{esc(APP_TITLE)}</dc:creator>
    <meta property="dcterms:modified">{modified}</meta>
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="title" href="title.xhtml" media-type="application/xhtml+xml"/>
    <item id="story" href="story.xhtml" media-type="application/xhtml+xml"/>
    <item id="css" href="style.css" media-type="text/css"/>
  </manifest>
  <spine>
    <itemref idref="title"/>
    <itemref idref="story"/>
  </spine>
</package>
"""
    return {
        "META-INF/container.xml": _CONTAINER,
        "OEBPS/package.opf": package,
        "OEBPS/nav.xhtml": _xhtml(book.language, book.title, nav_body,
                                  extra_ns=' xmlns:epub="http://www.idpf.org/2007/ops"'),
        "OEBPS/title.xhtml": _xhtml(book.language, book.title, "\n".join(title_body)),
        "OEBPS/story.xhtml": _xhtml(book.language, book.title, "\n".join(story_body)),
        "OEBPS/style.css": _CSS,
    }


def _epub_modified(stamp: str) -> str:
    try:
        moment = datetime.fromisoformat(stamp).astimezone(UTC)
    except (TypeError, ValueError):
        moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_epub(book: ExportBook, path: Path) -> None:
    """Blocking: an EPUB 3 container whose first entry is the uncompressed ``mimetype``."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        for name, text in epub_files(book).items():
            archive.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED)


# -- writing files safely ---------------------------------------------------------------------------------------
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_filename(title: str, suffix: str) -> str:
    stem = _UNSAFE_NAME.sub(" ", title).strip(" .")[:80] or "story"
    return f"{stem}.{suffix}"


def resolve_target(path: str | os.PathLike[str], default_name: str) -> Path:
    """Where to write: an existing folder gets ``default_name`` inside it; a missing folder is an error."""
    target = Path(path).expanduser()
    if target.is_dir():
        target = target / default_name
    parent = target.parent
    if not parent.exists():
        raise ExportError(msg("export.folder_missing", folder=str(parent)))
    if not parent.is_dir():
        raise ExportError(msg("export.not_a_folder", folder=str(parent)))
    return target


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success it replaces ``target``, on failure it is removed."""
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise ExportError(msg("export.cannot_write_in", folder=str(target.parent),
                              reason=str(exc.strerror or exc))) from exc
    os.close(fd)
    temp = Path(temp_name)
    try:
        yield temp
        os.chmod(temp, public_mode())  # mkstemp makes it private; an export is an ordinary file
        os.replace(temp, target)
    except OSError as exc:
        raise ExportError(msg("export.cannot_write", path=str(target), reason=str(exc.strerror or exc))) from exc
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def public_mode() -> int:
    """The mode of an ordinary new file under the current umask (0644 with the usual 022)."""
    return 0o666 & ~_umask()


# -- MP3 tags ---------------------------------------------------------------------------------------------------
_ISO_639_2 = {"en": "eng", "ru": "rus"}


def tag_mp3(path: Path, *, title: str, child_name: str = "", language: str = "en",
            cover: bytes | None = None) -> None:
    """Write ID3 tags (title, the child's name, "Tale Desktop", language, the cover picture when given) into an
    exported MP3 (blocking)."""
    from mutagen.id3 import APIC, ID3, TALB, TIT2, TLAN, TPE1, TSSE, TXXX, ID3NoHeaderError

    try:
        tags = ID3(path)
    except ID3NoHeaderError:
        tags = ID3()
    tags.delall("APIC")
    tags.add(TIT2(encoding=3, text=title))
    tags.add(TPE1(encoding=3, text=APP_TITLE))
    tags.add(TSSE(encoding=3, text=APP_TITLE))
    tags.add(TALB(encoding=3, text=f"{APP_TITLE}: {child_name}" if child_name else APP_TITLE))
    if child_name:
        tags.add(TXXX(encoding=3, desc="Child", text=child_name))
    tags.add(TLAN(encoding=3, text=_ISO_639_2.get(language, language)))
    if cover:
        mime = "image/png" if cover.startswith(b"\x89PNG") else "image/jpeg"
        tags.add(APIC(encoding=3, mime=mime, type=3, desc="Cover", data=cover))
    tags.save(path, v2_version=3)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_story_file(book: ExportBook, fmt: ExportFormat, target: Path, pdf: PdfRenderer | None = None) -> Path:
    """Blocking: write one story in ``fmt`` to ``target`` atomically."""
    if book.pictures and fmt is ExportFormat.MARKDOWN:  # a picture book: its pictures go in a folder beside it
        from tale_desktop.services.picture_book import write_picture_markdown

        write_picture_markdown(book, target)
        return target
    with atomic_path(target) as temp:
        if book.pictures and fmt is ExportFormat.EPUB:
            from tale_desktop.services.picture_book import write_picture_epub

            write_picture_epub(book, temp)
        elif fmt is ExportFormat.MARKDOWN:
            temp.write_text(markdown_for(book), encoding="utf-8")
        elif fmt is ExportFormat.EPUB:
            write_epub(book, temp)
        elif fmt is ExportFormat.PDF:
            if pdf is None:
                raise ExportError(msg("export.pdf_unavailable"))
            pdf(book, temp)
            if temp.stat().st_size == 0:
                raise ExportError(msg("export.pdf_failed", title=book.title))
    return target


class ExportService:
    """Exports for the window and the CLI. ``pdf_renderer_factory`` comes from the composition root."""

    def __init__(self, library: LibraryService, pdf_renderer_factory: PdfRendererFactory | None = None):
        self.library = library
        self._pdf_factory = pdf_renderer_factory
        self._pdf: PdfRenderer | None = None
        self.pictures: PictureSource | None = None  # set by the composition root: a story's pictures

    def _pdf_renderer(self) -> PdfRenderer:
        if self._pdf is None:
            if self._pdf_factory is None:
                raise ExportError(msg("export.pdf_unavailable"))
            self._pdf = self._pdf_factory()  # on the loop thread: it may create the QGuiApplication
        return self._pdf

    async def export_story(self, story_id: str, fmt: ExportFormat | str, out: str | os.PathLike[str]) -> Path:
        """Write one story as Markdown, PDF or EPUB; returns the file written."""
        try:
            fmt = ExportFormat(fmt)
        except ValueError:
            raise ExportError(f"Unknown export format '{fmt}': use one of "
                              f"{', '.join(f.value for f in ExportFormat)}.") from None
        story = await self.library.get_story(story_id)
        book = book_for(story)
        if self.pictures is not None:
            book.pictures = await self.pictures(story_id)
            if book.pictures:
                from tale_desktop.domain.cover_art import cover_svg

                book.cover_svg = cover_svg(story.title, story.theme, story.id, story.child_name or story.hero_name)
        target = resolve_target(out, safe_filename(book.title, fmt.value))
        pdf = self._pdf_renderer() if fmt is ExportFormat.PDF else None
        written = await asyncio.to_thread(write_story_file, book, fmt, target, pdf)
        log.info("Exported story %s as %s to %s", story_id, fmt.value, written)
        return written

    async def export_backup(self, out: str | os.PathLike[str]) -> tuple[Path, dict[str, int]]:
        """The JSONL backup of the whole library (see :mod:`tale_desktop.services.backup`)."""
        from tale_desktop.services.backup import write_backup

        target = resolve_target(out, f"tale-desktop-backup-{datetime.now(UTC):%Y%m%d-%H%M%S}.jsonl")
        counts = await write_backup(self.library, target)
        return target, counts
