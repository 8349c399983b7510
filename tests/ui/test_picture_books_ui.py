"""Picture books in the window, end to end through the real openai SDK against the loopback OpenRouter that draws
PNGs: pictures appear in the reader as they arrive (the story readable meanwhile), progress in the tasks panel by
the story's title, redraw from the picture's context menu, the no-image-model path, cover thumbnails in the
library, the compose form's "Add pictures", and the window's layout with a picture book open (day and night)."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QTextCursor

from tale_desktop.domain.illustrations import COVER_PARAGRAPH
from tale_desktop.services.tasks import TaskState
from tale_desktop.ui.common import theme
from tale_desktop.ui.reader.reader_pictures import picture_id
from tests.fakes.openrouter import FakeOpenRouter, input_images
from tests.integration.picture_helpers import IMAGE_MODEL, PARAGRAPHS, save_story
from tests.ui.helpers import click, until
from tests.ui.layout_checks import clipped

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])


@pytest.fixture
def fake():
    with FakeOpenRouter(generation_404s=0, image_size=(320, 240), image_delay=0.25) as server:
        yield server


@pytest.fixture
async def ctx(fake, monkeypatch, request):
    from tale_desktop.context import AppContext

    monkeypatch.setenv("TALE_LLM_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENROUTER_API_KEY", "test-key")
    if "without_an_image_model" not in request.node.name:
        monkeypatch.setenv("TALE_IMAGE_MODEL", IMAGE_MODEL)
    context = await asyncio.to_thread(AppContext.create)
    await context.start()
    yield context
    await context.aclose()


def image_blocks(window) -> list[tuple[int, str]]:
    """(block number, illustration id) of every picture in the reader's document, in order."""
    found = []
    block = window.reader.text_view.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat() and picture_id(fmt.toImageFormat().name()):
                found.append((block.blockNumber(), picture_id(fmt.toImageFormat().name())))
            it += 1
        block = block.next()
    return found


async def open_story(window, story_id: str) -> None:
    window.banner.dismiss()
    window.open_story(story_id)
    await until(lambda: window.reader.story_id == story_id, what="story open")
    await until(lambda: window.pictures_ui.reason is None, what="image model checked")


async def illustrated(window, ctx, minutes: int = 5):
    story = await save_story(ctx, minutes=minutes)
    await open_story(window, story.id)
    window.actions["illustrate"].trigger()
    handle = ctx.tasks.get(f"illustrate:{story.id}")
    await until(lambda: handle.state is not TaskState.RUNNING, timeout=30, what="pictures drawn")
    await until(lambda: len(window.pictures_ui.pictures.shown) == len(handle.result.added), what="all shown")
    return story, handle


