"""The Qt loop's scheduled callbacks (ui/asyncqt.py TimerQueue): asyncio's order and timing, one Qt timer, and
cancelled callbacks that do not pile up (httpx cancels a read timeout for every chunk it reads)."""

from __future__ import annotations

import asyncio
import time

import pytest

from tale_desktop.ui.asyncqt import TimerQueue


def qt_loop() -> asyncio.AbstractEventLoop:
    loop = asyncio.get_running_loop()
    if not hasattr(loop, "_timer_queue"):
        pytest.skip("the Qt loop's own scheduling")
    return loop


async def test_callbacks_run_in_deadline_order_and_never_early():
    loop = qt_loop()
    ran: list[tuple[float, float]] = []
    start = loop.time()
    for delay in (0.05, 0.01, 0.03, 0.02, 0.0):
        loop.call_later(delay, lambda d=delay: ran.append((d, loop.time() - start)))
    loop.call_at(start + 0.04, lambda: ran.append((0.04, loop.time() - start)))
    await asyncio.sleep(0.12)
    assert [d for d, _ in ran] == [0.0, 0.01, 0.02, 0.03, 0.04, 0.05]
    assert all(at >= d - 0.001 for d, at in ran)  # Qt counts whole milliseconds; never before the deadline


async def test_cancelled_callbacks_never_run_and_do_not_pile_up():
    loop = qt_loop()
    queue: TimerQueue = loop._timer_queue
    ran: list[int] = []
    for i in range(5000):  # what ten streams do in a few seconds: arm a timeout, cancel it when data comes
        loop.call_later(30, ran.append, i).cancel()
    kept = loop.call_later(0.02, ran.append, -1)
    assert len(queue.heap) <= 2 * TimerQueue.PURGE_MIN + 2
    await asyncio.sleep(0.05)
    assert ran == [-1] and not kept.cancelled()
    assert getattr(loop._timer, "_SimpleTimer__callbacks", {}) == {}


async def test_sleep_timeout_and_wait_for_work_on_the_heap():
    qt_loop()
    started = time.perf_counter()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(asyncio.sleep(5), 0.03)
    assert 0.029 <= time.perf_counter() - started < 1.0
    assert await asyncio.wait_for(asyncio.sleep(0.01, result="done"), 1) == "done"


async def test_a_cancelled_head_moves_the_timer_to_the_next_deadline():
    loop = qt_loop()
    ran: list[str] = []
    first = loop.call_later(0.01, ran.append, "first")
    loop.call_later(0.03, ran.append, "second")
    first.cancel()
    await asyncio.sleep(0.06)
    assert ran == ["second"]
    assert all(not h._cancelled for h in loop._timer_queue.heap)  # the dead head was dropped, not kept
