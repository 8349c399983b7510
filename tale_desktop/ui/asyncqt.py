"""Small bridges between Qt signals and asyncio: await a signal or a dialog without nesting event loops."""

from __future__ import annotations

import asyncio
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtWidgets import QDialog


def signal_future(signal: SignalInstance) -> asyncio.Future[tuple[Any, ...]]:
    """A future resolved (once) with the arguments of the next emission of ``signal``."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def resolve(*args: Any) -> None:
        signal.disconnect(resolve)
        if not future.done():
            future.set_result(args)

    signal.connect(resolve)
    return future


async def open_and_wait(dialog: QDialog) -> int:
    """Show ``dialog`` with the non-blocking ``open()`` and wait for its ``finished(result)`` signal.

    Never call ``exec()`` inside a coroutine: it starts a nested event loop under the running asyncio loop.
    """
    finished = signal_future(dialog.finished)
    dialog.open()
    (result,) = await finished
    return int(result)


def alive(obj: QObject) -> bool:
    """False once Qt deleted the object (e.g. a dialog closed before its background task finished)."""
    return shiboken6.isValid(obj)
