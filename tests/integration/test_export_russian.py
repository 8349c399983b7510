"""A Russian story's exports (Markdown, PDF, EPUB) label and value everything in Russian."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pypdf
import pytest

from tale_desktop.domain.locale_format import MONTHS_GENITIVE
from tale_desktop.services.export import ExportService
from tale_desktop.services.library import LibraryService
from tale_desktop.storage.library import Library
from tale_desktop.ui.library.pdf_export import QtPdfRenderer
from tests.library_helpers import make_story

TEXT = "Ёжик зажигал фонарики в лесу.\n\n" + "Звёзды тихо засыпали над поляной. " * 83 + "\n\nСпокойной ночи, малыш."
ENGLISH_LABELS = ["For", "Hero", "Moral", "Theme", "Length", "Written", "words", "min", "read", "Contents",
                  "empathy", "animals", "kindness", "Untitled"]
ENGLISH_MONTHS = MONTHS_GENITIVE["en"]


@pytest.fixture
def exporter(tmp_path: Path, qapp):
    library = Library.open(tmp_path / "lib")
    yield ExportService(LibraryService(library), QtPdfRenderer)
    library.close()


async def _story(exporter, **fields):
    story = make_story("Ёжик и фонарик", TEXT, language="ru", summary="Сказка о смелом ёжике.", theme="animals",
                       moral="empathy", child_snapshot={"name": "Маша"}, hero_snapshot={"name": "Ёжик"},
                       created_at="2026-01-01T18:30:00.000Z", **fields)
    return await exporter.library.save_story(story)


def _title_page_lines(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _assert_russian_title_page(text: str) -> None:
    text = _title_page_lines(text)
    for label, value in [("Для", "Маша"), ("Герой", "Ёжик"), ("Мораль", "Понимание других"), ("Тема", "Животные"),
                         ("Длина", "3 мин чтения · 423 слова"), ("Написана", "1 января 2026 г.")]:
        assert f"{label}: {value}" in text or f"{label}:** {value}" in text, (label, text[:600])
    for word in ENGLISH_LABELS + ENGLISH_MONTHS:
        assert not re.search(rf"\b{word}\b", text), word


async def test_markdown_is_russian(exporter, tmp_path):
    story = await _story(exporter)
    assert story.word_count == 423
    text = (await exporter.export_story(story.id, "md", tmp_path / "s.md")).read_text(encoding="utf-8")
    _assert_russian_title_page(text)


async def test_pdf_is_russian(exporter, tmp_path):
    story = await _story(exporter)
    path = await exporter.export_story(story.id, "pdf", tmp_path / "s.pdf")
    pages = [page.extract_text() for page in pypdf.PdfReader(path).pages]
    _assert_russian_title_page(pages[0])
    whole = _title_page_lines(" ".join(pages))
    for word in ENGLISH_LABELS + ENGLISH_MONTHS:
        assert not re.search(rf"\b{word}\b", whole), word


async def test_epub_is_russian(exporter, tmp_path):
    story = await _story(exporter)
    path = await exporter.export_story(story.id, "epub", tmp_path / "s.epub")
    with zipfile.ZipFile(path) as book:
        title = re.sub(r"<[^>]+>", " ", book.read("OEBPS/title.xhtml").decode())
        nav = book.read("OEBPS/nav.xhtml").decode()
        opf = book.read("OEBPS/package.opf").decode()
    _assert_russian_title_page(title.replace(" :", ":").replace(":  ", ": "))
    assert "Содержание" in nav and 'xml:lang="ru"' in nav
    assert "<dc:language>ru</dc:language>" in opf


async def test_custom_moral_is_shown_as_written(exporter, tmp_path):
    story = await exporter.library.save_story(make_story(
        "Ёжик", "Жил-был ёжик.", language="ru", moral="Делиться — это здорово",
        created_at="2026-05-09T10:00:00.000Z"))
    text = (await exporter.export_story(story.id, "md", tmp_path / "c.md")).read_text(encoding="utf-8")
    assert "**Мораль:** Делиться — это здорово" in text
    assert "9 мая 2026 г." in text and "2 слова" in text.replace("\u00a0", " ")


async def test_english_story_stays_english(exporter, tmp_path):
    story = await exporter.library.save_story(make_story("Orbi", "One two three.", theme="space",
                                                         moral="kindness", created_at="2026-01-01T12:00:00Z"))
    text = (await exporter.export_story(story.id, "md", tmp_path / "e.md")).read_text(encoding="utf-8")
    assert "- **Moral:** Kindness" in text and "- **Theme:** Space" in text
    assert "1 January 2026" in text and "3 words" in text
