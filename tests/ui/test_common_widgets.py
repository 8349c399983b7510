"""Small shared pieces of the redesigned window: the wheel guard, the jump-to-click seek bar, the sleep timer's
"at the end of this story", the flow layout and the words shown for stored values."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QScrollArea, QVBoxLayout, QWidget

from tale_desktop.domain.enums import Moral, Status, Theme
from tale_desktop.ui.common import labels, wheel_guard
from tale_desktop.ui.listen.player_bar import JumpSlider, PlayerBar
from tests.ui.test_player import tone_wav


def wheel(widget: QWidget) -> None:
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_does_not_change_an_unfocused_combo(qtbot, qapp):
    guard = wheel_guard.WheelGuard()
    qapp.installEventFilter(guard)
    try:
        area = QScrollArea()
        qtbot.addWidget(area)
        inner = QWidget()
        column = QVBoxLayout(inner)
        combo = QComboBox()
        combo.addItems(["one", "two", "three"])
        column.addWidget(combo)
        area.setWidget(inner)
        area.show()
        wheel(combo)
        assert combo.currentIndex() == 0  # the page scrolls, the value stays
        combo.setFocus()
        qtbot.waitUntil(combo.hasFocus)
        wheel(combo)
        assert combo.currentIndex() == 1  # clicked into: the wheel changes it
    finally:
        qapp.removeEventFilter(guard)


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


def test_sleep_at_the_end_of_this_story(qtbot, tmp_path):
    from tale_desktop.ui.listen.player import AudioPlayer

    player = AudioPlayer()
    bar = PlayerBar()
    qtbot.addWidget(bar)
    from tale_desktop.ui.listen.player_bar import connect_player

    connect_player(bar, player)
    texts = [a.text() for a in bar.sleep_button.menu().actions()]
    assert "At the end of this story" in texts
    player.load(tone_wav(tmp_path / "s.wav", 1.0), 1.0)
    bar.sleep_at_end_action.trigger()
    assert player.sleep_at_end and bar.sleep_button.text() == "Sleep: end of story"
    bar.sleepRequested.emit(0.0)  # "Off"
    assert not player.sleep_at_end and bar.sleep_button.text() == "Sleep"
    player.release()


def test_stored_values_are_shown_in_words():
    assert labels.moral(Moral.EMPATHY) == "Understanding others" and labels.moral("be brave", custom=True) == "be brave"
    assert labels.theme(Theme.SPACE) == "Space" and labels.status(Status.NEW) == "Not read yet"
    assert set(labels.moral_names()) == {m.value for m in Moral} and set(labels.theme_names()) == {t.value for t in Theme}
