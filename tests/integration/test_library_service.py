"""Rating, status, favourites, opening and delete-with-undo through the library service."""

from __future__ import annotations

from pathlib import Path

import pytest

from tale_desktop.domain.errors import ValidationError
from tale_desktop.services.library import LibraryService
from tale_desktop.storage.library import Library
from tests.library_helpers import make_narration, make_story


@pytest.fixture
def service(tmp_path: Path):
    library = Library.open(tmp_path / "lib")
    yield LibraryService(library)
    library.close()


@pytest.fixture
def heard(service: LibraryService) -> list[tuple[str, list[str]]]:
    events: list[tuple[str, list[str]]] = []
    service.subscribe(lambda kind, ids: events.append((kind, ids)))
    return events


async def test_rate_validates_and_notifies(service, heard):
    story = await service.save_story(make_story())
    heard.clear()
    assert (await service.rate(story.id, 9)).rating == 9
    assert heard == [("stories", [story.id])]
    for bad in (0, 11, -1, 7.5, True, "9"):
        with pytest.raises(ValidationError, match="Rating must be a whole number from 1 to 10"):
            await service.rate(story.id, bad)
    assert (await service.get_story(story.id)).rating == 9  # nothing lost
    assert (await service.rate(story.id, None)).rating is None


async def test_status_and_favourite(service):
    story = await service.save_story(make_story())
    assert (await service.set_status(story.id, "archived")).status == "archived"
    for bad in ("bogus", "draft", ""):
        with pytest.raises(ValidationError, match="new, read, archived"):
            await service.set_status(story.id, bad)
    assert (await service.get_story(story.id)).status == "archived"
    assert (await service.set_favourite(story.id)).favourite is True
    assert (await service.set_favourite(story.id, False)).favourite is False


async def test_opening_marks_new_stories_read_and_gives_details(service):
    first = await service.save_story(make_story("One", "word " * 300, model="m/x"))
    second = await service.save_story(make_story("Two", "more words", parent_id=first.id))
    details = await service.open_story(second.id)
    assert details.story.status == "read"
    assert details.previous["id"] == first.id and details.next is None
    assert (await service.open_story(first.id)).next["id"] == second.id
    assert (await service.details(first.id)).reading_minutes == 2.0
    await service.set_status(first.id, "archived")
    assert (await service.open_story(first.id)).story.status == "archived"  # only "new" turns into "read"


async def test_delete_with_undo_then_final(service, heard):
    a = await service.save_story(make_story("A"))
    b = await service.save_story(make_story("B"))
    await service.store.save_narration(make_narration(a.id))
    heard.clear()
    await service.delete_stories([a.id, b.id])
    assert heard == [("stories", [a.id, b.id])]
    assert await service.count_stories() == 0
    assert service.pending_deletions == {a.id, b.id}
    await service.restore_stories([a.id])  # Undo (for one of them)
    assert (await service.details(a.id)).has_audio
    assert service.finalize_deletion() == [b.id]
    assert heard[-1] == ("stories_purged", [b.id])
    assert service.pending_deletions == frozenset()
    assert service.finalize_deletion() == []


async def test_cli_style_delete_is_final_at_once(service, heard):
    a = await service.save_story(make_story("A"))
    heard.clear()
    await service.delete_stories([a.id], final=True)
    assert heard == [("stories", [a.id]), ("stories_purged", [a.id])]
    assert service.pending_deletions == frozenset()


async def test_quitting_makes_pending_deletions_final():
    import asyncio

    from tale_desktop.context import AppContext

    ctx = await asyncio.to_thread(AppContext.create)
    await ctx.start()
    heard: list[tuple[str, list[str]]] = []
    ctx.library.subscribe(lambda kind, ids: heard.append((kind, ids)))
    story = await ctx.library.save_story(make_story("Doomed"))
    await ctx.library.delete_stories([story.id])
    assert ("stories_purged", [story.id]) not in heard
    await ctx.aclose()
    assert ("stories_purged", [story.id]) in heard
