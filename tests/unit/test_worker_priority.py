"""Background worker threads run below the loop thread's priority (nice 10), with the normal scheduling policy."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from tale_desktop.services import workers


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="thread priorities are Linux's")
def test_background_pool_threads_are_niced_and_stay_normal():
    def priority() -> tuple[int, int]:
        tid = threading.get_native_id()
        return os.sched_getscheduler(tid), os.getpriority(os.PRIO_PROCESS, tid)

    caller = priority()
    pool = workers.background_pool("test-bg", 1)
    try:
        policy, nice = pool.submit(priority).result(timeout=10)
    finally:
        pool.shutdown(wait=True)
    # Not SCHED_IDLE: such a thread gets next to no CPU while other programs keep the cores busy, and a voice
    # must keep ahead of playback (and hold the GIL only briefly).
    assert policy == os.SCHED_OTHER
    assert nice >= workers.BACKGROUND_NICE
    assert priority() == caller  # the calling thread is untouched
