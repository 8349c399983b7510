"""The library list (paged model) and the reader."""

from __future__ import annotations

import asyncio

import pytest

from tale_desktop.domain.models import Story
from tale_desktop.domain.query import StoryQuery
from tale_desktop.storage.library import record_to_row
from tale_desktop.ui.library.library_view import StoryListModel
from tests.ui.helpers import click_row, until

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])


async def test_select_starter_story_and_read_it(window):
    library = window.library
    await until(lambda: library.model.rowCount() >= 4, what="starter stories listed")
    titles = [library.model.index(r).data() for r in range(library.model.rowCount())]
    row = titles.index("Orbi and the Comet Map")
    assert window.reader.story is None and window.reader.empty.isVisible()

    click_row(library.list, row)
    await until(lambda: window.reader.story_id is not None, what="story opened")
    reader = window.reader
    assert reader.title.text() == "Orbi and the Comet Map"
    assert "small robot named Orbi" in reader.plain_text()
    assert "English" in reader.meta.text() and "words" in reader.meta.text() and "min read" in reader.meta.text()
    assert reader.text_view.isVisible() and not reader.empty.isVisible()
    assert "4 stories" in window.status_label.text()

    # Another story replaces it; a Russian one renders Cyrillic text.
    ru_row = next(r for r in range(library.model.rowCount())
                  if library.model.index(r).data(StoryListModel.SummaryRole)["language"] == "ru")
    click_row(library.list, ru_row)
    await until(lambda: reader.title.text() == library.model.index(ru_row).data(), what="second story")
    assert "Russian" in reader.meta.text()  # the story language, named in the interface language


async def test_reader_follows_changes_and_deletion(window, ctx):
    await until(lambda: window.library.model.rowCount() >= 4, what="stories")
    click_row(window.library.list, 0)
    await until(lambda: window.reader.story_id is not None, what="story opened")
    story_id = window.reader.story_id
    await ctx.library.update_story(story_id, title="A New Title")
    await until(lambda: window.reader.title.text() == "A New Title", what="reader refreshed")
    await until(lambda: window.library.model.index(0).data() == "A New Title", what="list refreshed")
    await ctx.library.delete_stories([story_id])
    await until(lambda: window.reader.story is None, what="reader cleared")
    await until(lambda: window.library.model.rowCount() == 3, what="list shrank")


async def _bulk_insert(ctx, count: int) -> None:
    stories = [Story(title=f"Bulk story {i:04d}", content="Once upon a time. The end.", language="en").validate()
               for i in range(count)]

    def insert() -> None:
        with ctx.library.store.db.write() as conn:
            for story in stories:
                row = record_to_row("stories", story)
                conn.execute(f"INSERT INTO stories ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})",
                             row)

    await ctx.library.store.db.run(insert)


async def test_model_pages_never_load_everything(ctx):
    await _bulk_insert(ctx, 450)
    calls = []
    real = ctx.library.list_stories

    async def spy(query=StoryQuery(), *, offset=0, limit=200):
        calls.append((offset, limit))
        return await real(query, offset=offset, limit=limit)

    ctx.library.list_stories = spy
    model = StoryListModel(ctx, max_pages=2)
    model.set_query(StoryQuery())
    await until(lambda: model.exhausted and model.rowCount() == 454, what="counted, first page")
    assert calls == [] and model.story_id_at(0) is not None  # the count and the first page come together
    assert model.index(300).data() == ""  # not loaded yet: an empty row, and its page is asked for
    await until(lambda: model.story_id_at(300) is not None, what="the page around row 300")
    assert model.index(453).data(StoryListModel.SummaryRole) is None
    await until(lambda: model.story_id_at(453) is not None, what="the last page")
    assert calls == [(200, 200), (400, 200)]
    assert model.loaded_pages == [1, 2]  # only the most recently used pages are kept
    assert model.index(453).data(StoryListModel.SummaryRole)["id"] == model.story_id_at(453)

    model.set_query(StoryQuery(language="ru"))
    await until(lambda: model.rowCount() == 2 and model.exhausted, what="filtered")
    assert {model.index(r).data(StoryListModel.SummaryRole)["language"] for r in range(2)} == {"ru"}

    # A change reported by the library reloads what is loaded.
    await ctx.library.save_story(Story(title="Новая сказка", content="Жили-были.", language="ru").validate())
    await until(lambda: model.rowCount() == 3, what="refreshed after a change")

    # A change nothing shown depends on (here an English story, outside the filter) repaints nothing.
    repaints, refreshed = [], []
    model.rows_changed.connect(lambda first, last: repaints.append((first, last)))
    model.refreshed.connect(lambda: refreshed.append(True))
    await ctx.library.save_story(Story(title="Elsewhere", content="Once.", language="en").validate())
    await until(lambda: refreshed, what="refreshed after the change")
    assert repaints == [] and model.rowCount() == 3
    await ctx.library.update_story(model.story_id_at(0), rating=9)  # a shown row changes: it is repainted
    await until(lambda: repaints, what="repainted after a rating")
    assert model.index(0).data(StoryListModel.SummaryRole)["rating"] == 9
    model.deleteLater()
    await asyncio.sleep(0)


