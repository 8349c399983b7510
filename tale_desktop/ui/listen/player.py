"""The audio player: QMediaPlayer + QAudioOutput behind our own state enum and signals.

It plays one file, or a growing queue of pieces (fast start: the first sentence plays while the rest is still
being made), as one timeline: positions and seeks are in seconds of the whole narration. Volume is perceptual
(a slider's 0..1 is turned into the output's linear gain with ``QAudio.convertVolume``); volume and speed are
remembered in Settings. :meth:`AudioPlayer.set_fade` multiplies the output's linear gain (the sleep timer's
fade, driven by :class:`tale_desktop.services.tonight.BedtimeSession`). ``release()`` lets go of the file so it
can be replaced or deleted. When Qt has no audio backend, ``isAvailable()`` is false and ``unavailable_message``
says why. The Qt player is made and driven through :mod:`tale_desktop.ui.listen.qt_media` (a deadlock, see there).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")

from PySide6.QtCore import QObject, QUrl, Signal  # noqa: E402
from PySide6.QtMultimedia import QAudio, QMediaPlayer  # noqa: E402

from tale_desktop.settings import PLAYER_SPEED, PLAYER_VOLUME, Settings  # noqa: E402
from tale_desktop.ui.listen import qt_media  # noqa: E402

log = logging.getLogger(__name__)

SPEED_MIN, SPEED_MAX = 0.75, 1.25
SPEEDS = (0.75, 0.9, 1.0, 1.1, 1.25)
NO_BACKEND_MESSAGE = ("Audio playback is not available on this computer (Qt found no audio backend). "
                      "Narrations are still saved and can be exported as MP3.")


class PlayerState(Enum):
    UNAVAILABLE = "unavailable"  # no audio backend
    EMPTY = "empty"  # nothing loaded
    LOADING = "loading"  # opening a file, or waiting for the next piece of a narration still being made
    PLAYING = "playing"
    PAUSED = "paused"
    STOPPED = "stopped"
    ENDED = "ended"
    ERROR = "error"


@dataclass(slots=True)
class Segment:
    path: Path
    start_s: float
    duration_s: float


def clamp_speed(speed: float) -> float:
    return max(SPEED_MIN, min(SPEED_MAX, float(speed)))


class AudioPlayer(QObject):
    state_changed = Signal(object)  # PlayerState
    position_changed = Signal(float)  # seconds in the whole narration
    duration_changed = Signal(float)
    volume_changed = Signal(float)  # perceptual 0..1
    speed_changed = Signal(float)
    output_gain_changed = Signal(float)  # the linear gain now applied (volume x fade), for a sound played under it
    error_occurred = Signal(str)
    source_changed = Signal()

    def __init__(self, settings: Settings | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings
        self._player, self._output = qt_media.make_player(self)
        self._segments: list[Segment] = []
        self._current = -1
        self._complete = True
        self._total: float | None = None
        self._pending_seek_ms: int | None = None
        self._want_play = False
        self._state = PlayerState.EMPTY if self.isAvailable() else PlayerState.UNAVAILABLE
        self._volume = self._stored(PLAYER_VOLUME, 0.8, 0.0, 1.0)
        self._speed = clamp_speed(self._stored(PLAYER_SPEED, 1.0, SPEED_MIN, SPEED_MAX))
        self._fade = 1.0
        self._apply_volume()
        qt_media.set_rate(self._player, self._speed)
        self._player.positionChanged.connect(self._on_position)
        self._player.mediaStatusChanged.connect(self._on_media_status)
        self._player.errorOccurred.connect(self._on_error)
        self._player.playbackStateChanged.connect(self._on_playback_state)

    # -- availability --------------------------------------------------------------------------------------------
    def isAvailable(self) -> bool:  # noqa: N802 - Qt naming, as QMediaPlayer.isAvailable
        return bool(self._player.isAvailable())

    @property
    def unavailable_message(self) -> str:
        return "" if self.isAvailable() else NO_BACKEND_MESSAGE

    # -- state ---------------------------------------------------------------------------------------------------
    @property
    def state(self) -> PlayerState:
        return self._state

    def _set_state(self, state: PlayerState) -> None:
        if state is not self._state:
            self._state = state
            self.state_changed.emit(state)

    @property
    def position(self) -> float:
        if self._current < 0:
            return 0.0
        return self._segments[self._current].start_s + self._player.position() / 1000

    @property
    def duration(self) -> float:
        if self._total is not None:
            return self._total
        return sum(s.duration_s for s in self._segments)

    @property
    def volume(self) -> float:
        return self._volume

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def fade(self) -> float:
        return self._fade

    @property
    def complete(self) -> bool:
        """All of the narration is loaded (its end is known)."""
        return self._complete

    @property
    def want_play(self) -> bool:
        """Play was pressed and not paused since (also while the next piece is still being made)."""
        return self._want_play

    @property
    def segments(self) -> list[Segment]:
        return list(self._segments)

    @property
    def source(self) -> Path | None:
        return self._segments[self._current].path if self._current >= 0 else None

    # -- loading -------------------------------------------------------------------------------------------------
    def load(self, path: str | Path, duration_s: float = 0.0) -> None:
        """Play one whole file (e.g. a cached narration)."""
        self.release()
        self._segments = [Segment(Path(path), 0.0, float(duration_s))]
        self._complete = True
        self._total = float(duration_s) or None
        self._open(0)
        self.duration_changed.emit(self.duration)

    def start_queue(self) -> None:
        """Begin a narration that arrives in pieces (see :meth:`append_segment`)."""
        self.release()
        self._complete = False
        self._total = None
        if self.isAvailable():
            self._set_state(PlayerState.LOADING)

    def append_segment(self, path: str | Path, start_s: float, duration_s: float) -> None:
        self._segments.append(Segment(Path(path), float(start_s), float(duration_s)))
        self.duration_changed.emit(self.duration)
        if self._current < 0:
            self._open(0)
        elif self._waiting_for_more():
            self._open(self._current + 1)
            if self._want_play:
                self._play_now()

    def finish_queue(self, total_s: float | None = None) -> None:
        """No more pieces will come; ``total_s`` is the whole narration's length."""
        self._complete = True
        if total_s:
            self._total = float(total_s)
            self.duration_changed.emit(self._total)
        if self._waiting_for_more():
            self._ended()

    def _waiting_for_more(self) -> bool:
        return (self._current >= 0 and self._player.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia
                and self._state is PlayerState.LOADING)

    def _open(self, index: int, position_ms: int = 0) -> None:
        if not self.isAvailable():
            self._set_state(PlayerState.UNAVAILABLE)
            return
        self._current = index
        self._pending_seek_ms = position_ms or None
        qt_media.set_source(self._player, QUrl.fromLocalFile(str(self._segments[index].path)))
        if self._state in (PlayerState.EMPTY, PlayerState.STOPPED, PlayerState.ENDED, PlayerState.ERROR):
            self._set_state(PlayerState.LOADING if self._want_play else PlayerState.STOPPED)
        self.source_changed.emit()

    def release(self) -> None:
        """Stop and let go of every file (so it can be replaced or deleted)."""
        self._want_play = False
        qt_media.stop(self._player)
        qt_media.set_source(self._player, QUrl())
        self._segments = []
        self._current = -1
        self._total = None
        self._complete = True
        self._set_state(PlayerState.EMPTY if self.isAvailable() else PlayerState.UNAVAILABLE)
        self.position_changed.emit(0.0)
        self.duration_changed.emit(0.0)

    # -- transport -----------------------------------------------------------------------------------------------
    def play(self) -> None:
        if not self.isAvailable() or not self._segments:
            self._want_play = bool(self._segments) or not self._complete
            return
        self._want_play = True
        if self._state is PlayerState.ENDED:
            self.seek(0)
        self._play_now()

    def _play_now(self) -> None:
        qt_media.play(self._player)

    def pause(self) -> None:
        self._want_play = False
        qt_media.pause(self._player)
        if self._state is PlayerState.LOADING:
            self._set_state(PlayerState.PAUSED)

    def toggle(self) -> None:
        if self._state is PlayerState.PLAYING or (self._want_play and self._state is PlayerState.LOADING):
            self.pause()
        else:
            self.play()

    def stop(self) -> None:
        self._want_play = False
        if self._segments and self._current != 0:
            self._open(0)
        qt_media.stop(self._player)
        self._set_state(PlayerState.STOPPED if self._segments else self._state)
        self.position_changed.emit(0.0)

    def seek(self, seconds: float) -> None:
        if not self._segments:
            return
        seconds = max(0.0, min(float(seconds), max(0.0, self.duration - 0.05)))
        index = len(self._segments) - 1
        for i, segment in enumerate(self._segments):
            if seconds < segment.start_s + segment.duration_s or not segment.duration_s:
                index = i
                break
        local_ms = int(round((seconds - self._segments[index].start_s) * 1000))
        if index == self._current:
            qt_media.seek(self._player, max(0, local_ms))
        else:
            self._open(index, max(0, local_ms))
            if self._want_play:
                self._play_now()
        self.position_changed.emit(seconds)

    def set_speed(self, speed: float) -> None:
        self._speed = clamp_speed(speed)
        qt_media.set_rate(self._player, self._speed)
        self._remember(PLAYER_SPEED, self._speed)
        self.speed_changed.emit(self._speed)

    def set_volume(self, volume: float) -> None:
        """``volume`` on a perceptual scale (0..1), as a slider shows it."""
        self._volume = max(0.0, min(1.0, float(volume)))
        self._apply_volume()
        self._remember(PLAYER_VOLUME, self._volume)
        self.volume_changed.emit(self._volume)

    def output_gain(self) -> float:
        return self._output.volume()

    def set_fade(self, fade: float) -> None:
        """Multiply the output's linear gain by ``fade`` (0..1): the sleep timer's fade-out."""
        fade = max(0.0, min(1.0, float(fade)))
        if abs(fade - self._fade) > 1e-4:
            self._fade = fade
            self._apply_volume()

    def linear_volume(self) -> float:
        """The listener's volume as a linear gain (before the fade)."""
        return float(QAudio.convertVolume(self._volume, QAudio.VolumeScale.LogarithmicVolumeScale,
                                          QAudio.VolumeScale.LinearVolumeScale))

    def _apply_volume(self) -> None:
        gain = self.linear_volume() * self._fade
        qt_media.set_volume(self._output, gain)
        self.output_gain_changed.emit(gain)

    # -- Qt player events ----------------------------------------------------------------------------------------
    def _on_position(self, ms: int) -> None:
        if self._current >= 0:
            self.position_changed.emit(self._segments[self._current].start_s + ms / 1000)

    def _on_media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        media = QMediaPlayer.MediaStatus
        if status in (media.LoadedMedia, media.BufferedMedia) and self._current >= 0:
            segment = self._segments[self._current]
            if not segment.duration_s and self._player.duration() > 0:
                segment.duration_s = self._player.duration() / 1000
                self.duration_changed.emit(self.duration)
            if self._pending_seek_ms is not None:
                qt_media.seek(self._player, self._pending_seek_ms)
                self._pending_seek_ms = None
            if self._want_play and self._player.playbackState() != QMediaPlayer.PlaybackState.PlayingState:
                self._play_now()
        elif status == media.EndOfMedia:
            if self._current + 1 < len(self._segments):
                self._open(self._current + 1)
                self._play_now()
            elif not self._complete:
                self._set_state(PlayerState.LOADING)  # the next piece is still being made
            else:
                self._ended()
        elif status == media.InvalidMedia:
            self._on_error(QMediaPlayer.Error.FormatError, self._player.errorString())

    def _ended(self) -> None:
        self._want_play = False
        self._set_state(PlayerState.ENDED)
        self.position_changed.emit(self.duration)

    def _on_playback_state(self, state: QMediaPlayer.PlaybackState) -> None:
        playback = QMediaPlayer.PlaybackState
        if state == playback.PlayingState:
            self._set_state(PlayerState.PLAYING)
        elif state == playback.PausedState:
            self._set_state(PlayerState.PAUSED)
        elif (state == playback.StoppedState and self._state is PlayerState.PLAYING
              and self._player.mediaStatus() != QMediaPlayer.MediaStatus.EndOfMedia):
            # (Qt also stops at the end of each piece; EndOfMedia decides between next piece, waiting, ended.)
            self._set_state(PlayerState.STOPPED)

    def _on_error(self, _error: QMediaPlayer.Error, message: str = "") -> None:
        text = message or self._player.errorString() or "The audio file could not be played."
        log.warning("Playback failed: %s", text)
        self._want_play = False
        self._set_state(PlayerState.ERROR)
        self.error_occurred.emit(f"The narration could not be played ({text}).")

    # -- settings ------------------------------------------------------------------------------------------------
    def _stored(self, key, default: float, low: float, high: float) -> float:  # noqa: ANN001
        if self.settings is None:
            return default
        try:
            return max(low, min(high, float(self.settings.get(key))))
        except ValueError:
            return default

    def _remember(self, key, value: float) -> None:  # noqa: ANN001
        if self.settings is not None:
            self.settings.set(key, f"{value:.2f}")
