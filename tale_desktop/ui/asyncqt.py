"""Small bridges between Qt signals and asyncio: await a signal or a dialog without nesting event loops."""

from __future__ import annotations

import asyncio
import heapq
import math
import sys
import time
from collections import deque
from typing import Any

import qasync  # after PySide6, so qasync binds to it
import shiboken6
from PySide6.QtCore import QObject, QSocketNotifier, Qt, QTimerEvent, SignalInstance
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



LOOP_SWITCH_INTERVAL_S = 0.0005  # how long a worker thread may keep the GIL from the loop thread
READY_BUDGET_S = 0.004  # run ready callbacks for at most this long before Qt handles its own events again
CLOCK_RESOLUTION_S = 0.001  # a scheduled callback this close to its time is due (Qt timers count whole ms)


class ReadyQueue(QObject):
    """asyncio's ready queue on the Qt thread: callbacks due now run in batches from one Qt timer event.

    qasync gives every ``call_soon`` a Qt timer of its own (``startTimer(0)``, one ``QTimerEvent``, ``killTimer``);
    each event also passes the application's event filters. A token read from a stream takes several hops
    (socket ready, transport, future, task), so ten streams meant thousands of timer events a second on the loop
    thread. Here the callbacks due now wait in a deque and one zero timer drains it: in FIFO order, including the
    callbacks they schedule, for up to ``READY_BUDGET_S``, then the rest waits for the next round so input and
    paint events are never held up longer than that.
    """

    def __init__(self) -> None:
        super().__init__()
        self.handles: deque[asyncio.Handle] = deque()
        self._timer_id = 0
        self._draining = False
        self.closed = False

    def add(self, handle: asyncio.Handle) -> asyncio.Handle:
        self.handles.append(handle)
        if not self._timer_id and not self._draining and not self.closed:
            self._timer_id = self.startTimer(0)
        return handle

    def timerEvent(self, event: QTimerEvent) -> None:  # noqa: N802 - Qt override
        if event.timerId() != self._timer_id:
            self.killTimer(event.timerId())
            return
        self.killTimer(self._timer_id)
        self._timer_id = 0
        self.drain()

    def drain(self) -> None:
        handles = self.handles
        deadline = time.perf_counter() + READY_BUDGET_S
        self._draining = True
        try:
            while handles and not self.closed:
                handle = handles.popleft()
                if not handle._cancelled:
                    handle._run()  # Handle._run reports an exception to the loop's exception handler
                if time.perf_counter() > deadline:
                    break
        finally:
            self._draining = False
            if handles and not self.closed and not self._timer_id:
                self._timer_id = self.startTimer(0)

    def close(self) -> None:
        self.closed = True
        self.handles.clear()
        if self._timer_id:
            self.killTimer(self._timer_id)
            self._timer_id = 0


