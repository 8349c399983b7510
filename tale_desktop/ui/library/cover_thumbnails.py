"""Cover thumbnails for the library list, made lazily: only rows that are painted ask for one, the picture is made
in a worker thread (the painted cover decoded scaled, or the app's drawn SVG cover rendered) and cached by
(story id, cover file or seed, size, pixel ratio); the view repaints when it is ready.

Painting never waits: :meth:`CoverThumbnails.get` answers from the cache or returns ``None`` after queueing the
row. The queue keeps only the most recent requests, newest first, so fast scrolling through a 100k-row library
makes thumbnails for the rows that stay in view, not for every row that flew past.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRect, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap

from tale_desktop.context import AppContext
from tale_desktop.domain.cover_art import cover_svg
from tale_desktop.ui.asyncqt import alive
from tale_desktop.ui.common.covers import load_picture, render_cover

log = logging.getLogger(__name__)

CACHE_SIZE = 800
QUEUE_SIZE = 48  # requests beyond this many (the oldest) are dropped: those rows have scrolled away
TASK = "library.covers"
CacheKey = tuple[str, str, int, int, int]


def thumbnail_image(row: dict[str, Any], data_dir: Path, size: QSize) -> QImage:
    """Blocking (worker thread): the row's cover filling ``size`` (device pixels), cropped to it."""
    image = QImage()
    cover_file = str(row.get("cover_file") or "")
    if cover_file:
        image = load_picture(data_dir / cover_file, QSize(size.width() * 3, size.height() * 3))
    if image.isNull():
        svg = cover_svg(str(row.get("title") or ""), row.get("theme"), str(row["id"]), str(row.get("child_name") or ""))
        image = render_cover(svg, size)
    if image.isNull():
        return image
    scaled = image.scaled(size, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                          Qt.TransformationMode.SmoothTransformation)
    x = (scaled.width() - size.width()) // 2
    y = (scaled.height() - size.height()) // 2
    return scaled.copy(QRect(x, y, size.width(), size.height()))


class CoverThumbnails(QObject):
    ready = Signal(str)  # story id whose thumbnail is now cached

    def __init__(self, ctx: AppContext, parent: QObject | None = None, *, cache_size: int = CACHE_SIZE):
        super().__init__(parent)
        self.ctx = ctx
        self.cache_size = cache_size
        self._cache: OrderedDict[CacheKey, QPixmap] = OrderedDict()
        self._queue: OrderedDict[CacheKey, dict[str, Any]] = OrderedDict()
        self._working = False
        self.made = 0  # thumbnails made so far (tests, benchmarks)

    @staticmethod
    def key(row: dict[str, Any], size: QSize, ratio: float) -> CacheKey:
        return (str(row["id"]), str(row.get("cover_file") or "drawn"), size.width(), size.height(),
                round(ratio * 100))

    def get(self, row: dict[str, Any], size: QSize, ratio: float = 1.0) -> QPixmap | None:
        """The cached thumbnail, or ``None`` (and the row is queued); never blocks."""
        key = self.key(row, size, ratio)
        pixmap = self._cache.get(key)
        if pixmap is not None:
            self._cache.move_to_end(key)
            return pixmap
        if key not in self._queue:
            self._queue[key] = {k: row.get(k) for k in ("id", "title", "theme", "child_name", "cover_file")}
            while len(self._queue) > QUEUE_SIZE:
                self._queue.popitem(last=False)
        else:
            self._queue.move_to_end(key)
        self._start()
        return None

    def cached(self, story_id: str) -> bool:
        return any(key[0] == story_id for key in self._cache)

    def _start(self) -> None:
        if self._working:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # painted without a running loop (shutting down): nothing to make
        self._working = True
        self.ctx.tasks.spawn(self._work(), name=TASK, title=self.tr("Drawing covers"), replace=True)

    async def _work(self) -> None:
        data_dir = self.ctx.settings.data_dir
        try:
            while self._queue:
                key, row = self._queue.popitem(last=True)  # the newest request first: it is most likely in view
                if key in self._cache:
                    continue
                ratio = key[4] / 100
                device = QSize(round(key[2] * ratio), round(key[3] * ratio))
                image = await asyncio.to_thread(thumbnail_image, row, data_dir, device)
                if not alive(self):
                    return  # the list went away meanwhile
                if image.isNull():
                    continue
                image.setDevicePixelRatio(ratio)
                self._cache[key] = QPixmap.fromImage(image)
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
                self.made += 1
                self.ready.emit(key[0])
        finally:
            if alive(self):
                self._working = False
