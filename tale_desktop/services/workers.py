"""Worker threads for heavy background work (speech synthesis, audio encoding, image decoding).

On a 2-core machine two narrations synthesizing at once keep both cores busy; at the same scheduling priority the
Qt loop thread then waits for a core (tens to hundreds of ms) and the window stutters. These workers lower their
own priority on Linux (a thread's nice value is its own there), so the loop thread always runs first and the
background work takes the time that is left. Elsewhere they are plain threads.

On Linux 6.6 and later (the EEVDF scheduler) a nice value changes a thread's share of a core, not how soon a
waking thread gets it: the loop thread may still wait for a niced thread's time slice to end. ``SCHED_IDLE`` would
hand the core over at once, but such a thread gets next to no CPU while other programs keep the cores busy (a
3.6 s sentence took 27 s to synthesize beside two busy loops), and an unprivileged thread cannot leave that
policy again. A narration must keep ahead of playback, so the workers stay at nice 10.
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


def background_pool(name: str, workers: int) -> ThreadPoolExecutor:
    """A thread pool whose threads run below the loop thread's priority."""
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name, initializer=lower_this_thread)