async def test_pictures_appear_in_the_reader_as_they_arrive(window, ctx, fake):
    story = await save_story(ctx, minutes=5)
    await open_story(window, story.id)
    action = window.actions["illustrate"]
    assert action.isEnabled() and action in window.story_menu.actions()
    shown_counts = []
    window.pictures_ui.pictures.pictures_shown.connect(shown_counts.append)
    # Read-along is on the last paragraph while the pictures arrive: it keeps highlighting that sentence.
    content = window.reader.story.content
    read_along = window.narration.read_along
    read_along.enabled = True
    read_along.set_timings(content, [{"from": content.index(p), "to": content.index(p) + len(p), "start": float(n)}
                                     for n, p in enumerate(PARAGRAPHS)])
    read_along.on_position(len(PARAGRAPHS) - 0.5)
    assert read_along.highlighted_text() == PARAGRAPHS[-1]
    action.trigger()
    handle = ctx.tasks.get(f"illustrate:{story.id}")
    assert handle is not None and "The Moon Garden" in handle.title
    # The first picture shows while the others are still being drawn; the text is readable all along.
    await until(lambda: window.pictures_ui.pictures.shown, timeout=20, what="first picture")
    assert handle.running
    assert all(p in window.reader.plain_text() for p in PARAGRAPHS[:2])
    await until(lambda: window.tasks_panel.row_for(handle.name) is not None, what="task row")
    row = window.tasks_panel.row_for(handle.name)
    assert "The Moon Garden" in row.title.text()
    await until(lambda: handle.state is not TaskState.RUNNING, timeout=30, what="all pictures")
    result = handle.result
    assert result.error is None and len(result.added) >= 4
    await until(lambda: len(window.pictures_ui.pictures.shown) == len(result.added), what="all shown")
    assert shown_counts[0] >= 1 and shown_counts[-1] == len(result.added) and len(set(shown_counts)) > 1
    assert "pictures" in row.message.text()  # our own wording, not the service's
    # The second and later image requests carried the cover as the reference picture (through the real SDK).
    requests = fake.image_requests()
    assert not input_images(requests[0]) and all(input_images(r) for r in requests[1:])

    # Cover first, each scene right after the paragraph it follows; the words are all still there.
    pictures = await ctx.illustrator.pictures(story.id)
    blocks = image_blocks(window)
    assert [pid for _, pid in blocks] == [p.id for p in pictures]
    document = window.reader.text_view.document()
    assert blocks[0][0] == 0 and pictures[0].paragraph == COVER_PARAGRAPH
    for (number, _), picture in zip(blocks[1:], pictures[1:], strict=True):
        before = document.findBlockByNumber(number - 1).text()
        assert before.strip().endswith(PARAGRAPHS[picture.paragraph - 1][-20:])
    text = window.reader.plain_text()
    assert all(p in text for p in PARAGRAPHS)
    await asyncio.sleep(0.05)
    assert read_along.highlighted_text() == PARAGRAPHS[-1]
    read_along.on_position(len(PARAGRAPHS) - 1.5)  # the next sentence is found where it is now
    assert read_along.highlighted_text() == PARAGRAPHS[-2]
    # Images fit the reading column and are decoded for the screen's pixel ratio, not at full size each paint.
    column = window.reader.text_view.viewport().width()
    for number, _ in blocks:
        fmt = document.findBlockByNumber(number).begin().fragment().charFormat().toImageFormat()
        assert 0 < fmt.width() <= column

    # Zoom and a fresh layout keep the pictures in place; read-along still finds the sentences.
    window.reader.zoom(1)
    assert [pid for _, pid in image_blocks(window)] == [p.id for p in pictures]
    from tale_desktop.ui.reader.read_along import locate_sentences

    spans = locate_sentences(window.reader.plain_text(), content,
                             [{"from": content.index(p), "to": content.index(p) + len(p)} for p in PARAGRAPHS])
    assert all(span is not None for span in spans)

    # Opening another story and back: the pictures come back with it.
    other = await ctx.library.save_story(
        type(story)(title="No pictures here", content="Just words.\n\nMore words.", language="en"))
    window.open_story(other.id)
    await until(lambda: window.reader.story_id == other.id, what="other story")
    await until(lambda: not image_blocks(window), what="pictures gone with their story")
    window.open_story(story.id)
    await until(lambda: len(image_blocks(window)) == len(pictures), what="pictures back")


