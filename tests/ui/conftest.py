"""UI test helpers: a live AppContext and main window on the qasync loop, and an awaitable ``until``.

UI tests are async tests on the qasync loop; they drive widgets with ``QTest`` clicks and key presses and wait by
awaiting (never ``qtbot.waitUntil``/``waitSignal`` inside a coroutine).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QApplication, QWidget

from tale_desktop.context import AppContext


async def until(predicate: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
    """Await until ``predicate()`` is truthy (the Qt and asyncio loop keep running meanwhile)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def click(button: QAbstractButton) -> None:
    assert button.isVisible() and button.isEnabled(), f"{button.text()!r} is not clickable"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def type_into(widget: QWidget, text: str) -> None:
    widget.setFocus()
    QTest.keyClicks(widget, text)


def click_row(view: QAbstractItemView, row: int) -> None:
    index = view.model().index(row, 0)
    view.scrollTo(index)
    rect = view.visualRect(index)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(rect.center()))


def gone(widget: QWidget) -> bool:
    """The widget was closed (and maybe deleted, for WA_DeleteOnClose dialogs)."""
    import shiboken6

    return not shiboken6.isValid(widget) or not widget.isVisible()


def top_level(cls: type, visible: bool = True) -> list[Any]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, cls) and (w.isVisible() or not visible)]


@pytest.fixture
async def ctx() -> AsyncIterator[AppContext]:
    context = await asyncio.to_thread(AppContext.create)
    await context.start()
    yield context
    await context.aclose()


@pytest.fixture
async def window(ctx: AppContext) -> AsyncIterator[Any]:
    from tale_desktop.ui.main_window import MainWindow

    win = MainWindow(ctx)
    win.show()
    win.start()
    yield win
    for widget in QApplication.topLevelWidgets():
        if widget is not win and widget.isVisible():
            widget.close()
    win.close()
    win.deleteLater()
    await asyncio.sleep(0)


@pytest.fixture(autouse=True)
def _no_quit_on_last_window(qapp: QApplication) -> None:
    """As in the app: closing a window must not stop the Qt loop under a running test."""
    qapp.setQuitOnLastWindowClosed(False)
