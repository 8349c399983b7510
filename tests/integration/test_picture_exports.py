"""Exports of illustrated stories as picture books: PDF (pictures counted with pypdf, A4 and Letter), EPUB 3
(structure checked, and epubcheck when it is installed: .ci/run installs it), Markdown with a pictures folder, and
the cover as the MP3's ID3 picture."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from tale_desktop.services.export import book_for
from tale_desktop.services.mp3_cover import add_cover_picture
from tests.fakes.openrouter import Reply
from tests.integration import picture_helpers
from tests.integration.picture_helpers import PARAGRAPHS, save_story

fake, ctx = picture_helpers.fake, picture_helpers.ctx  # the shared fixtures
OPF = "{http://www.idpf.org/2007/opf}"


@pytest.fixture
async def illustrated(ctx):
    story = await save_story(ctx, minutes=2)
    result = await ctx.illustrator.illustrate(story.id)
    assert len(result.added) == 3  # cover + 2 scenes
    return story


def pdf_images(path: Path) -> list[int]:
    return [len(page.images) for page in PdfReader(path).pages]


@pytest.mark.asyncio(loop_factories=["qasync"])
async def test_pdf_picture_book_contains_every_picture(ctx, illustrated, tmp_path):
    path = await ctx.exporter.export_story(illustrated.id, "pdf", tmp_path / "book.pdf")
    per_page = pdf_images(path)
    assert sum(per_page) == 3 and per_page[0] == 1  # the cover page starts the book
    reader = PdfReader(path)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "The Moon Garden" in text and "hedgehogs" in text
    assert "found" in text and "flower" in text  # plain letters: no "ﬁ"/"ﬂ" ligature glyphs in the text
    assert not any("\ufb00" <= ch <= "\ufb06" for ch in text)
    assert len(reader.pages) >= 4  # cover, details, and a page per picture


@pytest.mark.asyncio(loop_factories=["qasync"])
async def test_pdf_picture_book_fits_a4_and_letter(ctx, illustrated, tmp_path):
    from PySide6.QtGui import QPageSize

    from tale_desktop.ui.library.pdf_export import ensure_gui_application
    from tale_desktop.ui.library.picture_book_pdf import render_picture_book

    ensure_gui_application()
    book = book_for(illustrated)
    book.pictures = await ctx.illustrator.book_pictures(illustrated.id)
    sizes = {}
    for name, paper in (("a4", QPageSize.PageSizeId.A4), ("letter", QPageSize.PageSizeId.Letter)):
        path = tmp_path / f"{name}.pdf"
        render_picture_book(book, path, paper)
        reader = PdfReader(path)
        box = reader.pages[0].mediabox
        sizes[name] = (round(float(box.width)), round(float(box.height)))
        assert sum(pdf_images(path)) == 3 and len(reader.pages) >= 4
    assert sizes == {"a4": (595, 842), "letter": (612, 792)}


async def test_plain_story_keeps_the_plain_pdf_layout(ctx, tmp_path):
    story = await save_story(ctx)
    book = book_for(story)
    book.pictures = await ctx.illustrator.book_pictures(story.id)
    assert book.pictures == []


def check_epub(path: Path) -> dict[str, str]:
    """The EPUB 3 container rules we rely on; returns the manifest (href -> media type)."""
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"
        container = ET.fromstring(archive.read("META-INF/container.xml"))
        rootfile = container.find(".//{urn:oasis:names:tc:opendocument:xmlns:container}rootfile")
        assert rootfile is not None and rootfile.get("full-path") == "OEBPS/package.opf"
        package = ET.fromstring(archive.read("OEBPS/package.opf"))
        items = package.findall(f"{OPF}manifest/{OPF}item")
        manifest = {item.get("href"): item.get("media-type") for item in items}
        properties = {item.get("href"): item.get("properties") for item in items}
        names = set(archive.namelist())
        assert all(f"OEBPS/{href}" in names for href in manifest)  # every manifest item is in the archive
        assert "nav" in (properties.get("nav.xhtml") or "")
        assert list(properties.values()).count("cover-image") == 1
        for name in names:
            if name.endswith(".xhtml"):
                page = archive.read(name).decode()
                ET.fromstring(page.split("<!DOCTYPE html>", 1)[1])  # well-formed XHTML
                for src in re.findall(r'src="([^"]+)"', page):
                    assert src in manifest, src  # every picture shown is declared
        spine = [ref.get("idref") for ref in package.findall(f"{OPF}spine/{OPF}itemref")]
        assert spine[0] == "cover"
    return manifest


def epubcheck_command() -> list[str] | None:
    """Debian's epubcheck is a jar behind a symlink (run with ``java -jar``: binfmt may not be set up)."""
    found = shutil.which("epubcheck")
    if found is None:
        return None
    real = Path(found).resolve()
    if real.suffix == ".jar":
        java = shutil.which("java")
        return [java, "-jar", str(real)] if java else None
    return [found]