async def test_redraw_from_the_pictures_context_menu(window, ctx, fake):
    story, handle = await illustrated(window, ctx, minutes=3)
    view = window.reader.text_view
    number, old_id = image_blocks(window)[1]  # a scene picture
    block = view.document().findBlockByNumber(number)
    cursor = QTextCursor(block)
    view.setTextCursor(cursor)
    view.ensureCursorVisible()
    await asyncio.sleep(0.05)
    rect = view.cursorRect(cursor)
    fmt = block.begin().fragment().charFormat().toImageFormat()
    pos = QPoint(rect.left() + int(fmt.width()) // 2, rect.top() + int(fmt.height()) // 2)
    assert window.pictures_ui.pictures.picture_at(pos).id == old_id
    menu = window.pictures_ui.context_menu(pos)
    redraw = window.actions["redraw_picture"]
    assert redraw in menu.actions() and redraw.isEnabled()
    requests_before = len(fake.image_requests())
    redraw.trigger()
    menu.close()
    await until(lambda: old_id not in window.pictures_ui.pictures.shown
                and len(window.pictures_ui.pictures.shown) == len(handle.result.added), timeout=20,
                what="redrawn picture shown")
    assert len(fake.image_requests()) == requests_before + 1
    assert input_images(fake.image_requests()[-1])  # a scene is redrawn with the cover as its reference
    new_blocks = image_blocks(window)
    assert new_blocks[1][0] == number  # in the same place
    # Illustrating again adds nothing, and says so.
    window.actions["illustrate"].trigger()
    again = ctx.tasks.get(f"illustrate:{story.id}")
    await until(lambda: again.state is not TaskState.RUNNING, what="nothing to add")
    assert "has all its pictures" in window.pictures_ui.last_notice
    # Text elsewhere: no redraw, but Illustrate is offered.
    text_pos = view.cursorRect(QTextCursor(view.document().findBlockByNumber(number - 1))).center()
    menu = window.pictures_ui.context_menu(text_pos)
    assert redraw not in menu.actions() and window.actions["illustrate"] in menu.actions()
    menu.close()


async def test_cancel_from_the_tasks_panel_keeps_the_story_and_the_pictures_so_far(window, ctx, fake):
    fake.image_delay = 0.6
    story = await save_story(ctx, minutes=5)
    await open_story(window, story.id)
    window.actions["illustrate"].trigger()
    handle = ctx.tasks.get(f"illustrate:{story.id}")
    await until(lambda: window.pictures_ui.pictures.shown, timeout=20, what="first picture")
    await until(lambda: window.tasks_panel.row_for(handle.name) is not None, what="task row")
    row = window.tasks_panel.row_for(handle.name)
    click(row.cancel_button)
    await until(lambda: handle.state is TaskState.CANCELLED, what="cancelled")
    kept = await ctx.illustrator.pictures(story.id)
    assert 1 <= len(kept) < 5
    await until(lambda: len(window.pictures_ui.pictures.shown) == len(kept), what="the pictures drawn so far")
    assert all(p in window.reader.plain_text() for p in PARAGRAPHS)
    assert (await ctx.library.get_story(story.id)).content == story.content


async def test_adding_pictures_from_the_new_story_form(window, ctx, fake):
    from tale_desktop.domain.models import Child

    await ctx.library.save_child(Child(name="Mia", age_band="3-5", gender="female", interests=["owls"]))
    await until(lambda: window.pictures_ui.reason is None, what="image model checked")
    window.storyteller_ui.new_story()
    form = window.storyteller_ui.panel.form
    await until(lambda: form.child.findText("Mia") >= 0, what="form loaded")
    assert form.pictures.isVisible() and not form.pictures.add.isChecked() and not form.pictures.style.isEnabled()
    form.pictures.add.setChecked(True)
    form.child.setCurrentIndex(form.child.findText("Mia"))
    form.minutes.setValue(2)
    form.pictures.style.setCurrentIndex(form.pictures.style.findData("pencil"))
    form.submit()
    await until(lambda: any(h.name.startswith("illustrate:") for h in ctx.tasks.running()), timeout=30,
                what="pictures started after writing")
    handle = next(h for h in ctx.tasks.running() if h.name.startswith("illustrate:"))
    await until(lambda: handle.state is not TaskState.RUNNING, timeout=30, what="pictures drawn")
    pictures = await ctx.illustrator.pictures(handle.name.split(":", 1)[1])
    assert pictures and {p.style for p in pictures} == {"pencil"}


async def test_library_thumbnails_for_the_visible_rows(window, ctx):
    from tests.ui.test_library_reader_ui import _bulk_insert

    story, _ = await illustrated(window, ctx, minutes=2)
    model, view = window.library.model, window.library.list
    covers = window.library_features.covers

    def cover_of_row() -> str:
        row = model.row_of(story.id)
        return model.index(row).data(model.SummaryRole)["cover_file"] if row >= 0 else ""

    # The illustrated story's row gets its painted cover (the list reloads when pictures change).
    await until(lambda: cover_of_row().startswith(f"images/{story.id}/"), what="painted cover in the row")
    await until(lambda: any(k[0] == story.id and k[1] == cover_of_row() for k in covers._cache), what="painted")
    await _bulk_insert(ctx, 400)
    model.refresh()
    await until(lambda: model.rowCount() >= 200, what="rows")
    view.scrollToTop()
    view.viewport().update()
    visible = []
    for row in range(model.rowCount()):
        rect = view.visualRect(model.index(row))
        if rect.intersects(view.viewport().rect()):
            visible.append(model.story_id_at(row))
    assert visible
    await until(lambda: all(covers.cached(sid) for sid in visible), timeout=20, what="visible thumbnails")
    last = model.story_id_at(model.rowCount() - 1)
    assert not covers.cached(last)  # never painted: never made
    assert covers.made <= len(visible) + 60


async def test_a_new_thumbnail_repaints_only_its_row(window, ctx, monkeypatch):
    """A thumbnail made for one row repaints that row alone, and nothing when the row is out of view."""
    from tale_desktop.ui.library.library_panel import visible_rows
    from tests.ui.test_library_reader_ui import _bulk_insert

    model, view = window.library.model, window.library.list
    await _bulk_insert(ctx, 120)
    model.refresh()
    await until(lambda: model.rowCount() >= 120 and model.story_id_at(model.rowCount() - 1), what="rows")
    view.scrollToTop()
    on_screen = [row for row in range(model.rowCount())
                 if view.visualRect(model.index(row)).intersects(view.viewport().rect())]
    assert list(visible_rows(view)) == on_screen and len(on_screen) < model.rowCount()

    repainted: list[int] = []
    monkeypatch.setattr(view, "update", lambda index: repainted.append(index.row()))
    features = window.library_features
    features._cover_ready(model.story_id_at(on_screen[1]))
    assert repainted == [on_screen[1]]
    features._cover_ready(model.story_id_at(model.rowCount() - 1))  # below the fold: no repaint at all
    assert repainted == [on_screen[1]]


@pytest.mark.parametrize("size", [(900, 600), (1920, 1080)], ids=["900x600", "1920x1080"])
@pytest.mark.parametrize("choice", [theme.DAY, theme.NIGHT])
async def test_a_picture_book_fits_the_window(window, ctx, size, choice):
    story, handle = await illustrated(window, ctx, minutes=5)
    window.theme.set_choice(choice, remember=False)
    window.resize(*size)
    for _ in range(5):
        await asyncio.sleep(0.02)
    window.centralWidget().layout().activate()
    assert clipped(window) == []
    view = window.reader.text_view
    document = view.document()
    for number, _ in image_blocks(window):
        fmt = document.findBlockByNumber(number).begin().fragment().charFormat().toImageFormat()
        assert fmt.width() <= view.viewport().width() and fmt.height() <= view.viewport().height()
    assert view.horizontalScrollBar().maximum() == 0
    window.set_fullscreen(True)
    for _ in range(5):
        await asyncio.sleep(0.02)
    assert len(image_blocks(window)) == len(handle.result.added)
    window.set_fullscreen(False)
    # The new-story form with its picture choices (an image model is set).
    window.storyteller_ui.new_story()
    form = window.storyteller_ui.panel.form
    for _ in range(10):
        await asyncio.sleep(0.02)
    assert form.pictures.isVisible()
    window.centralWidget().layout().activate()
    assert clipped(window) == []


async def test_without_an_image_model_illustrate_is_off_and_says_why_once(window, ctx, fake):
    await until(lambda: window.pictures_ui.reason == "no_image_model", what="checked")
    first = await save_story(ctx)
    window.banner.dismiss()
    window.open_story(first.id)
    await until(lambda: window.reader.story_id == first.id, what="story open")
    action = window.actions["illustrate"]
    assert not action.isEnabled() and "image model" in action.toolTip()
    assert not window.actions["redraw_picture"].isEnabled()
    assert "no image model" in window.statusBar().currentMessage()
    notice = window.pictures_ui.last_notice
    window.statusBar().clearMessage()
    second = await ctx.library.save_story(type(first)(title="Another", content="Words.", language="en"))
    window.open_story(second.id)
    await until(lambda: window.reader.story_id == second.id, what="second story")
    assert window.statusBar().currentMessage() == "" and window.pictures_ui.last_notice == notice
    assert not window.storyteller_ui.panel.form.pictures.isVisibleTo(window.storyteller_ui.panel.form)
    assert window.pictures_ui.pictures.shown == []
    assert fake.image_requests() == []

    # Setting an image model in Settings (Stories page) turns pictures on: Illustrate, and the form's choices.
    from tale_desktop import settings as cfg
    from tale_desktop.ui.asyncqt import alive

    dialog = window.open_settings()
    await until(lambda: dialog.loaded, what="settings loaded")
    page = window.storyteller_ui.story_settings
    assert not page.image_model.isReadOnly() and page.image_model.text() == ""
    page.image_model.setText(IMAGE_MODEL)
    page.image_style.setCurrentIndex(page.image_style.findData("crayon"))
    click(dialog.save_button)
    await until(lambda: not alive(dialog) or not dialog.isVisible(), what="settings saved")
    assert ctx.settings.get(cfg.IMAGE_MODEL) == IMAGE_MODEL and ctx.settings.get(cfg.IMAGE_STYLE) == "crayon"
    await until(lambda: window.pictures_ui.reason is None, what="pictures on")
    assert action.isEnabled() and "Pictures are off" not in action.toolTip()
    window.storyteller_ui.new_story()
    form = window.storyteller_ui.panel.form
    assert form.pictures.isVisibleTo(form) and form.pictures.style.currentData() == "crayon"
