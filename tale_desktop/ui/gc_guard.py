"""Run Python's cyclic garbage collector on the Qt thread only, in short pauses.

The collector runs in whichever thread happens to allocate when a threshold is crossed (a worker thread, an HTTP
thread). Collecting a Qt wrapper there destroys its C++ object off the Qt thread, which Qt does not allow
("QObject::~QObject: Timers cannot be stopped from another thread") and which can crash the process. So automatic
collection is turned off and a timer on the Qt thread collects instead.

A full collection walks every tracked object; with the SDKs, Qt wrappers and a library page loaded that is several
hundred thousand objects and took 73-435 ms on the loop thread under load (measured with ``gc.callbacks``). So:

- :meth:`MainThreadCollector.start` and :meth:`MainThreadCollector.settle` call ``gc.freeze()``: everything alive
  after start-up (imported modules, the window) moves to the permanent generation, which no collection scans;
- the timer looks every ``interval_ms`` (short) and collects only the young generations, whose size is bounded by
  the allocation rate over one short interval, so each pause stays around a millisecond;
- the oldest generation is collected rarely (at most every ``full_every_s``) and only when the loop is idle (every
  tick of the last second arrived on time), or after ``full_force_s`` whatever the load, so memory stays bounded.

``pauses`` keeps the longest pause per generation and the count, for benchmarks and logs.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

INTERVAL_MS = 20
FULL_EVERY_S = 60.0
FULL_FORCE_S = 600.0
IDLE_LATENESS_MS = 4.0
IDLE_FOR_S = 1.0  # a full pass waits until every tick of the last second came on time
SLOW_PAUSE_MS = 20.0


class MainThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS, *,
                 full_every_s: float = FULL_EVERY_S, full_force_s: float = FULL_FORCE_S,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.interval_ms = interval_ms
        self.full_every_s = full_every_s
        self.full_force_s = full_force_s
        self.clock = clock
        self.pauses: dict[int, tuple[int, float]] = {0: (0, 0.0), 1: (0, 0.0), 2: (0, 0.0)}  # gen: (count, max ms)
        self._was_enabled = gc.isenabled()
        self._last_tick = 0.0
        self._last_full = 0.0
        self._lateness_ms = 0.0
        self._busy_at = 0.0
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        gc.freeze()  # the modules imported so far live as long as the process: never scan them again
        self._last_tick = self._last_full = self.clock()
        self.timer.start()

    def settle(self) -> None:
        """Call once start-up is done (window painted, library open): what is alive now is long-lived."""
        self.collect(0)
        gc.freeze()
        log.debug("GC: %d objects frozen after start-up", gc.get_freeze_count())

    def stop(self) -> None:
        self.timer.stop()
        gc.unfreeze()
        if self._was_enabled:
            gc.enable()

    def check(self) -> None:
        now = self.clock()
        self._lateness_ms = max(0.0, (now - self._last_tick) * 1000 - self.interval_ms)
        self._last_tick = now
        if self._lateness_ms > IDLE_LATENESS_MS:
            self._busy_at = now
        gen0, gen1, gen2 = gc.get_count()
        if gen2 > self.thresholds[2] and self._full_due(now):
            self.collect(2)
            self._last_full = self.clock()
        elif gen1 > self.thresholds[1]:
            self.collect(1)
        elif gen0 > self.thresholds[0]:
            self.collect(0)

    def _full_due(self, now: float) -> bool:
        since = now - self._last_full
        if since >= self.full_force_s:
            return True
        return since >= self.full_every_s and now - self._busy_at >= IDLE_FOR_S

    def collect(self, generation: int) -> int:
        started = time.perf_counter()
        found = gc.collect(generation)
        ms = (time.perf_counter() - started) * 1000
        count, worst = self.pauses[generation]
        self.pauses[generation] = (count + 1, max(worst, ms))
        if ms > SLOW_PAUSE_MS:
            log.info("GC generation %d took %.0f ms (%d unreachable)", generation, ms, found)
        return found
