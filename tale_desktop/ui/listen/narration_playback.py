"""Play a story's narration: the glue between the narrator service, the audio player and read-along.

Pressing Play on a story with a cached narration plays the file at once; otherwise the narrator starts (through
the task helper) and the player begins on the first piece while the rest is still being made (fast start).
A fallback notice ("ElevenLabs quota used up, narrated with the offline voice.") is emitted as a message.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, Signal

from tale_desktop.context import AppContext
from tale_desktop.domain.models import Narration, Story
from tale_desktop.services.narrator import NarrationListener, NarrationPart
from tale_desktop.services.tasks import TaskHandle
from tale_desktop.ui.listen.player import AudioPlayer, PlayerState
from tale_desktop.ui.reader.read_along import ReadAlong

log = logging.getLogger(__name__)

TASK_NAME = "narration.play"


class NarrationPlayback(QObject):
    message = Signal(str)  # notices and errors for the parent
    busy_changed = Signal(bool)  # a narration is being made
    narration_ready = Signal(object)  # the saved Narration
    first_sound = Signal(float)  # seconds from Play to the first audio position (fast start)

    def __init__(self, ctx: AppContext, player: AudioPlayer, read_along: ReadAlong | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.player = player
        self.read_along = read_along
        self.story: Story | None = None
        self._attempt = -1
        self._handle: TaskHandle | None = None
        self._pressed_at: float | None = None
        player.position_changed.connect(self._on_position)
        if read_along is not None:
            player.position_changed.connect(read_along.on_position)
            read_along.seek_requested.connect(self._seek_and_play)

    @property
    def story_id(self) -> str | None:
        return self.story.id if self.story else None

    @property
    def busy(self) -> bool:
        return self._handle is not None and self._handle.running

    def play_story(self, story: Story) -> None:
        """Play/pause for the story shown: the same story toggles, another one starts from the beginning."""
        if not self.player.isAvailable():
            self.message.emit(self.player.unavailable_message)
            return
        if self.story is not None and self.story.id == story.id and (self.player.segments or self.busy):
            self.player.toggle()
            return
        self.start(story)

    def start(self, story: Story, *, provider: str | None = None, voice: str | None = None,
              again: bool = False) -> TaskHandle:
        """Narrate ``story`` (reusing a cached narration unless ``again``) and play it as it arrives."""
        self.stop()
        self.story = story
        self._attempt = -1
        self._pressed_at = time.perf_counter()
        if self.read_along is not None:
            self.read_along.clear()
        self.player.start_queue()
        self.player.play()
        listener = NarrationListener(on_part=self._on_part, on_notice=self.message.emit)

        async def work(handle: TaskHandle) -> Narration:
            listener.on_progress = lambda done, total: handle.report(done, total, f"{done} of {total} sentences")
            return await self.ctx.narrator.narrate(story.id, provider=provider, voice=voice, listener=listener,
                                                   reuse=not again)

        self._handle = self.ctx.tasks.spawn(work, name=TASK_NAME, title=f"Narrating “{story.title}”",
                                            replace=True, on_result=self._done, on_error=self._failed)
        self.busy_changed.emit(True)
        return self._handle

    def stop(self) -> None:
        """Stop playing, cancel a narration being made, and let go of the files."""
        if self._handle is not None and self._handle.running:
            self._handle.cancel()
        self._handle = None
        self.player.release()
        if self.read_along is not None:
            self.read_along.clear()

    def release_story(self, story_ids: list[str]) -> None:
        """The stories are being deleted: let go of their files first."""
        if self.story_id in story_ids:
            self.stop()
            self.story = None

    # -- narrator events (loop thread) ---------------------------------------------------------------------------
    def _on_part(self, part: NarrationPart) -> None:
        if part.attempt != self._attempt:
            if self._attempt >= 0:  # a fallback started again with another voice: drop the earlier pieces
                self.player.start_queue()
                self.player.play()
                if self.read_along is not None:
                    self.read_along.clear()
            self._attempt = part.attempt
        self.player.append_segment(part.path, part.start_s, part.duration_s)
        if self.read_along is not None and self.story is not None:
            self.read_along.add_timings(self.story.content, part.timings)

    def _done(self, narration: Narration) -> None:
        self.player.finish_queue(narration.duration_s)
        self.busy_changed.emit(False)
        self.narration_ready.emit(narration)

    def _failed(self, message: str, _exc: BaseException) -> None:
        self.busy_changed.emit(False)
        self.player.finish_queue()
        self.message.emit(message)

    def _seek_and_play(self, seconds: float) -> None:
        self.player.seek(seconds)
        if self.player.state is not PlayerState.PLAYING:
            self.player.play()

    def _on_position(self, seconds: float) -> None:
        # The first position past zero after Play: audio is actually coming out.
        if seconds > 0 and self._pressed_at is not None and self.player.state is PlayerState.PLAYING:
            elapsed, self._pressed_at = time.perf_counter() - self._pressed_at, None
            self.first_sound.emit(elapsed)