class TimerQueue(QObject):
    """asyncio's scheduled callbacks (``call_later``/``call_at``) in a heap, with one precise Qt timer for the
    earliest.

    qasync starts a Qt timer per callback and leaves a cancelled one registered until its delay runs out. httpx
    arms a read timeout for every chunk it reads and cancels it when the chunk arrives, so ten streams left
    thousands of dead Qt timers (3,800 after five seconds in the whole-app benchmark), each also costing an
    ``inspect`` check, a Qt timer start and a timer event on the loop thread. Here a cancelled callback is only
    counted, and the heap is rebuilt once most of it is cancelled, as asyncio's own loop does.
    """

    PURGE_MIN = 100  # rebuild the heap once this many cancelled handles are in it, and they are most of it

    def __init__(self, ready: ReadyQueue) -> None:
        super().__init__()
        self.ready = ready
        self.heap: list[asyncio.TimerHandle] = []
        self.cancelled_count = 0
        self._timer_id = 0
        self._armed_for: float | None = None  # the deadline the Qt timer was started for
        self.closed = False

    def add(self, handle: asyncio.TimerHandle) -> asyncio.TimerHandle:
        heapq.heappush(self.heap, handle)
        handle._scheduled = True
        if self.heap[0] is handle:
            self._arm()
        return handle

    def cancelled(self, handle: asyncio.TimerHandle) -> None:
        if not handle._scheduled:
            return
        self.cancelled_count += 1
        if self.cancelled_count > self.PURGE_MIN and self.cancelled_count * 2 > len(self.heap):
            alive = []
            for h in self.heap:
                if h._cancelled:
                    h._scheduled = False
                else:
                    alive.append(h)
            heapq.heapify(alive)
            self.heap = alive
            self.cancelled_count = 0
            self._arm()

    def _arm(self) -> None:
        """Point the Qt timer at the earliest live deadline (or stop it when there is none)."""
        heap = self.heap
        while heap and heap[0]._cancelled:  # dead heads cost nothing to drop here
            heapq.heappop(heap)._scheduled = False
            self.cancelled_count -= 1
        when = heap[0].when() if heap and not self.closed else None
        if when == self._armed_for and (when is None or self._timer_id):
            return
        if self._timer_id:
            self.killTimer(self._timer_id)
            self._timer_id = 0
        self._armed_for = when
        if when is not None:
            delay_ms = max(0, math.ceil((when - time.monotonic()) * 1000))
            self._timer_id = self.startTimer(delay_ms, Qt.TimerType.PreciseTimer)

    def timerEvent(self, event: QTimerEvent) -> None:  # noqa: N802 - Qt override
        if event.timerId() != self._timer_id:
            self.killTimer(event.timerId())
            return
        self.killTimer(self._timer_id)
        self._timer_id = 0
        self._armed_for = None
        # Due now, as asyncio counts it: within the clock's resolution (Qt timers have whole milliseconds).
        end = time.monotonic() + CLOCK_RESOLUTION_S
        heap = self.heap
        while heap and heap[0].when() <= end:
            handle = heapq.heappop(heap)
            handle._scheduled = False
            if handle._cancelled:
                self.cancelled_count -= 1
            else:
                self.ready.add(handle)  # runs in order with the other ready callbacks, within their budget
        self._arm()

    def close(self) -> None:
        self.closed = True
        for handle in self.heap:
            handle._scheduled = False
        self.heap.clear()
        self.cancelled_count = 0
        if self._timer_id:
            self.killTimer(self._timer_id)
            self._timer_id = 0


class _FdWatch:
    """One socket notifier for one file descriptor and direction, kept and re-armed across add/remove."""

    __slots__ = ("notifier", "callback", "args", "active")

    def __init__(self, notifier: QSocketNotifier) -> None:
        self.notifier = notifier
        self.callback: Any = None
        self.args: tuple[Any, ...] = ()
        self.active = False


