"""Where the loop thread is when a timer tick is late: a diagnostic for the benchmarks (not a measurement).

A thread samples every thread's Python stack every ``period_ms`` while the loop's last tick is more than
``late_ms`` old, and adds the sample's duration to the stack it saw on the loop thread (and, separately, to the
stacks of the other threads that were running Python then, which is who may hold the interpreter lock).
``report()`` prints the stacks that cost most, then the longest single stalls, each with what the loop thread and
the other threads were doing during it. Sampling needs the lock too, so a stall inside C++ that holds it
shows up as the Python line that called into C++.

    BENCH_STALLS=1 python tests/bench/bench_app.py --only window
"""

from __future__ import annotations

import collections
import sys
import threading
import time
import traceback


def thread_schedstat() -> tuple[float, float]:
    """The calling thread's time on a CPU and waiting in the run queue, in ms (Linux; zeros elsewhere)."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            ran, waited, _slices = f.read().split()
        return int(ran) / 1e6, int(waited) / 1e6
    except (OSError, ValueError):
        return 0.0, 0.0


class StallSampler:
    def __init__(self, *, late_ms: float = 14.0, period_ms: float = 1.0, depth: int = 8) -> None:
        self.late_s = late_ms / 1000
        self.period_s = period_ms / 1000
        self.depth = depth
        self.loop_thread = threading.get_ident()
        self.last_tick = time.perf_counter()
        self.loop_stacks: collections.Counter[str] = collections.Counter()
        self.other_stacks: collections.Counter[str] = collections.Counter()
        self.started = time.perf_counter()
        # the stall now being sampled (loop stacks, other threads' stacks), and the finished ones:
        # (seconds after start, interval ms, loop thread's ms on a CPU / waiting for one, loop stacks, other stacks)
        self._current: tuple[collections.Counter[str], collections.Counter[str]] | None = None
        self.stalls: list[tuple[float, float, float, float, collections.Counter[str], collections.Counter[str]]] = []
        self._sched = thread_schedstat()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stall-sampler", daemon=True)

    def tick(self) -> None:
        """Call on every loop timer tick."""
        now = time.perf_counter()
        sched = thread_schedstat()
        ran, waited = sched[0] - self._sched[0], sched[1] - self._sched[1]
        self._sched = sched
        with self._lock:
            current, self._current = self._current, None
            if current is not None:
                self.stalls.append((self.last_tick - self.started, (now - self.last_tick) * 1000, ran, waited,
                                    *current))
        self.last_tick = now

    def start(self) -> None:
        self.last_tick = self.started = time.perf_counter()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _describe(self, frame) -> str:
        lines = []
        for summary in traceback.extract_stack(frame, limit=self.depth)[::-1]:
            name = summary.filename.rsplit("site-packages/", 1)[-1].rsplit("/main/", 1)[-1]
            lines.append(f"{name}:{summary.lineno} {summary.name}")
        return " <- ".join(lines)

    def _run(self) -> None:
        names = {}
        previous = time.perf_counter()
        while not self._stop.wait(self.period_s):
            now = time.perf_counter()
            step, previous = now - previous, now
            if now - self.last_tick < self.late_s:
                continue
            names = {t.ident: t.name for t in threading.enumerate()} if len(names) != threading.active_count() \
                else names
            with self._lock:
                if self._current is None:
                    self._current = (collections.Counter(), collections.Counter())
                loop_here, others_here = self._current
            for ident, frame in sys._current_frames().items():
                if ident == threading.get_ident():
                    continue
                if ident == self.loop_thread:
                    stack = self._describe(frame)
                    self.loop_stacks[stack] += step
                    loop_here[stack] += step
                else:
                    top = traceback.extract_stack(frame, limit=1)[-1]
                    if top.name not in {"wait", "_wait_for_tstate_lock", "select", "poll", "get", "accept",
                                        "_worker", "run"}:
                        stack = f"[{names.get(ident, ident)}] {self._describe(frame)}"
                        self.other_stacks[stack] += step
                        others_here[stack] += step

    def report(self, out=sys.stderr, top: int = 15, longest: int = 8) -> None:
        total = sum(self.loop_stacks.values())
        print(f"\nloop thread late by > {self.late_s * 1000:.0f} ms: {total * 1000:.0f} ms sampled", file=out)
        for stack, seconds in self.loop_stacks.most_common(top):
            print(f"{seconds * 1000:8.1f} ms  {stack}", file=out)
        print("\nother threads running Python meanwhile:", file=out)
        for stack, seconds in self.other_stacks.most_common(top):
            print(f"{seconds * 1000:8.1f} ms  {stack}", file=out)
        print(f"\nthe {longest} longest stalls (seconds after the start: interval; the loop thread's time on a CPU "
              "and waiting for one, from /proc)", file=out)
        for at, interval, ran, waited, loop_here, others_here in sorted(self.stalls, key=lambda s: -s[1])[:longest]:
            print(f"\n{at:7.2f} s: {interval:.1f} ms (on a CPU {ran:.1f} ms, waiting for one {waited:.1f} ms)",
                  file=out)
            for stack, seconds in loop_here.most_common(3):
                print(f"   loop {seconds * 1000:6.1f} ms  {stack}", file=out)
            for stack, seconds in others_here.most_common(3):
                print(f"  other {seconds * 1000:6.1f} ms  {stack}", file=out)
