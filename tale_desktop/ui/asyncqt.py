"""Small bridges between Qt signals and asyncio: await a signal or a dialog without nesting event loops."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import qasync  # after PySide6, so qasync binds to it
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



class QtEventLoop(qasync.QEventLoop):  # type: ignore[misc, valid-type]
    """The app's event loop: qasync's Qt loop, plus asyncio's async-generator hooks.

    qasync's ``run_forever`` does not install the hooks that asyncio's own loop installs, so an async generator
    abandoned mid-iteration (e.g. httpx's byte stream after an error event in an SSE response) would be finalized
    by the garbage collector outside any task, where httpcore cannot tell which async library runs it. With the
    hooks, the loop closes such generators in a task, as plain asyncio does.
    """

    def run_forever(self) -> None:
        previous = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(firstiter=self._asyncgen_firstiter_hook, finalizer=self._asyncgen_finalizer_hook)
        try:
            super().run_forever()
        finally:
            sys.set_asyncgen_hooks(*previous)

    def close(self) -> None:
        """qasync's close() leaves cancelled ``call_later`` timers (httpx timeouts, sleeps) registered with Qt until
        they fire; if the closed loop is later garbage-collected in another thread its timer object dies there and
        the next ``processEvents`` can crash. Kill them on the loop's own thread when it closes."""
        timer = getattr(self, "_timer", None)
        callbacks = getattr(timer, "_SimpleTimer__callbacks", None)
        if timer is not None and callbacks is not None and not self.is_running():
            for timer_id in list(callbacks):
                timer.killTimer(timer_id)
            callbacks.clear()
        super().close()
