"""The soft sound under the story: a looping ``QMediaPlayer`` on a seamless WAV loop (``QSoundEffect`` cannot open
an output headless), at the bed gain the mixer works out for the narration x the listener's volume x the sleep
timer's fade. Qt's audio thread does the sample work; this object only sets sources and volumes, through
:mod:`tale_desktop.ui.listen.qt_media` as the narration's player does.

After the story it can keep going for ``then_s`` seconds ("then 10 more minutes of rain"), fading out over the
last :data:`FADE_OUT_S` seconds of that time (the sleep timer, when it runs, fades everything earlier).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtMultimedia import QMediaPlayer

from tale_desktop.domain.bedtime import FADE_OUT_S, fade_curve
from tale_desktop.ui.listen import qt_media

log = logging.getLogger(__name__)

TAIL_TICK_MS = 250


class SoftSoundPlayer(QObject):
    tail_finished = Signal()  # the minutes after the story ran out

    def __init__(self, parent: QObject | None = None, *, clock=time.monotonic):  # noqa: ANN001
        super().__init__(parent)
        self.clock = clock
        self._player, self._output = qt_media.make_player(self, loops=QMediaPlayer.Loops.Infinite)
        self.source: Path | None = None
        self.bed_gain = 0.0  # linear gain under the narration (from BedtimeTracks.bed_volume)
        self.listener_gain = 1.0  # the listener's volume, linear
        self.fade = 1.0
        self._gain = 0.0
        self._tail_until: float | None = None
        self._tail_timer = QTimer(self)
        self._tail_timer.setInterval(TAIL_TICK_MS)
        self._tail_timer.timeout.connect(self._tail_tick)

    # -- what plays ----------------------------------------------------------------------------------------------
    def set_source(self, path: Path | None, bed_gain: float = 0.0) -> None:
        """Loop ``path`` (``None``: no sound) at ``bed_gain``; keeps playing if it played."""
        playing = self.playing
        if path != self.source:
            qt_media.stop(self._player)
            qt_media.set_source(self._player, QUrl.fromLocalFile(str(path)) if path else QUrl())
            self.source = path
        self.bed_gain = bed_gain
        self._apply()
        if playing and path is not None:
            qt_media.play(self._player)

    @property
    def playing(self) -> bool:
        return self._player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    @property
    def in_tail(self) -> bool:
        """Playing on its own after the story."""
        return self._tail_until is not None

    def gain(self) -> float:
        """The linear gain it plays at (applied to the output while playing)."""
        return self._gain

    # -- transport -----------------------------------------------------------------------------------------------
    def play(self) -> None:
        self._tail_until = None
        self._tail_timer.stop()
        if self.source is not None:
            self._apply()
            qt_media.play(self._player)

    def pause(self) -> None:
        qt_media.pause(self._player)

    def stop(self) -> None:
        self._tail_until = None
        self._tail_timer.stop()
        # A pause at the loop's start rather than QMediaPlayer.stop(): a paused loop costs nothing and starts
        # again at once, where a stop would tear the pipeline down and build it again at the next play.
        if self.playing:
            qt_media.pause(self._player)
        qt_media.seek(self._player, 0)

    def keep_going(self, seconds: float) -> bool:
        """The story ended: go on alone for ``seconds`` (then fade and stop). False when nothing is to play."""
        if self.source is None or seconds <= 0:
            self.stop()
            return False
        self._tail_until = self.clock() + seconds
        self._apply()
        if not self.playing:
            qt_media.play(self._player)
        self._tail_timer.start()
        return True

    def tail_remaining(self) -> float:
        return 0.0 if self._tail_until is None else max(0.0, self._tail_until - self.clock())

    # -- volume --------------------------------------------------------------------------------------------------
    def set_listener_gain(self, gain: float) -> None:
        self.listener_gain = max(0.0, float(gain))
        self._apply()

    def set_fade(self, fade: float) -> None:
        self.fade = max(0.0, min(1.0, float(fade)))
        self._apply()

    def _tail_fade(self) -> float:
        if self._tail_until is None:
            return 1.0
        left = self.tail_remaining()
        return fade_curve(left / FADE_OUT_S) if left < FADE_OUT_S else 1.0

    def _apply(self) -> None:
        self._gain = min(1.0, self.bed_gain * self.listener_gain * self.fade * self._tail_fade())
        if abs(self._output.volume() - self._gain) > 1e-5:
            qt_media.set_volume(self._output, self._gain)

    def _tail_tick(self) -> None:
        self._apply()
        if self._tail_until is not None and self.tail_remaining() <= 0:
            self.stop()
            self.tail_finished.emit()
