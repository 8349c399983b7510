"""Rendering covers and pictures into QImages off the loop thread (QImage and QSvgRenderer are safe to use in a
worker thread; QPixmap is not, so callers convert on the GUI thread when they show the result).

The library and the reader call :func:`render_cover` / :func:`load_picture` through ``asyncio.to_thread`` (or the
``*_async`` helpers), so SVG rendering and image decoding never stall the event loop.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QPainter
from PySide6.QtSvg import QSvgRenderer


def render_cover(svg: str, size: QSize) -> QImage:
    """The SVG drawn into a QImage of ``size`` (the drawing keeps its aspect ratio, centred)."""
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    if not renderer.isValid():
        return QImage()
    box = renderer.defaultSize().scaled(size, Qt.AspectRatioMode.KeepAspectRatio)
    target = QRectF((size.width() - box.width()) / 2, (size.height() - box.height()) / 2, box.width(), box.height())
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, target)
    painter.end()
    return image


def cover_png(svg: str, size: QSize | None = None) -> bytes:
    """The SVG cover as PNG bytes, 600x800 by default (an MP3's ID3 picture when no painted cover exists)."""
    image = render_cover(svg, size or QSize(600, 800))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


class SvgCoverRenderer:
    """``renderer(svg) -> PNG bytes``, injected into the illustrator by the composition root (services stay
    Qt-free). Build it on the main thread: it makes the offscreen QGuiApplication the CLI lacks (fonts need one);
    calling it is blocking and safe in a worker thread."""

    def __init__(self) -> None:
        from tale_desktop.ui.library.pdf_export import ensure_gui_application

        ensure_gui_application()

    def __call__(self, svg: str) -> bytes:
        return cover_png(svg)


def load_picture(path: str | Path, max_size: QSize) -> QImage:
    """Decode an image file scaled down to fit ``max_size`` (decoded at that size, not full size first)."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    original = reader.size()
    if original.isValid() and (original.width() > max_size.width() or original.height() > max_size.height()):
        reader.setScaledSize(original.scaled(max_size, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return image if not image.isNull() else QImage()


async def render_cover_async(svg: str, size: QSize) -> QImage:
    return await asyncio.to_thread(render_cover, svg, size)


async def load_picture_async(path: str | Path, max_size: QSize) -> QImage:
    return await asyncio.to_thread(load_picture, path, max_size)
