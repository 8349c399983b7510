"""Garbage is collected by the Qt thread's timer, not by whichever thread allocates; full passes are rare."""

from __future__ import annotations

import gc
import threading

from tale_desktop.ui.gc_guard import MainThreadCollector


class Cycle:
    def __init__(self):
        self.me = self


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _record_collections(into: list):
    def callback(phase, info):
        if phase == "stop":
            into.append((info["generation"], threading.current_thread()))
    gc.callbacks.append(callback)
    return callback


def test_collects_on_the_timer_only(qtbot):
    collector = MainThreadCollector(interval_ms=20)
    was_enabled = gc.isenabled()
    collected: list = []
    collector.start()
    callback = _record_collections(collected)
    try:
        assert not gc.isenabled()
        for _ in range(collector.thresholds[0] * 2):
            Cycle()
        qtbot.waitUntil(lambda: bool(collected), timeout=2000)
    finally:
        gc.callbacks.remove(callback)
        collector.stop()
    assert gc.isenabled() == was_enabled
    assert collector.pauses[0][0] + collector.pauses[1][0] >= 1


def test_worker_threads_never_collect(qtbot):
    collector = MainThreadCollector(interval_ms=20)
    collected: list = []
    collector.start()
    callback = _record_collections(collected)
    try:
        worker = threading.Thread(target=lambda: [Cycle() for _ in range(collector.thresholds[0] * 50)])
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: bool(collected), timeout=2000)
    finally:
        gc.callbacks.remove(callback)
        collector.stop()
    assert {thread for _gen, thread in collected} == {threading.main_thread()}


def test_start_and_settle_freeze_the_long_lived_heap():
    collector = MainThreadCollector()
    collector.start()
    try:
        assert gc.get_freeze_count() > 0
        keep = [Cycle() for _ in range(100)]
        before = gc.get_freeze_count()
        collector.settle()
        assert gc.get_freeze_count() >= before + len(keep)
    finally:
        collector.stop()
    assert gc.get_freeze_count() == 0


def test_young_generations_only_until_a_full_pass_is_due():
    clock = Clock()
    collector = MainThreadCollector(full_every_s=60, full_force_s=600, clock=clock)
    collector.start()
    collector.timer.stop()  # ticks are driven by hand below
    try:
        full_passes = collector.pauses[2][0]
        for _ in range(200):  # far more young passes than the full-pass threshold asks for
            clock.now += 0.02
            for _ in range(collector.thresholds[0] + 1):
                Cycle()
            collector.check()
        assert collector.pauses[2][0] == full_passes
        assert collector.pauses[0][0] + collector.pauses[1][0] >= 100
        assert gc.get_count()[2] > collector.thresholds[2]  # a full pass is wanted...

        clock.now += 61  # ...and runs once it is due and the loop is idle (this tick is on time)
        collector._last_tick = clock.now - 0.02
        collector.check()
        assert collector.pauses[2][0] == full_passes + 1
    finally:
        collector.stop()


def test_a_busy_loop_postpones_the_full_pass_but_not_forever():
    clock = Clock()
    collector = MainThreadCollector(interval_ms=20, full_every_s=60, full_force_s=600, clock=clock)
    collector.start()
    collector.timer.stop()
    try:
        while gc.get_count()[2] <= collector.thresholds[2]:
            for _ in range(collector.thresholds[0] + 1):
                Cycle()
            collector.collect(1)
        clock.now += 61
        collector._last_tick = clock.now - 0.5  # this tick is 480 ms late: the loop is busy
        collector.check()
        assert collector.pauses[2][0] == 0
        clock.now += 600
        collector._last_tick = clock.now - 0.5
        collector.check()
        assert collector.pauses[2][0] == 1
    finally:
        collector.stop()
