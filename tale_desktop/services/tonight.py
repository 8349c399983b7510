"""Tonight's listening (no Qt): the queue, the sleep timer and where every story stopped, around any player.

The window (or a test) gives :class:`BedtimeSession` a :class:`PlayerPort` (the audio player behind a small
adapter) and then
- calls :meth:`BedtimeSession.tick` a few times a second while :attr:`BedtimeSession.needs_tick` (``await`` it
  from one looping task, started again when playback starts): it applies the sleep timer's fade through
  :meth:`PlayerPort.set_fade`, stops playback and stores
  the position when the timer runs out, starts the next story after the short pause, and saves the position now
  and then (so a crash loses little);
- calls :meth:`BedtimeSession.story_ended` when the player reaches the end of a story, and
  :meth:`BedtimeSession.remember_position` when the listener pauses or stops, or the window closes.
Queue edits are saved in the library at once (:meth:`LibraryService.save_tonight_queue`), and every story
resumes where it stopped (a few seconds earlier, to pick up the thread).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Protocol

from tale_desktop.domain.bedtime import QUEUE_GAP_S, SLEEP_EXTEND_S
from tale_desktop.services.library import LibraryService
from tale_desktop.services.sleep_timer import Clock, SleepMode, SleepStatus, SleepTimer

log = logging.getLogger(__name__)

RESUME_REWIND_S = 3.0  # resume a little before the stop
FINISHED_SLACK_S = 5.0  # stopped this close to the end: it was heard to the end
SAVE_EVERY_S = 10.0


class PlayerPort(Protocol):
    """What the session needs from a player (the window's adapter, or a fake in tests)."""

    def play_story(self, story_id: str, start_s: float) -> None:
        """Load the story's narration (making it when needed) and play from ``start_s``."""

    def pause(self) -> None: ...

    def stop(self) -> None: ...

    def set_fade(self, volume: float) -> None:
        """Multiply the listener's volume by ``volume`` (0..1) for the voice and the soft sound together."""

    def position(self) -> float: ...

    def duration(self) -> float:
        """Seconds of the loaded story; 0 while unknown."""

    def is_playing(self) -> bool: ...

    def speed(self) -> float: ...


class BedtimeSession:
    def __init__(self, library: LibraryService, player: PlayerPort, *, clock: Clock = time.monotonic,
                 gap_s: float = QUEUE_GAP_S, timer: SleepTimer | None = None):
        self.library = library
        self.player = player
        self.clock = clock
        self.gap_s = gap_s
        self.timer = timer or SleepTimer(clock)
        self.queue: list[str] = []
        self.current = 0  # index in the queue of the story playing or to play next (len(queue): all played)
        self.playing: str | None = None  # the story loaded in the player (from the queue or on its own)
        self.in_queue = False  # the playing story is queue[current]
        self._next_at: float | None = None  # when the next story of the queue starts (after the pause)
        self._saved_at = 0.0

    # -- the queue -----------------------------------------------------------------------------------------------
    async def load(self) -> None:
        """Restore the queue saved last time (deleted stories left out)."""
        saved = await self.library.tonight_queue()
        self.queue, self.current = saved.story_ids, saved.current

    async def _save_queue(self) -> None:
        await self.library.save_tonight_queue(self.queue, self.current)

    async def add(self, story_ids: Iterable[str], *, at: int | None = None) -> None:
        """Queue stories (at the end, or before index ``at``); a story already queued moves to the new place."""
        new = list(dict.fromkeys(story_ids))
        current_id = self.queue[self.current] if self.current < len(self.queue) else None
        kept = [s for s in self.queue if s not in new]
        where = len(kept) if at is None else max(0, min(at, len(kept)))
        self.queue = kept[:where] + new + kept[where:]
        self._follow(current_id)
        await self._save_queue()

    async def remove(self, story_id: str) -> None:
        if story_id not in self.queue:
            return
        current_id = self.queue[self.current] if self.current < len(self.queue) else None
        index = self.queue.index(story_id)
        self.queue.remove(story_id)
        if story_id == current_id:
            self.current = min(index, len(self.queue))
            self.in_queue = False
        else:
            self._follow(current_id)
        await self._save_queue()

    async def move(self, from_index: int, to_index: int) -> None:
        """Reorder (drag and drop): the story at ``from_index`` ends up at ``to_index``."""
        if not 0 <= from_index < len(self.queue):
            return
        current_id = self.queue[self.current] if self.current < len(self.queue) else None
        story = self.queue.pop(from_index)
        self.queue.insert(max(0, min(to_index, len(self.queue))), story)
        self._follow(current_id)
        await self._save_queue()

    async def clear(self) -> None:
        self.queue, self.current, self.in_queue, self._next_at = [], 0, False, None
        await self._save_queue()

    def _follow(self, current_id: str | None) -> None:
        self.current = self.queue.index(current_id) if current_id in self.queue else min(self.current,
                                                                                          len(self.queue))

    async def queue_favourites_of(self, child_id: str) -> list[str]:
        """Tonight's queue becomes the child's favourite stories ("play all favourites of Mia")."""
        await self.remember_position()
        self.queue = await self.library.favourite_story_ids(child_id)
        self.current, self.in_queue, self._next_at = 0, False, None
        await self._save_queue()
        return list(self.queue)

    # -- playing -------------------------------------------------------------------------------------------------
    async def play_queue(self, index: int | None = None) -> str | None:
        """Play the queue from ``index`` (default: where it stopped; from the top once all was played)."""
        if not self.queue:
            return None
        if index is not None:
            self.current = max(0, min(index, len(self.queue) - 1))
        elif self.current >= len(self.queue):
            self.current = 0
        await self._save_queue()
        await self._start(self.queue[self.current], in_queue=True)
        return self.playing

    async def play_story(self, story_id: str) -> None:
        """Play one story where it stopped; a queued story plays as part of the queue."""
        if story_id in self.queue:
            await self.play_queue(self.queue.index(story_id))
        else:
            await self._start(story_id, in_queue=False)

    async def _start(self, story_id: str, *, in_queue: bool) -> None:
        if self.playing and self.playing != story_id:
            await self.remember_position()
        self._next_at = None
        self.playing, self.in_queue = story_id, in_queue
        start = await self.resume_point(story_id)
        self.player.set_fade(1.0)
        self.player.play_story(story_id, start)
        self._saved_at = self.clock()

    async def resume_point(self, story_id: str) -> float:
        saved = await self.library.bedtime.position(story_id)
        if saved is None:
            return 0.0
        position, duration = saved
        if duration and position >= duration - FINISHED_SLACK_S:
            return 0.0
        return position - RESUME_REWIND_S if position > RESUME_REWIND_S else 0.0

    async def remember_position(self) -> None:
        """Store where the playing story is now (pause, stop, quit, switching stories)."""
        if not self.playing:
            return
        position, duration = self.player.position(), self.player.duration()
        if duration and position >= duration - FINISHED_SLACK_S:
            await self.library.forget_position(self.playing)
        else:
            await self.library.remember_position(self.playing, position, duration)
        self._saved_at = self.clock()

    async def pause(self) -> None:
        self.player.pause()
        await self.remember_position()

    async def stop(self) -> None:
        await self.remember_position()
        self.player.stop()
        self._next_at = None

    async def story_ended(self) -> bool:
        """The player reached the end of the playing story. True when the sleep timer stops playback here (end of
        this story, end of the queue); the next story of the queue otherwise starts after the pause."""
        story = self.playing
        if story is None:
            return False
        await self.library.forget_position(story)
        last = not self.in_queue or self.current >= len(self.queue) - 1
        if self.in_queue:
            self.current += 1
            await self._save_queue()
        if self.timer.story_ended(last_in_queue=last):
            log.info("Sleep timer: stopped at the end of the story")
            self._sleep_done()
            return True
        if self.in_queue and self.current < len(self.queue):
            self._next_at = self.clock() + self.gap_s
        else:
            self.playing, self.in_queue = None, False
        return False

    def _sleep_done(self) -> None:
        self.player.stop()
        self.player.set_fade(1.0)  # the next Play starts at the listener's volume
        self.timer.cancel()
        self._next_at = None

    async def tick(self) -> SleepStatus:
        """Call a few times a second: fade, stop on time, start the next story, save the position now and then."""
        now = self.clock()
        if self._next_at is not None and now >= self._next_at:
            self._next_at = None
            await self._start(self.queue[self.current], in_queue=True)
        status = self.timer.update(playing=self.player.is_playing(), story_remaining_s=self._story_remaining(),
                                   queue_remaining_s=self._queue_remaining())
        if status.expired:
            log.info("Sleep timer: playback stopped")
            await self.remember_position()
            self._sleep_done()
            return status
        if status.active:
            self.player.set_fade(status.volume)
        if self.playing and self.player.is_playing() and now - self._saved_at >= SAVE_EVERY_S:
            await self.remember_position()
        return status

    def _story_remaining(self) -> float | None:
        if not self.playing or self._next_at is not None:
            return None
        duration = self.player.duration()
        if duration <= 0:
            return None
        return max(0.0, duration - self.player.position()) / max(0.1, self.player.speed())

    def _queue_remaining(self) -> float | None:
        last = not self.in_queue or self.current >= len(self.queue) - 1
        return self._story_remaining() if last else None

    @property
    def next_pending(self) -> bool:
        """The next story of the queue starts after the short pause."""
        return self._next_at is not None

    @property
    def needs_tick(self) -> bool:
        """Something for :meth:`tick` to do: a story playing (fade, stop, save) or the next one due. While
        nothing plays, the timer stands still and the ticking can stop until playback starts again."""
        return self._next_at is not None or (self.playing is not None and self.player.is_playing())

    # -- the sleep timer -----------------------------------------------------------------------------------------
    def set_sleep(self, choice: int | SleepMode | str) -> None:
        """Minutes (5..60), ``end_of_story``, ``end_of_queue`` or ``off``."""
        if isinstance(choice, int):
            self.timer.set_minutes(choice)
            return
        mode = SleepMode(choice)
        if mode is SleepMode.END_OF_STORY:
            self.timer.set_end_of_story()
        elif mode is SleepMode.END_OF_QUEUE:
            self.timer.set_end_of_queue()
        else:
            self.timer.cancel()
            self.player.set_fade(1.0)

    def extend_sleep(self, seconds: float = SLEEP_EXTEND_S) -> None:
        """"+5 min" (also while it fades)."""
        remaining = self._queue_remaining() if self.timer.mode is SleepMode.END_OF_QUEUE else self._story_remaining()
        self.timer.extend(seconds, story_remaining_s=remaining)
        self.player.set_fade(1.0)
