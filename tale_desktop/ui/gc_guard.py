"""Run Python's cyclic garbage collector on the Qt thread only.

The collector runs in whichever thread happens to allocate when a threshold is crossed (a worker thread, an HTTP
thread). Collecting a Qt wrapper there destroys its C++ object off the Qt thread, which Qt does not allow
("QObject::~QObject: Timers cannot be stopped from another thread") and which can crash the process. So automatic
collection is turned off and a timer on the Qt thread collects instead, with the same generation thresholds.
"""

from __future__ import annotations

import gc
import logging

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

INTERVAL_MS = 500


class MainThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        gc.disable()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        gc.enable()

    def check(self) -> None:
        gen0, gen1, gen2 = gc.get_count()
        if gen2 > self.thresholds[2]:
            gc.collect(2)
        elif gen1 > self.thresholds[1]:
            gc.collect(1)
        elif gen0 > self.thresholds[0]:
            gc.collect(0)
