"""Children and heroes, driven as a parent would: open the editor, type, pick, Save, see the list."""

from __future__ import annotations

import pytest
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from tale_desktop.domain.models import Child
from tale_desktop.storage.errors import DatabaseReadOnly
from tale_desktop.ui.profiles.profiles import ChildEditor, HeroEditor
from tests.ui.helpers import click, click_row, gone, type_into, until

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])


def _pick(combo, value: str) -> None:
    combo.setFocus()
    combo.setCurrentIndex(combo.findData(value))


async def test_add_child_and_see_it_listed(window, ctx):
    panel = window.children_panel
    window.left_tabs.setCurrentWidget(panel)
    opened = []
    panel.editor_opened.connect(opened.append)
    click(panel.add_button)
    editor: ChildEditor = opened[0]
    assert editor.isVisible() and editor.windowTitle() == "New child"
    type_into(editor.name, "Mia")
    type_into(editor.interests, "dragons, space")
    _pick(editor.age_band, "3-5")
    _pick(editor.gender, "female")
    click(editor.save_button)

    await until(lambda: "Mia" in panel.model.names(), what="Mia in the children list")
    assert gone(editor)
    await until(lambda: panel.current() is not None and panel.current().name == "Mia", what="Mia selected")
    children = await ctx.library.list_children()
    assert [(c.name, c.age_band, c.gender, c.interests) for c in children] == [
        ("Mia", "3-5", "female", ["dragons", "space"])]
    assert panel.list.isVisible()


async def test_invalid_child_shows_messages_next_to_fields_and_saves_nothing(window, ctx):
    window.new_child_action.trigger()
    (editor,) = [w for w in window.findChildren(ChildEditor) if w.isVisible()]
    type_into(editor.interests, ", ".join(f"thing{i}" for i in range(11)))
    click(editor.save_button)  # empty name, no age band chosen, 11 interests

    assert editor.isVisible()
    assert editor.error_text("name") == "Name must not be empty"
    assert editor.error_text("age_band") == "Age band must be one of 2-3, 3-5, 5-7, 8-12"
    assert "at most 10 items (there are 11)" in editor.error_text("interests")
    assert editor.error_text("gender") == ""
    # Each message sits in the same column as its field, right under it.
    for name in ("name", "age_band", "interests"):
        label, field = editor.error_labels[name], editor.fields[name]
        assert label.parent() is field.parent() and label.isVisible()
        assert label.mapTo(editor, label.rect().topLeft()).y() > field.mapTo(editor, field.rect().topLeft()).y()
    assert editor.fields["name"].property("invalid") is True

    type_into(editor.name, "x" * 61)
    editor.interests.clear()
    type_into(editor.interests, "a" * 41)
    _pick(editor.age_band, "5-7")
    click(editor.save_button)
    assert "at most 60 characters" in editor.error_text("name")
    assert "at most 40 characters" in editor.error_text("interests")
    assert editor.error_text("age_band") == ""

    await until(lambda: not window.ctx.tasks.running(), what="idle tasks")
    assert await ctx.library.list_children() == []
    assert editor.isVisible()

    editor.name.clear()
    type_into(editor.name, "Leo")
    editor.interests.clear()
    type_into(editor.interests, "trains")
    click(editor.save_button)
    await until(lambda: "Leo" in window.children_panel.model.names(), what="Leo listed")
    assert [c.name for c in await ctx.library.list_children()] == ["Leo"]


async def test_edit_child_keeps_id(window, ctx):
    saved = await ctx.library.save_child(Child(name="Ada", age_band="8-12", gender="female",
                                               interests=["maths"]))
    panel = window.children_panel
    window.left_tabs.setCurrentWidget(panel)
    await until(lambda: panel.model.names() == ["Ada"], what="Ada listed")
    click_row(panel.list, 0)
    editor = panel.edit()
    assert editor.age_band.currentData() == "8-12"
    editor.name.selectAll()
    type_into(editor.name, "Ada L.")
    click(editor.save_button)
    await until(lambda: panel.model.names() == ["Ada L."], what="renamed")
    (child,) = await ctx.library.list_children()
    assert child.id == saved.id and child.interests == ["maths"]


