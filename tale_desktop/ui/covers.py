"""Rendering covers and pictures into QImages off the loop thread (QImage and QSvgRenderer are safe to use in a
worker thread; QPixmap is not, so callers convert on the GUI thread when they show the result).

The library and the reader call :func:`render_cover` / :func:`load_picture` through ``asyncio.to_thread`` (or the
``*_async`` helpers), so SVG rendering and image decoding never stall the event loop.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
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
