"""UI test fixtures: a live AppContext and main window on the qasync loop (helpers: ``tests/ui/helpers.py``).

UI tests are async tests on the qasync loop; they drive widgets with ``QTest`` clicks and key presses and wait by
awaiting (never ``qtbot.waitUntil``/``waitSignal`` inside a coroutine).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from tale_desktop.context import AppContext


@pytest.fixture
async def ctx() -> AsyncIterator[AppContext]:
    context = await asyncio.to_thread(AppContext.create)
    await context.start()
    yield context
    await context.aclose()


@pytest.fixture
async def window(ctx: AppContext) -> AsyncIterator[Any]:
    from tale_desktop.ui.shell.main_window import MainWindow

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
