"""The sleep timer engine (no Qt): after N minutes, at the end of this story, or at the end of tonight's queue.

It does not play anything: the player asks it, a few times a second, for a :class:`SleepStatus` and applies
``status.volume`` as a multiplier on top of the listener's volume (voice and soft sound together), so the last
:data:`FADE_OUT_S` seconds fade out smoothly; when ``status.expired`` turns true, playback stops and the position
is stored (:class:`tale_desktop.services.tonight.BedtimeSession` does both).

- Minutes (5..60) count playing time only: a paused story does not use up the timer.
- "End of this story" and "end of the queue" follow the playback: the fade covers the last seconds of the story
  (of the last story in the queue).
- "+5 min" (:meth:`SleepTimer.extend`) works at any time, also in the middle of the fade: the volume comes back
  up at once and the timer then has five more minutes (an end-of-story timer becomes "5 minutes after this
  story would have ended").
The clock is injected (``time.monotonic`` by default) so tests drive it by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from tale_desktop.domain.bedtime import (
    FADE_OUT_S,
    SLEEP_EXTEND_S,
    SLEEP_MAX_MINUTES,
    SLEEP_MIN_MINUTES,
    fade_curve,
)
from tale_desktop.domain.errors import ValidationError

Clock = Callable[[], float]


class SleepMode(StrEnum):
    OFF = "off"
    MINUTES = "minutes"
    END_OF_STORY = "end_of_story"
    END_OF_QUEUE = "end_of_queue"


@dataclass(frozen=True, slots=True)
class SleepStatus:
    mode: SleepMode
    remaining_s: float | None  # None: off, or not known yet (end of queue while earlier stories play)
    volume: float  # 0..1 multiplier the player applies
    fading: bool
    expired: bool

    @property
    def active(self) -> bool:
        return self.mode is not SleepMode.OFF


OFF_STATUS = SleepStatus(SleepMode.OFF, None, 1.0, False, False)


def fade_volume(remaining_s: float | None, fade_s: float = FADE_OUT_S) -> float:
    """1 until the last ``fade_s`` seconds, then :func:`fade_curve` down to 0 (monotonic as time runs out). A
    linear gain: a player whose volume control is perceptual multiplies its linear output gain by it."""
    if remaining_s is None:
        return 1.0
    if remaining_s <= 0:
        return 0.0
    return fade_curve(remaining_s / fade_s) if fade_s > 0 else 1.0


class SleepTimer:
    def __init__(self, clock: Clock = time.monotonic, fade_s: float = FADE_OUT_S):
        self.clock = clock
        self.fade_s = fade_s
        self.mode = SleepMode.OFF
        self._left_s = 0.0  # MINUTES: playing seconds left
        self._last: float | None = None  # clock at the last update while playing
        self._expired = False

    # -- choosing --------------------------------------------------------------------------------------------
    def set_minutes(self, minutes: int) -> None:
        if not SLEEP_MIN_MINUTES <= minutes <= SLEEP_MAX_MINUTES:
            raise ValidationError({"sleep_minutes": f"The sleep timer runs {SLEEP_MIN_MINUTES} to "
                                                    f"{SLEEP_MAX_MINUTES} minutes."})
        self._start(SleepMode.MINUTES, float(minutes) * 60.0)

    def set_end_of_story(self) -> None:
        self._start(SleepMode.END_OF_STORY)

    def set_end_of_queue(self) -> None:
        self._start(SleepMode.END_OF_QUEUE)

    def cancel(self) -> None:
        self._start(SleepMode.OFF)

    def _start(self, mode: SleepMode, left_s: float = 0.0) -> None:
        self.mode = mode
        self._left_s = left_s
        self._last = None
        self._expired = False

    def extend(self, seconds: float = SLEEP_EXTEND_S, *, story_remaining_s: float | None = None) -> None:
        """"+5 min": more time, also while fading (the volume comes back at once)."""
        if self.mode is SleepMode.OFF:
            return
        if self.mode is SleepMode.MINUTES:
            self._left_s = max(0.0, self._left_s) + seconds
        elif story_remaining_s is None:  # the end is not known yet (an earlier story of the queue): nothing to add
            return
        else:  # a fixed amount of time after the point where it would have stopped
            self._start(SleepMode.MINUTES, max(0.0, story_remaining_s) + seconds)
        self._expired = False

    # -- following the playback ----------------------------------------------------------------------------------
    def update(self, *, playing: bool, story_remaining_s: float | None = None,
               queue_remaining_s: float | None = None) -> SleepStatus:
        """Advance with the clock and say how loud to play. ``story_remaining_s``: playing seconds left in this
        story (duration - position, at the current speed); ``queue_remaining_s``: left until the end of the
        queue, or ``None`` while stories other than the last one play."""
        now = self.clock()
        if self.mode is SleepMode.OFF:
            self._last = None
            return OFF_STATUS
        if self.mode is SleepMode.MINUTES:
            if playing and self._last is not None and not self._expired:
                self._left_s -= max(0.0, now - self._last)
            self._last = now if playing else None
            remaining: float | None = max(0.0, self._left_s)
        elif self.mode is SleepMode.END_OF_STORY:
            remaining = None if story_remaining_s is None else max(0.0, story_remaining_s)
        else:
            remaining = None if queue_remaining_s is None else max(0.0, queue_remaining_s)
        if remaining is not None and remaining <= 0:
            self._expired = True
        volume = 0.0 if self._expired else fade_volume(remaining, self.fade_s)
        fading = not self._expired and remaining is not None and remaining < self.fade_s
        return SleepStatus(self.mode, remaining, volume, fading, self._expired)

    def story_ended(self, *, last_in_queue: bool) -> bool:
        """The story played to its end: True when the timer says to stop here (end of story, end of queue)."""
        if self.mode is SleepMode.END_OF_STORY or (self.mode is SleepMode.END_OF_QUEUE and last_in_queue):
            self._expired = True
        return self._expired

    @property
    def expired(self) -> bool:
        return self._expired
