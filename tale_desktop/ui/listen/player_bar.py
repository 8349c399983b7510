"""The player bar: play/pause, stop, seek, time, speed, volume and sleep timer. Its controls only emit intents
(``play_pause_requested``, ``seek_requested``...); :func:`connect_player` wires it to an :class:`AudioPlayer`.
The sleep button shows a menu of the window's sleep actions (:meth:`PlayerBar.set_sleep_menu`) and the time
left (:meth:`PlayerBar.show_sleep`); "+5 min" appears while a timer runs.
The seek slider is not moved by playback while the parent drags it; the seek happens on release.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QMouseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QToolButton,
    QWidget,
)

from tale_desktop.ui.common import theme
from tale_desktop.ui.common.wheel_guard import NoWheelComboBox
from tale_desktop.ui.listen.player import SPEEDS, AudioPlayer, PlayerState


class JumpSlider(QSlider):
    """A slider whose groove jumps to where it is clicked (then the handle can be dragged from there)."""

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton and self.maximum() > self.minimum():
            option = QStyleOptionSlider()
            self.initStyleOption(option)
            handle = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                                 QStyle.SubControl.SC_SliderHandle, self)
            if not handle.contains(event.position().toPoint()):
                groove = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                                     QStyle.SubControl.SC_SliderGroove, self)
                span = max(1, groove.width() - handle.width())
                x = int(event.position().x()) - groove.x() - handle.width() // 2
                value = QStyle.sliderValueFromPosition(self.minimum(), self.maximum(), x, span,
                                                       option.upsideDown)
                self.setSliderPosition(value)  # now the handle is under the pointer: the press grabs it
        super().mousePressEvent(event)


def clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class PlayerBar(QWidget):
    play_pause_requested = Signal()
    stop_requested = Signal()
    seek_requested = Signal(float)
    speed_requested = Signal(float)
    volume_requested = Signal(float)  # perceptual 0..1
    listen_intent = Signal()  # the pointer came over the bar: Play may be next

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("playerBar")
        self._duration = 0.0
        self._state = PlayerState.EMPTY
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)

        self.play_button = QToolButton()
        self.play_button.setObjectName("playButton")
        self.play_button.setIconSize(QSize(22, 22))
        self.play_button.setToolTip(self.tr("Play (Space)"))
        self.play_button.setAccessibleName(self.tr("Play"))
        self.play_button.clicked.connect(self.play_pause_requested)
        self.stop_button = QToolButton()
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setToolTip(self.tr("Stop"))
        self.stop_button.setAccessibleName(self.tr("Stop"))
        self.stop_button.clicked.connect(self.stop_requested)

        self.seek_slider = JumpSlider(Qt.Orientation.Horizontal)
        self.seek_slider.setObjectName("seekSlider")
        self.seek_slider.setAccessibleName(self.tr("Position"))
        self.seek_slider.setToolTip(self.tr("Click to jump there; ← and → step 10 seconds"))
        self.seek_slider.setMinimumWidth(90)
        self.seek_slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.seek_slider.setRange(0, 0)
        self.seek_slider.setSingleStep(5000)
        self.seek_slider.setPageStep(30000)
        self.seek_slider.sliderReleased.connect(self._seek_released)
        self.seek_slider.actionTriggered.connect(self._seek_action)
        self.seek_slider.sliderMoved.connect(lambda ms: self._show_time(ms / 1000))
        self.time_label = QLabel(clock(0))
        self.time_label.setObjectName("timeLabel")
        self.time_label.setMinimumWidth(self.time_label.fontMetrics().horizontalAdvance("0:00:00 / 0:00:00") + 4)

        self.speed_box = NoWheelComboBox()
        self.speed_box.setObjectName("speedBox")
        self.speed_box.setAccessibleName(self.tr("Speed"))
        self.speed_box.setToolTip(self.tr("Reading speed"))
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}×", speed)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.activated.connect(lambda i: self.speed_requested.emit(float(self.speed_box.itemData(i))))

        self.volume_slider = JumpSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setObjectName("volumeSlider")
        self.volume_slider.setAccessibleName(self.tr("Volume"))
        self.volume_slider.setToolTip(self.tr("Volume"))
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setMinimumWidth(56)
        self.volume_slider.setMaximumWidth(100)
        self.volume_slider.valueChanged.connect(self._volume_moved)

        self.sleep_button = QToolButton()
        self.sleep_button.setObjectName("sleepButton")
        self.sleep_button.setText(self.tr("Sleep"))
        self.sleep_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.sleep_button.setToolTip(self.tr("Sleep timer: fade out and stop"))
        self.sleep_button.setAccessibleName(self.tr("Sleep timer"))
        self.sleep_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.sleep_button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)  # the time shows whole
        self.extend_button = QToolButton()
        self.extend_button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.extend_button.setObjectName("sleepExtendButton")
        self.extend_button.hide()

        self.message = QLabel()
        self.message.setObjectName("playerMessage")
        self.message.setWordWrap(True)
        self.message.hide()

        row = QHBoxLayout()
        row.setContentsMargins(8, 4, 8, 4)
        row.setSpacing(6)
        row.addWidget(self.play_button)
        row.addWidget(self.stop_button)
        row.addWidget(self.seek_slider, 1)
        row.addWidget(self.time_label)
        row.addWidget(self.speed_box)
        row.addWidget(self.volume_slider)
        row.addWidget(self.sleep_button)
        row.addWidget(self.extend_button)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.controls = QWidget()
        self.controls.setLayout(row)
        outer.addWidget(self.controls, 1)
        outer.addWidget(self.message, 1)
        self.set_state(PlayerState.EMPTY)
        self.recolour()

    def enterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.listen_intent.emit()
        super().enterEvent(event)

    def recolour(self, _theme: str = "") -> None:
        """Draw the icons again in the theme's colours."""
        playing = self._state is PlayerState.PLAYING
        self.play_button.setIcon(theme.icon("pause" if playing else "play", "accent"))
        self.stop_button.setIcon(theme.icon("stop"))
        self.sleep_button.setIcon(theme.icon("sleep"))

    # -- intents -------------------------------------------------------------------------------------------------
    def _seek_released(self) -> None:
        self.seek_requested.emit(self.seek_slider.value() / 1000)

    def _seek_action(self, action: int) -> None:
        # Clicks on the groove and keyboard steps (not drags, which seek on release).
        if not self.seek_slider.isSliderDown() and action != QSlider.SliderAction.SliderMove:
            self.seek_requested.emit(self.seek_slider.sliderPosition() / 1000)

    def _volume_moved(self, value: int) -> None:
        if not self.volume_slider.signalsBlocked():
            self.volume_requested.emit(value / 100)

    # -- showing -------------------------------------------------------------------------------------------------
    def set_available(self, available: bool, message: str = "") -> None:
        self.controls.setEnabled(available)
        self.show_message("" if available else message)

    def set_commands(self, *, can_play: bool, can_stop: bool) -> None:
        """Play and Stop drawn as the window's actions are (greyed with no story, or nothing loaded)."""
        self.play_button.setEnabled(can_play)
        self.stop_button.setEnabled(can_stop)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def set_state(self, state: PlayerState) -> None:
        self._state = state
        playing = state is PlayerState.PLAYING
        self.play_button.setIcon(theme.icon("pause" if playing else "play", "accent"))
        self.play_button.setAccessibleName(self.tr("Pause") if playing else self.tr("Play"))
        self.play_button.setToolTip(self.tr("Pause (Space)") if playing else self.tr("Play (Space)"))
        if state is PlayerState.UNAVAILABLE:
            self.controls.setEnabled(False)

    def set_duration(self, seconds: float) -> None:
        self._duration = max(0.0, seconds)
        self.seek_slider.setRange(0, int(self._duration * 1000))
        self._show_time(self.seek_slider.value() / 1000)

    def set_position(self, seconds: float) -> None:
        if self.seek_slider.isSliderDown():
            return  # the parent is dragging: don't pull the handle away
        self.seek_slider.blockSignals(True)
        self.seek_slider.setValue(int(seconds * 1000))
        self.seek_slider.blockSignals(False)
        self._show_time(seconds)

    def _show_time(self, seconds: float) -> None:
        self.time_label.setText(f"{clock(seconds)} / {clock(self._duration)}")

    def set_speed(self, speed: float) -> None:
        index = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - speed))
        self.speed_box.setCurrentIndex(index)

    def set_volume(self, volume: float) -> None:
        self.volume_slider.blockSignals(True)
        self.volume_slider.setValue(int(round(volume * 100)))
        self.volume_slider.blockSignals(False)

    def set_sleep_menu(self, menu: QMenu, extend: QAction) -> None:
        """The sleep timer's choices (the window's actions) and its "+5 min" action."""
        self.sleep_button.setMenu(menu)
        self.extend_button.setDefaultAction(extend)
        self.extend_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)

    def show_sleep(self, text: str, active: bool, fading: bool = False) -> None:
        """``text``: the button's words ("Sleep 14:32", "Sleep: end of story"); "+5 min" shows while active."""
        self.sleep_button.setText(text or self.tr("Sleep"))
        self.sleep_button.setProperty("fading", fading)
        self.extend_button.setVisible(active)


def connect_player(bar: PlayerBar, player: AudioPlayer) -> None:
    """Intents from the bar go to the player; the player's state comes back to the bar."""
    bar.play_pause_requested.connect(player.toggle)
    bar.stop_requested.connect(player.stop)
    bar.seek_requested.connect(player.seek)
    bar.speed_requested.connect(player.set_speed)
    bar.volume_requested.connect(player.set_volume)
    player.state_changed.connect(bar.set_state)
    player.position_changed.connect(bar.set_position)
    player.duration_changed.connect(bar.set_duration)
    player.speed_changed.connect(bar.set_speed)
    player.volume_changed.connect(bar.set_volume)
    player.error_occurred.connect(bar.show_message)
    bar.set_speed(player.speed)
    bar.set_volume(player.volume)
    bar.set_duration(player.duration)
    bar.set_state(player.state)
    bar.set_available(player.isAvailable(), player.unavailable_message)
