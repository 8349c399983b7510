"""Garbage is collected by the Qt thread's timer, not by whichever thread allocates."""

from __future__ import annotations

import gc

from tale_desktop.ui.gc_guard import MainThreadCollector


class Cycle:
    def __init__(self):
        self.me = self


def test_collects_on_the_timer_only(qtbot):
    collector = MainThreadCollector(interval_ms=20)
    was_enabled = gc.isenabled()
    collector.start()
    try:
        assert not gc.isenabled()
        collected = []
        gc.callbacks.append(lambda phase, info: collected.append(info) if phase == "stop" else None)
        for _ in range(collector.thresholds[0] * 2):
            Cycle()
        qtbot.waitUntil(lambda: bool(collected), timeout=2000)
    finally:
        gc.callbacks.pop()
        collector.stop()
        if not was_enabled:
            gc.disable()
    assert gc.isenabled() or not was_enabled