async def test_view_fetches_the_pages_it_shows(window, ctx):
    await _bulk_insert(ctx, 260)
    window.library.model.refresh()
    view = window.library.list
    await until(lambda: window.library.model.rowCount() == 264, what="every row counted")
    assert window.library.model.story_id_at(263) is None
    view.scrollToBottom()
    await until(lambda: window.library.model.story_id_at(263) is not None, what="view asked for the last page")


async def test_window_remembers_its_size(ctx):
    from tale_desktop.ui.shell.main_window import MainWindow

    first = MainWindow(ctx)
    first.show()
    first.resize(780, 540)
    await until(lambda: first.width() == 780, what="resized")
    first.close()
    first.deleteLater()
    second = MainWindow(ctx)
    second.show()
    try:
        assert (second.width(), second.height()) == (780, 540)
        assert not second.tasks_dock.isVisible()
    finally:
        second.close()
        second.deleteLater()


async def test_reader_keeps_place_when_the_same_story_grows_and_text_size_is_remembered(ctx):
    from tale_desktop.ui.reader.reader import ReaderPane

    story = Story(title="Long", content="\n\n".join(f"Paragraph {i} of a long story." for i in range(200)))
    reader = ReaderPane(ctx)
    reader.resize(700, 400)
    reader.show()
    try:
        reader.show_story(story)
        bar = reader.text_view.verticalScrollBar()
        await until(lambda: bar.maximum() > 1000, what="long layout")
        assert bar.value() == 0
        bar.setValue(bar.maximum() // 2)
        middle = bar.value()
        story.content += "\n\nOne more paragraph arrives."
        reader.show_story(story)  # e.g. streamed text: the parent keeps their place
        assert bar.value() == middle
        before = reader.font_size
        reader.zoom(2)
        assert reader.font_size == before + 3
        other = ReaderPane(ctx)
        assert other.font_size == before + 3
        other.deleteLater()
    finally:
        reader.close()
        reader.deleteLater()


async def test_refresh_keeps_scroll_position_and_updates_in_place(window, ctx):
    await _bulk_insert(ctx, 150)
    model, view = window.library.model, window.library.list
    model.refresh()
    await until(lambda: model.rowCount() == 154, what="all rows")
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)
    middle = view.verticalScrollBar().value()
    assert middle > 0
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    story_id = model.story_id_at(100)
    await ctx.library.update_story(story_id, rating=9)  # same order (sorted by date): an in-place update
    await until(lambda: model.index(100).data(StoryListModel.SummaryRole)["rating"] == 9, what="updated row")
    assert resets == [] and view.verticalScrollBar().value() == middle
    await ctx.library.delete_stories([model.story_id_at(120)])  # rows change: a reset, same scroll place
    await until(lambda: model.rowCount() == 153, what="row removed")
    assert resets and view.verticalScrollBar().value() == middle
