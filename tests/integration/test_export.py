"""Markdown, EPUB 3 and PDF exports: valid files with the story in them, and clear failures for bad paths."""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pypdf
import pytest

from tale_desktop.services.export import ExportError, ExportService
from tale_desktop.services.library import LibraryService
from tale_desktop.storage.library import Library
from tale_desktop.ui.library.pdf_export import QtPdfRenderer
from tests.library_helpers import make_story

TEXT = ("Orbi watched the comets drift over the hill.\n\nThe moth said: \"It's <beautiful> & bright.\"\n\n"
        + "Slowly the stars went to sleep. " * 120)
OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"


@pytest.fixture
def exporter(tmp_path: Path, qapp):
    library = Library.open(tmp_path / "lib")
    service = LibraryService(library)
    yield ExportService(service, QtPdfRenderer)
    library.close()


@pytest.fixture
async def story(exporter: ExportService):
    return await exporter.library.save_story(make_story(
        "Orbi & the *Comet* Map", TEXT, summary="A robot draws comets.", theme="space",
        child_snapshot={"name": "Маша"}, hero_snapshot={"name": "Orbi"}, moral="perseverance"))


async def test_markdown(exporter, story, tmp_path):
    path = await exporter.export_story(story.id, "md", tmp_path / "orbi.md")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Orbi & the \\*Comet\\* Map\n")
    assert "- **For:** Маша" in text and "- **Hero:** Orbi" in text
    assert "Orbi watched the comets drift over the hill.\n\nThe moth said" in text


async def test_epub_is_a_valid_container(exporter, story, tmp_path):
    path = await exporter.export_story(story.id, "epub", tmp_path / "orbi.epub")
    raw = path.read_bytes()
    assert raw[30:38] == b"mimetype" and raw[38:58] == b"application/epub+zip"  # first entry, stored as is
    with zipfile.ZipFile(io.BytesIO(raw)) as book:
        first = book.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED and not first.extra
        assert book.testzip() is None
        container = ET.fromstring(book.read("META-INF/container.xml"))
        rootfile = container.find(".//{urn:oasis:names:tc:opendocument:xmlns:container}rootfile")
        opf_path = rootfile.get("full-path")
        assert rootfile.get("media-type") == "application/oebps-package+xml"
        package = ET.fromstring(book.read(opf_path))
        assert package.get("version") == "3.0"
        meta = package.find(f"{OPF}metadata")
        identifier = meta.find(f"{DC}identifier")
        assert identifier.get("id") == package.get("unique-identifier") and story.id in identifier.text
        assert meta.find(f"{DC}title").text == "Orbi & the *Comet* Map"
        assert meta.find(f"{DC}language").text == "en"
        assert meta.find(f"{OPF}meta[@property='dcterms:modified']").text.endswith("Z")
        base = opf_path.rsplit("/", 1)[0]
        items = {i.get("id"): i for i in package.find(f"{OPF}manifest")}
        assert [i.get("id") for i in items.values() if i.get("properties") == "nav"] == ["nav"]
        for item in items.values():
            data = book.read(f"{base}/{item.get('href')}")
            if item.get("media-type") == "application/xhtml+xml":
                ET.fromstring(data)  # well-formed XHTML
        spine = [ref.get("idref") for ref in package.find(f"{OPF}spine")]
        assert spine and all(ref in items for ref in spine)
        nav = book.read(f"{base}/nav.xhtml").decode()
        assert 'epub:type="toc"' in nav
        story_xhtml = book.read(f"{base}/story.xhtml").decode()
        assert "&lt;beautiful&gt; &amp; bright" in story_xhtml


async def test_pdf_parses_and_has_a_title_page_and_the_text(exporter, story, tmp_path):
    path = await exporter.export_story(story.id, "pdf", tmp_path / "orbi.pdf")
    reader = pypdf.PdfReader(path)
    assert reader.metadata.title == "Orbi & the *Comet* Map"
    assert len(reader.pages) >= 3
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    assert "Orbi & the *Comet* Map" in pages[0] and "Маша" in pages[0]
    assert "comets drift over the hill" not in pages[0]  # the story starts on its own page
    assert "Orbi watched the comets drift over the hill." in pages[1]
    assert "Slowly the stars went to sleep." in pages[-1]


async def test_pdf_renders_russian(exporter, tmp_path):
    story = await exporter.library.save_story(make_story("Ёжик и фонарик", "Ёжик зажигал фонарики в лесу.",
                                                         language="ru"))
    path = await exporter.export_story(story.id, "pdf", tmp_path)  # a folder: named after the title
    assert path.name == "Ёжик и фонарик.pdf"
    text = " ".join(pypdf.PdfReader(path).pages[1].extract_text().split())
    assert "Ёжик зажигал фонарики в лесу." in text


async def test_missing_folder_is_a_clear_error_and_writes_nothing(exporter, story, tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        await exporter.export_story(story.id, "md", tmp_path / "nope" / "x.md")
    assert not (tmp_path / "nope").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
async def test_read_only_folder_keeps_the_old_file(exporter, story, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "x.md").write_text("old")
    folder.chmod(0o555)
    try:
        with pytest.raises(ExportError, match="Cannot write"):
            await exporter.export_story(story.id, "md", folder / "x.md")
    finally:
        folder.chmod(0o755)
    assert (folder / "x.md").read_text() == "old"


async def test_unwritable_place_is_a_clear_error(exporter, story):
    with pytest.raises(ExportError, match="Cannot write"):
        await exporter.export_story(story.id, "md", "/proc/x.md")


async def test_failed_render_leaves_no_partial_file(exporter, story, tmp_path):
    def broken(book, path):
        Path(path).write_bytes(b"%PDF-partial")
        raise RuntimeError("typesetter crashed")

    exporter._pdf = broken
    with pytest.raises(RuntimeError):
        await exporter.export_story(story.id, "pdf", tmp_path / "x.pdf")
    assert list(tmp_path.glob("x.pdf*")) == [] and list(tmp_path.glob(".x.pdf*")) == []


async def test_unknown_format(exporter, story, tmp_path):
    with pytest.raises(ExportError, match="Unknown export format"):
        await exporter.export_story(story.id, "docx", tmp_path / "x.docx")
