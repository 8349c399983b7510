"""Item delegates shared by the lists (library, children, heroes)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem


class TwoLineDelegate(QStyledItemDelegate):
    """Two lines per item: the display text in bold, and a quieter line from ``subtitle_role`` (elided)."""

    PADDING = 8

    def __init__(self, subtitle_role: int, parent: QObject | None = None):
        super().__init__(parent)
        self.subtitle_role = subtitle_role

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        title = QFontMetrics(self._title_font(option.font))
        sub = QFontMetrics(option.font)
        return QSize(200, title.height() + sub.height() + 2 * self.PADDING + 2)

    @staticmethod
    def _title_font(base: QFont) -> QFont:
        font = QFont(base)
        font.setBold(True)
        font.setPointSizeF(base.pointSizeF() + 0.5)
        return font

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorGroup.Active
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect = option.rect.adjusted(self.PADDING + 4, self.PADDING, -self.PADDING, -self.PADDING)
        title_font = self._title_font(option.font)
        title_h = QFontMetrics(title_font).height()
        painter.save()
        painter.setFont(title_font)
        painter.setPen(option.palette.color(group, text_role))
        title = QFontMetrics(title_font).elidedText(str(index.data() or ""), Qt.TextElideMode.ElideRight,
                                                     rect.width())
        painter.drawText(QRect(rect.left(), rect.top(), rect.width(), title_h),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        painter.setFont(option.font)
        color = option.palette.color(group, text_role)
        if not selected:
            color = option.palette.color(group, QPalette.ColorRole.PlaceholderText)
        painter.setPen(color)
        sub = QFontMetrics(option.font).elidedText(str(index.data(self.subtitle_role) or ""),
                                                   Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(QRect(rect.left(), rect.top() + title_h + 2, rect.width(), rect.height() - title_h),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, sub)
        painter.restore()
