"""Composition root shared by the window and the CLI: settings -> storage -> providers -> services."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from tale_desktop.providers.http import HttpClients
from tale_desktop.services.library import LibraryService
from tale_desktop.services.narrator import Narrator
from tale_desktop.services.tasks import TaskManager
from tale_desktop.settings import Settings
from tale_desktop.storage.library import Library

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    settings: Settings
    library: LibraryService
    tasks: TaskManager = field(default_factory=TaskManager)
    http: HttpClients = field(default_factory=HttpClients)
    narrator: Narrator = None  # type: ignore[assignment]  # built in __post_init__

    def __post_init__(self) -> None:
        if self.narrator is None:
            self.narrator = Narrator(self.settings, self.library, self.http)

    @classmethod
    def create(cls, env: Mapping[str, str] | None = None) -> AppContext:
        """Open settings and the library file (blocking: raises StorageError with a clear message)."""
        settings = Settings(env)
        library = Library.open(settings.data_dir)
        return cls(settings=settings, library=LibraryService(library))

    async def start(self) -> None:
        await self.library.install_builtin_content()

    async def aclose(self) -> None:
        """Cancel tasks, close HTTP clients and the database; safe to call twice."""
        await self.tasks.shutdown()
        await self.narrator.aclose()
        await self.http.aclose()
        await asyncio.to_thread(self.library.store.close)
