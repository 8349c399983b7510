"""Composition root shared by the window and the CLI: settings -> storage -> providers -> services."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from tale_desktop.providers.http import HttpClients
from tale_desktop.providers.supabase import SupabaseProvider
from tale_desktop.services.export import ExportService, PdfRenderer
from tale_desktop.services.library import LibraryService
from tale_desktop.services.narrator import Narrator
from tale_desktop.services.storyteller import Storyteller
from tale_desktop.services.sync import SyncService
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
    exporter: ExportService = field(init=False)
    storyteller: Storyteller = field(init=False)
    sync: SyncService = field(init=False)
    narrator: Narrator = field(init=False)

    def __post_init__(self) -> None:
        self.exporter = ExportService(self.library, _qt_pdf_renderer)
        self.storyteller = Storyteller(self.settings, self.library, self.tasks, self.http)
        self.sync = SyncService(self.library, SupabaseProvider(self.settings, self.http), self.tasks, self.settings)
        self.narrator = Narrator(self.settings, self.library, self.http)
        self.narrator.fetch_remote = self.sync.fetch_audio  # audio synced from another device, on demand

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
        self.sync.stop_background()
        await self.tasks.shutdown()
        self.library.finalize_deletion()  # deletions still waiting for their undo window become final now
        await self.narrator.aclose()  # after the purge above: removes that audio, then stops its workers
        await self.http.aclose()
        await asyncio.to_thread(self.library.store.close)


def _qt_pdf_renderer() -> PdfRenderer:
    """PDF rendering needs Qt's typesetter, which belongs to the ui layer: it is injected into the export service
    from here, the composition root (called on the loop thread at the first PDF export)."""
    from tale_desktop.ui.library.pdf_export import QtPdfRenderer

    return QtPdfRenderer()
