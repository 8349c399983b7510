"""The library in the main window, driven as a parent would: type a search, rate in the reader, delete and undo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tale_desktop.ui.library.library_view import StoryListModel
from tests.library_helpers import make_story
from tests.ui.helpers import click, click_row, type_into, until
from tests.ui.library_support import type_text

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])
ORBI = "41f7b2c9-6e3d-4a80-9b5c-7d1e8a2f3c64"


def titles(window) -> list[str]:
    model = window.library.model
    return [model.index(r).data() for r in range(model.rowCount())]


def row_of(window, story_id: str) -> int:
    return window.library.model.row_of(story_id)


async def test_typing_in_the_search_box_updates_the_rows(window, ctx):
    await until(lambda: len(titles(window)) == 4, what="starter stories")
    await ctx.library.save_story(make_story("The Dragon Who Counted Comets", "A dragon counted comets."))
    await until(lambda: len(titles(window)) == 5, what="new story listed")
    search = window.library_features.filters.search
    type_into(search, "comet")
    await until(lambda: sorted(titles(window)) == ["Orbi and the Comet Map", "The Dragon Who Counted Comets"],
                what="search results")
    await until(lambda: "Found 2 stories" in window.status_label.text(), what="count in the status bar")
    type_into(search, " drag")
    await until(lambda: titles(window) == ["The Dragon Who Counted Comets"], what="narrowed")
    search.clear()
    type_text(search, "фонар")
    await until(lambda: titles(window) == ["Последний фонарик"], what="russian prefix")
    search.clear()
    await until(lambda: len(titles(window)) == 5, what="all again")


async def test_opening_marks_read_and_rating_with_the_control(window, ctx):
    await until(lambda: row_of(window, ORBI) >= 0, what="starter stories")
    assert window.library.model.index(row_of(window, ORBI)).data(StoryListModel.SummaryRole)["status"] == "new"
    click_row(window.library.list, row_of(window, ORBI))
    await until(lambda: window.reader.story_id == ORBI and window.details.isVisible(), what="story opened")
    assert (await ctx.library.get_story(ORBI)).status == "read"
    details = window.details
    assert details.fields["words"].text() == "483" and details.fields["hero"].text().startswith("Orbi")
    click(details.rating.buttons[8])  # 9
    await until(lambda: window.library.model.index(row_of(window, ORBI)).data(StoryListModel.SummaryRole)
                ["rating"] == 9, what="list shows the rating")
    assert (await ctx.library.get_story(ORBI)).rating == 9
    click(details.favourite)
    await until(lambda: window.library.model.index(row_of(window, ORBI)).data(StoryListModel.SummaryRole)
                ["favourite"], what="favourite shown")
    bar = window.library_features.filters
    click(bar.filters_button)  # the filters open under the search box, each with its label
    click(bar.favourite)
    await until(lambda: titles(window) == ["Orbi and the Comet Map"], what="favourites filter")


async def test_delete_then_undo_in_the_window(window, ctx):
    await until(lambda: row_of(window, ORBI) >= 0, what="starter stories")
    click_row(window.library.list, row_of(window, ORBI))
    await until(lambda: window.reader.story_id == ORBI, what="story opened")
    window.library.list.setFocus()
    QTest.keyClick(window.library.list, Qt.Key.Key_Delete)
    await until(lambda: window.undo_bar.isVisible(), what="undo notice")
    assert "Orbi and the Comet Map" in window.undo_bar.message.text()
    await until(lambda: row_of(window, ORBI) < 0 and len(titles(window)) == 3, what="row removed")
    await until(lambda: window.reader.story is None, what="reader cleared")
    click(window.undo_bar.undo_button)
    await until(lambda: row_of(window, ORBI) >= 0 and len(titles(window)) == 4, what="row back")
    assert not window.undo_bar.isVisible()
    assert (await ctx.library.get_story(ORBI)).deleted_at is None


async def test_closing_the_window_makes_a_pending_deletion_final(window, ctx):
    purged: list[list[str]] = []
    ctx.library.subscribe(lambda kind, ids: purged.append(ids) if kind == "stories_purged" else None)
    await until(lambda: row_of(window, ORBI) >= 0, what="starter stories")
    window.library.list.setCurrentIndex(window.library.model.index(row_of(window, ORBI)))
    window.library_features.delete_selected()
    await until(lambda: window.undo_bar.isVisible(), what="undo notice")
    window.close()
    assert purged == [[ORBI]]


async def test_continue_from_the_context_menu_opens_the_form_as_a_sequel(window, ctx):
    await until(lambda: row_of(window, ORBI) >= 0, what="starter stories")
    view = window.library.list
    menu = window.library_features.show_menu(view.visualRect(window.library.model.index(row_of(window, ORBI))).center())
    next(a for a in menu.actions() if a.objectName() == "continue").trigger()
    menu.close()
    ui = window.storyteller_ui
    await until(lambda: window.center.currentWidget() is ui.panel, what="compose page")
    await until(lambda: ui.panel.form.sequel.currentData() == ORBI, what="sequel chosen")
    assert window.reader.story_id == ORBI
