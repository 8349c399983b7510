"""The one way background work starts: named, referenced, cancellable tasks with progress and clear errors.

``TaskManager.spawn`` keeps a strong reference to every running task (so the loop cannot drop it), names it, can
replace an older task of the same name, forwards progress to subscribers (throttled), and turns an exception into
a message a parent can read (the traceback goes to the log only).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable, Coroutine
from enum import StrEnum
from typing import Any

from tale_desktop.domain.messages import message_of, msg

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.2
Work = Coroutine[Any, Any, Any] | Callable[["TaskHandle"], Coroutine[Any, Any, Any]]
Listener = Callable[["TaskHandle"], None]


class TaskState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


def user_message_for(exc: BaseException, title: str) -> str:
    """A plain sentence for the parent: our typed errors carry one; anything else is summarised."""
    message = message_of(exc)  # keeps the code, so the window can show it in its own language
    if message:
        return message
    return msg("task.failed_unexpectedly", title=title, kind=type(exc).__name__)


class TaskHandle:
    """One running job as the UI sees it."""

    _ids = itertools.count(1)

    def __init__(self, manager: TaskManager, name: str, title: str, cancellable: bool):
        self.id = next(self._ids)
        self.manager = manager
        self.name = name
        self.title = title
        self.cancellable = cancellable
        self.state = TaskState.RUNNING
        self.done: float = 0
        self.total: float = 0
        self.message = ""
        self.error: str | None = None
        self.result: Any = None
        self.task: asyncio.Task[Any] | None = None
        self._last_notify = 0.0

    @property
    def running(self) -> bool:
        return self.state is TaskState.RUNNING

    @property
    def fraction(self) -> float | None:
        """Progress from 0 to 1, or ``None`` while the total is unknown."""
        if self.total <= 0:
            return None
        return max(0.0, min(1.0, self.done / self.total))

    def report(self, done: float | None = None, total: float | None = None, message: str | None = None) -> None:
        """Record progress; subscribers hear about it at most every ``PROGRESS_INTERVAL_S``. A new message without
        a count (a status line) is told at once; a progress message that changes with the count ("120 / 450
        words", new with every word of ten streams) is throttled like the count."""
        if done is not None:
            self.done = done
        if total is not None:
            self.total = total
        changed_text = message is not None and message != self.message and done is None
        if message is not None:
            self.message = message
        now = time.monotonic()
        if changed_text or now - self._last_notify >= PROGRESS_INTERVAL_S:
            self._last_notify = now
            self.manager._notify(self)

    def cancel(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()

    async def wait(self) -> Any:
        """Wait for the end; returns the result, or ``None`` when it failed or was cancelled."""
        if self.task is not None:
            await asyncio.wait([self.task])
        return self.result

    def __repr__(self) -> str:
        return f"<TaskHandle {self.name!r} {self.state}>"


class TaskManager:
    def __init__(self) -> None:
        self._running: dict[str, TaskHandle] = {}
        self._listeners: list[Listener] = []
        self._shut = False  # shutdown() began: the app is closing and new work is dropped

    # -- subscribers --------------------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _notify(self, handle: TaskHandle) -> None:
        for listener in list(self._listeners):
            try:
                listener(handle)
            except Exception:  # a broken listener must not break the task
                log.exception("Task listener failed for %s", handle.name)

    # -- starting -----------------------------------------------------------------------------------------------
    def spawn(
        self,
        work: Work,
        *,
        name: str,
        title: str | None = None,
        replace: bool = False,
        cancellable: bool = True,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[str, BaseException], None] | None = None,
    ) -> TaskHandle:
        """Start ``work`` (a coroutine, or a function taking the handle and returning one) as a named task.

        With ``replace=True`` a running task of the same name is cancelled first (e.g. a new search replaces the
        previous one); otherwise a unique name is made by adding a counter.
        """
        old = self._running.get(name)
        if old is not None:
            if replace:
                old.cancel()
            else:
                name = next(f"{name}#{n}" for n in itertools.count(2) if f"{name}#{n}" not in self._running)
        handle = TaskHandle(self, name, title or name, cancellable)
        coro = work(handle) if callable(work) else work
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or self._shut:
            # The app is shutting down (the tasks were stopped, or no loop runs any more) and a late timer or
            # notification asked for work, e.g. a list reloading while the library closes. It is dropped (never
            # half-started, so it cannot fail on a closed library), and the handle says so.
            coro.close()
            handle.state = TaskState.CANCELLED
            log.debug("Task %s not started: %s", name, "the app is closing" if self._shut else "no event loop runs")
            return handle
        handle.task = loop.create_task(coro, name=name)
        self._running[name] = handle
        handle.task.add_done_callback(lambda task: self._finished(handle, task, on_result, on_error))
        self._notify(handle)
        return handle

    def _finished(self, handle: TaskHandle, task: asyncio.Task[Any], on_result: Callable[[Any], None] | None,
                  on_error: Callable[[str, BaseException], None] | None) -> None:
        if self._running.get(handle.name) is handle:
            del self._running[handle.name]
        if task.cancelled():
            handle.state = TaskState.CANCELLED
            handle.message = msg("task.cancelled")
        elif (exc := task.exception()) is not None:
            handle.state = TaskState.FAILED
            handle.error = user_message_for(exc, handle.title)
            if getattr(exc, "user_message", None):  # expected failure: one line, traceback only at debug level
                log.warning("Task %s failed: %s", handle.name, handle.error)
                log.debug("Task %s failure details", handle.name, exc_info=exc)
            else:
                log.error("Task %s crashed", handle.name, exc_info=exc)
            if on_error is not None:
                self._safe(on_error, handle.error, exc)
        else:
            handle.state = TaskState.DONE
            handle.result = task.result()
            if handle.total > 0:
                handle.done = handle.total
            if on_result is not None:
                self._safe(on_result, handle.result)
        self._notify(handle)

    def _safe(self, callback: Callable[..., None], *args: Any) -> None:
        try:
            callback(*args)
        except Exception:
            log.exception("Task callback failed")

    # -- control ------------------------------------------------------------------------------------------------
    def get(self, name: str) -> TaskHandle | None:
        return self._running.get(name)

    def running(self) -> list[TaskHandle]:
        return list(self._running.values())

    def cancel(self, name: str) -> bool:
        handle = self._running.get(name)
        if handle is None:
            return False
        handle.cancel()
        return True

    async def shutdown(self, timeout: float = 5.0) -> None:
        """Cancel everything still running and wait (bounded) for the tasks to finish; work asked for from now on
        is not started."""
        self._shut = True
        tasks = [h.task for h in self._running.values() if h.task is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            done, pending = await asyncio.wait(tasks, timeout=timeout)
            for task in pending:
                log.warning("Task %s did not stop within %.1f s", task.get_name(), timeout)
