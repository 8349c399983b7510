"""The flow layout wraps its widgets onto new lines, and what it keeps between layout passes follows its children."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from tale_desktop.ui.common.flow_layout import FlowLayout


def _row(qtbot, count: int = 6) -> tuple[QWidget, FlowLayout, list[QPushButton]]:
    host = QWidget()
    qtbot.addWidget(host)
    layout = FlowLayout(host, spacing=4)
    buttons = [QPushButton(f"Button {n}") for n in range(count)]
    for button in buttons:
        layout.addWidget(button)
    return host, layout, buttons


async def test_height_follows_the_width_and_the_children(qtbot):
    host, layout, buttons = _row(qtbot)
    line = buttons[0].sizeHint().height()
    wide = sum(b.sizeHint().width() + 4 for b in buttons) + 10
    assert layout.heightForWidth(wide) == line  # one line
    narrow = buttons[0].sizeHint().width() + 10
    assert layout.heightForWidth(narrow) == len(buttons) * line + (len(buttons) - 1) * 4  # one button a line
    assert layout.heightForWidth(wide) == line  # asked again for the first width
    host.show()
    for button in buttons[1:]:
        button.hide()  # Qt invalidates the layout: the narrow height is worked out again
    QApplication.processEvents()
    assert layout.heightForWidth(narrow) == line
    for button in buttons[1:]:
        button.show()
    QApplication.processEvents()
    assert layout.heightForWidth(wide) == line
    buttons[0].setText("A much, much longer label than before")  # its size hint grows: the layout is invalidated
    QApplication.processEvents()
    assert layout.minimumSize().width() >= buttons[0].minimumSizeHint().width()
    assert layout.heightForWidth(wide) > line  # the row no longer fits on one line at that width


async def test_widgets_are_placed_in_lines(qtbot):
    host, layout, buttons = _row(qtbot, count=4)
    width = buttons[0].sizeHint().width() * 2 + 4 + 2  # two buttons a line
    host.resize(width, layout.heightForWidth(width))
    host.show()
    QApplication.processEvents()
    tops = sorted({b.geometry().top() for b in buttons})
    assert len(tops) == 2 and buttons[0].geometry().top() == buttons[1].geometry().top() < buttons[2].geometry().top()
