"""Exports read back as what was written: MP3 files are ordinary (0644) and tagged, PDF text has no ligatures,
Markdown bodies stay plain text."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pypdf
from mutagen.id3 import ID3

from tale_desktop.services.export import ExportBook, markdown_for, tag_mp3
from tale_desktop.ui.library.pdf_export import QtPdfRenderer
from tests.fakes.elevenlabs_server import tone_mp3
from tests.integration.cli_helpers import run_cli
from tests.integration.narration_helpers import EN_TEXT, save_story_blocking

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9a\xa0\xa1\x00\x00\x00\x00IEND\xaeB`\x82")


def test_exported_mp3_is_0644_and_tagged(qapp, tmp_path):
    story_id = save_story_blocking(EN_TEXT, "en")
    out = tmp_path / "fox.mp3"
    result = run_cli("export", story_id, "--format", "mp3", "--out", str(out))
    assert result.code == 0, result.err
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask  # 0644 with the usual umask, like md/pdf/epub
    tags = ID3(out)
    assert tags["TIT2"].text == ["Sleepy Fox"] and tags["TPE1"].text == ["Tale Desktop"]
    assert tags["TLAN"].text == ["eng"]


def test_mp3_tags_carry_the_child_and_the_cover(tmp_path):
    path = tmp_path / "story.mp3"
    path.write_bytes(tone_mp3("Goodnight, little fox."))
    tag_mp3(path, title="The Moon Garden", child_name="Mia", language="ru", cover=PNG)
    tags = ID3(path)
    assert tags["TIT2"].text == ["The Moon Garden"] and tags["TXXX:Child"].text == ["Mia"]
    assert "Mia" in tags["TALB"].text[0] and tags["TLAN"].text == ["rus"]
    [picture] = tags.getall("APIC")
    assert picture.mime == "image/png" and picture.data == PNG and picture.type == 3


def test_pdf_text_extracts_as_plain_letters(qapp, tmp_path):
    book = ExportBook(id="x", title="The fluffy find", language="en", summary="A fluffy office affair.",
                      paragraphs=["Mia wanted to find the fluffy puppy in the office; the waffle was final."],
                      details=[("Child", "Mia")])
    out = tmp_path / "story.pdf"
    QtPdfRenderer()(book, out)
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    words = text.split()
    assert not [ch for ch in text if "\ufb00" <= ch <= "\ufb06"], text
    assert "find" in words and "fluffy" in words and "office;" in words


def test_markdown_story_body_is_not_markup():
    book = ExportBook(id="x", title="T", language="en", summary="",
                      paragraphs=["> quoted?", "# heading?", "1. list?", "A <b>bold</b> word."])
    body = markdown_for(book).split("---", 1)[1]
    assert "\n> " not in body and "\n# " not in body and "\n1. " not in body and "<b>" not in body
    assert "\\> quoted?" in body and "1\\. list?" in body and "\\<b\\>bold" in body


def test_exported_markdown_is_0644(tmp_path):
    story_id = save_story_blocking(EN_TEXT, "en")
    out = tmp_path / "fox.md"
    assert run_cli("export", story_id, "--format", "md", "--out", str(out)).code == 0
    assert Path(out).read_text(encoding="utf-8").startswith("# Sleepy Fox")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
