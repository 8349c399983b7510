"""Background worker threads run below the loop thread: nice 10 for Python work, SCHED_IDLE for native voices."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from tale_desktop.services import workers

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="thread priorities are Linux's")


def _in_pool(pool, fn):
    try:
        return pool.submit(fn).result(timeout=10)
    finally:
        pool.shutdown(wait=True)


def _priority() -> tuple[int, int]:
    tid = threading.get_native_id()
    return os.sched_getscheduler(tid), os.getpriority(os.PRIO_PROCESS, tid)


@linux_only
def test_background_pool_threads_are_niced_and_stay_normal():
    policy, nice = _in_pool(workers.background_pool("test-bg", 1), _priority)
    assert policy == os.SCHED_OTHER  # they run Python: never idle priority while holding the GIL
    assert nice >= workers.BACKGROUND_NICE
    assert _priority() == (os.SCHED_OTHER, os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))


@linux_only
def test_idle_pool_threads_take_only_spare_cores():
    policy, nice = _in_pool(workers.idle_pool("test-idle", 1), _priority)
    assert nice >= workers.BACKGROUND_NICE
    assert policy == os.SCHED_IDLE
    assert os.sched_getscheduler(threading.get_native_id()) == os.SCHED_OTHER  # the caller is untouched


@linux_only
def test_idle_priority_falls_back_to_nice_when_refused(monkeypatch):
    def refuse(*_args):
        raise PermissionError("not allowed here")

    monkeypatch.setattr(workers.os, "sched_setscheduler", refuse)
    policy, nice = _in_pool(workers.idle_pool("test-refused", 1), _priority)
    assert policy == os.SCHED_OTHER and nice >= workers.BACKGROUND_NICE
