"""Picture books: a cover and a few scene pictures for a story, drawn in the background by the image model.

Every picture goes through the task helper (:meth:`Illustrator.start`), one at a time: first the cover, then the
scenes, each with the cover attached as the reference picture so the child and hero keep their look. Each picture
is announced as it is stored (:class:`IllustrationEvent`), so the reader can show it at once; the story itself is
saved and readable before, during and after, whatever happens to the pictures. Image bytes are decoded, checked
and written in worker threads (pure Python: no Qt here). With no image model nothing is drawn, and the reason is
given once. Scenes are chosen by one short call to the story model, with a deterministic fallback.

For sync (services/sync.py): :meth:`Illustrator.image_objects` lists a story's picture files with the object name
they take in the ``tales`` bucket (``{story_id}/{sha256}.{ext}``, below the user's folder).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from tale_desktop import settings as keys
from tale_desktop.domain.cover_art import cover_svg
from tale_desktop.domain.illustrations import (
    COVER_PARAGRAPH,
    Illustration,
    IllustrationStyle,
    Scene,
    character_sheet,
    fallback_cover,
    fallback_scenes,
    parse_scene_plan,
    picture_prompt,
    scene_count,
    scene_messages,
    story_paragraphs,
    style_of,
)
from tale_desktop.domain.models import Story
from tale_desktop.providers.errors import NotConfigured, ProviderError
from tale_desktop.providers.http import HttpClients
from tale_desktop.providers.images import SERVICE, ImageClient, ImageRequest, PictureRefused
from tale_desktop.providers.llm import LLMClient, LLMConfig
from tale_desktop.services.library import LibraryService
from tale_desktop.services.tasks import TaskHandle, TaskManager
from tale_desktop.settings import Settings
from tale_desktop.storage.errors import NotFound, StorageError
from tale_desktop.storage.illustrations import IllustrationRows, PictureFiles

log = logging.getLogger(__name__)

PLAN_TIMEOUT_S = 45.0
# A picture takes a model much longer than a story's first words: its answer may wait this many times the
# shared first-byte limit (providers/http.py NetPolicy.read_s; 2 minutes with the defaults).
IMAGE_READ_FACTOR = 4.0
NOTIFY_KIND = "illustrations"  # library notification: ids are story ids whose pictures changed


class IllustrationEventKind(StrEnum):
    PLANNED = "planned"          # total = pictures about to be drawn
    PICTURE = "picture"          # one picture stored (``illustration``)
    SKIPPED = "skipped"          # the model refused one scene; the others go on
    FAILED = "failed"            # drawing stopped (``message``); pictures stored so far are kept
    UNAVAILABLE = "unavailable"  # no image model (``message``, given once per session)
    DONE = "done"


@dataclass(slots=True)
class IllustrationEvent:
    kind: IllustrationEventKind
    story_id: str
    illustration: Illustration | None = None
    done: int = 0
    total: int = 0
    message: str = ""
    reason: str = ""  # message id for the window: no_image_model, no_key, refused, failed


IllustrationListener = Callable[[IllustrationEvent], None]


@dataclass(slots=True)
class IllustrationResult:
    story_id: str
    added: list[Illustration] = field(default_factory=list)
    skipped: int = 0
    error: ProviderError | None = None

    @property
    def message(self) -> str:
        return self.error.user_message if self.error is not None else ""


@dataclass(frozen=True, slots=True)
class PictureObject:
    """One picture file and where sync keeps it in the bucket (below ``{user_id}/``)."""

    illustration_id: str
    local_path: Path
    object_name: str  # "{story_id}/{sha256}.{ext}"
    sha256: str
    mime: str
    deleted: bool


@dataclass(frozen=True, slots=True)
class BookPicture:
    """A picture as the exports place it (after paragraph ``paragraph``; 0 is the cover)."""

    paragraph: int
    path: Path
    mime: str
    width: int
    height: int
    sha256: str
    alt: str = ""


class Illustrator:
    def __init__(self, settings: Settings, library: LibraryService, tasks: TaskManager, http: HttpClients,
                 story_model: Callable[[], LLMClient] | None = None, files: PictureFiles | None = None,
                 svg_renderer_factory: Callable[[], Callable[[str], bytes]] | None = None):
        self.settings = settings
        self.library = library
        self.tasks = tasks
        self.http = http
        self.story_model = story_model
        self.files = files or PictureFiles(settings.data_dir)
        self.rows = IllustrationRows(library.store)
        self._told_unavailable = False
        # SVG -> PNG bytes (Qt, injected by the composition root): the drawn cover where a PNG is needed
        self._svg_factory = svg_renderer_factory
        self._svg_renderer: Callable[[str], bytes] | None = None
        self._clients: dict[LLMConfig, ImageClient] = {}
        self._purges: set[concurrent.futures.Future[None]] = set()
        self._executor: ThreadPoolExecutor | None = None
        self._unsubscribe = library.subscribe(self.on_library_change)

    # -- configuration ---------------------------------------------------------------------------------------------
    @property
    def image_model(self) -> str:
        return self.settings.get(keys.IMAGE_MODEL).strip()

    def default_style(self) -> IllustrationStyle:
        try:
            return style_of(self.settings.get(keys.IMAGE_STYLE))
        except ValueError:
            return IllustrationStyle.WATERCOLOUR

    def unavailable_reason(self) -> tuple[str, str] | None:
        """(message id, sentence) saying why no pictures can be drawn, or ``None`` when they can."""
        if not self.image_model:
            return "no_image_model", ("Pictures are off: no image model is set. Set TALE_IMAGE_MODEL (or the image "
                                      "model in Settings) to an image model such as google/gemini-2.5-flash-image; "
                                      "stories work without pictures.")
        if not self.settings.llm_configured:
            return "no_key", ("Pictures need the OpenRouter API key (or a local server that draws). Add the key in "
                              "Settings; stories are saved without pictures meanwhile.")
        return None

    def notice_once(self) -> str | None:
        """The reason pictures are off, the first time it is asked in this session (then ``None``)."""
        reason = self.unavailable_reason()
        if reason is None or self._told_unavailable:
            return None
        self._told_unavailable = True
        return reason[1]

    def client(self) -> ImageClient:
        config = LLMConfig(base_url=self.settings.get(keys.LLM_BASE_URL).rstrip("/"),
                           api_key=self.settings.get(keys.OPENROUTER_API_KEY), model=self.image_model,
                           max_retries=2, policy=replace(self.http.policy,
                                                         read_s=self.http.policy.read_s * IMAGE_READ_FACTOR))
        client = self._clients.get(config)
        if client is None:
            self._clients.clear()
            client = self._clients[config] = ImageClient(self.http.get("llm"), config)
        return client

    # -- starting in the background ----------------------------------------------------------------------------
    def start(self, story_id: str, *, count: int | None = None, style: str | None = None,
              listener: IllustrationListener | None = None) -> TaskHandle:
        """Draw the story's missing pictures as a background task (the window's entry point); while one runs for
        the story, that one is returned instead of starting a second."""
        running = self.tasks.get(f"illustrate:{story_id}")
        if running is not None:
            return running

        async def run(handle: TaskHandle) -> IllustrationResult:
            result = await self.illustrate(story_id, count=count, style=style, listener=listener, handle=handle)
            if result.error is not None and not result.added:
                raise result.error
            return result
        return self.tasks.spawn(run, name=f"illustrate:{story_id}", title="Drawing pictures")

    def start_redraw(self, illustration_id: str, *, listener: IllustrationListener | None = None) -> TaskHandle:
        """Draw one picture again (the reader's context menu)."""
        return self.tasks.spawn(lambda handle: self.redraw(illustration_id, listener=listener, handle=handle),
                                name=f"redraw:{illustration_id}", title="Redrawing a picture")

    # -- drawing ------------------------------------------------------------------------------------------------
    async def illustrate(self, story_id: str, *, count: int | None = None, style: str | None = None,
                         listener: IllustrationListener | None = None,
                         handle: TaskHandle | None = None) -> IllustrationResult:
        """Draw the cover (when missing) and scene pictures; ``count`` is how many pictures to add (default: the
        cover and 2-6 scenes by length). Failures end the drawing but never touch the story."""
        emit = _Emitter(listener)
        result = IllustrationResult(story_id)
        reason = self.unavailable_reason()
        if reason is not None:
            result.error = NotConfigured(SERVICE, reason[1])
            if not self._told_unavailable:
                self._told_unavailable = True
                emit(IllustrationEvent(IllustrationEventKind.UNAVAILABLE, story_id, message=reason[1],
                                       reason=reason[0]))
            return result
        story = await self.library.get_story(story_id)
        existing = await self.rows.for_story(story_id)
        chosen_style = style_of(style) if style else (
            style_of(existing[0].style) if existing else self.default_style())
        paragraphs = story_paragraphs(story.content)
        have_cover = any(i.is_cover for i in existing)
        taken = {i.paragraph for i in existing}
        if count is None:
            scenes_wanted = max(0, scene_count(story.minutes, len(paragraphs)) - len(taken - {COVER_PARAGRAPH}))
        else:
            scenes_wanted = max(0, count - (0 if have_cover else 1))
        free = [n for n in range(1, len(paragraphs) + 1) if n not in taken]
        scenes_wanted = min(scenes_wanted, len(free))
        cover_text, scenes = await self._plan(story, paragraphs, free, scenes_wanted)
        jobs: list[Scene] = ([] if have_cover or count == 0 else [Scene(COVER_PARAGRAPH, cover_text)]) + scenes
        total = len(jobs)
        emit(IllustrationEvent(IllustrationEventKind.PLANNED, story_id, total=total))
        if handle is not None:
            handle.report(0, total, f"Drawing {total} pictures")
        sheet = character_sheet(story.child_snapshot, story.hero_snapshot)
        reference = await self._cover_bytes(existing)
        for index, scene in enumerate(jobs):
            if index and not await self._alive(story_id):  # deleted meanwhile: draw nothing more for it
                log.info("Story %s was deleted; its pictures stop", story_id)
                break
            is_cover = scene.paragraph == COVER_PARAGRAPH
            prompt = picture_prompt(sheet=sheet, style=chosen_style, scene=scene.description, title=story.title,
                                    cover=is_cover, reference=reference is not None and not is_cover)
            try:
                picture = await self._draw(story_id, scene, prompt, chosen_style,
                                           None if is_cover else reference)
            except PictureRefused as exc:
                result.skipped += 1
                emit(IllustrationEvent(IllustrationEventKind.SKIPPED, story_id, done=index + 1, total=total,
                                       message=exc.user_message, reason="refused"))
                continue
            except ProviderError as exc:
                result.error = exc
                log.warning("Pictures for %s stopped: %s", story_id, exc.user_message)
                emit(IllustrationEvent(IllustrationEventKind.FAILED, story_id, done=index, total=total,
                                       message=exc.user_message, reason="failed"))
                break
            result.added.append(picture)
            if is_cover:
                reference = (await asyncio.to_thread(self.files.read, picture), picture.mime)
                if reference[0] is None:
                    reference = None
            emit(IllustrationEvent(IllustrationEventKind.PICTURE, story_id, illustration=picture, done=index + 1,
                                   total=total))
            if handle is not None:
                handle.report(index + 1, total, f"Drew {index + 1} of {total} pictures")
        emit(IllustrationEvent(IllustrationEventKind.DONE, story_id, done=len(result.added), total=total,
                               message=result.message))
        return result

    async def redraw(self, illustration_id: str, *, listener: IllustrationListener | None = None,
                     handle: TaskHandle | None = None) -> Illustration:
        """Draw one picture again with its stored prompt; the new one replaces it (raises on failure, the old
        picture is kept then)."""
        reason = self.unavailable_reason()
        if reason is not None:
            raise NotConfigured(SERVICE, reason[1])
        old = await self.rows.get(illustration_id)
        existing = await self.rows.for_story(old.story_id)
        reference = None if old.is_cover else await self._cover_bytes(existing)
        if handle is not None:
            handle.report(0, 1, "Redrawing a picture")
        picture = await self._draw(old.story_id, Scene(old.paragraph, old.scene), old.prompt,
                                   style_of(old.style), reference)
        await self.rows.remove([old.id])
        if old.file != picture.file and old.file not in await self.rows.files_in_use(old.story_id):
            await asyncio.to_thread(self.files.remove_file, old.file)
        _Emitter(listener)(IllustrationEvent(IllustrationEventKind.PICTURE, old.story_id, illustration=picture,
                                             done=1, total=1))
        return picture

    async def _plan(self, story: Story, paragraphs: list[str], free: list[int],
                    wanted: int) -> tuple[str, list[Scene]]:
        """Cover description and ``wanted`` scenes among the ``free`` paragraphs: one short model call, or the
        deterministic fallback when the model is unavailable or its answer unusable."""
        cover = fallback_cover(story.title, story.theme)
        if wanted <= 0:
            return cover, []
        planned: list[Scene] = []
        if self.story_model is not None:
            try:
                answer = await asyncio.wait_for(self.story_model().complete(
                    scene_messages(story.title, paragraphs, wanted), json_mode=True, temperature=0.4,
                    max_tokens=700), PLAN_TIMEOUT_S)
                plan = parse_scene_plan(answer.text, paragraphs, wanted)
                if plan is not None:
                    cover = plan[0] or cover
                    planned = [s for s in plan[1] if s.paragraph in free]
                else:
                    log.info("The scene plan for %s was unusable; choosing scenes locally", story.id)
            except (ProviderError, TimeoutError) as exc:
                log.info("No scene plan for %s (%s); choosing scenes locally", story.id,
                         getattr(exc, "user_message", type(exc).__name__))
        if len(planned) < wanted:  # fill up from the deterministic choice, then with any free paragraph
            spare = [paragraphs[n - 1] for n in free]
            local = [Scene(free[s.paragraph - 1], s.description) for s in fallback_scenes(spare, wanted)]
            rest = [Scene(free[s.paragraph - 1], s.description) for s in fallback_scenes(spare, len(spare))]
            have = {s.paragraph for s in planned}
            for scene in local + rest:
                if len(planned) >= wanted:
                    break
                if scene.paragraph not in have:
                    planned.append(scene)
                    have.add(scene.paragraph)
        return cover, sorted(planned[:wanted], key=lambda s: s.paragraph)

    async def _alive(self, story_id: str) -> bool:
        if story_id in self.library.pending_deletions:
            return False
        try:
            await self.library.get_story(story_id)
        except NotFound:
            return False
        return True

    async def _cover_bytes(self, existing: list[Illustration]) -> tuple[bytes, str] | None:
        for picture in existing:
            if picture.is_cover:
                data = await asyncio.to_thread(self.files.read, picture)
                if data is not None:
                    return data, picture.mime
        return None

    async def _draw(self, story_id: str, scene: Scene, prompt: str, style: IllustrationStyle,
                    reference: tuple[bytes, str] | None) -> Illustration:
        image = await self.client().generate(ImageRequest(prompt=prompt, reference=reference))
        stored = await asyncio.to_thread(self.files.write, story_id, image.data, image.info.ext)
        picture = Illustration(
            story_id=story_id, paragraph=scene.paragraph, file=stored.file, sha256=stored.sha256,
            mime=image.info.mime, width=image.info.width, height=image.info.height, size=stored.size,
            prompt=prompt, scene=scene.description, style=style.value, model=image.model, stats=image.stats(),
        )
        await self.rows.save(picture)
        self.library.notify(NOTIFY_KIND, [story_id])
        return picture

    # -- reading -----------------------------------------------------------------------------------------------
    async def pictures(self, story_id: str) -> list[Illustration]:
        return await self.rows.for_story(story_id)

    async def listing(self, story_id: str) -> list[dict[str, Any]]:
        """The story's pictures as ``stories show --json`` lists them under ``illustrations``."""
        out = []
        for picture in await self.rows.for_story(story_id):
            out.append({
                "id": picture.id, "path": str(self.files.absolute(picture.file)), "sha256": picture.sha256,
                "paragraph": picture.paragraph, "prompt": picture.prompt, "width": picture.width,
                "height": picture.height, "mime": picture.mime, "size": picture.size, "scene": picture.scene,
                "style": picture.style, "model": picture.model, "cost": picture.stats.get("cost"),
                "prompt_tokens": picture.stats.get("prompt_tokens"),
                "completion_tokens": picture.stats.get("completion_tokens"),
            })
        return out

    async def book_pictures(self, story_id: str) -> list[BookPicture]:
        """Pictures whose files are present and undamaged, for the exports (cover first, then story order)."""
        pictures = await self.rows.for_story(story_id)

        def check() -> list[BookPicture]:
            out = []
            for p in pictures:
                path = self.files.verified(p)
                if path is not None:
                    out.append(BookPicture(p.paragraph, path, p.mime, p.width, p.height, p.sha256, p.scene))
            return out
        return await asyncio.to_thread(check)

    async def cover_picture(self, story_id: str, *, drawn: bool = True) -> tuple[bytes, str] | None:
        """The painted cover's bytes and type (for the MP3's ID3 picture); without one (and with ``drawn``) the
        app's drawn cover as PNG when an SVG renderer was injected; else ``None``."""
        painted = await self._cover_bytes(await self.rows.for_story(story_id))
        if painted is not None or not drawn or self._svg_factory is None:
            return painted
        if self._svg_renderer is None:
            self._svg_renderer = self._svg_factory()  # on the loop (main) thread: it may create the Qt app
        svg = self.drawn_cover(await self.library.get_story(story_id))
        return await asyncio.to_thread(self._svg_renderer, svg), "image/png"

    @staticmethod
    def drawn_cover(story: Story) -> str:
        """The app's own SVG cover of any story (no image model needed)."""
        subtitle = story.child_name or story.hero_name or ""
        return cover_svg(story.title, story.theme, story.id, subtitle)

    async def image_objects(self, story_id: str, *, include_deleted: bool = True) -> list[PictureObject]:
        """A story's picture files and their bucket object names, for sync to upload, download and remove
        (``include_deleted``: also pictures replaced or removed with their story)."""
        pictures = await self.rows.for_story(story_id, include_deleted=include_deleted)
        return [PictureObject(p.id, self.files.absolute(p.file), f"{story_id}/{Path(p.file).name}", p.sha256,
                              p.mime, p.deleted_at is not None) for p in pictures if p.file]

    # -- deletion ----------------------------------------------------------------------------------------------
    def on_library_change(self, kind: str, ids: list[str]) -> None:
        """A deletion became final: drop the stories' picture files and rows (in a worker thread)."""
        if kind != "stories_purged" or not ids:
            return
        for story_id in ids:
            self.tasks.cancel(f"illustrate:{story_id}")
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="illustrator")
        job = self._executor.submit(self._purge, list(ids))
        self._purges.add(job)
        job.add_done_callback(self._purges.discard)

    def _purge(self, story_ids: list[str]) -> None:
        try:
            self.library.store.db.call(self.rows.tombstone_blocking, "story_id", story_ids)
        except StorageError as exc:
            log.warning("Could not mark the pictures of purged stories removed: %s", exc.user_message)
        for story_id in story_ids:
            self.files.remove_story(story_id)
        log.info("Removed the pictures of %d purged stories", len(story_ids))

    async def aclose(self) -> None:
        """Finish removing the pictures of purged stories (bounded), then stop listening."""
        self._unsubscribe()
        if self._purges:
            await asyncio.wait([asyncio.wrap_future(job) for job in list(self._purges)], timeout=5.0)
        if self._executor is not None:
            self._executor.shutdown(wait=False)


class _Emitter:
    def __init__(self, listener: IllustrationListener | None):
        self.listener = listener

    def __call__(self, event: IllustrationEvent) -> None:
        if self.listener is None:
            return
        try:
            self.listener(event)
        except Exception:  # a broken listener must not stop the drawing
            log.exception("Illustration listener failed")