class QtEventLoop(qasync.QEventLoop):  # type: ignore[misc, valid-type]
    """The app's event loop: qasync's Qt loop, with a batched ready queue (:class:`ReadyQueue`), a short GIL
    switch interval while it runs, and asyncio's async-generator hooks.

    qasync's ``run_forever`` does not install the hooks that asyncio's own loop installs, so an async generator
    abandoned mid-iteration (e.g. httpx's byte stream after an error event in an SSE response) would be finalized
    by the garbage collector outside any task, where httpcore cannot tell which async library runs it. With the
    hooks, the loop closes such generators in a task, as plain asyncio does.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._ready_queue = ReadyQueue()
        self._timer_queue = TimerQueue(self._ready_queue)
        self._fd_watches: dict[QSocketNotifier.Type, dict[Any, _FdWatch]] = {
            QSocketNotifier.Type.Read: {}, QSocketNotifier.Type.Write: {}}
        super().__init__(*args, **kwargs)

    # -- sockets: asyncio's transports pause and resume reading for flow control, once or twice per chunk read.
    # qasync makes a new QSocketNotifier (and a new signal connection) every time; here each descriptor keeps
    # its notifier, which is only switched on and off.
    def _add_reader(self, fd: Any, callback: Any, *args: Any) -> None:
        self._watch(QSocketNotifier.Type.Read, fd, callback, args)

    def _add_writer(self, fd: Any, callback: Any, *args: Any) -> None:
        self._watch(QSocketNotifier.Type.Write, fd, callback, args)

    def _remove_reader(self, fd: Any) -> bool:
        return self._unwatch(QSocketNotifier.Type.Read, fd)

    def _remove_writer(self, fd: Any) -> bool:
        return self._unwatch(QSocketNotifier.Type.Write, fd)

    def _watch(self, kind: QSocketNotifier.Type, fd: Any, callback: Any, args: tuple[Any, ...]) -> None:
        self._check_closed()
        table = self._fd_watches[kind]
        watch = table.get(fd)
        if watch is None:
            watch = _FdWatch(QSocketNotifier(qasync._fileno(fd), kind))
            watch.notifier.activated.connect(lambda *_args, w=watch: self._fd_ready(w))
            table[fd] = watch
        watch.callback, watch.args, watch.active = callback, args, True
        watch.notifier.setEnabled(True)

    def _unwatch(self, kind: QSocketNotifier.Type, fd: Any) -> bool:
        if self.is_closed():
            return False
        watch = self._fd_watches[kind].get(fd)
        if watch is None or not watch.active:
            return False
        watch.active = False
        watch.callback, watch.args = None, ()
        watch.notifier.setEnabled(False)
        return True

    def _fd_ready(self, watch: _FdWatch) -> None:
        # As qasync does: quiet while the callback waits in the ready queue (level-triggered), on again after.
        watch.notifier.setEnabled(False)
        if watch.active:
            self._ready_queue.add(asyncio.Handle(self._run_fd_callback, (watch,), self))

    @staticmethod
    def _run_fd_callback(watch: _FdWatch) -> None:
        if not watch.active:
            return
        try:
            watch.callback(*watch.args)
        finally:
            if watch.active:
                watch.notifier.setEnabled(True)

    # -- callbacks: as asyncio's own loop schedules them (qasync checks every callback with ``inspect`` and gives
    # each a Qt timer of its own); due now goes to the ready queue, later to the timer heap.
    def call_soon(self, callback: Any, *args: Any, context: Any = None) -> asyncio.Handle:
        self._check_closed()
        return self._ready_queue.add(asyncio.Handle(callback, args, self, context=context))

    def call_later(self, delay: float, callback: Any, *args: Any, context: Any = None) -> asyncio.TimerHandle:
        return self.call_at(self.time() + delay, callback, *args, context=context)

    def call_at(self, when: float, callback: Any, *args: Any, context: Any = None) -> asyncio.TimerHandle:
        self._check_closed()
        return self._timer_queue.add(asyncio.TimerHandle(when, callback, args, self, context=context))

    def _timer_handle_cancelled(self, handle: asyncio.TimerHandle) -> None:
        self._timer_queue.cancelled(handle)

    def _add_callback(self, handle: asyncio.Handle, delay: float = 0) -> asyncio.Handle:
        """Where qasync's own scheduling ends (its call_soon and call_later are replaced above)."""
        if delay <= 0:
            self._check_closed()
            return self._ready_queue.add(handle)
        return self.call_later(delay, handle._run)

    def run_forever(self) -> None:
        previous = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(firstiter=self._asyncgen_firstiter_hook, finalizer=self._asyncgen_finalizer_hook)
        # Qt calls into Python for every slot and every event a Python object handles, and each call first takes
        # the GIL from whichever worker thread holds it (a sync batch being prepared, a database page being read,
        # an answer being parsed). With Python's default of 5 ms per hand-over, a few such calls in one frame
        # stalled the window by tens of ms; a short interval bounds each wait.
        switch = sys.getswitchinterval()
        sys.setswitchinterval(min(switch, LOOP_SWITCH_INTERVAL_S))
        try:
            super().run_forever()
        finally:
            sys.setswitchinterval(switch)
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
        if not self.is_running():
            self._ready_queue.close()
            self._timer_queue.close()
            for table in self._fd_watches.values():
                for watch in table.values():
                    watch.active = False
                    watch.notifier.setEnabled(False)
                table.clear()
        super().close()
