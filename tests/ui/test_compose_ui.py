"""The compose form and the streaming view, driven like a parent would, against the loopback OpenRouter server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tale_desktop import settings as keys
from tale_desktop.context import AppContext
from tale_desktop.domain.models import Child, Hero, Story
from tale_desktop.domain.query import StoryQuery
from tale_desktop.ui.compose.new_story import CUSTOM, NewStoryPanel
from tests.fakes.openrouter import FakeOpenRouter

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])


async def until(predicate: Callable[[], Any], timeout: float = 8.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)
    return value


def click(button) -> None:
    assert button.isVisible() and button.isEnabled(), f"{button.text()!r} is not clickable"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def choose(combo, text: str) -> None:
    index = combo.findText(text, Qt.MatchFlag.MatchStartsWith)
    assert index >= 0, f"{text!r} not in {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)


@pytest.fixture
def fake():
    with FakeOpenRouter(story_words=300, token_delay=0.01, generation_404s=0) as server:
        yield server


@pytest.fixture
async def ctx(fake, monkeypatch):
    monkeypatch.setenv("TALE_LLM_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENROUTER_API_KEY", "test-key")
    context = await asyncio.to_thread(AppContext.create)
    await context.start()
    await context.library.save_child(Child(name="Mia", age_band="3-5", gender="female", interests=["owls"]))
    yield context
    await context.aclose()


@pytest.fixture
async def panel(ctx, qtbot):
    widget = NewStoryPanel(ctx)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    widget.start()
    await until(lambda: widget.form.child.findText("Mia") >= 0, what="children loaded")
    yield widget
    for handle in ctx.tasks.running():
        handle.cancel()
    await asyncio.sleep(0)


async def test_fill_generate_see_text_grow_cancel_find_draft(ctx, fake, panel):
    form, view = panel.form, panel.view
    choose(form.child, "Mia")
    choose(form.moral, "Bravery")
    choose(form.theme, "Space")
    form.minutes.setValue(2)
    assert form.words_hint.text() == "about 300 words"
    click(form.generate_button)
    await until(lambda: view.title.text() == "The Moon Garden", what="the title")
    first = await until(lambda: len(view.body_text) > 40 and len(view.body_text), what="text")
    await until(lambda: len(view.body_text) > first + 40, what="more text")
    assert 0 < view.progress.value() < view.progress.maximum() == 300
    prompt = fake.chat_requests(stream=True)[0].messages_text
    assert "Mia" in prompt and "bravery" in prompt and "stars, planets" in prompt
    await asyncio.sleep(0.3)
    click(view.cancel_button)
    await until(lambda: view.outcome == "cancelled", what="cancelled")
    assert "kept as a draft" in view.status.text()
    rows = await ctx.library.list_stories(StoryQuery(status="draft"))
    assert len(rows) == 1
    draft = await ctx.library.get_story(rows[0]["id"])
    assert draft.title == "The Moon Garden" and draft.child_name == "Mia"
    shown_words = view.body_text.split()
    assert draft.content.split()[:len(shown_words) - 1] == shown_words[:-1]  # the draft holds what was shown


async def test_completed_story_is_saved_and_shown(ctx, fake, panel, qtbot):
    fake.token_delay = 0.0
    panel.form.minutes.setValue(2)
    saved: list[str] = []
    panel.story_saved.connect(saved.append)
    click(panel.form.generate_button)
    await until(lambda: panel.view.outcome == "done", what="done")
    story = await ctx.library.get_story(saved[0])
    assert story.status == "new" and panel.view.body_text == story.content
    assert panel.view.progress.value() == story.word_count > 250 and "Saved" in panel.view.status.text()
    assert panel.view.open_button.isVisible() and not panel.view.cancel_button.isVisible()
    opened: list[str] = []
    panel.open_requested.connect(opened.append)
    click(panel.view.open_button)
    assert opened == [story.id]


async def test_wrong_key_shows_one_message_with_settings_button(ctx, fake, panel):
    ctx.settings.env["OPENROUTER_API_KEY"] = "wrong"
    asked: list[bool] = []
    panel.settings_requested.connect(lambda: asked.append(True))
    click(panel.form.generate_button)
    await until(lambda: panel.view.outcome == "failed", what="failure")
    assert panel.view.error_box.isVisible() and "API key" in panel.view.error_label.text()
    assert panel.view.title.text() == "The story could not be written"  # not "Writing your story…"
    click(panel.view.settings_button)
    assert asked == [True]
    assert await ctx.library.count_stories(StoryQuery(status="draft")) == 0


async def test_form_errors_and_custom_moral(ctx, fake, panel):
    form = panel.form
    choose(form.child, "No child")
    click(form.generate_button)
    child_error = form.field_errors["child"]
    assert child_error.isVisible() and "Choose a child or a hero" in child_error.text()  # next to the field
    assert fake.chat_requests() == []
    choose(form.child, "Mia")
    form.moral.setCurrentIndex(form.moral.findData(CUSTOM))
    assert form.custom_moral.isVisible()
    click(form.generate_button)
    assert "own words" in form.field_errors["moral"].text() and not child_error.isVisible()
    QTest.keyClicks(form.custom_moral, "x" * 300)
    assert len(form.custom_moral.text()) == 200  # the field stops at the limit
    form.custom_moral.setText("It is fine to ask for help")
    request = form.request()
    assert request.moral == "It is fine to ask for help" and request.child_id


async def test_validation_from_the_service_shows_in_the_form(ctx, fake, panel):
    choose(panel.form.story_type, "About the hero")
    click(panel.form.generate_button)
    await until(lambda: panel.form.error.isVisible(), what="form error")
    assert "needs a hero" in panel.form.error.text() and fake.chat_requests() == []


async def test_continue_this_story_prefills_the_form(ctx, fake, panel):
    [mia] = await ctx.library.list_children()
    hero = await ctx.library.save_hero(Hero(name="Luna", gender="female", appearance="an owl",
                                            personality_traits=["wise"], strengths=["sees far"], language="ru"))
    parent = await ctx.library.save_story(Story(
        title="Лунный сад", content="Жила-была Мия.", language="ru", story_type="combined", child_id=mia.id,
        hero_id=hero.id, moral="Share your toys", theme="forest", minutes=7, status="new"))
    await until(lambda: panel.form.hero.findData(hero.id) >= 0, what="hero listed")
    panel.prefill_sequel(parent)
    form = panel.form
    assert form.sequel.currentData() == parent.id and form.child.currentData() == mia.id
    assert form.hero.currentData() == hero.id and form.story_type.currentData() == "combined"
    assert form.moral.currentData() == CUSTOM and form.custom_moral.text() == "Share your toys"
    assert form.theme.currentData() == "forest" and form.language.currentData() == "ru"
    assert form.minutes.value() == 7
    request = form.request()
    assert request.parent_id == parent.id and request.hero_id == hero.id


async def test_a_stream_of_story_changes_reloads_the_lists_once_and_keeps_the_choice(ctx, fake, panel):
    """Drafts saved every second by stories being written must not reload the form's lists each time: a burst of
    changes is one reload, lists that did not change are left as they are (the parent's choice stays, no signal),
    a finished story appears in "Continue a story", a draft does not, and a new child is listed."""
    form = panel.form
    [mia] = await ctx.library.list_children()
    finished = await ctx.library.save_story(Story(title="The Owl Who Stayed Up", content="Once.", language="en",
                                                  child_id=mia.id, status="new"))
    await until(lambda: form.sequel.findData(finished.id) >= 0, what="finished story listed")
    choose(form.sequel, "The Owl Who Stayed Up")
    await asyncio.sleep(0.7)  # the reload of that save has run
    loads: list[str] = []
    original = ctx.library.list_children

    async def counted(*args: Any, **kwargs: Any) -> Any:
        loads.append("lists")
        return await original(*args, **kwargs)

    ctx.library.list_children = counted  # type: ignore[method-assign]
    changed: list[int] = []
    form.sequel.currentIndexChanged.connect(changed.append)
    draft = await ctx.library.save_story(Story(title="Half written", content="Once upon", language="en",
                                               child_id=mia.id, status="draft"))
    for _ in range(10):  # ten drafts saved again, as ten stories write
        draft.content += " a time"
        await ctx.library.save_story(draft)
    await asyncio.sleep(1.2)
    assert 1 <= len(loads) <= 3, loads  # one per half second at most while the saves last
    assert form.sequel.findData(draft.id) < 0  # a draft is not a story to continue
    assert form.sequel.currentData() == finished.id and changed == []
    sam = await ctx.library.save_child(Child(name="Sam", age_band="5-7", gender="male", interests=["trains"]))
    await until(lambda: form.child.findData(sam.id) >= 0, what="new child listed")
    assert form.sequel.currentData() == finished.id and changed == []


async def test_text_is_painted_in_batches(ctx, fake, panel):
    fake.token_delay = 0.002
    ctx.settings.set(keys.REVIEW_ENABLED, "0")
    paints: list[float] = []
    panel.view.painted.connect(lambda: paints.append(time.monotonic()))
    panel.form.minutes.setValue(2)
    click(panel.form.generate_button)
    await until(lambda: panel.view.outcome == "done", what="done")
    tokens = len(fake.token_times[next(iter(fake.token_times))])
    assert tokens > 250 and len(paints) < tokens / 3  # coalesced: one paint per frame, not one per token



async def test_stream_view_title_line_and_untitled_prose(qtbot):
    from tale_desktop.services.storyteller import StoryEvent, StoryEventKind
    from tale_desktop.ui.compose.story_stream import StoryStreamView

    view = StoryStreamView(batch_ms=0)
    qtbot.addWidget(view)
    view.bind(None, "s1")
    text = ""
    for piece in ["# The ", "Owl\n", "\nOnce upon ", "a time."]:
        text += piece
        view.on_event(StoryEvent(StoryEventKind.TEXT, "s1", delta=piece, text=text, words=len(text.split())))
        view.paint()
    assert view.title.text() == "The Owl" and view.body_text == "Once upon a time."
    view.on_event(StoryEvent(StoryEventKind.TEXT, "other", delta="ignored"))
    assert "ignored" not in view.body_text
    view.bind(None, "s2")
    prose = "Once upon a time there was a very small owl who lived in a big old tree and loved the moon "
    view.on_event(StoryEvent(StoryEventKind.TEXT, "s2", delta=prose, text=prose, words=len(prose.split())))
    view.paint()
    assert view.title.text() == "Writing your story…" and view.body_text == prose


async def test_the_page_watches_the_story_it_shows_and_none_while_hidden(ctx, fake, panel):
    """The storyteller reads the shown story as it arrives and the others in gulps (Storyteller.watch)."""
    ctx.settings.set(keys.REVIEW_ENABLED, "0")
    panel.form.minutes.setValue(2)
    click(panel.form.generate_button)
    story_id = panel.view.story_id
    assert story_id and ctx.storyteller._read_pace(story_id)() == 0
    assert ctx.storyteller._read_pace("another story")() > 0
    panel.hide()
    assert ctx.storyteller._read_pace(story_id)() > 0
    panel.show()
    assert ctx.storyteller._read_pace(story_id)() == 0
    await until(lambda: panel.view.outcome == "done", what="done")
