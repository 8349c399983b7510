"""Library cover thumbnails benchmark: a list of 100,000 rows painted with their covers while it scrolls.

    python tests/bench/bench_library_covers.py [--rows 100000] [--steps 300]

The view (the real StoryDelegate and CoverThumbnails, drawn covers rendered from SVG) jumps through the list in
``--steps`` scroll positions, one frame each as fast as the loop allows, then scrolls back over the first screens
(cached); the same list without thumbnails first, as the baseline. Prints a table: paint time per frame (p95,
max; painting only reads the cache) against the baseline, the longest event-loop stall while the last screens'
covers are made in worker threads, and how many covers were made compared with the rows shown.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QListView  # noqa: E402

from tale_desktop.services.tasks import TaskManager  # noqa: E402
from tale_desktop.ui.library.cover_thumbnails import CoverThumbnails  # noqa: E402
from tale_desktop.ui.library.story_delegate import DEFAULT_SUMMARY_ROLE, StoryDelegate  # noqa: E402

THEMES = ["space", "ocean", "forest", "magic", "pirates", "dinosaurs", None]


class Rows(QAbstractListModel):
    def __init__(self, count: int):
        super().__init__()
        self.rows = [{"id": f"story-{n:06d}", "title": f"Story number {n}", "theme": THEMES[n % len(THEMES)],
                      "child_name": "Mia", "word_count": 400, "created_at": "2026-11-28T20:00:00+00:00",
                      "cover_file": ""} for n in range(count)]

    def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: N802, B008
        return len(self.rows)

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == DEFAULT_SUMMARY_ROLE:
            return self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[index.row()]["title"]
        return None


async def run(rows: int, steps: int, with_covers: bool = True) -> dict[str, Any]:
    ctx = SimpleNamespace(tasks=TaskManager(), settings=SimpleNamespace(data_dir=Path(tempfile.mkdtemp())))
    model = Rows(rows)
    view = QListView()
    view.setUniformItemSizes(True)
    view.setModel(model)
    covers = CoverThumbnails(ctx)  # type: ignore[arg-type]
    covers.ready.connect(lambda _id: view.viewport().update())
    view.setItemDelegate(StoryDelegate(DEFAULT_SUMMARY_ROLE, view, covers=covers if with_covers else None))
    view.resize(340, 900)
    view.show()
    stalls: list[float] = []
    stop = False

    async def ticker() -> None:
        last = time.perf_counter()
        while not stop:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            stalls.append(now - last - 0.005)
            last = now

    tick = asyncio.get_running_loop().create_task(ticker())
    bar = view.verticalScrollBar()
    paints: list[float] = []
    visited: set[str] = set()

    def frame(value: int) -> None:
        bar.setValue(value)
        start = time.perf_counter()
        view.viewport().repaint()
        paints.append(time.perf_counter() - start)
        top = view.indexAt(view.viewport().rect().topLeft()).row()
        bottom = view.indexAt(view.viewport().rect().bottomLeft()).row()
        for row in range(max(0, top), min(len(model.rows) - 1, bottom if bottom >= 0 else top + 20) + 1):
            visited.add(model.rows[row]["id"])

    await asyncio.sleep(0.1)
    for step in range(steps):  # fast scrolling through the whole list
        frame(round(bar.maximum() * step / max(1, steps - 1)))
        await asyncio.sleep(0.004)
    cold = list(paints)
    stalls.clear()
    await asyncio.sleep(1.0)  # the last screens' covers are made meanwhile: only the stalls of that count
    idle_stalls = list(stalls) or [0.0]
    paints.clear()
    for step in range(60):  # back and forth over the first screens, whose covers are cached now
        frame(0 if step % 2 == 0 else min(bar.maximum(), 5 * bar.pageStep()))
        await asyncio.sleep(0.004)
    warm = list(paints)
    await asyncio.sleep(0.5)
    stop = True
    await tick
    await ctx.tasks.shutdown()
    view.close()

    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[-1] * 1000 if len(values) >= 20 else max(values) * 1000

    return {"rows": rows, "steps": steps, "cold_p95": p95(cold), "cold_max": max(cold) * 1000,
            "warm_p95": p95(warm), "stall_max": max(idle_stalls) * 1000, "made": covers.made, "visited": len(visited)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    import qasync

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    base = loop.run_until_complete(run(args.rows, args.steps, False))
    result = loop.run_until_complete(run(args.rows, args.steps, True))
    limit = base["cold_p95"] * 1.25 + 2
    print(f"{'measure':<44}{'result':<34}{'budget':<22}ok")
    rows = [
        ("rows in the list", f"{result['rows']:,}", "", ""),
        ("paint per frame scrolling, p95", f"{result['cold_p95']:.1f} ms (no covers: {base['cold_p95']:.1f})",
         f"<= {limit:.1f} ms", "yes" if result["cold_p95"] <= limit else "NO"),
        ("paint per frame scrolling, max", f"{result['cold_max']:.1f} ms (no covers: {base['cold_max']:.1f})",
         "", ""),
        ("paint per frame, covers cached, p95", f"{result['warm_p95']:.1f} ms (no covers: {base['warm_p95']:.1f})",
         "", ""),
        ("loop stall while covers are made (idle)", f"{result['stall_max']:.1f} ms", "< 50 ms",
         "yes" if result["stall_max"] < 50 else "NO"),
        ("covers made / rows shown", f"{result['made']} / {result['visited']} ({result['steps']} jumps)",
         "made <= shown", "yes" if result["made"] <= result["visited"] else "NO"),
    ]
    for name, value, budget, ok in rows:
        print(f"{name:<44}{value:<34}{budget:<22}{ok}")


if __name__ == "__main__":
    main()
