"""The ElevenLabs voices of the parent's account (premade ones and the family's cloned voices), loaded once
through the task helper and shared by every voice picker of the window: the Settings pickers, the Family voices
group and the narration picker ("Read by"). Cloning or deleting a family voice updates it, so a new voice shows
up everywhere by its name."""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QObject, Signal

from tale_desktop.context import AppContext
from tale_desktop.providers.elevenlabs import VoiceInfo
from tale_desktop.providers.errors import NotConfigured

log = logging.getLogger(__name__)

CLONED = "cloned"
TASK = "voices.list"


class VoiceDirectory(QObject):
    changed = Signal()  # the list of voices changed (loaded, a voice added or deleted)
    failed = Signal(str)  # the list could not be loaded: a message for the parent

    def __init__(self, ctx: AppContext, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.voices: list[VoiceInfo] = []
        self.loaded = False
        self.loading = False
        self.configured = True  # an ElevenLabs key is set (known once loaded)

    @property
    def family(self) -> list[VoiceInfo]:
        """The family's cloned voices, by name."""
        return sorted((v for v in self.voices if v.category == CLONED), key=lambda v: v.name.casefold())

    def name_of(self, voice_id: str) -> str:
        return next((v.name for v in self.voices if v.voice_id == voice_id), "")

    def ensure_loaded(self) -> None:
        if not self.loaded and not self.loading:
            self.reload()

    def reload(self) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # the window is closing: nothing to load any more
        self.loading = True

        async def load() -> list[VoiceInfo] | None:
            try:
                return await self.ctx.voices.list()
            except NotConfigured:
                return None  # no ElevenLabs key: no account voices

        self.ctx.tasks.spawn(load(), name=TASK, title=self.tr("Loading ElevenLabs voices"), replace=True,
                             on_result=self._loaded, on_error=self._failed)

    def _loaded(self, voices: list[VoiceInfo] | None) -> None:
        self.loading = False
        self.loaded = True
        self.configured = voices is not None
        self.voices = list(voices or [])
        self.changed.emit()

    def _failed(self, message: str, _exc: BaseException) -> None:
        self.loading = False
        self.failed.emit(message)

    def added(self, voice: VoiceInfo) -> None:
        self.voices = [v for v in self.voices if v.voice_id != voice.voice_id] + [voice]
        self.changed.emit()

    def removed(self, voice_id: str) -> None:
        self.voices = [v for v in self.voices if v.voice_id != voice_id]
        self.changed.emit()
