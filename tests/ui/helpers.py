"""Helpers for UI tests: await a condition, click and type like a person."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QApplication, QWidget


async def until(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
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
