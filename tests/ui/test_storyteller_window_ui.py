"""New story in the main window: fill the form, generate against the loopback OpenRouter server, watch the text
grow, cancel, and find the draft in the library; continue a story as a sequel."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from tale_desktop.domain.models import Child
from tale_desktop.domain.query import StoryQuery
from tests.fakes.openrouter import FakeOpenRouter
from tests.ui.helpers import click, type_into, until

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])


@pytest.fixture(autouse=True)
def fake(monkeypatch):
    with FakeOpenRouter(story_words=300, token_delay=0.01, generation_404s=0) as server:
        monkeypatch.setenv("TALE_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENROUTER_API_KEY", "test-key")
        yield server


def choose(combo, text: str) -> None:
    index = combo.findText(text, Qt.MatchFlag.MatchStartsWith)
    assert index >= 0, f"{text!r} not in {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)


async def test_new_story_streams_cancel_keeps_draft_in_library(window, ctx, fake):
    await ctx.library.save_child(Child(name="Mia", age_band="5-7", gender="female", interests=["comets"]))
    ui = window.storyteller_ui
    toolbar_texts = [a.text() for a in window.toolbar.actions()]
    assert toolbar_texts.index("New story…") == 1  # first, after the library pane's toggle
    ui.new_action.trigger()
    panel = ui.panel
    assert window.center.currentWidget() is panel
    form, view = panel.form, panel.view
    await until(lambda: form.child.findText("Mia") >= 0, what="Mia in the form")
    choose(form.child, "Mia")
    choose(form.moral, "In my own words")
    type_into(form.custom_moral, "It is fine to ask for help")
    choose(form.theme, "The ocean")
    choose(form.language, "English")
    form.minutes.setValue(2)
    click(form.generate_button)

    await until(lambda: view.title.text() == "The Moon Garden", what="title")
    grown = []
    for _ in range(3):
        grown.append(await until(lambda: len(view.body_text) > (grown[-1] if grown else 0) + 20
                                 and len(view.body_text), what="text grows"))
    assert grown[0] < grown[1] < grown[2]
    assert 0 < view.progress.value() < 300 and "/ 300 words" in view.words_label.text()
    prompt = fake.chat_requests(stream=True)[0].messages_text
    assert "Mia" in prompt and "It is fine to ask for help" in prompt and "comets" in prompt
    await until(lambda: any(h.name.startswith("story:") for h in ctx.tasks.running()), what="task listed")

    click(view.cancel_button)
    await until(lambda: view.outcome == "cancelled", what="cancelled")
    assert "kept as a draft" in view.status.text()

    # The draft is in the library list; opening it shows the partial text in the reader.
    model = window.library.model
    await until(lambda: any(model.data(model.index(r), Qt.ItemDataRole.DisplayRole) == "The Moon Garden"
                            for r in range(model.rowCount())), what="draft listed")
    row = next(r for r in range(model.rowCount()) if model.data(model.index(r)) == "The Moon Garden")
    story_id = model.story_id_at(row)
    draft = await ctx.library.get_story(story_id)
    assert draft.status == "draft" and draft.content and draft.moral == "It is fine to ask for help"
    window.library.select_story(story_id)
    await until(lambda: window.reader.story_id == story_id, what="draft opened")
    assert window.center.currentWidget() is window.reader_page
    assert window.reader.plain_text().startswith("Once upon a time")
    assert not ui.continue_button.isVisible()  # a draft cannot be continued


async def test_continue_this_story_opens_the_form_as_a_sequel(window, ctx, fake):
    fake.token_delay = 0.0
    mia = await ctx.library.save_child(Child(name="Mia", age_band="3-5", gender="female", interests=["owls"]))
    ui = window.storyteller_ui
    ui.new_action.trigger()
    await until(lambda: ui.panel.form.child.findText("Mia") >= 0, what="Mia in the form")
    choose(ui.panel.form.child, "Mia")
    ui.panel.form.minutes.setValue(2)
    click(ui.panel.form.generate_button)
    await until(lambda: ui.panel.view.outcome == "done", what="story written")
    click(ui.panel.view.open_button)
    story_id = ui.panel.view.story_id
    await until(lambda: window.reader.story_id == story_id, what="story in the reader")
    await until(lambda: ui.continue_button.isVisible(), what="continue button")
    click(ui.continue_button)
    form = ui.panel.form
    assert window.center.currentWidget() is ui.panel
    await until(lambda: form.sequel.currentData() == story_id, what="sequel chosen")
    assert form.child.currentData() == mia.id and form.minutes.value() == 2
    click(form.generate_button)
    await until(lambda: ui.panel.view.outcome == "done", what="sequel written")
    sequel = await ctx.library.get_story(ui.panel.view.story_id)
    assert sequel.parent_id == story_id
    assert "continues an earlier story" in fake.chat_requests(stream=True)[-1].messages_text


async def test_wrong_key_error_opens_settings(window, ctx, fake):
    ctx.settings.env["OPENROUTER_API_KEY"] = "wrong"
    await ctx.library.save_child(Child(name="Mia", age_band="3-5", gender="female", interests=["owls"]))
    ui = window.storyteller_ui
    ui.new_action.trigger()
    await until(lambda: ui.panel.form.child.findText("Mia") >= 0, what="Mia in the form")
    choose(ui.panel.form.child, "Mia")
    click(ui.panel.form.generate_button)
    await until(lambda: ui.panel.view.outcome == "failed", what="failure")
    assert "API key" in ui.panel.view.error_label.text()
    click(ui.panel.view.settings_button)
    await until(lambda: window.settings_dialog is not None and window.settings_dialog.isVisible(),
                what="settings open")


async def test_settings_model_list_fallbacks_and_review(window, ctx, fake):
    from tale_desktop import settings as cfg

    dialog = window.open_settings()
    section = window.storyteller_ui.story_settings
    assert section is not None and section.isVisible()
    click(section.load_models_button)
    await until(lambda: section.models, what="models loaded")
    completer = dialog.edit_for(cfg.LLM_MODEL).completer()
    assert completer is not None and completer.model().rowCount() == len(fake.model_ids)
    section.fallbacks.setText(" a/one ,b/two")
    section.review.setChecked(False)
    section.attempts.setValue(3)
    click(dialog.save_button)
    await until(lambda: ctx.settings.get(cfg.REVIEW_ENABLED) == "0", what="saved")
    assert ctx.settings.get_list(cfg.LLM_FALLBACK_MODELS) == ["a/one", "b/two"]
    assert ctx.settings.get_int(cfg.REVIEW_ATTEMPTS) == 3
    assert ctx.storyteller.llm_config().fallback_models == ("a/one", "b/two")


async def test_continue_from_the_library_menu(window, ctx, fake):
    rows = await ctx.library.list_stories()
    starter = rows[0]
    window.continue_story_requested.emit(starter["id"])
    panel = window.storyteller_ui.panel
    await until(lambda: window.center.currentWidget() is panel and panel.form.sequel.currentData() == starter["id"],
                what="form prefilled as a sequel")
    assert panel.form.language.currentData() == starter["language"]


async def test_one_click_on_continue_fills_the_form_once_and_ctrl_n_is_fresh(window, ctx, fake):
    rows = await ctx.library.list_stories()
    starter = rows[0]
    await until(lambda: window.library.model.row_of(starter["id"]) >= 0, what="starter listed")
    panel = window.storyteller_ui.panel
    filled: list[str] = []
    prefill = panel.prefill_sequel
    panel.prefill_sequel = lambda story: (filled.append(story.id), prefill(story))
    view = window.library.list
    view.setCurrentIndex(window.library.model.index(window.library.model.row_of(starter["id"])))
    menu = window.library_features.show_menu(view.visualRect(view.currentIndex()).center())
    next(a for a in menu.actions() if a.objectName() == "continue").trigger()  # the one click
    menu.close()
    await until(lambda: window.center.currentWidget() is panel and panel.form.sequel.currentData() == starter["id"],
                what="form prefilled as a sequel")
    for _ in range(30):
        await asyncio.sleep(0.01)
    assert filled == [starter["id"]]

    window.activateWindow()  # the window manager's part once the menu is gone
    await until(window.isActiveWindow, what="the window active again")
    QTest.keyClick(window.focusWidget() or window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    for _ in range(30):
        await asyncio.sleep(0.01)
    assert panel.form.sequel.currentData() is None  # a new story, not the last sequel
    assert panel.view.title.text() == "Your story will appear here"


async def test_a_double_click_writes_one_story_and_the_task_is_named_by_title(window, ctx, fake):
    await ctx.library.save_child(Child(name="Mia", age_band="5-7", gender="female", interests=["comets"]))
    ui = window.storyteller_ui
    ui.new_action.trigger()
    form = ui.panel.form
    await until(lambda: form.child.findText("Mia") >= 0, what="Mia in the form")
    choose(form.child, "Mia")
    started: set[str] = set()
    ctx.tasks.subscribe(lambda h: started.add(h.name) if h.name.startswith("story:") else None)
    QTest.mouseDClick(form.generate_button, Qt.MouseButton.LeftButton)
    click(form.generate_button)
    await until(lambda: ui.panel.view.outcome == "done", what="story written")
    assert len(started) == 1 and len(ui.panel.handles) == 1
    assert ui.panel.handles[0].title == "“The Moon Garden”"


async def test_quitting_while_a_story_is_written_asks_first(window, ctx, fake):
    fake.token_delay = 0.05
    await ctx.library.save_child(Child(name="Mia", age_band="5-7", gender="female", interests=["comets"]))
    ui = window.storyteller_ui
    ui.new_action.trigger()
    await until(lambda: ui.panel.form.child.findText("Mia") >= 0, what="Mia in the form")
    choose(ui.panel.form.child, "Mia")
    click(ui.panel.form.generate_button)
    await until(lambda: len(ui.panel.view.body_text) > 10, what="writing")
    window.close()
    box = await until(lambda: window.findChild(QMessageBox, "quitWhileWriting"), what="the question")
    assert window.isVisible() and box.isVisible() and "kept as a draft" in box.text()
    keep = next(b for b in box.buttons() if b.text() == "Keep writing")
    click(keep)
    await until(lambda: not box.isVisible(), what="answered")
    assert window.isVisible() and window.writing() == 1
    window.close()
    box = await until(lambda: next((b for b in window.findChildren(QMessageBox, "quitWhileWriting")
                                    if b.isVisible()), None), what="asked again")
    click(next(b for b in box.buttons() if b.text() == "Quit"))
    await until(lambda: not window.isVisible(), what="the window closed")
    ui.panel.handles[0].cancel()
    await until(lambda: ui.panel.view.outcome == "cancelled", what="the story stopped")
    drafts = await ctx.library.list_stories(StoryQuery(status="draft"))
    assert len(drafts) == 1  # what was written is kept


async def test_a_story_finished_in_the_background_says_it_is_ready(window, ctx, fake):
    fake.token_delay = 0.0
    await ctx.library.save_child(Child(name="Mia", age_band="5-7", gender="female", interests=["comets"]))
    ui = window.storyteller_ui
    ui.new_action.trigger()
    await until(lambda: ui.panel.form.child.findText("Mia") >= 0, what="Mia in the form")
    choose(ui.panel.form.child, "Mia")
    click(ui.panel.form.generate_button)
    click(ui.panel.back_button)  # back to the library while it is written
    await until(lambda: window.ready_banner.isVisible(), what="the ready notice")
    assert "The Moon Garden" in window.ready_banner.text.text()
    click(window.ready_banner.open_button)
    await until(lambda: window.reader.story is not None and window.reader.story.title == "The Moon Garden",
                what="opened from the notice")