async def test_save_failure_shows_a_dialog_and_keeps_the_editor_open(window, ctx, monkeypatch):
    async def read_only(child):
        raise DatabaseReadOnly("The library file is read-only, so nothing can be saved. Check its permissions.")

    monkeypatch.setattr(ctx.library, "save_child", read_only)
    window.new_child_action.trigger()
    (editor,) = [w for w in window.findChildren(ChildEditor) if w.isVisible()]
    type_into(editor.name, "Mia")
    type_into(editor.interests, "cats")
    _pick(editor.age_band, "2-3")
    click(editor.save_button)
    box = await until(lambda: editor.findChild(QMessageBox, "errorBox"), what="error dialog")
    assert "read-only" in box.text()
    assert editor.isVisible() and editor.save_button.isEnabled()
    box.close()


async def test_builtin_hero_is_read_only_and_can_be_copied(window, ctx):
    panel = window.heroes_panel
    window.left_tabs.setCurrentWidget(panel)
    await until(lambda: len(panel.model.records) >= 4, what="built-in heroes")
    row = next(i for i, h in enumerate(panel.model.records) if h.builtin and h.language == "en")
    builtin = panel.model.records[row]
    click_row(panel.list, row)
    assert panel.edit_button.text() == "View…"
    assert not panel.delete_button.isEnabled()

    opened = []
    panel.editor_opened.connect(opened.append)
    click(panel.edit_button)
    viewer: HeroEditor = opened[-1]
    assert viewer.read_only and viewer.name.isReadOnly() and not viewer.save_button.isVisible()
    click(viewer.copy_button)
    copy: HeroEditor = opened[-1]
    assert copy is not viewer and not copy.read_only and copy.is_new
    copy.name.selectAll()
    type_into(copy.name, "My Pip")
    click(copy.save_button)
    await until(lambda: "My Pip" in panel.model.names(), what="copy listed")
    heroes = await ctx.library.list_heroes()
    mine = next(h for h in heroes if h.name == "My Pip")
    assert not mine.builtin and mine.id != builtin.id and mine.strengths == builtin.strengths
    original = await ctx.library.get_hero(builtin.id)
    assert original.name == builtin.name and original.builtin


async def test_new_hero_validation_next_to_fields(window, ctx):
    window.new_hero_action.trigger()
    (editor,) = [w for w in window.findChildren(HeroEditor) if w.isVisible()]
    type_into(editor.name, "Captain Whiskers")
    click(editor.save_button)
    assert editor.error_text("appearance") == "Appearance must not be empty"
    assert "Add at least one" in editor.error_text("personality_traits")
    assert "Add at least one" in editor.error_text("strengths")
    assert editor.error_text("name") == ""
    editor.appearance.setFocus()
    QTest.keyClicks(editor.appearance, "A grey cat in a blue coat")
    type_into(editor.traits, "brave, curious")
    type_into(editor.strengths, "never gives up")
    click(editor.save_button)
    await until(lambda: "Captain Whiskers" in window.heroes_panel.model.names(), what="hero listed")


async def test_delete_child_and_own_hero_after_confirming(window, ctx):
    from tale_desktop.domain.models import Hero

    await ctx.library.save_child(Child(name="Ada", age_band="8-12", gender="female", interests=["maths"]))
    await ctx.library.save_hero(Hero(name="Captain Whiskers", gender="male", appearance="A grey cat",
                                     personality_traits=["brave"], strengths=["climbs"], language="en"))
    panel = window.children_panel
    window.left_tabs.setCurrentWidget(panel)
    await until(lambda: panel.model.names() == ["Ada"], what="Ada listed")
    click_row(panel.list, 0)
    click(panel.delete_button)
    box = await until(lambda: window.findChild(QMessageBox, "confirmBox"), what="confirmation")
    assert "Ada" in box.text()
    click(next(b for b in box.buttons() if b.text() == "Delete"))
    await until(lambda: panel.model.names() == [], what="Ada gone")
    assert await ctx.library.list_children() == []

    heroes = window.heroes_panel
    window.left_tabs.setCurrentWidget(heroes)
    await until(lambda: "Captain Whiskers" in heroes.model.names(), what="hero listed")
    click_row(heroes.list, heroes.model.names().index("Captain Whiskers"))
    assert heroes.edit_button.text() == "Edit…" and heroes.delete_button.isEnabled()
    click(heroes.delete_button)
    box = await until(lambda: window.findChild(QMessageBox, "confirmBox"), what="confirmation")
    click(next(b for b in box.buttons() if b.text() != "Delete"))  # Cancel keeps it
    await until(lambda: gone(box), what="box closed")
    assert "Captain Whiskers" in [h.name for h in await ctx.library.list_heroes()]
