"""Small shared pieces of the redesigned window: combo and spin boxes the wheel leaves alone, the jump-to-click
seek bar, the sleep timer's "at the end of this story", the flow layout and the words shown for stored values."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QScrollArea, QVBoxLayout, QWidget

from tale_desktop.domain.enums import Moral, Status, Theme
from tale_desktop.ui.common import labels, wheel_guard
from tale_desktop.ui.listen.player_bar import JumpSlider, PlayerBar


def wheel(widget: QWidget) -> None:
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_does_not_change_an_unfocused_combo_or_spin_box(qtbot):
    area = QScrollArea()
    qtbot.addWidget(area)
    inner = QWidget()
    column = QVBoxLayout(inner)
    combo = wheel_guard.NoWheelComboBox()
    combo.addItems(["one", "two", "three"])
    spin = wheel_guard.NoWheelSpinBox()
    spin.setRange(0, 10)
    spin.setValue(5)
    column.addWidget(combo)
    column.addWidget(spin)
    area.setWidget(inner)
    area.show()
    wheel(combo)
    wheel(spin)
    assert combo.currentIndex() == 0 and spin.value() == 5  # the page scrolls, the values stay
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    wheel(combo)
    assert combo.currentIndex() == 1  # clicked into: the wheel changes it
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    wheel(spin)
    assert spin.value() == 4


def test_the_window_uses_only_guarded_combo_and_spin_boxes(window):
    from PySide6.QtWidgets import QSpinBox

    plain = [w for w in window.findChildren(QComboBox) + window.findChildren(QSpinBox)
             if not isinstance(w, wheel_guard.NoWheelComboBox | wheel_guard.NoWheelSpinBox)
             and w.objectName() != "qt_spinbox_lineedit"]
    assert plain == [], [w.objectName() or type(w).__name__ for w in plain]


def test_the_seek_bar_jumps_to_where_it_is_clicked(qtbot):
    slider = JumpSlider(Qt.Orientation.Horizontal)
    qtbot.addWidget(slider)
    slider.setRange(0, 1000)
    slider.resize(400, 24)
    slider.show()
    released: list[int] = []
    slider.sliderReleased.connect(lambda: released.append(slider.value()))
    QTest.mouseClick(slider, Qt.MouseButton.LeftButton, pos=QPoint(300, 12))
    assert 650 <= slider.value() <= 800 and released == [slider.value()]  # one jump, not a page step


def test_sleep_button_shows_the_window_menu_and_the_time_left(qtbot):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu

    bar = PlayerBar()
    qtbot.addWidget(bar)
    menu = QMenu(bar)
    menu.addAction(QAction("At the end of this story", menu))
    extend = QAction("+5 min", bar)
    bar.set_sleep_menu(menu, extend)
    assert bar.sleep_button.menu() is menu and bar.extend_button.defaultAction() is extend
    bar.show()
    bar.show_sleep("Sleep 14:32", True, fading=True)
    assert bar.sleep_button.text() == "Sleep 14:32" and bar.extend_button.isVisible()
    bar.show_sleep("", False)
    assert bar.sleep_button.text() == "Sleep" and not bar.extend_button.isVisible()


def test_stored_values_are_shown_in_words():
    assert labels.moral(Moral.EMPATHY) == "Understanding others" and labels.moral("be brave", custom=True) == "be brave"
    assert labels.theme(Theme.SPACE) == "Space" and labels.status(Status.NEW) == "Not read yet"
    assert set(labels.moral_names()) == {m.value for m in Moral} and set(labels.theme_names()) == {t.value for t in Theme}
