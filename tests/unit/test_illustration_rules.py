"""Picture-book rules without I/O: image headers, styles, picture counts, the character sheet, safe prompts,
scene plans and their fallback, and the drawn SVG cover."""

from __future__ import annotations

import base64
import struct
import xml.etree.ElementTree as ET

import pytest

from tale_desktop.domain.cover_art import SCENES, THEME_SCENES, cover_svg, scene_for
from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.illustrations import (
    Illustration,
    IllustrationStyle,
    character_sheet,
    fallback_scenes,
    parse_scene_plan,
    picture_prompt,
    safe_scene,
    scene_count,
    scene_messages,
    story_paragraphs,
    style_of,
)
from tale_desktop.domain.image_bytes import ImageDataError, data_url, decode_data_url, image_info
from tests.fakes.openrouter import make_png

PARAGRAPHS = [f"Paragraph {n} tells what happened. Then more." for n in range(1, 11)]


def jpeg_header(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def test_image_info_reads_png_jpeg_gif_sizes_and_rejects_the_rest():
    assert image_info(make_png(120, 90)) == image_info(make_png(120, 90, 3))
    info = image_info(make_png(120, 90))
    assert (info.mime, info.width, info.height, info.ext) == ("image/png", 120, 90, "png")
    jpeg = image_info(jpeg_header(800, 600))
    assert (jpeg.mime, jpeg.width, jpeg.height, jpeg.ext) == ("image/jpeg", 800, 600, "jpg")
    assert image_info(b"GIF89a" + struct.pack("<HH", 64, 48) + b"\x00" * 8).mime == "image/gif"
    for bad in (b"", b"<html>", b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, make_png(4, 4)):
        with pytest.raises(ImageDataError):
            image_info(bad)


def test_data_urls_round_trip_and_bad_ones_are_refused():
    png = make_png(32, 32)
    assert decode_data_url(data_url(png, "image/png")) == png
    with pytest.raises(ImageDataError):
        decode_data_url("https://example.com/picture.png")
    with pytest.raises(ImageDataError):
        decode_data_url("data:image/png," + base64.b64encode(png).decode())  # not base64-marked


def test_styles_accept_american_spelling_and_refuse_unknown():
    assert style_of(None) is IllustrationStyle.WATERCOLOUR
    assert style_of("Watercolor") is IllustrationStyle.WATERCOLOUR and style_of("paper-cut").value == "papercut"
    with pytest.raises(ValidationError):
        style_of("photograph")


def test_scene_count_by_length_and_paragraphs():
    assert [scene_count(m, 20) for m in (1, 2, 3, 5, 8, 15, 30)] == [2, 2, 3, 4, 5, 6, 6]
    assert scene_count(10, 3) == 3 and scene_count(5, 0) == 0


def test_character_sheet_is_stable_per_child_and_uses_the_hero_appearance():
    child = {"id": "7b0c3c36-0000-4000-8000-000000000001", "name": "Mia", "age_band": "3-5", "gender": "female"}
    hero = {"id": "h1", "name": "Captain Whiskers", "appearance": "a ginger cat in a blue sailor hat"}
    sheet = character_sheet(child, hero)
    assert sheet == character_sheet(dict(child), dict(hero))  # same child, same look, every story
    assert sheet.lines[0].startswith("Mia: an original storybook character, a small child of about 4 (girl)")
    assert "ginger cat in a blue sailor hat" in sheet.lines[1]
    other = character_sheet({**child, "id": "7b0c3c36-0000-4000-8000-000000000099"}, None)
    assert len(other.lines) == 1
    assert character_sheet(None, None).lines == ()


def test_prompts_are_child_safe_and_never_ask_for_a_likeness():
    sheet = character_sheet({"id": "c", "name": "Mia", "age_band": "5-7", "gender": "female"},
                            {"name": "Zed", "appearance": "looks like a famous celebrity, photorealistic"})
    prompt = picture_prompt(sheet=sheet, style=IllustrationStyle.PENCIL,
                            scene="A realistic photo portrait of Mia with a knife", title="Night", cover=False,
                            reference=True)
    lowered = prompt.lower()
    assert "do not depict or resemble any real person" in lowered and "coloured pencil" in lowered
    assert "attached image is this book's cover" in lowered
    scene_line = prompt.split("Scene:")[1].lower()
    for word in ("photo", "realistic", "portrait of", "knife"):
        assert word not in scene_line
    assert "famous" not in prompt.split("Characters")[1].split("\n\n")[0].lower()
    assert safe_scene("x" * 1000).__len__() <= 300


def test_scene_plan_is_parsed_checked_and_ordered():
    text = ('Here: {"cover": "Mia and the owl", "scenes": [{"paragraph": 7, "description": "The pond"}, '
            '{"paragraph": "P2", "description": "The door"}, {"paragraph": 99, "description": "nowhere"}, '
            '{"paragraph": 7, "description": "twice"}, {"paragraph": 4, "description": ""}]}')
    cover, scenes = parse_scene_plan(text, PARAGRAPHS, 4)
    assert cover == "Mia and the owl" and [(s.paragraph, s.description) for s in scenes] == [(2, "The door"),
                                                                                           (7, "The pond")]
    assert parse_scene_plan("no json", PARAGRAPHS, 3) is None
    assert parse_scene_plan('{"scenes": "x"}', PARAGRAPHS, 3) is None
    messages = scene_messages("Night", PARAGRAPHS, 3)
    assert "Choose exactly 3 scenes" in messages[1]["content"] and "[P10]" in messages[1]["content"]


def test_fallback_scenes_are_spread_and_deterministic():
    scenes = fallback_scenes(PARAGRAPHS, 4)
    assert [s.paragraph for s in scenes] == [2, 4, 7, 9] and scenes == fallback_scenes(PARAGRAPHS, 4)
    assert scenes[0].description == "Paragraph 2 tells what happened"
    assert [s.paragraph for s in fallback_scenes(PARAGRAPHS[:3], 5)] == [1, 2, 3]
    assert fallback_scenes([], 3) == []


def test_story_paragraphs_and_illustration_validation():
    assert story_paragraphs("One.\n\nTwo.\nThree.\n\n\n") == ["One.", "Two.", "Three."]
    good = Illustration(story_id="s", sha256="a" * 64, width=10, height=10)
    assert good.validate() is good and good.is_cover
    with pytest.raises(ValidationError):
        Illustration(story_id="", sha256="nope", width=0, height=0, style="photo").validate()


def test_drawn_cover_is_valid_svg_following_the_theme_and_stable_per_story():
    for theme, scene in THEME_SCENES.items():
        assert scene_for(theme, "id") == scene
    assert scene_for(None, "some-id") in SCENES
    svg = cover_svg("The <Moon> & Garden of a very long title indeed", "ocean", "story-1", "For Mia")
    root = ET.fromstring(svg)
    assert root.get("viewBox") == "0 0 600 800"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "For Mia" in texts and any("&" in (t or "") for t in texts)
    assert svg == cover_svg("The <Moon> & Garden of a very long title indeed", "ocean", "story-1", "For Mia")
    assert svg != cover_svg("The <Moon> & Garden of a very long title indeed", "ocean", "story-2", "For Mia")
