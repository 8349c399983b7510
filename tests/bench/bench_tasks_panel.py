"""Event-loop stalls while the tasks panel shows many busy jobs.

Opens the main window (offscreen unless QT_QPA_PLATFORM says otherwise), runs N jobs that report progress every
5 ms for a few seconds, and measures how late a 10 ms ticker wakes up (loop lag). Prints a table.
Usage: ``python tests/bench/bench_tasks_panel.py``.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ["TALE_NO_KEYRING"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

DURATION_S = 3.0


async def measure(window, jobs: int) -> tuple[float, float, float, int]:
    ctx = window.ctx
    window.tasks_panel.reveal_delay_ms = 0
    stop = time.monotonic() + DURATION_S
    reports = 0

    async def job(handle):
        nonlocal reports
        total = 1000
        for done in range(total):
            if time.monotonic() > stop:
                break
            handle.report(done, total, f"{done} of {total} words")
            reports += 1
            await asyncio.sleep(0.005)

    # Named as stories being written, so the panel shows a row for each (it lists only the parent's own work).
    handles = [ctx.tasks.spawn(job, name=f"story:bench-{i}", title=f"Story {i}") for i in range(jobs)]
    lags = []
    while time.monotonic() < stop:
        before = time.monotonic()
        await asyncio.sleep(0.01)
        lags.append((time.monotonic() - before - 0.01) * 1000)
    for handle in handles:
        await handle.wait()
    lags.sort()
    return statistics.median(lags), lags[int(len(lags) * 0.99)], lags[-1], reports


async def main() -> None:
    from tale_desktop.context import AppContext
    from tale_desktop.ui.shell.main_window import MainWindow

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TALE_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ["TALE_CONFIG_DIR"] = str(Path(tmp) / "config")
        ctx = await asyncio.to_thread(AppContext.create)
        await ctx.start()
        window = MainWindow(ctx)
        window.show()
        window.start()
        try:
            for jobs in (1, 10, 50):
                rows.append((jobs, *await measure(window, jobs)))
                await asyncio.sleep(2)  # finished rows fade out
        finally:
            window.close()
            await ctx.aclose()
    print(f"{'jobs':>5} {'progress reports/s':>19} {'loop lag p50':>13} {'p99':>8} {'max':>8}")
    for jobs, p50, p99, worst, reports in rows:
        print(f"{jobs:>5} {reports / DURATION_S:>19.0f} {p50:>10.1f} ms {p99:>5.1f} ms {worst:>5.1f} ms")


if __name__ == "__main__":
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["bench"])
    app.setQuitOnLastWindowClosed(False)
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.run(main())
