"""Storyteller benchmarks: concurrency speed-up, server-token-to-reader latency, Qt event-loop stalls.

Run: ``python tests/bench/bench_storyteller.py`` (prints a table). The fake OpenRouter server runs in a separate
process (as a real server would), so its threads do not compete with the app for the GIL; token send times come
from the same monotonic clock (``GET /api/v1/_timings``).

1. 10 stories from a server that takes ~1 s per story: one after another vs all at once (goal >= 9x).
2. Latency from the server writing a token to (a) the storyteller's event and (b) the streaming view painting it
   (goal p95 <= 30 ms).
3. A 10 ms QTimer on the qasync loop, idle and while 10 streams (with their views) run (goal p99 <= 16 ms and a
   worst interval no more than 10 ms above the idle worst).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["TALE_NO_KEYRING"] = "1"
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

import httpx  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

STREAMS = 10


def start_server(token_delay: float, words: int) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.openrouter", "--token-delay", str(token_delay), "--story-words",
         str(words), "--generation-404s", "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    base = proc.stdout.readline().strip()
    return proc, base


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def make_ctx(base: str):
    from tale_desktop import settings as keys
    from tale_desktop.context import AppContext

    ctx = await asyncio.to_thread(AppContext.create, {**os.environ, "TALE_LLM_BASE_URL": base,
                                                      "OPENROUTER_API_KEY": "bench"})
    await ctx.start()
    await ctx.http.prepare_async()
    ctx.settings.set(keys.REVIEW_ENABLED, "0")
    from tale_desktop.domain.models import Child

    child = await ctx.library.save_child(Child(name="Mia", age_band="3-5", gender="female", interests=["owls"]))
    return ctx, child


async def bench_concurrency(rows: list[tuple[str, str, str]]) -> None:
    from tale_desktop.services.storyteller import StoryRequest

    proc, base = start_server(token_delay=1 / 150, words=150)
    try:
        ctx, child = await make_ctx(base)
        request = StoryRequest(child_id=child.id, minutes=1)
        await ctx.storyteller.write(request)  # warm-up (connections, imports)
        started = time.monotonic()
        for _ in range(STREAMS):
            await ctx.storyteller.write(request)
        serial = time.monotonic() - started
        started = time.monotonic()
        handles = [ctx.storyteller.start(request) for _ in range(STREAMS)]
        results = [await h.wait() for h in handles]
        concurrent = time.monotonic() - started
        assert all(r is not None and r.status == "new" for r in results), [h.error for h in handles]
        await ctx.aclose()
    finally:
        proc.terminate()
    speedup = serial / concurrent
    rows.append(("10 stories, 1 s server: serial", f"{serial:.2f} s", ""))
    rows.append(("10 stories, 1 s server: concurrent", f"{concurrent:.2f} s", ""))
    rows.append(("concurrency speed-up", f"{speedup:.1f}x", "goal >= 9x " + ("OK" if speedup >= 9 else "MISSED")))


async def bench_stream_load(rows: list[tuple[str, str, str]], batch_ms: int | None = None) -> None:
    from tale_desktop.services.storyteller import StoryEvent, StoryEventKind, StoryRequest
    from tale_desktop.ui.compose.story_stream import StoryStreamView

    proc, base = start_server(token_delay=0.01, words=300)
    try:
        ctx, child = await make_ctx(base)
        request = StoryRequest(child_id=child.id, minutes=2)
        await ctx.storyteller.write(request)  # warm-up

        intervals: list[float] = []
        last = [time.monotonic()]
        self_marks: list[tuple[float, float]] = []

        def tick() -> None:
            now = time.monotonic()
            intervals.append((now - last[0]) * 1000)
            if intervals[-1] > 18:
                self_marks.append((now, intervals[-1]))
            last[0] = now

        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(tick)
        last[0] = time.monotonic()
        timer.start()
        await asyncio.sleep(3.0)
        idle = intervals[5:]
        intervals.clear()

        views = []
        received: dict[str, list[tuple[float, int]]] = {}   # story id -> (time, chars so far) per token
        painted: dict[str, list[tuple[float, int]]] = {}    # story id -> (time, chars on screen)
        for _ in range(STREAMS):
            view = StoryStreamView() if batch_ms is None else StoryStreamView(batch_ms=batch_ms)
            view.resize(600, 400)
            view.show()
            views.append(view)

        def listener_for(view: StoryStreamView):
            def listener(event: StoryEvent) -> None:
                if event.kind is StoryEventKind.TEXT:
                    received.setdefault(event.story_id, []).append((time.monotonic(), len(event.text)))
                view.on_event(event)
            return listener

        load_start = time.monotonic()
        self_marks.clear()
        cpu_start = time.process_time()
        profiler = None
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        handles = []
        for view in views:
            handle = ctx.storyteller.start(request, listener_for(view))
            view.bind(handle)
            log = painted.setdefault(handle.story_id, [])
            view.painted.connect(lambda v=view, log=log: log.append((time.monotonic(), len(v._raw))))
            handles.append(handle)
        results = [await h.wait() for h in handles]
        timer.stop()
        cpu = time.process_time() - cpu_start
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        load_wall = time.monotonic() - load_start
        load = intervals[2:]
        if os.environ.get("BENCH_DEBUG"):
            print("long intervals (s after start, ms):", [(round(t - load_start, 2), round(d, 1)) for t, d in self_marks])
        assert all(r is not None for r in results), [h.error for h in handles]
        async with httpx.AsyncClient() as http:
            timings = (await http.get(base + "/_timings")).json()["data"]
        await ctx.aclose()
        for view in views:
            view.close()
    finally:
        proc.terminate()

    to_event: list[float] = []
    to_screen: list[float] = []
    for result in results:
        sent = timings[result.stats.generation_id]
        got = received[result.id]
        paints = painted[result.id]
        chars = 0
        p = 0
        for (t_sent, piece), (t_got, _) in zip(sent, got, strict=False):
            chars += len(piece)
            to_event.append((t_got - t_sent) * 1000)
            while p < len(paints) and paints[p][1] < chars:
                p += 1
            if p < len(paints):
                to_screen.append((paints[p][0] - t_sent) * 1000)

    rows.append(("token -> storyteller event, p50 / p95", f"{pct(to_event, 50):.1f} / {pct(to_event, 95):.1f} ms",
                 "goal p95 <= 30 ms " + ("OK" if pct(to_event, 95) <= 30 else "MISSED")))
    rows.append(("token -> painted in the view, p50 / p95",
                 f"{pct(to_screen, 50):.1f} / {pct(to_screen, 95):.1f} ms",
                 f"batched every {views[0].batch_ms} ms; goal p95 <= 30 ms "
                 + ("OK" if pct(to_screen, 95) <= 30 else "MISSED")))
    rows.append(("QTimer 10 ms idle: p50 / p99 / worst",
                 f"{statistics.median(idle):.1f} / {pct(idle, 99):.1f} / {max(idle):.1f} ms", ""))
    ok = pct(load, 99) <= 16 and max(load) <= max(idle) + 10
    rows.append((f"QTimer 10 ms, {STREAMS} streams: p50 / p99 / worst",
                 f"{statistics.median(load):.1f} / {pct(load, 99):.1f} / {max(load):.1f} ms",
                 "goal p99 <= 16, worst <= idle worst + 10 " + ("OK" if ok else "MISSED")))
    tokens = sum(len(timings[r.stats.generation_id]) for r in results)
    rows.append(("tokens streamed in the load run", str(tokens),
                 f"app CPU {cpu:.2f} s in {load_wall:.2f} s ({cpu / tokens * 1e6:.0f} us per token)"))


async def main() -> None:
    rows: list[tuple[str, str, str]] = []
    await bench_concurrency(rows)
    await bench_stream_load(rows)
    if "--batch-25" in sys.argv:
        rows.append(("-- same load, views painting every 25 ms --", "", ""))
        await bench_stream_load(rows, batch_ms=25)
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'value'.ljust(value_width)}  note")
    for name, value, note in rows:
        print(f"{name.ljust(width)}  {value.ljust(value_width)}  {note}")


if __name__ == "__main__":
    import qasync

    app = QApplication.instance() or QApplication(sys.argv)
    app.setQuitOnLastWindowClosed(False)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TALE_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ["TALE_CONFIG_DIR"] = str(Path(tmp) / "config")
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            runner.run(main())
