"""Composition root shared by the window and the CLI: settings -> storage -> providers -> services."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tale_desktop.providers.http import HttpClients, NetPolicy
from tale_desktop.services.library import LibraryService
from tale_desktop.services.tasks import TaskManager
from tale_desktop.settings import Settings
from tale_desktop.storage.library import Library

if TYPE_CHECKING:
    from tale_desktop.services.bedtime_track import BedtimeTracks
    from tale_desktop.services.export import ExportService, PdfRenderer
    from tale_desktop.services.illustrator import BookPicture, Illustrator
    from tale_desktop.services.narrator import Narrator
    from tale_desktop.services.storyteller import Storyteller
    from tale_desktop.services.sync import SyncService
    from tale_desktop.services.voices import VoiceService

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    """The services are built on first use (and their modules imported then): a command that only lists stories
    never imports the HTTP stack or an SDK, and the window does not pay for them before its first paint."""

    settings: Settings
    library: LibraryService
    tasks: TaskManager = field(default_factory=TaskManager)
    http: HttpClients = field(default_factory=HttpClients)
    _built: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    @property
    def exporter(self) -> ExportService:
        if "exporter" not in self._built:
            from tale_desktop.services.export import ExportService

            exporter = self._built["exporter"] = ExportService(self.library, _qt_pdf_renderer)
            exporter.pictures = self._book_pictures  # picture books: exports place the pictures
        return self._built["exporter"]

    @property
    def voices(self) -> VoiceService:
        """Family voices (ElevenLabs cloning)."""
        if "voices" not in self._built:
            from tale_desktop.services.voices import VoiceService

            self._built["voices"] = VoiceService(self.settings, self.http)
        return self._built["voices"]

    @property
    def storyteller(self) -> Storyteller:
        if "storyteller" not in self._built:
            from tale_desktop.services.storyteller import Storyteller

            self._built["storyteller"] = Storyteller(self.settings, self.library, self.tasks, self.http)
        return self._built["storyteller"]

    @property
    def sync(self) -> SyncService:
        if "sync" not in self._built:
            from tale_desktop.providers.supabase import SupabaseProvider
            from tale_desktop.services.picture_sync import PictureSync
            from tale_desktop.services.sync import SyncService

            sync = self._built["sync"] = SyncService(self.library, SupabaseProvider(self.settings, self.http),
                                                     self.tasks, self.settings)
            PictureSync(sync, self.illustrator).install()  # picture files travel through the bucket too
        return self._built["sync"]

    @property
    def narrator(self) -> Narrator:
        if "narrator" not in self._built:
            from tale_desktop.services.narrator import Narrator

            narrator = self._built["narrator"] = Narrator(self.settings, self.library, self.http)
            narrator.fetch_remote = lambda narration_id: self.sync.fetch_audio(narration_id)  # synced audio
        return self._built["narrator"]

    @property
    def illustrator(self) -> Illustrator:
        if "illustrator" not in self._built:
            from tale_desktop.services.illustrator import Illustrator

            self._built["illustrator"] = Illustrator(
                self.settings, self.library, self.tasks, self.http,
                story_model=lambda: self.storyteller.client(), svg_renderer_factory=_qt_svg_renderer)
        return self._built["illustrator"]

    @property
    def bedtime_tracks(self) -> BedtimeTracks:
        """Bedtime tracks (a soft sound under the narration); numpy is imported with it."""
        if "bedtime_tracks" not in self._built:
            from tale_desktop.services.bedtime_track import BedtimeTracks

            self._built["bedtime_tracks"] = BedtimeTracks(self.narrator)
        return self._built["bedtime_tracks"]

    def __post_init__(self) -> None:
        self.library.subscribe(self._purge_with_unbuilt_services)

    def _purge_with_unbuilt_services(self, kind: str, ids: list[str]) -> None:
        """A deletion became final: the narrator and the illustrator remove the stories' audio and pictures. Each
        listens for that itself once built; one not built yet is built now and told, so a command that never
        narrated or drew (``stories delete``) still leaves no files of the stories behind."""
        if kind != "stories_purged" or not ids:
            return
        for name in ("narrator", "illustrator"):
            if name not in self._built:
                getattr(self, name).on_library_change(kind, ids)

    async def _book_pictures(self, story_id: str) -> list[BookPicture]:
        return await self.illustrator.book_pictures(story_id)

    @classmethod
    def create(cls, env: Mapping[str, str] | None = None) -> AppContext:
        """Open settings and the library file (blocking: raises StorageError with a clear message)."""
        settings = Settings(env)
        library = Library.open(settings.data_dir)
        return cls(settings=settings, library=LibraryService(library),
                   http=HttpClients(NetPolicy.from_env(settings.env)))

    async def start(self) -> None:
        await self.library.install_builtin_content()

    async def aclose(self) -> None:
        """Cancel tasks, close HTTP clients and the database; safe to call twice."""
        if "sync" in self._built:
            self.sync.stop_background()
            await self.sync.stop_live()
        await self.tasks.shutdown()
        self.library.finalize_deletion()  # deletions still waiting for their undo window become final now
        if "narrator" in self._built:
            await self.narrator.aclose()  # after the purge above: removes that audio, then stops its workers
        if "illustrator" in self._built:
            await self.illustrator.aclose()  # and the pictures of those stories
        await self.http.aclose()
        await asyncio.to_thread(self.library.store.close)


def _qt_pdf_renderer() -> PdfRenderer:
    """PDF rendering needs Qt's typesetter, which belongs to the ui layer: it is injected into the export service
    from here, the composition root (called on the loop thread at the first PDF export)."""
    from tale_desktop.ui.library.pdf_export import QtPdfRenderer

    return QtPdfRenderer()


def _qt_svg_renderer() -> Callable[[str], bytes]:
    """The drawn SVG cover as PNG (for an MP3's ID3 picture) needs Qt's SVG renderer: injected like the PDF one."""
    from tale_desktop.ui.common.covers import SvgCoverRenderer

    return SvgCoverRenderer()
