"""How one story row of the library list is painted: title, child, date, length, rating, favourite, has-audio.

The delegate reads the summary row (the dict ``list_stories`` returns) from the model's ``summary_role``, so it
works with any list model that exposes it (``StoryListModel.SummaryRole`` in ``ui/library_view.py``).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from tale_desktop.domain.models import WORDS_PER_MINUTE
from tale_desktop.ui.common import formatting, labels

if TYPE_CHECKING:
    from tale_desktop.ui.library.cover_thumbnails import CoverThumbnails

DEFAULT_SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 2
STAR, HEART, NOTE = "★", "♥", "♪"
ROW_CACHE_SIZE = 64  # painted rows kept (three screens or more; ~90 KB each at 1x, four times that at 2x)
# The parts of a row's state that change how it looks.
_LOOKS = (QStyle.StateFlag.State_Selected | QStyle.StateFlag.State_MouseOver | QStyle.StateFlag.State_HasFocus
          | QStyle.StateFlag.State_Active | QStyle.StateFlag.State_Enabled)


def short_date(stamp: str | None) -> str:
    """``"12 Mar 2026"`` / ``"12 мар. 2026"`` (QLocale, in the interface language)."""
    return formatting.short_date_text(stamp) if stamp else ""


def row_texts(row: dict[str, Any]) -> tuple[str, str, str]:
    """(title, details line, badges) for a summary row; also used for tooltips and accessibility."""
    title = str(row.get("title") or QCoreApplication.translate("StoryDelegate", "Untitled story"))
    words = int(row.get("word_count") or 0)
    minutes = max(1, round(words / WORDS_PER_MINUTE)) if words else int(row.get("minutes") or 0)
    details = [str(row["child_name"])] if row.get("child_name") else []
    details.append(short_date(row.get("created_at")))
    if minutes:
        details.append(formatting.minutes_text(minutes))  # the word count is in the reader's header
    if row.get("status") in ("draft", "new", "archived"):
        details.append(labels.status(str(row["status"])).lower())  # in words, never the stored value
    badges = []
    if row.get("has_audio"):
        badges.append(NOTE)
    if row.get("favourite"):
        badges.append(HEART)
    if row.get("rating"):
        badges.append(f"{STAR} {row['rating']}")
    return title, " · ".join(d for d in details if d), "  ".join(badges)


def accessible_text(row: dict[str, Any]) -> str:
    title, details, _ = row_texts(row)
    extra = []
    if row.get("rating"):
        extra.append(QCoreApplication.translate("StoryDelegate", "rated {0} of 10").format(row["rating"]))
    if row.get("favourite"):
        extra.append(QCoreApplication.translate("StoryDelegate", "favourite"))
    if row.get("has_audio"):
        extra.append(QCoreApplication.translate("StoryDelegate", "has audio"))
    return ", ".join([title, details, *extra])


class StoryDelegate(QStyledItemDelegate):
    """Two lines: the title in bold with the badges (audio, favourite, rating) on the right, then the details;
    with ``covers``, the story's cover thumbnail on the left (from the cache; made off the loop when missing)."""

    PADDING = 8
    COVER_ASPECT = 0.75  # covers are portrait, 3:4

    def __init__(self, summary_role: int = DEFAULT_SUMMARY_ROLE, parent: QObject | None = None,
                 covers: CoverThumbnails | None = None):
        super().__init__(parent)
        self.summary_role = summary_role
        self.covers = covers
        # Rows as last painted, by everything that shows in them: the list repaints every row in view when one
        # row is added above them or a page arrives, and a row drawn again from here costs a twentieth.
        self._painted: OrderedDict[tuple[Any, ...], QPixmap] = OrderedDict()

    @staticmethod
    def _title_font(base: QFont) -> QFont:
        font = QFont(base)
        font.setBold(True)
        font.setPointSizeF(base.pointSizeF() + 0.5)
        return font

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        title = QFontMetrics(self._title_font(option.font))
        details = QFontMetrics(option.font)
        return QSize(240, title.height() + details.height() + 2 * self.PADDING + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        row = index.data(self.summary_role)
        if row is None:  # its page is on the way (a frame or two): only the row's background, asking nothing more
            style = option.widget.style() if option.widget else None
            if style is not None:
                style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
            return
        if not isinstance(row, dict):
            super().paint(painter, option, index)
            return
        texts = row_texts(row)
        size = option.rect.size()
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        cover = self._cover(option, row, ratio)
        # (A theme change sets a new palette, so the palette's key also stands for the style sheet's colours.)
        key = (texts, None if cover is None else cover.cacheKey(), size.width(), size.height(), ratio,
               int((option.state & _LOOKS).value), option.palette.cacheKey(), option.font.key())
        pixmap = self._painted.get(key)
        if pixmap is None:
            pixmap = QPixmap(round(size.width() * ratio), round(size.height() * ratio))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(QColor(0, 0, 0, 0))
            into = QPainter(pixmap)
            local = QStyleOptionViewItem(option)
            local.rect = QRect(QPoint(0, 0), size)
            self._paint_row(into, local, index, texts, cover)
            into.end()
            self._painted[key] = pixmap
            while len(self._painted) > ROW_CACHE_SIZE:
                self._painted.popitem(last=False)
        else:
            self._painted.move_to_end(key)
        painter.drawPixmap(option.rect.topLeft(), pixmap)

    def _paint_row(self, painter: QPainter, option: QStyleOptionViewItem,
                   index: QModelIndex | QPersistentModelIndex, texts: tuple[str, str, str],
                   cover: QPixmap | None) -> None:
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        title, details, badges = texts
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorGroup.Active
        main = option.palette.color(group, QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        quiet = main if selected else option.palette.color(group, QPalette.ColorRole.PlaceholderText)
        rect = option.rect.adjusted(self.PADDING + 4, self.PADDING, -self.PADDING, -self.PADDING)
        if self.covers is not None:
            rect.setLeft(rect.left() + self._paint_cover(painter, option, cover) + self.PADDING)
        title_font = self._title_font(option.font)
        title_metrics = QFontMetrics(title_font)
        title_h = title_metrics.height()
        painter.save()
        painter.setFont(option.font)
        badges_w = QFontMetrics(option.font).horizontalAdvance(badges) + (12 if badges else 0)
        if badges:
            painter.setPen(main)
            painter.drawText(QRect(rect.right() - badges_w, rect.top(), badges_w, title_h),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, badges)
        painter.setFont(title_font)
        painter.setPen(main)
        painter.drawText(QRect(rect.left(), rect.top(), rect.width() - badges_w, title_h),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         title_metrics.elidedText(title, Qt.TextElideMode.ElideRight, rect.width() - badges_w))
        painter.setFont(option.font)
        painter.setPen(quiet)
        painter.drawText(QRect(rect.left(), rect.top() + title_h + 2, rect.width(), rect.height() - title_h),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                         QFontMetrics(option.font).elidedText(details, Qt.TextElideMode.ElideRight, rect.width()))
        painter.restore()

    def _cover_size(self, option: QStyleOptionViewItem) -> QSize:
        height = max(16, option.rect.height() - 8)
        return QSize(round(height * self.COVER_ASPECT), height)

    def _cover(self, option: QStyleOptionViewItem, row: dict[str, Any], ratio: float) -> QPixmap | None:
        """The row's cover thumbnail if it is made (else it is queued and ``None``)."""
        return self.covers.get(row, self._cover_size(option), ratio) if self.covers is not None else None

    def _paint_cover(self, painter: QPainter, option: QStyleOptionViewItem, pixmap: QPixmap | None) -> int:
        """Draw the cover thumbnail (or a quiet frame while it is made) at the row's left; its width."""
        size = self._cover_size(option)
        box = QRect(option.rect.left() + self.PADDING, option.rect.top() + 4, size.width(), size.height())
        if pixmap is not None:
            painter.drawPixmap(box, pixmap)
        else:
            painter.save()
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(option.palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Mid))
            painter.setOpacity(0.35)
            painter.drawRoundedRect(box, 3, 3)
            painter.restore()
        return size.width() + 4
