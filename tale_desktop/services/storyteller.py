"""Writing stories: prompt -> streamed text -> cleanup -> review (and rewrites) -> summary -> saved story.

Each generation is its own named task (``TaskManager.spawn``), so several can run at once and each can be
cancelled on its own. Text is saved as a ``draft`` as soon as it arrives and at least every second after, so a
crash, a Ctrl-C or a broken stream keeps what was written. Generation statistics are fetched afterwards in the
background; the story never waits for them. No Qt here: the window listens to :class:`StoryEvent` callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tale_desktop import settings as keys
from tale_desktop.domain.enums import Language, Moral, Status, StoryType
from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.messages import message_of, msg
from tale_desktop.domain.models import GenerationStats, Story, new_id
from tale_desktop.domain.prompts import (
    SequelContext,
    StoryBrief,
    fallback_title,
    review_messages,
    story_messages,
    summary_messages,
)
from tale_desktop.domain.review import ReviewVerdict, judge, parse_model_review
from tale_desktop.domain.story_text import (
    clean_story,
    collapse_symbols,
    local_summary,
    normalize_paragraphs,
    split_title,
    strip_markdown,
)
from tale_desktop.domain.text import word_count
from tale_desktop.providers.errors import (
    AuthError,
    NotConfigured,
    ProviderError,
    QuotaError,
    TimedOut,
    Unavailable,
)
from tale_desktop.providers.http import READ_PACE, HttpClients
from tale_desktop.providers.llm import (
    ChatResult,
    LLMClient,
    LLMConfig,
    ModelInfo,
    StreamFailed,
    stats_from_generation,
)
from tale_desktop.services.library import LibraryService
from tale_desktop.services.tasks import TaskHandle, TaskManager
from tale_desktop.settings import Settings
from tale_desktop.storage.errors import NotFound

log = logging.getLogger(__name__)

DRAFT_INTERVAL_S = 1.0
STATS_DELAYS_S = (0.3, 0.7, 1.5, 3.0, 5.0, 8.0, 10.0)
REVIEW_TRIES = 2
SUMMARY_MAX_CHARS = 600
START_STAGGER_S = 0.003
# Once a window says which story the parent watches being written (``Storyteller.watch``), the others are read
# this often, in gulps, instead of piece by piece: ten streams then cost the loop about half the work, for what
# only shows as a row in the tasks panel (paced_reading.py). They end up to ~0.4 s later.
BACKGROUND_READ_S = 0.25
_EVERY_STORY = object()  # no window has said: every story is read as it arrives (the CLI prints it)


@dataclass(slots=True)
class StoryRequest:
    """What the parent asked for (ids, not records); :meth:`Storyteller.prepare` looks everything up."""

    child_id: str | None = None
    hero_id: str | None = None
    story_type: str | None = None  # None: follows from what is given (child, hero or both)
    moral: str = Moral.KINDNESS.value  # a preset, or the parent's own words
    theme: str | None = None
    language: str = Language.EN.value
    minutes: int = 5
    model: str | None = None
    parent_id: str | None = None
    age_band: str | None = None  # listener's age for hero-only stories

    def resolved_type(self) -> str:
        if self.story_type:
            return self.story_type
        if self.child_id and self.hero_id:
            return StoryType.COMBINED.value
        return StoryType.HERO.value if self.hero_id else StoryType.CHILD.value


class StoryEventKind(StrEnum):
    STARTED = "started"      # the draft record exists in memory; story_id and target_words are known
    TEXT = "text"            # delta + full text so far
    RESTART = "restart"      # a rewrite after a failed review starts: the text starts over
    STATUS = "status"        # a phase message ("Checking the story…")
    DONE = "done"            # story holds the saved story
    FAILED = "failed"        # error holds the message; settings_fix says the fix is in Settings
    CANCELLED = "cancelled"  # story_id names the kept draft (if any text had arrived)


@dataclass(slots=True)
class StoryEvent:
    kind: StoryEventKind
    story_id: str
    delta: str = ""
    text: str = ""
    words: int = 0
    target_words: int = 0
    message: str = ""
    story: Story | None = None
    error: str | None = None
    settings_fix: bool = False
    draft_saved: bool = False
    invalid: bool = False  # FAILED because of the request itself (ValidationError): the fix is in the form


StoryListener = Callable[[StoryEvent], None]


@dataclass(slots=True)
class Prepared:
    brief: StoryBrief
    story: Story
    warnings: list[str] = field(default_factory=list)


class _DraftKeeper:
    """Keeps the streaming text saved as a draft: at the first text, then at least every second."""

    def __init__(self, library: LibraryService, story: Story, interval: float):
        self.library = library
        self.story = story
        self.interval = interval
        self.text = ""
        self.saved_text: str | None = None
        self.first_text = asyncio.Event()
        self.saves = 0
        self.frozen = False  # True while a rewrite streams: the draft keeps the complete earlier version

    def feed(self, text: str) -> None:
        self.text = text
        if not self.first_text.is_set():
            self.first_text.set()

    async def run(self) -> None:
        await self.first_text.wait()
        while True:
            await self.save()
            await asyncio.sleep(self.interval)

    async def save(self) -> bool:
        if self.frozen or not self.text.strip() or self.text == self.saved_text:
            return False
        text = self.text
        title, body = split_title(text)
        self.story.title = title
        self.story.content = normalize_paragraphs(collapse_symbols(strip_markdown(body)))
        self.story.status = Status.DRAFT.value
        self.story = self.story.touched()
        await self.library.save_story(self.story)
        self.saved_text = text
        self.saves += 1
        return True


class Storyteller:
    def __init__(self, settings: Settings, library: LibraryService, tasks: TaskManager, http: HttpClients):
        self.settings = settings
        self.library = library
        self.tasks = tasks
        self.http = http
        self.draft_interval = DRAFT_INTERVAL_S
        self.stats_delays: tuple[float, ...] = STATS_DELAYS_S
        self.stats_tasks: dict[str, TaskHandle] = {}
        self._clients: dict[LLMConfig, LLMClient] = {}
        self._kept: dict[str, tuple[int, int]] = {}  # story id -> (version kept, versions written)
        self._silent_servers: set[str] = set()  # base URLs that just stopped answering (no more calls this story)
        self._start_gate = asyncio.Lock()
        self._watched: object = _EVERY_STORY

    def watch(self, story_id: str | None) -> None:
        """The story whose text the parent is watching arrive (``None``: none of them); the others are read every
        BACKGROUND_READ_S from then on. The change reaches each stream at its next read."""
        self._watched = story_id

    def _read_pace(self, story_id: str) -> Callable[[], float]:
        return lambda: 0.0 if self._watched is _EVERY_STORY or self._watched == story_id else BACKGROUND_READ_S

    # -- the model endpoint ----------------------------------------------------------------------------------------
    def llm_config(self) -> LLMConfig:
        return LLMConfig(
            base_url=self.settings.get(keys.LLM_BASE_URL).rstrip("/"),
            api_key=self.settings.get(keys.OPENROUTER_API_KEY),
            model=self.settings.get(keys.LLM_MODEL),
            fallback_models=tuple(self.settings.get_list(keys.LLM_FALLBACK_MODELS)),
            policy=self.http.policy,
        )

    def client(self) -> LLMClient:
        config = self.llm_config()
        client = self._clients.get(config)
        if client is None or client.http.is_closed:
            self._clients.clear()  # settings changed: drop clients built for the old ones
            client = self._clients[config] = LLMClient(self.http.get("llm"), config)
        return client

    async def list_models(self) -> list[ModelInfo]:
        return await self.client().list_models()

    async def check_key(self) -> dict[str, Any]:
        return await self.client().check_key()

    # -- preparing ----------------------------------------------------------------------------------------------
    async def prepare(self, request: StoryRequest, story_id: str | None = None) -> Prepared:
        """Look up the child, hero and parent story and validate everything; raises ``ValidationError``."""
        warnings: list[str] = []
        child = hero = None
        if request.child_id:
            try:
                child = await self.library.get_child(request.child_id)
            except NotFound as exc:
                raise ValidationError.single("child", "That child profile no longer exists; pick another.") from exc
        if request.hero_id:
            try:
                hero = await self.library.get_hero(request.hero_id)
            except NotFound as exc:
                raise ValidationError.single("hero", "That hero no longer exists; pick another.") from exc
        sequel = None
        if request.parent_id:
            try:
                parent = await self.library.get_story(request.parent_id)
            except NotFound as exc:
                raise ValidationError.single(
                    "parent_id", "The story to continue no longer exists (it may have been deleted); pick another."
                ) from exc
            if not parent.content.strip():
                raise ValidationError.single("parent_id", "The story to continue has no text yet; pick another.")
            sequel = SequelContext.from_story(parent)
        brief = StoryBrief(
            language=request.language, story_type=request.resolved_type(), moral=(request.moral or "").strip(),
            theme=request.theme or None, minutes=request.minutes, child=child, hero=hero, sequel=sequel,
            age_band=request.age_band,
        ).validate()
        if hero is not None and brief.hero_in_other_language and brief.story_type != StoryType.CHILD:
            names = dict(en="English", ru="Russian")
            warnings.append(f"{hero.name} is described in {names.get(hero.language, hero.language)}; the story "
                            f"will be in {names.get(brief.language, brief.language)}, so the model will translate "
                            "the description.")
        story = Story(
            id=story_id or new_id(), title="", content="", language=brief.language, story_type=brief.story_type,
            child_id=child.id if child and brief.story_type != StoryType.HERO else None,
            hero_id=hero.id if hero and brief.story_type != StoryType.CHILD else None,
            child_snapshot=_snapshot(child) if child and brief.story_type != StoryType.HERO else None,
            hero_snapshot=_snapshot(hero) if hero and brief.story_type != StoryType.CHILD else None,
            moral=brief.moral, theme=brief.theme, minutes=brief.minutes, parent_id=request.parent_id,
            status=Status.DRAFT.value, model=request.model or self.settings.get(keys.LLM_MODEL),
        )
        story.validate()
        return Prepared(brief, story, warnings)

    # -- starting -----------------------------------------------------------------------------------------------
    def start(self, request: StoryRequest, listener: StoryListener | None = None) -> TaskHandle:
        """Start one generation as its own task; returns the handle (cancel it to stop this story only)."""
        story_id = new_id()
        handle = self.tasks.spawn(
            lambda h: self.write(request, listener, handle=h, story_id=story_id),
            name=f"story:{story_id}", title=msg("task.write_story"),
        )
        handle.story_id = story_id  # type: ignore[attr-defined]
        return handle

    async def write(self, request: StoryRequest, listener: StoryListener | None = None, *,
                    handle: TaskHandle | None = None, story_id: str | None = None) -> Story:
        """The whole generation; returns the saved story. Raises ProviderError / ValidationError on failure."""
        emit = _Emitter(listener)
        story_id = story_id or new_id()
        try:
            prepared = await self.prepare(request, story_id)
        except ValidationError as exc:
            emit(StoryEvent(StoryEventKind.FAILED, story_id, error=message_of(exc), invalid=True))
            raise
        brief, story = prepared.brief, prepared.story
        target = brief.target_words
        if handle is not None:
            name = story.child_name or story.hero_name
            handle.title = f"Writing a story for {name}" if story.child_name else (
                f"Writing a story about {name}" if name else "Writing a story")
        emit(StoryEvent(StoryEventKind.STARTED, story_id, target_words=target,
                        message=" ".join(prepared.warnings)))
        if handle is not None:
            handle.report(0, target, f"0 / {target} words")
        keeper = _DraftKeeper(self.library, story, self.draft_interval)
        try:
            client = self.client()
            final, result, verdict, attempts = await self._write_attempts(
                client, brief, story, keeper, emit, handle, request.model)
            if handle is not None:
                handle.report(message="Writing a short summary for sequels…")
            emit(StoryEvent(StoryEventKind.STATUS, story_id, message="Writing a short summary…"))
            summary = await self._summarize(client, brief.language, final.title, final.content, result.model)
            story = keeper.story
            story.title, story.content, story.summary = final.title, final.content, summary
            story.status = Status.NEW.value
            story.model = result.model
            story.stats = GenerationStats(
                generation_id=result.generation_id, prompt_tokens=result.prompt_tokens,
                completion_tokens=result.completion_tokens, cost=result.cost, latency_ms=result.first_token_ms,
                generation_time_ms=result.total_ms, provider_name=result.provider_name,
                finish_reason=result.finish_reason,
            )
            story.review = _review_record(verdict, attempts, enabled=verdict is not None, trimmed=final.trimmed,
                                          kept=self._kept.pop(story_id, (1, attempts))[0])
            saved = await self.library.save_story(story.touched())
        except asyncio.CancelledError:
            kept = await _final_draft_save(keeper)
            emit(StoryEvent(StoryEventKind.CANCELLED, story_id, text=keeper.text, words=word_count(keeper.text),
                            target_words=target, draft_saved=kept))
            raise
        except ProviderError as exc:
            if isinstance(exc, StreamFailed):
                keeper.feed(exc.partial)
            kept = await _final_draft_save(keeper)
            emit(StoryEvent(StoryEventKind.FAILED, story_id, error=message_of(exc), draft_saved=kept,
                            settings_fix=isinstance(exc, AuthError | NotConfigured | QuotaError)
                            or "Settings" in exc.user_message))
            raise
        except Exception as exc:  # a bug or a storage failure: keep what was written, tell the listener, re-raise
            kept = await _final_draft_save(keeper)
            message = message_of(exc) or (
                msg("story.failed_unexpectedly", kind=type(exc).__name__))
            emit(StoryEvent(StoryEventKind.FAILED, story_id, error=message, draft_saved=kept))
            raise
        emit(StoryEvent(StoryEventKind.DONE, story_id, text=saved.content, words=saved.word_count,
                        target_words=target, story=saved, message=done_message(saved.review)))
        # Statistics: only OpenRouter has /generation (a local server answers 404 for ever); never awaited here.
        if result.generation_id and (client.config.is_openrouter or result.provider_name):
            stats = self.stats_tasks[saved.id] = self.tasks.spawn(
                self._fetch_stats(client, saved.id, result.generation_id),
                name=f"stats:{saved.id}", title=msg("task.generation_stats"), cancellable=True,
            )
            if stats.task is not None:
                stats.task.add_done_callback(lambda _t, sid=saved.id: self.stats_tasks.pop(sid, None))
        return saved

    async def wait_for_stats(self, story_id: str, timeout: float) -> None:
        """Wait (bounded) for the background statistics of ``story_id``; the CLI uses it before exiting."""
        handle = self.stats_tasks.get(story_id)
        if handle is not None and handle.task is not None:
            await asyncio.wait([handle.task], timeout=timeout)

    # -- the steps ----------------------------------------------------------------------------------------------
    async def _write_attempts(self, client: LLMClient, brief: StoryBrief, story: Story, keeper: _DraftKeeper,
                              emit: _Emitter, handle: TaskHandle | None, model: str | None):
        review_on = self.settings.get_bool(keys.REVIEW_ENABLED)
        attempts_allowed = max(1, self.settings.get_int(keys.REVIEW_ATTEMPTS)) if review_on else 1
        threshold = self.settings.get_float(keys.REVIEW_THRESHOLD)
        fallback = fallback_title(brief)
        candidates: list[tuple[Any, Any, ChatResult]] = []
        for attempt in range(1, attempts_allowed + 1):
            if attempt > 1:
                emit(StoryEvent(StoryEventKind.RESTART, story.id, target_words=brief.target_words,
                                message=f"Rewriting the story (attempt {attempt} of {attempts_allowed})…"))
                # The saved draft keeps the complete earlier version while a rewrite streams, so a crash or a
                # cancel during the rewrite never loses a finished story.
                keeper.frozen = True
            try:
                raw, result = await self._stream_once(client, brief, keeper, emit, handle, model)
            except ProviderError as exc:
                if not candidates:
                    raise
                log.warning("Rewrite of %s failed (%s); keeping the best earlier version", story.id,
                            exc.user_message)
                emit(StoryEvent(StoryEventKind.STATUS, story.id,
                                message="The rewrite failed; keeping the best earlier version."))
                break
            final = clean_story(raw, fallback_title=fallback, cut_off=result.finish_reason == "length")
            verdict = None
            if review_on:
                if handle is not None:
                    handle.report(message="Checking the story…")
                emit(StoryEvent(StoryEventKind.STATUS, story.id, message="Checking the story…"))
                verdict = await self._review(client, brief, final.title, final.content, threshold, result.model)
            candidates.append((verdict, final, result))
            # An unreadable review is not a reason to rewrite: the story is saved flagged and the parent told.
            if verdict is None or verdict.passed or not verdict.model_checked:
                break
            brief.feedback = verdict.feedback_for_rewrite()
            log.info("Story %s failed review (score %s): rewriting", story.id, verdict.score)
        best = max(candidates, key=lambda c: c[0].rank if c[0] is not None else (0, 0, 0.0))
        verdict, final, result = best
        self._kept[story.id] = (candidates.index(best) + 1, len(candidates))
        return final, result, verdict, len(candidates)

    async def _stream_once(self, client: LLMClient, brief: StoryBrief, keeper: _DraftKeeper, emit: _Emitter,
                           handle: TaskHandle | None, model: str | None) -> tuple[str, ChatResult]:
        text = ""
        words = 0
        after_space = True
        target = brief.target_words
        story_id = keeper.story.id

        def on_text(delta: str) -> None:
            nonlocal text, words, after_space
            text += delta
            for ch in delta:  # count word starts incrementally (no rescan of the whole text per token)
                if ch.isspace():
                    after_space = True
                elif after_space:
                    words += 1
                    after_space = False
            keeper.feed(text)
            emit(StoryEvent(StoryEventKind.TEXT, story_id, delta=delta, text=text, words=words,
                            target_words=target))
            if handle is not None:
                handle.report(min(words, target), target, f"{words} / {target} words")

        max_tokens = int(target * (3.2 if brief.language == Language.RU else 2.0)) + 300
        # A burst of new stories (ten started at once) opens its requests one per loop turn, a few ms apart, so
        # building requests and connections never blocks the window in one long turn.
        async with self._start_gate:
            await asyncio.sleep(START_STAGGER_S)
        saver = asyncio.ensure_future(keeper.run())
        pace = READ_PACE.set(self._read_pace(story_id))
        try:
            result = await client.stream_chat(story_messages(brief), on_text, model=model, max_tokens=max_tokens,
                                              temperature=0.9 if brief.feedback else 0.8)
        finally:
            READ_PACE.reset(pace)
            saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await saver
        keeper.feed(result.text)
        await keeper.save()
        return result.text, result

    async def _review(self, client: LLMClient, brief: StoryBrief, title: str, text: str, threshold: float,
                      model: str) -> ReviewVerdict:
        model_review = None
        model_error = None
        for attempt in range(1, REVIEW_TRIES + 1):  # an unreadable answer is asked for again before giving up
            try:
                answer = await client.complete(review_messages(brief, title, text), model=model, json_mode=True,
                                               max_tokens=500, temperature=0.0)
                model_review = parse_model_review(answer.text)
                model_error = None
                break
            except (ProviderError, ValueError) as exc:
                model_error = getattr(exc, "user_message", None) or f"The review answer could not be read ({exc})."
                log.warning("Review of a story failed (try %d of %d): %s", attempt, REVIEW_TRIES, model_error)
                if _silent(exc):  # the server stopped answering: asking again would only make the parent wait
                    self._silent_servers.add(client.config.base_url)
                    break
        return judge(text, brief.language, brief.target_words, model_review, threshold=threshold,
                     model_error=model_error)

    async def _summarize(self, client: LLMClient, language: str, title: str, content: str, model: str) -> str:
        if client.config.base_url in self._silent_servers:  # it just timed out: the local summary, no wait
            self._silent_servers.discard(client.config.base_url)
            return local_summary(content)
        try:
            answer = await client.complete(summary_messages(language, title, content), model=model,
                                           max_tokens=220, temperature=0.3)
            summary = normalize_paragraphs(collapse_symbols(strip_markdown(answer.text))).replace("\n\n", " ")
            if 20 <= len(summary) <= SUMMARY_MAX_CHARS * 2:
                return summary[:SUMMARY_MAX_CHARS].strip()
            log.info("Summary answer unusable (%d chars); using a local summary", len(summary))
        except ProviderError as exc:
            log.info("Summary call failed (%s); using a local summary", exc.user_message)
        return local_summary(content)

    async def _fetch_stats(self, client: LLMClient, story_id: str, generation_id: str) -> dict[str, Any] | None:
        """Poll ``/generation`` with backoff while it answers 404; store what arrives on the story."""
        for delay in self.stats_delays:
            await asyncio.sleep(delay)
            try:
                data = await client.generation_stats(generation_id)
            except ProviderError as exc:
                log.info("Generation stats unavailable for %s: %s", story_id, exc.user_message)
                return None
            if data is None:
                continue
            try:
                story = await self.library.get_story(story_id)
            except NotFound:
                return None
            merged = story.stats.to_dict()
            merged.update({k: v for k, v in stats_from_generation(data).items() if v is not None})
            await self.library.update_story(story_id, stats=merged)
            return merged
        log.info("Generation stats for %s never arrived", story_id)
        return None


def _silent(exc: BaseException) -> bool:
    """The server did not answer at all (timed out, unreachable), as opposed to answering something unreadable."""
    return isinstance(exc, TimedOut) or (isinstance(exc, Unavailable) and exc.status is None
                                         and exc.code.startswith("net."))


class _Emitter:
    def __init__(self, listener: StoryListener | None):
        self.listener = listener

    def __call__(self, event: StoryEvent) -> None:
        if self.listener is None:
            return
        try:
            self.listener(event)
        except Exception:  # a broken listener must not break the story
            log.exception("Story listener failed")


async def _final_draft_save(keeper: _DraftKeeper) -> bool:
    """Save what was written (on cancel or failure); True when a draft exists."""
    try:
        await asyncio.shield(keeper.save())
    except asyncio.CancelledError:
        pass
    except Exception:
        log.exception("Could not save the draft of %s", keeper.story.id)
    return keeper.saved_text is not None


def _snapshot(record: Any) -> dict[str, Any]:
    data = record.to_dict()
    for name in ("created_at", "updated_at", "deleted_at"):
        data.pop(name, None)
    return data


def _review_record(verdict: ReviewVerdict | None, attempts: int, *, enabled: bool, trimmed: bool,
                   kept: int = 1) -> dict[str, Any]:
    if verdict is None:
        return {"enabled": False, "flagged": False, "attempts": attempts, "trimmed_tail": trimmed}
    record = verdict.to_dict()
    record.update(enabled=True, flagged=not verdict.passed, attempts=attempts, trimmed_tail=trimmed,
                  kept_attempt=kept)
    return record


def review_unchecked(review: dict[str, Any] | None) -> bool:
    """The review was on but could not be done or read (the story is flagged for that reason)."""
    review = review or {}
    return bool(review.get("enabled") and review.get("flagged") and not review.get("model_checked", True))


def kept_message(review: dict[str, Any] | None) -> str:
    """After a rewrite: which version was kept ("" when only one was written)."""
    review = review or {}
    attempts, kept = int(review.get("attempts") or 1), int(review.get("kept_attempt") or 1)
    if attempts < 2:
        return ""
    if kept == attempts:
        return f"Kept the rewritten version ({kept} of {attempts})."
    which = "first" if kept == 1 else f"version {kept}"
    return f"Kept the {which} version ({kept} of {attempts}): the review liked it best."


def done_message(review: dict[str, Any] | None) -> str:
    """What the parent is told when a story is saved (the review's doubts, which version was kept)."""
    parts = [kept_message(review)]
    if review_unchecked(review):
        parts.append("The safety review could not be done, so the story is flagged: read it before bedtime.")
    elif (review or {}).get("flagged"):
        parts.append("The review had doubts about this story, so it is flagged: read it before bedtime.")
    return " ".join(p for p in parts if p)

