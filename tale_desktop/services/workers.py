"""Worker threads for heavy background work (speech synthesis, audio encoding, image decoding).

On a 2-core machine two narrations synthesizing at once keep both cores busy; at the same scheduling priority the
Qt loop thread then waits for a core (tens to hundreds of ms) and the window stutters. These workers lower their
own priority on Linux (a thread's nice value is its own there), so the loop thread always runs first and the
background work takes the time that is left. Elsewhere they are plain threads.

A nice value only changes a thread's share of a core. On Linux 6.6 and later (the EEVDF scheduler) the loop thread,
waking up while a lower-priority thread runs on its core, may still wait for that thread's time slice to end, up
to a few ms each time, and it wakes hundreds of times a second. Voice synthesis therefore runs in an "idle" pool
(``SCHED_IDLE``): such a thread gives up its core the moment any normal thread wants it. Only work that runs in
native code without the GIL belongs there (onnxruntime's inference, espeak): a thread at idle priority that holds
the GIL would make the loop thread wait for it instead.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)

BACKGROUND_NICE = 10  # CFS weight 110 against the loop thread's 1024: about a tenth of a core while both want one


def lower_this_thread() -> None:
    """Give the calling thread a lower CPU priority (Linux only; a no-op where a thread's priority is not its
    own, or where it cannot be changed)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), BACKGROUND_NICE))
    except (AttributeError, OSError) as exc:  # a sandbox may refuse it: run at the normal priority
        log.debug("Could not lower the priority of %s: %s", threading.current_thread().name, exc)


def idle_this_thread() -> None:
    """Run the calling thread only on a core nothing else wants (``SCHED_IDLE``, Linux only); where that is
    refused, at the lower nice value of :func:`lower_this_thread`. Unprivileged, a thread cannot leave
    ``SCHED_IDLE`` again: use it for threads that only ever do such work."""
    lower_this_thread()
    if not sys.platform.startswith("linux"):
        return
    try:
        os.sched_setscheduler(threading.get_native_id(), os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError) as exc:
        log.debug("Could not give %s the idle priority: %s", threading.current_thread().name, exc)


def background_pool(name: str, workers: int) -> ThreadPoolExecutor:
    """A thread pool whose threads run below the loop thread's priority."""
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name, initializer=lower_this_thread)


def idle_pool(name: str, workers: int) -> ThreadPoolExecutor:
    """A thread pool for native work that releases the GIL (voice synthesis): its threads yield their core at
    once to any normal thread, the loop thread first of all."""
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name, initializer=idle_this_thread)
