"""The library's widgets driven as a parent would: type a search, pick filters, rate, delete and undo."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QStandardItem, QStandardItemModel
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QListView, QStyle, QStyleOptionViewItem, QVBoxLayout, QWidget

from tale_desktop.context import AppContext
from tale_desktop.domain.models import Child
from tale_desktop.domain.query import SortKey, StoryQuery
from tale_desktop.ui.library.library_filters import LibraryFilterBar
from tale_desktop.ui.library.library_panel import LibraryFeatures
from tale_desktop.ui.library.story_delegate import StoryDelegate, row_texts
from tale_desktop.ui.reader.story_details import StoryDetailsPanel
from tests.library_helpers import make_narration, make_story
from tests.ui.library_support import RowsModel, library_event, next_emission, type_text

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])
ORBI = "41f7b2c9-6e3d-4a80-9b5c-7d1e8a2f3c64"
WAIT = 5


@contextlib.asynccontextmanager
async def app_context():
    ctx = await asyncio.to_thread(AppContext.create)
    await ctx.start()
    try:
        yield ctx
    finally:
        await ctx.aclose()


@contextlib.asynccontextmanager
async def library_window(qtbot, **kw):
    async with app_context() as ctx:
        window = QWidget()
        qtbot.addWidget(window)
        layout = QVBoxLayout(window)
        view = QListView()
        model = RowsModel(ctx)
        view.setModel(model)
        features = LibraryFeatures(ctx, view, model, id_role=model.IdRole, summary_role=model.SummaryRole,
                                   debounce_ms=kw.pop("debounce_ms", 30), **kw)
        top, bottom = QVBoxLayout(), QVBoxLayout()
        layout.addLayout(top)
        layout.addWidget(view)
        layout.addLayout(bottom)
        features.install_into(top, bottom)
        window.resize(700, 500)
        window.show()
        # Shortcuts (Ctrl+D, 0-9) only reach an active window: wait for it, or a key press may go nowhere.
        window.activateWindow()
        deadline = asyncio.get_running_loop().time() + WAIT
        while not window.isActiveWindow():
            assert asyncio.get_running_loop().time() < deadline, "the window never became active"
            await asyncio.sleep(0.01)
        loaded = next_emission(model.loaded)
        features.start()
        await asyncio.wait_for(loaded, WAIT)
        try:
            yield ctx, features, view, model
        finally:
            features.undo_bar.finalize()
            model.close()


async def until(model: RowsModel, check) -> None:
    while not check():
        await asyncio.wait_for(next_emission(model.loaded), WAIT)


async def test_typing_in_the_search_box_updates_the_rows(qtbot):
    async with library_window(qtbot) as (ctx, features, view, model):
        assert len(model.rows) == 4
        await ctx.library.save_story(make_story("Ёлочка в тумане", "Ёлочка стояла в тумане."))
        await until(model, lambda: len(model.rows) == 5)
        QTest.keyClicks(features.filters.search, "comet")
        await until(model, lambda: model.titles() == ["Orbi and the Comet Map"])
        assert model.queries[-1].search == "comet"
        assert "comet" not in [q.search for q in model.queries[:-1]]  # debounced: no query per keystroke
        features.filters.search.clear()
        type_text(features.filters.search, "елочк")  # typed without ё
        await until(model, lambda: model.titles() == ["Ёлочка в тумане"])
        assert features.filters.count.text() in ("1 story", "")
        QTest.keyClicks(features.filters.search, ' "NEAR*')  # FTS syntax is just words
        await until(model, lambda: model.titles() == [])


async def test_filters_and_sort_reach_the_model(qtbot):
    async with library_window(qtbot) as (ctx, features, view, model):
        bar = features.filters
        qtbot.mouseClick(bar.filters_button, Qt.MouseButton.LeftButton)  # opens the labelled filters
        assert bar.filter_panel.isVisibleTo(bar)
        bar.language.setCurrentIndex(bar.language.findData("ru"))
        await until(model, lambda: len(model.rows) == 2)
        bar.language.setCurrentIndex(0)
        await ctx.library.rate(ORBI, 9)
        bar.min_rating.setCurrentIndex(bar.min_rating.findData(9))
        await until(model, lambda: [r["id"] for r in model.rows] == [ORBI])
        bar.min_rating.setCurrentIndex(0)
        qtbot.mouseClick(bar.favourite, Qt.MouseButton.LeftButton)
        await until(model, lambda: model.rows == [])
        qtbot.mouseClick(bar.favourite, Qt.MouseButton.LeftButton)
        bar.sort.setCurrentIndex(bar.sort.findData(SortKey.TITLE.value))
        qtbot.mouseClick(bar.order, Qt.MouseButton.LeftButton)
        await until(model, lambda: model.query.sort == SortKey.TITLE and not model.query.descending)
        assert model.titles() == sorted(model.titles(), key=str.casefold)
        child = await ctx.library.save_child(Child(name="Tom", age_band="5-7", gender="male", interests=["x"]))
        await ctx.library.save_story(make_story("Tom's tale", "For Tom.", child=child))
        for _ in range(50):
            if bar.child.findData(child.id) >= 0:
                break
            await asyncio.sleep(0.02)
        bar.child.setCurrentIndex(bar.child.findData(child.id))
        await until(model, lambda: model.titles() == ["Tom's tale"])
        await ctx.library.store.save_narration(make_narration(ORBI))
        bar.clear()
        qtbot.mouseClick(bar.has_audio, Qt.MouseButton.LeftButton)
        await until(model, lambda: [r["id"] for r in model.rows] == [ORBI])


async def test_delete_with_the_keyboard_then_undo(qtbot):
    async with library_window(qtbot) as (ctx, features, view, model):
        await ctx.library.store.save_narration(make_narration(ORBI))
        row = next(i for i, r in enumerate(model.rows) if r["id"] == ORBI)
        view.setFocus()
        view.setCurrentIndex(model.index(row))
        offered = next_emission(features.undo_bar.offered)
        QTest.keyClick(view, Qt.Key.Key_Delete)
        assert (await asyncio.wait_for(offered, WAIT)) == ([ORBI],)
        assert features.undo_bar.isVisible() and "Orbi and the Comet Map" in features.undo_bar.message.text()
        assert 9_000 < features.undo_bar.remaining_ms <= 10_600  # coarse timers may run 5% late
        await until(model, lambda: ORBI not in [r["id"] for r in model.rows])
        restored = next_emission(features.undo_bar.restored)
        qtbot.mouseClick(features.undo_bar.undo_button, Qt.MouseButton.LeftButton)
        await asyncio.wait_for(restored, WAIT)
        await until(model, lambda: ORBI in [r["id"] for r in model.rows])
        assert not features.undo_bar.isVisible()
        assert (await ctx.library.details(ORBI)).has_audio  # the audio came back with it
        assert ctx.library.pending_deletions == frozenset()


async def test_delete_becomes_final_when_the_notice_times_out(qtbot):
    async with library_window(qtbot, undo_seconds=0.2) as (ctx, features, view, model):
        view.selectAll()  # multi-select: all four starter stories
        purged = library_event(ctx, "stories_purged")
        finalized = next_emission(features.undo_bar.finalized)
        features.delete_selected()
        assert "Deleted 4 stories" in (await asyncio.wait_for(next_emission(features.undo_bar.offered), WAIT)
                                       and features.undo_bar.message.text())
        (ids,) = await asyncio.wait_for(finalized, WAIT)
        assert len(ids) == 4 and sorted(await asyncio.wait_for(purged, WAIT)) == sorted(ids)
        await until(model, lambda: model.rows == [])


async def test_context_menu_rates_archives_and_favourites_the_selection(qtbot):
    async with library_window(qtbot) as (ctx, features, view, model):
        view.setCurrentIndex(model.index(0))
        view.selectionModel().select(model.index(1), view.selectionModel().SelectionFlag.Select)
        rows = features.selected_rows()
        assert len(rows) == 2
        menu = features.show_menu(view.visualRect(model.index(0)).center())
        names = {a.objectName() for a in menu.actions()}
        assert {"markRead", "markArchived", "favourite", "delete"} <= names and "open" not in names  # 2 selected
        rate = menu.findChild(type(menu), "rateMenu")
        changed = library_event(ctx, "stories")
        next(a for a in rate.actions() if a.objectName() == "rate7").trigger()
        await asyncio.wait_for(changed, WAIT)
        await until(model, lambda: all(r["rating"] == 7 for r in model.rows if r["id"] in {x["id"] for x in rows}))
        menu.close()
        features.build = features.actions.build_menu(rows)
        next(a for a in features.build.actions() if a.objectName() == "markArchived").trigger()
        await until(model, lambda: sum(r["status"] == "archived" for r in model.rows) == 2)
        view.setFocus()
        view.setCurrentIndex(model.index(0))  # the list reloaded: select two rows again, with the keyboard
        QTest.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
        assert len(features.selected_rows()) == 2
        QTest.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        await until(model, lambda: sum(r["favourite"] for r in model.rows) == 2)
        view.setCurrentIndex(model.index(0))
        QTest.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
        QTest.keyClick(view, Qt.Key.Key_0)  # 0 rates 10
        await until(model, lambda: sum(r["rating"] == 10 for r in model.rows) == 2)


async def test_context_menu_open_and_export(qtbot, tmp_path):
    chosen = []

    def ask(name: str, fmt: str) -> str:
        chosen.append((name, fmt))
        return str(tmp_path / name)

    async with library_window(qtbot, ask_path=ask) as (ctx, features, view, model):
        row = next(i for i, r in enumerate(model.rows) if r["id"] == ORBI)
        menu = features.show_menu(view.visualRect(model.index(row)).center())
        opened = next_emission(features.actions.open_requested)
        next(a for a in menu.actions() if a.objectName() == "open").trigger()
        assert await asyncio.wait_for(opened, WAIT) == (ORBI,)
        export = menu.findChild(type(menu), "exportMenu")
        done = next_emission(features.actions.exported)
        next(a for a in export.actions() if a.objectName() == "export_epub").trigger()
        (path,) = await asyncio.wait_for(done, WAIT)
        assert chosen == [("Orbi and the Comet Map.epub", "epub")] and path.endswith(".epub")
        assert (tmp_path / "Orbi and the Comet Map.epub").stat().st_size > 1000
        assert next(a for a in export.actions() if a.objectName() == "export_mp3").isEnabled()  # the narrator is there
        activated = next_emission(features.actions.open_requested)
        view.setFocus()
        view.setCurrentIndex(model.index(row))
        QTest.keyClick(view, Qt.Key.Key_Return)
        assert await asyncio.wait_for(activated, WAIT) == (ORBI,)


async def test_reader_details_rate_status_favourite_and_sequels(qtbot):
    async with app_context() as ctx:
        sequel = await ctx.library.save_story(make_story("Orbi Returns", "More comets tonight.", parent_id=ORBI,
                                                         model="openai/gpt-4o-mini"))
        panel = StoryDetailsPanel(ctx)
        qtbot.addWidget(panel)
        panel.show()
        opened = next_emission(panel.story_opened)
        panel.open_story(ORBI)
        (details,) = await asyncio.wait_for(opened, WAIT)
        assert details.story.status == "read"  # opening marks it read
        assert (await ctx.library.get_story(ORBI)).status == "read"
        assert panel.fields["hero"].text() == "Orbi the Star-Mapping Robot"
        assert panel.fields["words"].text() == "483" and panel.fields["reading"].text() == "3\u00a0min"  # rounded, as a parent says it
        moral = panel.fields["moral"].text()
        assert moral and moral[0].isupper() and moral in panel.facts.text()  # in words, not the stored value
        assert not panel.previous.isEnabled() and panel.next.isEnabled()

        changed = library_event(ctx, "stories")
        qtbot.mouseClick(panel.rating.buttons[7], Qt.MouseButton.LeftButton)  # the "8" button
        await asyncio.wait_for(changed, WAIT)
        assert (await ctx.library.get_story(ORBI)).rating == 8
        assert [b.isChecked() for b in panel.rating.buttons] == [True] * 8 + [False] * 2

        changed = library_event(ctx, "stories")
        qtbot.mouseClick(panel.favourite, Qt.MouseButton.LeftButton)
        await asyncio.wait_for(changed, WAIT)
        assert (await ctx.library.get_story(ORBI)).favourite

        changed = library_event(ctx, "stories")
        panel.status.setCurrentIndex(panel.status.findData("archived"))
        panel.status.activated.emit(panel.status.currentIndex())
        await asyncio.wait_for(changed, WAIT)
        assert (await ctx.library.get_story(ORBI)).status == "archived"

        opened = next_emission(panel.story_opened)
        qtbot.mouseClick(panel.next, Qt.MouseButton.LeftButton)
        (details,) = await asyncio.wait_for(opened, WAIT)
        assert details.story.id == sequel.id and panel.previous.isEnabled() and not panel.next.isEnabled()
        assert "model" not in panel.fields and "cost" not in panel.fields  # not words for a parent

        changed = library_event(ctx, "stories")
        qtbot.mouseClick(panel.rating.buttons[2], Qt.MouseButton.LeftButton)
        await asyncio.wait_for(changed, WAIT)
        while ctx.tasks.get("reader.details") is not None:  # let the panel settle on the stored rating
            await asyncio.sleep(0.01)
        assert panel.rating.rating == 3
        changed = library_event(ctx, "stories")
        qtbot.mouseClick(panel.rating.buttons[2], Qt.MouseButton.LeftButton)  # the same again clears it
        await asyncio.wait_for(changed, WAIT)
        assert (await ctx.library.get_story(sequel.id)).rating is None


async def test_search_box_debounces_and_enter_applies_at_once(qtbot):
    bar = LibraryFilterBar(debounce_ms=10_000)
    qtbot.addWidget(bar)
    seen: list[StoryQuery] = []
    bar.query_changed.connect(seen.append)
    QTest.keyClicks(bar.search, "dragon")
    assert seen == []
    QTest.keyClick(bar.search, Qt.Key.Key_Return)
    assert [q.search for q in seen] == ["dragon"]
    bar.status.setCurrentIndex(bar.status.findData("archived"))
    assert seen[-1] == StoryQuery(search="dragon", status="archived")


ROW = {"id": "x", "title": "Orbi and the Comet Map", "child_name": "Tom", "created_at": "2026-03-01T10:00:00Z",
       "word_count": 750, "minutes": 5, "rating": 9, "favourite": True, "has_audio": True, "status": "read"}


def _one_row(qtbot, row: dict) -> tuple[QStandardItem, QListView, StoryDelegate]:
    model = QStandardItemModel()
    item = QStandardItem(row["title"])
    item.setData(row, RowsModel.SummaryRole)
    model.appendRow(item)
    view = QListView()
    view.setModel(model)
    qtbot.addWidget(view)
    return item, view, StoryDelegate(RowsModel.SummaryRole, view)


def _option(view: QListView, *, selected: bool = False) -> QStyleOptionViewItem:
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 400, 60)
    option.font = view.font()
    option.palette = view.palette()
    option.widget = view
    option.state = QStyle.StateFlag.State_Enabled | (QStyle.StateFlag.State_Selected if selected
                                                     else QStyle.StateFlag.State_None)
    return option


def _paint_row(delegate: StoryDelegate, view: QListView, *, selected: bool = False) -> QImage:
    image = QImage(400, 60, QImage.Format.Format_ARGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    delegate.paint(painter, _option(view, selected=selected), view.model().index(0, 0))
    painter.end()
    return image


async def test_a_row_painted_again_comes_from_the_cache_until_what_it_shows_changes(qtbot, monkeypatch):
    row = {**ROW, "favourite": False, "has_audio": False}
    item, view, delegate = _one_row(qtbot, row)
    drawn = []
    real = delegate._paint_row
    monkeypatch.setattr(delegate, "_paint_row", lambda *args: (drawn.append(args[3]), real(*args)))
    first = _paint_row(delegate, view)
    again = _paint_row(delegate, view)
    assert len(drawn) == 1 and again == first  # the same pixels, drawn once
    item.setData({**row, "title": "Orbi Finds a Moon", "favourite": True}, RowsModel.SummaryRole)
    changed = _paint_row(delegate, view)
    assert len(drawn) == 2 and drawn[1][0] == "Orbi Finds a Moon" and "♥" in drawn[1][2]
    assert changed != first
    selected = _paint_row(delegate, view, selected=True)
    assert len(drawn) == 3 and selected != changed  # the highlight is part of what is kept
    night = QPalette(view.palette())
    night.setColor(QPalette.ColorRole.Text, QColor("#f4e9d8"))  # another theme: another palette
    view.setPalette(night)
    assert _paint_row(delegate, view) != changed and len(drawn) == 4


async def test_delegate_paints_every_part_of_a_row(qtbot):
    title, details, badges = row_texts(ROW)
    assert title == "Orbi and the Comet Map"
    assert details.replace("\u00a0", " ") == "Tom · 1 Mar 2026 · 5 min" and badges == "♪  ♥  ★ 9"
    _item, view, delegate = _one_row(qtbot, ROW)
    image = _paint_row(delegate, view)
    assert delegate.sizeHint(_option(view), view.model().index(0, 0)).height() >= 30
    dark = sum(1 for x in range(0, 400, 2) for y in range(0, 60, 2) if image.pixelColor(x, y).lightness() < 128)
    assert dark > 50  # text was drawn
    right = sum(1 for x in range(330, 400) for y in range(0, 30) if image.pixelColor(x, y).lightness() < 128)
    assert right > 5  # the badges, on the right