def epubcheck(path: Path) -> None:
    command = epubcheck_command()
    if command is None:
        pytest.skip("epubcheck is not installed here (.ci/run installs it); the structure was checked above")
    run = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "No errors or warnings detected" in run.stdout + run.stderr


@pytest.mark.asyncio(loop_factories=["asyncio"])  # epubcheck takes ~10 s: once is enough
async def test_epub_picture_book_has_the_pictures_and_passes_epubcheck(ctx, illustrated, tmp_path):
    path = await ctx.exporter.export_story(illustrated.id, "epub", tmp_path / "book.epub")
    manifest = check_epub(path)
    images = {href: kind for href, kind in manifest.items() if href.startswith("images/")}
    assert images == {"images/cover.png": "image/png", "images/picture-01.png": "image/png",
                      "images/picture-02.png": "image/png"}
    pictures = await ctx.illustrator.pictures(illustrated.id)
    with zipfile.ZipFile(path) as archive:
        assert archive.read("OEBPS/images/cover.png") == (ctx.settings.data_dir / pictures[0].file).read_bytes()
        story = archive.read("OEBPS/story.xhtml").decode()
    # each picture follows its paragraph
    first_scene = pictures[1].paragraph
    assert story.index(PARAGRAPHS[first_scene - 1]) < story.index("picture-01.png")
    epubcheck(path)


@pytest.mark.asyncio(loop_factories=["asyncio"])
async def test_epub_of_story_whose_cover_failed_uses_the_drawn_cover(ctx, fake, tmp_path):
    story = await save_story(ctx, minutes=2)
    fake.script(Reply(), Reply(image_refusal=True))  # plan, then the cover is refused; the scenes are drawn
    result = await ctx.illustrator.illustrate(story.id)
    assert len(result.added) == 2 and result.skipped == 1
    path = await ctx.exporter.export_story(story.id, "epub", tmp_path / "book.epub")
    manifest = check_epub(path)
    assert manifest["images/cover.svg"] == "image/svg+xml"
    epubcheck(path)


async def test_markdown_picture_book_keeps_pictures_in_a_folder_beside_it(ctx, illustrated, tmp_path):
    path = await ctx.exporter.export_story(illustrated.id, "md", tmp_path / "book.md")
    text = path.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert links == ["book_pictures/cover.png", "book_pictures/picture-01.png", "book_pictures/picture-02.png"]
    assert all((tmp_path / link).is_file() for link in links)
    assert text.index("# The Moon Garden") < text.index("cover.png") < text.index(PARAGRAPHS[0])


async def test_cover_becomes_the_mp3_id3_picture(ctx, illustrated, tmp_path):
    from mutagen.id3 import ID3

    from tests.fakes.elevenlabs_server import tone_mp3

    mp3 = tmp_path / "story.mp3"
    mp3.write_bytes(tone_mp3("Mia found a tiny silver door.", seconds=1.0))
    cover = await ctx.illustrator.cover_picture(illustrated.id)
    assert cover is not None and cover[1] == "image/png"
    assert add_cover_picture(mp3, *cover)
    [picture] = ID3(mp3).getall("APIC")
    assert picture.data == cover[0] and picture.mime == "image/png" and picture.type == 3
    assert not add_cover_picture(mp3, b"RIFF....WEBP", "image/webp")  # players cannot show it: left out


@pytest.mark.asyncio(loop_factories=["qasync"])
async def test_story_without_pictures_gets_the_drawn_cover_as_mp3_picture(ctx, tmp_path):
    from mutagen.id3 import ID3

    from tale_desktop.domain.image_bytes import image_info
    from tests.fakes.elevenlabs_server import tone_mp3

    story = await save_story(ctx)
    cover = await ctx.illustrator.cover_picture(story.id)
    assert cover is not None and cover[1] == "image/png"
    info = image_info(cover[0])
    assert (info.width, info.height) == (600, 800)
    assert await ctx.illustrator.cover_picture(story.id, drawn=False) is None
    mp3 = tmp_path / "story.mp3"
    mp3.write_bytes(tone_mp3("Mia found a tiny silver door.", seconds=1.0))
    assert add_cover_picture(mp3, *cover)
    assert ID3(mp3).getall("APIC")[0].data == cover[0]
