"""Search, every filter and sort, paging, sequels, short ids and tombstones in the SQLite library."""

from __future__ import annotations

from pathlib import Path

import pytest

from tale_desktop.domain.models import Child
from tale_desktop.domain.query import SortKey, StoryQuery
from tale_desktop.storage.errors import NotFound
from tale_desktop.storage.library import NEXT_SEQUEL_SQL, Library
from tests.library_helpers import make_narration, make_story


@pytest.fixture
def lib(tmp_path: Path):
    library = Library.open(tmp_path / "lib")
    yield library
    library.close()


@pytest.fixture
def shelf(lib: Library):
    """Five stories with distinct dates, titles, ratings and lengths; two children; one narration."""
    masha = Child(name="Маша", age_band="3-5", gender="female", interests=["кошки"]).validate()
    tom = Child(name="Tom", age_band="5-7", gender="male", interests=["space"]).validate()
    lib.merge_records("children", [masha, tom])
    stories = {
        "comets": make_story("Orbi and the Map", "The robot drew comets all night long under the stars.",
                             child=tom, rating=9, favourite=True, created_at="2026-01-05T10:00:00.000Z"),
        "dragon": make_story("Dragon Dreams", "A small dragon learned to share. " * 20, child=tom, rating=4,
                             status="read", created_at="2026-01-03T10:00:00.000Z"),
        "hedgehog": make_story("Ёжик и фонарик", "Ёжик Фитилёк зажигал фонарики в лесу.", child=masha,
                               language="ru", rating=7, created_at="2026-01-04T10:00:00.000Z"),
        "archived": make_story("Zebra Crossing", "Stripes everywhere " * 5, status="archived",
                               created_at="2026-01-01T10:00:00.000Z"),
        "draft": make_story("", "half a sto", status="draft", created_at="2026-01-02T10:00:00.000Z"),
    }
    lib.merge_records("stories", list(stories.values()))
    lib.merge_records("narrations", [make_narration(stories["dragon"].id)])
    return {"children": {"masha": masha, "tom": tom}, **stories}


async def ids(lib: Library, query: StoryQuery, **kw) -> list[str]:
    return [row["id"] for row in await lib.list_stories(query, **kw)]


async def test_search_english_prefix_and_child_name(lib, shelf):
    assert await ids(lib, StoryQuery(search="comets")) == [shelf["comets"].id]
    assert await ids(lib, StoryQuery(search="com")) == [shelf["comets"].id]
    assert await ids(lib, StoryQuery(search="DRAG")) == [shelf["dragon"].id]
    assert await ids(lib, StoryQuery(search="robot stars")) == [shelf["comets"].id]
    assert await ids(lib, StoryQuery(search="robot dragon")) == []
    assert set(await ids(lib, StoryQuery(search="tom"))) == {shelf["comets"].id, shelf["dragon"].id}


async def test_search_russian_prefix_case_and_yo(lib, shelf):
    expected = [shelf["hedgehog"].id]
    assert await ids(lib, StoryQuery(search="фонар")) == expected
    assert await ids(lib, StoryQuery(search="ЛЕСУ")) == expected
    assert await ids(lib, StoryQuery(search="ежик")) == expected  # typed without ё
    assert await ids(lib, StoryQuery(search="Ёжик")) == expected
    assert await ids(lib, StoryQuery(search="маш")) == expected  # the child's name


@pytest.mark.parametrize("text", ['"', '"comets', "comets*", "NEAR(comets robot)", "-comets", "comets -",
                                  "comets:", "(comets", "comets AND", "^comets", "comets OR NOT"])
async def test_fts_syntax_in_input_is_harmless(lib, shelf, text):
    found = await ids(lib, StoryQuery(search=text))
    assert set(found) <= {shelf["comets"].id}
    assert await lib.count_stories(StoryQuery(search=text)) == len(found)


async def test_search_after_edit_and_delete_follows_the_text(lib, shelf):
    story = shelf["comets"]
    story.content = "Now it is about meteors."
    lib.merge_records("stories", [story.touched()])
    assert await ids(lib, StoryQuery(search="comets")) == []
    assert await ids(lib, StoryQuery(search="meteor")) == [story.id]
    await lib.delete_stories([story.id])
    assert await ids(lib, StoryQuery(search="meteor")) == []


async def test_every_filter(lib, shelf):
    tom = shelf["children"]["tom"]
    assert set(await ids(lib, StoryQuery(child_id=tom.id))) == {shelf["comets"].id, shelf["dragon"].id}
    assert await ids(lib, StoryQuery(language="ru")) == [shelf["hedgehog"].id]
    assert await ids(lib, StoryQuery(status="archived")) == [shelf["archived"].id]
    assert await ids(lib, StoryQuery(status="draft")) == [shelf["draft"].id]
    assert shelf["draft"].id not in await ids(lib, StoryQuery(include_drafts=False))
    assert await ids(lib, StoryQuery(min_rating=7)) == [shelf["comets"].id, shelf["hedgehog"].id]
    assert await ids(lib, StoryQuery(favourite=True)) == [shelf["comets"].id]
    assert await ids(lib, StoryQuery(has_audio=True)) == [shelf["dragon"].id]
    assert await ids(lib, StoryQuery(child_id=tom.id, min_rating=5, search="robot")) == [shelf["comets"].id]
    assert await lib.count_stories(StoryQuery(child_id=tom.id)) == 2


