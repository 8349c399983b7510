"""Library operations the window and the CLI share, with change notifications for views and sync."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tale_desktop.domain.enums import Status
from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.models import Child, Hero, Narration, Story, validate_rating
from tale_desktop.domain.query import StoryQuery
from tale_desktop.domain.text import reading_minutes
from tale_desktop.storage.bedtime import BedtimeStore, SavedQueue
from tale_desktop.storage.library import Library
from tale_desktop.storage.seed import install_builtin_content

log = logging.getLogger(__name__)

# kind is one of "children", "heroes", "stories", "narrations", or "stories_purged" (a deletion became final:
# the undo window passed, or the CLI deleted; listeners such as the audio cache drop what belongs to those ids),
# or "tonight_queue" (tonight's queue changed: ids are the queue's story ids in order).
ChangeListener = Callable[[str, list[str]], None]

# Statuses a parent can set by hand (a draft is only ever made by the storyteller).
SETTABLE_STATUSES = (Status.NEW.value, Status.READ.value, Status.ARCHIVED.value)


@dataclass(slots=True)
class StoryDetails:
    """What the reader shows next to the text."""

    story: Story
    previous: dict[str, Any] | None  # summary row of the story this one continues
    next: dict[str, Any] | None  # summary row of the first sequel
    narrations: list[Narration]

    @property
    def reading_minutes(self) -> float:
        return reading_minutes(self.story.content)

    @property
    def has_audio(self) -> bool:
        return bool(self.narrations)


class LibraryService:
    def __init__(self, library: Library):
        self.store = library
        self.bedtime = BedtimeStore(library.db)
        self._listeners: list[ChangeListener] = []
        self._pending_purge: set[str] = set()

    # -- notifications -------------------------------------------------------------------------------------------
    def subscribe(self, listener: ChangeListener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def notify(self, kind: str, ids: Iterable[str]) -> None:
        ids = list(ids)
        for listener in list(self._listeners):
            try:
                listener(kind, ids)
            except Exception:
                log.exception("Library listener failed")

    async def install_builtin_content(self) -> int:
        added = await install_builtin_content(self.store)
        if added:
            self.notify("heroes", [])
            self.notify("stories", [])
        return added

    # -- children and heroes -------------------------------------------------------------------------------------
    async def list_children(self) -> list[Child]:
        return await self.store.list_children()

    async def get_child(self, child_id: str) -> Child:
        return await self.store.get_child(child_id)

    async def save_child(self, child: Child) -> Child:
        saved = await self.store.save_child(child.touched())
        self.notify("children", [saved.id])
        return saved

    async def delete_child(self, child_id: str) -> None:
        await self.store.delete_child(child_id)
        self.notify("children", [child_id])

    async def list_heroes(self, language: str | None = None) -> list[Hero]:
        return await self.store.list_heroes(language)

    async def get_hero(self, hero_id: str) -> Hero:
        return await self.store.get_hero(hero_id)

    async def save_hero(self, hero: Hero) -> Hero:
        saved = await self.store.save_hero(hero.touched())
        self.notify("heroes", [saved.id])
        return saved

    async def delete_hero(self, hero_id: str) -> None:
        await self.store.delete_hero(hero_id)
        self.notify("heroes", [hero_id])

    # -- stories -------------------------------------------------------------------------------------------------
    async def list_stories(self, query: StoryQuery = StoryQuery(), *, offset: int = 0,
                           limit: int = 200) -> list[dict[str, Any]]:
        return await self.store.list_stories(query, offset=offset, limit=limit)

    async def count_stories(self, query: StoryQuery = StoryQuery()) -> int:
        return await self.store.count_stories(query)

    async def count_and_pages(self, query: StoryQuery, pages: list[tuple[int, int]],
                              ) -> tuple[int, list[list[dict[str, Any]]]]:
        """The match count and some pages of summaries, read together (the windowed library list)."""
        return await self.store.count_and_pages(query, pages)

    async def get_story(self, story_id: str) -> Story:
        return await self.store.get_story(story_id)

    async def save_story(self, story: Story) -> Story:
        saved = await self.store.save_story(story)
        self.notify("stories", [saved.id])
        return saved

    async def update_story(self, story_id: str, **changes: Any) -> Story:
        story = await self.store.update_story_fields(story_id, **changes)
        self.notify("stories", [story_id])
        return story

    async def resolve_story_id(self, key: str) -> str:
        """A full story id or a unique prefix (>= 4 characters) -> the full id; NotFound otherwise."""
        return await self.store.resolve_story_id(key)

    async def rate(self, story_id: str, rating: int | None) -> Story:
        """Rate 1-10, or ``None`` to clear the rating."""
        if rating is not None:
            validate_rating(rating)
        return await self.update_story(story_id, rating=rating)

    async def set_status(self, story_id: str, status: str) -> Story:
        if status not in SETTABLE_STATUSES:
            raise ValidationError({"status": f"Status can be set to {', '.join(SETTABLE_STATUSES)}"})
        return await self.update_story(story_id, status=status)

    async def set_favourite(self, story_id: str, favourite: bool = True) -> Story:
        return await self.update_story(story_id, favourite=bool(favourite))

    async def open_story(self, story_id: str) -> StoryDetails:
        """Everything the reader needs; opening a new story marks it read."""
        story = await self.store.get_story(story_id)
        if story.status == Status.NEW:
            story = await self.update_story(story_id, status=Status.READ.value)
        return await self.details(story)

    async def details(self, story: Story | str) -> StoryDetails:
        if isinstance(story, str):
            story = await self.store.get_story(story)
        links = await self.store.sequel_links(story.id)
        narrations = await self.store.narrations_for(story.id)
        return StoryDetails(story=story, previous=links["previous"], next=links["next"], narrations=narrations)

    # -- deleting with undo ----------------------------------------------------------------------------------
    async def delete_stories(self, story_ids: Iterable[str], *, final: bool = False) -> None:
        """Tombstone stories (their narrations go with them).

        With ``final=False`` (the window) the deletion can still be undone with :meth:`restore_stories` until
        :meth:`finalize_deletion` is called (after the undo notice closes); with ``final=True`` (the CLI) it is
        final at once and listeners hear ``stories_purged`` (the audio cache drops the files).
        """
        ids = list(dict.fromkeys(story_ids))
        await self.store.delete_stories(ids)
        self.notify("stories", ids)
        if final:
            self.notify("stories_purged", ids)
        else:
            self._pending_purge.update(ids)

    async def restore_stories(self, story_ids: Iterable[str]) -> None:
        """Undo a deletion that is still pending."""
        ids = list(story_ids)
        await self.store.restore_stories(ids)
        self._pending_purge.difference_update(ids)
        self.notify("stories", ids)

    def finalize_deletion(self, story_ids: Iterable[str] | None = None) -> list[str]:
        """The undo window closed: the deletion of these (default: all pending) stories becomes final."""
        ids = sorted(self._pending_purge if story_ids is None else self._pending_purge.intersection(story_ids))
        self._pending_purge.difference_update(ids)
        if ids:
            self.notify("stories_purged", ids)
        return ids

    @property
    def pending_deletions(self) -> frozenset[str]:
        return frozenset(self._pending_purge)

    # -- bedtime listening: where each story stopped, tonight's queue --------------------------------------------
    async def playback_position(self, story_id: str) -> float:
        """Seconds into the story's narration where it last stopped (0: from the start)."""
        saved = await self.bedtime.position(story_id)
        return saved[0] if saved else 0.0

    async def remember_position(self, story_id: str, position_s: float, duration_s: float = 0.0) -> None:
        await self.bedtime.save_position(story_id, position_s, duration_s)

    async def forget_position(self, story_id: str) -> None:
        """The story was heard to the end: next time it starts from the beginning."""
        await self.bedtime.forget_position(story_id)

    async def tonight_queue(self) -> SavedQueue:
        return await self.bedtime.queue()

    async def save_tonight_queue(self, story_ids: Iterable[str], current: int = 0) -> None:
        ids = list(story_ids)
        await self.bedtime.save_queue(ids, current)
        self.notify("tonight_queue", ids)

    async def favourite_story_ids(self, child_id: str, *, limit: int = 200) -> list[str]:
        """The child's favourite stories, oldest first (the order a queue plays them in)."""
        rows = await self.store.list_stories(StoryQuery(child_id=child_id, favourite=True, include_drafts=False,
                                                        descending=False), offset=0, limit=limit)
        return [row["id"] for row in rows]
