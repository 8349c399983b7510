"""The window in Russian: every page and dialog, and no English left in what a parent sees.

Proper names, products, keys and story content are allowed (tests/ui/latin_scan.py); story titles and names
that appear on a page are added to the allowed words for that page.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from tale_desktop.context import AppContext
from tale_desktop.domain.messages import msg
from tale_desktop.storage.errors import StorageError
from tale_desktop.ui.common.language import apply_language
from tests.ui.helpers import until
from tests.ui.latin_scan import english_left, visible_texts

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])
ENGLISH_MENUS = {"File", "View", "Help", "Settings", "Story", "Stories", "Edit", "Listen"}


@pytest.fixture
async def ru_window(ctx: AppContext) -> AsyncIterator[Any]:
    from tale_desktop.ui.shell.main_window import MainWindow

    assert apply_language("ru")
    win = MainWindow(ctx)
    win.resize(1280, 800)
    win.show()
    win.start()
    from tale_desktop.ui.sync.sync_wiring import install_sync_ui

    install_sync_ui(win, ctx, background=False)  # the status-bar indicator and Settings → Account
    try:
        yield win
    finally:
        for widget in QApplication.topLevelWidgets():
            if widget is not win and widget.isVisible():
                widget.close()
        win.close()
        win.deleteLater()
        await asyncio.sleep(0)
        apply_language("en")


CONTENT: set[str] = set()  # story titles and summaries of the library (filled per test)


async def _content(ctx: AppContext) -> set[str]:
    """Names of children and heroes (allowed words); titles and summaries go to CONTENT (removed before looking)."""
    from tale_desktop.domain.query import StoryQuery

    CONTENT.clear()
    names: set[str] = set()
    for row in await ctx.library.list_stories(StoryQuery(), limit=500):
        CONTENT.update(str(row.get(key) or "") for key in ("title", "summary"))
        for key in ("child_name", "hero_name"):
            names |= set(re.findall(r"[A-Za-z][A-Za-z'’]*", str(row.get(key) or "")))
    for person in [*await ctx.library.list_children(), *await ctx.library.list_heroes()]:
        names |= set(re.findall(r"[A-Za-z][A-Za-z'’]*", person.name))
    return names


FOUND: list[str] = []  # every page's leftovers, reported together at the end of a test


def _check(widget: QWidget, allowed: set[str], what: str, skip: tuple[QWidget, ...] = ()) -> None:
    left = english_left(widget, skip=skip, allowed=allowed, content=CONTENT)
    FOUND.extend(f"{what}: {line}" for line in left)


def _report() -> None:
    found, FOUND[:] = list(FOUND), []
    assert not found, "English left in the Russian window:\n" + "\n".join(found)


async def test_menus_and_toolbar_are_russian(ru_window):
    titles = [a.text().replace("&", "") for a in ru_window.menuBar().actions()]
    assert titles and not ENGLISH_MENUS & set(titles), titles
    assert all(re.search("[а-яё]", t, re.IGNORECASE) for t in titles), titles
    bar_texts = [text for _where, text in visible_texts(ru_window.toolbar)]
    assert not any(word in ENGLISH_MENUS for text in bar_texts for word in re.findall(r"\w+", text)), bar_texts
    _check(ru_window.menuBar(), set(), "the menu bar")
    _check(ru_window.toolbar, set(), "the toolbar")
    _report()


async def test_every_page_and_dialog_is_russian(ru_window, ctx):
    FOUND.clear()
    win = ru_window
    await until(lambda: win.library.model.rowCount() > 0, what="starter stories")
    allowed = await _content(ctx)
    reader_text = getattr(win.reader, "text", None) or getattr(win.reader, "view", None)
    skip = tuple(w for w in (reader_text,) if isinstance(w, QWidget))
    _check(win, allowed, "the library", skip)

    win.open_story(win.library.model.index(0, 0).data(win.library.model.IdRole))
    await until(lambda: win.story.current is not None if hasattr(win.story, "current") else True,
                what="story open")
    await asyncio.sleep(0.3)
    _check(win, allowed, "the reader", skip)

    for index in range(win.left_tabs.count()):
        win.left_tabs.setCurrentIndex(index)
        await asyncio.sleep(0.2)
        _check(win, allowed, f"the tab {win.left_tabs.tabText(index)!r}", skip)
    win.left_tabs.setCurrentIndex(0)

    win.actions["new_story"].trigger()
    await asyncio.sleep(0.3)
    _check(win, allowed, "the new-story page", skip)
    win.show_center_page()

    dialog = win.open_settings()
    await until(lambda: dialog.loaded, what="settings loaded")
    native_names = tuple(p.language.combo for p in dialog.pages.values() if hasattr(p, "language"))
    for name in list(dialog.pages):
        dialog.show_page(name)
        await asyncio.sleep(0.1)
        # the interface language picker names each language in itself ("English", "Русский")
        _check(dialog, allowed, f"the settings page {name!r}", skip=native_names)
    dialog.close()

    shortcuts = win.show_shortcuts()
    await asyncio.sleep(0.1)
    _check(shortcuts, allowed, "Help → Keyboard shortcuts")
    shortcuts.close()

    win.show_about()
    about = await until(lambda: next((w for w in QApplication.topLevelWidgets()
                                      if isinstance(w, QMessageBox) and w.isVisible()), None), what="about box")
    _check(about, allowed, "About")
    about.close()

    # Background work as the Tasks panel shows it: the service's own words, in Russian.
    panel = win.tasks_panel
    panel.reveal_delay_ms = 0
    release = asyncio.Event()

    async def writing(handle):
        handle.report(120, 750, msg("count.words", count=120))
        await release.wait()

    async def failing():
        raise StorageError(msg("library.closed"))

    ctx.tasks.spawn(writing, name="story:ru-test", title=msg("task.write_story_for", name="Маша"))
    ctx.tasks.spawn(failing(), name="export.ru-test", title=msg("task.write_story"))
    await until(lambda: panel.row_for("story:ru-test") and panel.row_for("export.ru-test"), what="task rows")
    await until(lambda: win.tasks_dock.isVisible(), what="tasks dock")
    await asyncio.sleep(0.2)
    assert panel.row_for("export.ru-test").message.text() == "Библиотека закрыта."
    _check(win.tasks_dock, allowed, "the Tasks panel")
    release.set()

    for action in ("new_child", "new_hero"):
        before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
        win.actions[action].trigger()
        editor = await until(lambda b=before: next((w for w in QApplication.topLevelWidgets()
                                                    if isinstance(w, QDialog) and w.isVisible()
                                                    and id(w) not in b), None), what=f"{action} editor")
        await asyncio.sleep(0.1)
        _check(editor, allowed, f"the {action} editor")
        editor.close()
    _report()