async def test_every_sort_both_ways(lib, shelf):
    alive = ["comets", "dragon", "hedgehog", "archived", "draft"]
    by_date = ["comets", "hedgehog", "dragon", "draft", "archived"]
    assert await ids(lib, StoryQuery(sort=SortKey.DATE)) == [shelf[k].id for k in by_date]
    assert await ids(lib, StoryQuery(sort=SortKey.DATE, descending=False)) == [shelf[k].id for k in by_date[::-1]]
    titles = [row["title"] for row in await lib.list_stories(StoryQuery(sort=SortKey.TITLE, descending=False))]
    assert titles == ["", "Dragon Dreams", "Orbi and the Map", "Zebra Crossing", "Ёжик и фонарик"]
    ratings = [row["rating"] for row in await lib.list_stories(StoryQuery(sort=SortKey.RATING))]
    assert ratings[:3] == [9, 7, 4] and ratings[3:] == [None, None]
    asc = [row["rating"] for row in await lib.list_stories(StoryQuery(sort=SortKey.RATING, descending=False))]
    assert asc[2:] == [4, 7, 9]
    words = [row["word_count"] for row in await lib.list_stories(StoryQuery(sort=SortKey.LENGTH))]
    assert words == sorted(words, reverse=True) and len(words) == len(alive)


async def test_paging_covers_every_row_once(lib, shelf):
    seen = []
    for offset in range(0, 6, 2):
        seen += await ids(lib, StoryQuery(), offset=offset, limit=2)
    assert len(seen) == 5 and len(set(seen)) == 5


async def test_rows_carry_what_the_list_paints(lib, shelf):
    row = (await lib.list_stories(StoryQuery(has_audio=True)))[0]
    assert row["title"] == "Dragon Dreams" and row["child_name"] == "Tom" and row["has_audio"] is True
    assert row["word_count"] == 120 and row["rating"] == 4 and row["favourite"] is False
    assert "content" not in row  # pages never carry the full text


async def test_delete_and_restore_take_the_narration_along(lib, shelf):
    dragon = shelf["dragon"].id
    await lib.delete_stories([dragon])
    assert dragon not in await ids(lib, StoryQuery())
    assert await lib.narrations_for(dragon) == []
    with pytest.raises(NotFound):
        await lib.get_story(dragon)
    assert (await lib.get_story(dragon, include_deleted=True)).deleted_at
    await lib.restore_stories([dragon])
    assert await ids(lib, StoryQuery(has_audio=True)) == [dragon]


async def test_restore_leaves_separately_deleted_narrations_deleted(lib, shelf):
    comets = shelf["comets"].id
    old = make_narration(comets, deleted_at="2026-01-01T00:00:00.000Z")
    lib.merge_records("narrations", [old])
    await lib.delete_stories([comets])
    await lib.restore_stories([comets])
    assert await lib.narrations_for(comets) == []


async def test_sequel_links(lib, shelf):
    first = shelf["comets"]
    second = make_story("Orbi Returns", "More comets.", parent_id=first.id)
    third = make_story("Orbi Again", "Even more.", parent_id=second.id)
    lib.merge_records("stories", [second, third])
    links = await lib.sequel_links(second.id)
    assert links["previous"]["id"] == first.id and links["next"]["id"] == third.id
    assert (await lib.sequel_links(first.id))["previous"] is None
    await lib.delete_stories([third.id])
    assert (await lib.sequel_links(second.id))["next"] is None


async def test_the_next_sequel_is_the_oldest_and_found_by_its_parent(lib, shelf):
    first = shelf["comets"]
    later = make_story("Orbi Two", "Later.", parent_id=first.id, created_at="2026-02-02T10:00:00.000Z")
    earlier = make_story("Orbi One", "Earlier.", parent_id=first.id, created_at="2026-02-01T10:00:00.000Z")
    lib.merge_records("stories", [later, earlier])
    assert (await lib.sequel_links(first.id))["next"]["id"] == earlier.id
    # Opening a story looks for its sequel: through stories_parent, not a walk of every story in date order.
    plan = lib.db.connection().execute("EXPLAIN QUERY PLAN " + NEXT_SEQUEL_SQL, (first.id,)).fetchall()
    assert any("stories_parent" in row[3] for row in plan), [row[3] for row in plan]


async def test_short_ids_resolve_when_unique(lib, shelf):
    story = shelf["comets"]
    assert await lib.resolve_story_id(story.id) == story.id
    assert await lib.resolve_story_id(story.id[:8]) == story.id
    with pytest.raises(NotFound):
        await lib.resolve_story_id("zzzz-not-an-id")
    with pytest.raises(NotFound):
        await lib.resolve_story_id("")


async def test_merge_keeps_the_newest(lib, shelf):
    story = shelf["comets"]
    older = make_story("Old title", "old", id=story.id, updated_at="2000-01-01T00:00:00.000Z")
    counts = lib.merge_records("stories", [older])
    assert (counts.added, counts.updated, counts.unchanged) == (0, 0, 1)
    assert (await lib.get_story(story.id)).title == "Orbi and the Map"
    newer = make_story("New title", "new", id=story.id, updated_at="2999-01-01T00:00:00.000Z")
    assert lib.merge_records("stories", [newer]).updated == 1
    assert (await lib.get_story(story.id)).title == "New title"
    assert await ids(lib, StoryQuery(search="new title")) == [story.id]
