"""Finds what a person would see cut off: labels, buttons and combo boxes whose text does not fit, and scroll
areas showing a sideways scroll bar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QComboBox,
    QLabel,
    QStyle,
    QStyleOptionComboBox,
    QToolButton,
    QWidget,
)

SLACK = 2  # pixels of rounding


def _shown(widget: QWidget, root: QWidget) -> bool:
    return widget.isVisibleTo(root) and widget.isVisible() and widget.width() > 0


def label_problem(label: QLabel) -> str | None:
    text = label.text()
    if not text.strip() or label.pixmap() is not None and not label.pixmap().isNull():
        return None
    rect = label.contentsRect()
    margin = 2 * label.margin() + max(0, label.indent())
    if label.textFormat() == Qt.TextFormat.RichText or text.lstrip().startswith("<") or "&nbsp;" in text:
        if label.wordWrap():
            needed = label.heightForWidth(label.width())
            if needed > label.height() + SLACK:
                return f"label {text[:40]!r}: needs {needed}px height, has {label.height()}"
        return None  # rich text without wrapping: measured by its size hint
    fm = label.fontMetrics()
    if label.wordWrap():
        needed = label.heightForWidth(label.width())
        if needed > label.height() + SLACK:
            return f"label {text[:40]!r}: needs {needed}px height, has {label.height()}"
        longest = max(fm.horizontalAdvance(word) for word in text.split())
        if longest > rect.width() - margin + SLACK:
            return f"label {text[:40]!r}: the word of {longest}px does not fit {rect.width()}px"
        return None
    width = max(fm.horizontalAdvance(line) for line in text.splitlines() or [text])
    if width > rect.width() - margin + SLACK:
        return f"label {text[:40]!r}: needs {width}px, has {rect.width()}"
    return None


def button_problem(button: QAbstractButton) -> str | None:
    text = button.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    if not text.strip():
        return None
    if isinstance(button, QToolButton):
        style_ = button.toolButtonStyle()
        if style_ == Qt.ToolButtonStyle.ToolButtonIconOnly or (
                style_ == Qt.ToolButtonStyle.ToolButtonFollowStyle and not button.icon().isNull()):
            return None  # shows its icon (the text is its tooltip)
    needed = button.fontMetrics().horizontalAdvance(text)
    if not button.icon().isNull():
        needed += button.iconSize().width() + 2
    # A check box / radio button also draws its indicator.
    style = button.style()
    if button.metaObject().className() in ("QCheckBox", "QRadioButton"):
        needed += style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) + 4
    if needed > button.width() - 4 + SLACK:
        return f"button {text[:40]!r}: needs {needed}px, has {button.width()}"
    return None


def combo_problem(combo: QComboBox) -> str | None:
    text = combo.currentText()
    if not text.strip():
        return None
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    needed = combo.fontMetrics().horizontalAdvance(text)
    if combo.isEditable():
        return None  # the parent types into it; a long id scrolls inside the field as in any text box
    if needed > field.width() + SLACK:
        return f"combo {text[:40]!r}: needs {needed}px, has {field.width()}"
    return None


def clipped(root: QWidget) -> list[str]:
    """Every visible text under ``root`` that does not fit, and every sideways scroll bar."""
    problems = []
    for label in root.findChildren(QLabel):
        if _shown(label, root) and (problem := label_problem(label)):
            problems.append(f"{problem} [{label.objectName() or type(label.parent()).__name__}]")
    for button in root.findChildren(QAbstractButton):
        if _shown(button, root) and (problem := button_problem(button)):
            problems.append(f"{problem} [{button.objectName()}]")
    for combo in root.findChildren(QComboBox):
        if _shown(combo, root) and (problem := combo_problem(combo)):
            problems.append(f"{problem} [{combo.objectName()}]")
    for area in root.findChildren(QAbstractScrollArea):
        if _shown(area, root) and area.horizontalScrollBar().isVisible():
            problems.append(f"sideways scroll bar in {area.objectName() or type(area).__name__}")
    return problems
