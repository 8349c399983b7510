"""The story language of a new story: the interface language by default; a Russian child or hero suggests
Russian; a language the parent picks stays picked."""

from __future__ import annotations

import asyncio

import pytest

from tale_desktop.context import AppContext
from tale_desktop.domain.models import Child
from tale_desktop.ui.common.language import apply_language
from tale_desktop.ui.compose.new_story import ComposeForm
from tests.ui.helpers import until

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])


@pytest.fixture
async def ctx():
    context = await asyncio.to_thread(AppContext.create)
    await context.start()
    await context.library.save_child(Child(name="Mia", age_band="3-5", gender="female", interests=["owls"]))
    await context.library.save_child(Child(name="Маша", age_band="3-5", gender="female", interests=["совы"]))
    yield context
    await context.aclose()


async def _form(ctx, qtbot) -> ComposeForm:
    form = ComposeForm(ctx)
    qtbot.addWidget(form)
    form.reload()
    await until(lambda: form.child.count() >= 3 and form.hero.count() > 1, what="profiles loaded")
    return form


def _pick(combo, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, [combo.itemText(i) for i in range(combo.count())]
    combo.setCurrentIndex(index)


async def test_default_follows_the_interface_and_names_suggest(ctx, qtbot):
    try:
        apply_language("ru")
        form = await _form(ctx, qtbot)
        _pick(form.child, "No child" if form.child.findText("No child") >= 0 else "Без ребёнка")
        assert form.language.currentData() == "ru"
        assert form.language.currentText() == "Русский"
        _pick(form.child, "Mia")
        assert form.language.currentData() == "en"  # a child whose name is written in Latin letters
        _pick(form.child, "Маша")
        assert form.language.currentData() == "ru"
    finally:
        apply_language("en")
    form = await _form(ctx, qtbot)
    _pick(form.child, "No child")
    assert form.language.currentData() == "en" and form.language.currentText() == "English"


async def test_a_russian_hero_suggests_russian_and_a_picked_language_stays(ctx, qtbot):
    form = await _form(ctx, qtbot)
    _pick(form.child, "Mia")
    heroes = await ctx.library.list_heroes()
    russian = next(h for h in heroes if h.language == "ru")
    form.hero.setCurrentIndex(form.hero.findData(russian.id))
    assert form.language.currentData() == "ru"
    form.language.setCurrentIndex(form.language.findData("en"))
    form.language.activated.emit(form.language.currentIndex())  # the parent picks English
    form.hero.setCurrentIndex(0)
    form.hero.setCurrentIndex(form.hero.findData(russian.id))
    assert form.language.currentData() == "en"
    form.reset()  # a fresh form suggests again
    form.hero.setCurrentIndex(0)
    form.hero.setCurrentIndex(form.hero.findData(russian.id))
    assert form.language.currentData() == "ru"
