"""Library operations the window and the CLI share, with change notifications for views and sync."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from tale_desktop.domain.models import Child, Hero, Story
from tale_desktop.domain.query import StoryQuery
from tale_desktop.storage.library import Library
from tale_desktop.storage.seed import install_builtin_content

log = logging.getLogger(__name__)

# kind is one of "children", "heroes", "stories", "narrations", or "stories_purged" (a deletion became final:
# the undo window passed, or the CLI deleted; listeners such as the audio cache drop what belongs to those ids).
ChangeListener = Callable[[str, list[str]], None]


class LibraryService:
    def __init__(self, library: Library):
        self.store = library
        self._listeners: list[ChangeListener] = []

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

    async def delete_stories(self, story_ids: Iterable[str]) -> None:
        ids = list(story_ids)
        await self.store.delete_stories(ids)
        self.notify("stories", ids)

    async def restore_stories(self, story_ids: Iterable[str]) -> None:
        ids = list(story_ids)
        await self.store.restore_stories(ids)
        self.notify("stories", ids)
