"""The cover/picture rendering helper: SVG covers and picture files into QImages, in a worker thread."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor

from tale_desktop.domain.cover_art import cover_svg
from tale_desktop.ui.common.covers import load_picture, render_cover, render_cover_async
from tests.fakes.openrouter import make_png


def test_render_cover_draws_the_svg(qapp):
    image = render_cover(cover_svg("The Moon Garden", "space", "abc", "For Mia"), QSize(150, 200))
    assert not image.isNull() and image.size() == QSize(150, 200)
    colours = {QColor(image.pixel(x, y)).name() for x in range(0, 150, 15) for y in range(0, 200, 20)}
    assert len(colours) > 5  # sky, ground, title box: a real drawing, not a blank
    assert render_cover("<not svg", QSize(10, 10)).isNull()


def test_load_picture_decodes_scaled_down(qapp, tmp_path):
    path = tmp_path / "p.png"
    path.write_bytes(make_png(400, 300))
    image = load_picture(path, QSize(200, 200))
    assert image.size() == QSize(200, 150)
    assert load_picture(tmp_path / "missing.png", QSize(10, 10)).isNull()


async def test_render_cover_async_runs_off_the_loop_thread(qapp):
    image = await render_cover_async(cover_svg("Sea", "ocean", "x"), QSize(60, 80))
    assert image.size() == QSize(60, 80)
    await asyncio.sleep(0)
