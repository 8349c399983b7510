"""Sync throughput: push N stories to the loopback Supabase, a no-change sync right after (no echo), then a pull
into a second device.

    python tests/bench/bench_sync.py [N] [--memory]

(default 2,000; goals: push <= 10 s and <= 20 requests per 1,000 rows; the no-change sync after the push makes
<= 5 requests and moves <= 20 KB.) By default the stand-in runs on a real PostgreSQL with the migrations (the
server's merge trigger runs for every row; needs root or the postgres user, like the tests); ``--memory`` uses the
in-memory imitation instead.

Stories carry ~1,000 words of text each (a 7-minute story), like a real library.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["TALE_NO_KEYRING"] = "1"

from tale_desktop.context import AppContext  # noqa: E402
from tale_desktop.domain.models import Story  # noqa: E402
from tale_desktop.storage.library import record_to_row  # noqa: E402
from tests.fakes.supabase_server import FakeSupabase  # noqa: E402

WORDS = ("the little fox sailed over the quiet sea under a sky full of stars and sleepy whales " * 60).strip()


def seed(ctx: AppContext, count: int) -> None:
    rows = [record_to_row("stories", Story(title=f"Story {i}", content=f"{i} {WORDS}", minutes=7))
            for i in range(count)]
    columns = ", ".join(rows[0])
    marks = ", ".join(f":{c}" for c in rows[0])
    with ctx.library.store.db.write() as conn:
        conn.executemany(f"INSERT INTO stories ({columns}) VALUES ({marks})", rows)


class LoopLag:
    """The longest the event loop was blocked (what a window would feel) while the sync ran."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, time.perf_counter() - started - 0.005)

    def __enter__(self) -> LoopLag:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


@contextlib.contextmanager
def stand_in(memory: bool) -> Iterator[FakeSupabase]:
    if memory:
        with FakeSupabase() as fake:
            yield fake
        return
    from tests.fakes.pg_supabase import PgSupabase, create_project_database
    from tests.fakes.postgres_cluster import PostgresCluster

    cluster = PostgresCluster()
    cluster.port = 54333
    cluster.start()
    try:
        fake = PgSupabase(create_project_database(cluster)).start()
        try:
            yield fake
        finally:
            fake.stop()
    finally:
        cluster.stop()


async def main(count: int, memory: bool) -> None:
    with tempfile.TemporaryDirectory() as root, stand_in(memory) as fake:
        fake.add_user("bench@example.org", "pw")

        def env(name: str) -> dict[str, str]:
            return {"TALE_DATA_DIR": f"{root}/{name}/d", "TALE_CONFIG_DIR": f"{root}/{name}/c", "TALE_NO_KEYRING": "1",
                    "SUPABASE_URL": fake.url, "SUPABASE_KEY": fake.anon_key,
                    "TALE_SUPABASE_EMAIL": "bench@example.org", "TALE_SUPABASE_PASSWORD": "pw"}

        a = AppContext.create(env("a"))
        await a.start()
        await a.sync.sync()  # built-ins and sign-in out of the way
        await a.library.store.db.run(seed, a, count)

        before = len(fake.requests)
        started = time.perf_counter()
        with LoopLag() as push_lag:
            report = await a.sync.sync()
        push_s = time.perf_counter() - started
        push_requests = len(fake.requests) - before
        assert report.pushed["stories"] == count, report.summary()

        before, bytes_before = len(fake.requests), fake.bytes_in + fake.bytes_out
        started = time.perf_counter()
        quiet = await a.sync.sync()
        quiet_s = time.perf_counter() - started
        quiet_requests = len(fake.requests) - before
        quiet_bytes = fake.bytes_in + fake.bytes_out - bytes_before
        assert quiet.pushed_total == quiet.pulled_total == 0, quiet.summary()

        b = AppContext.create(env("b"))
        await b.start()
        before = len(fake.requests)
        started = time.perf_counter()
        with LoopLag() as pull_lag:
            report_b = await b.sync.sync()
        pull_s = time.perf_counter() - started
        pull_requests = len(fake.requests) - before
        assert report_b.pulled["stories"] >= count

        await a.aclose()
        await b.aclose()

    per_k = 1000 / count
    print(f"{'operation':<34}{'rows':>8}{'seconds':>10}{'rows/s':>10}{'requests':>10}{'req/1k rows':>13}"
          f"{'max loop stall ms':>19}")
    print(f"{'push (upsert batches of 500)':<34}{count:>8}{push_s:>10.2f}{count / push_s:>10.0f}"
          f"{push_requests:>10}{push_requests * per_k:>13.1f}{push_lag.worst * 1000:>19.0f}")
    print(f"{'pull into a new device (1000/page)':<34}{report_b.pulled_total:>8}{pull_s:>10.2f}"
          f"{report_b.pulled_total / pull_s:>10.0f}{pull_requests:>10}{pull_requests * per_k:>13.1f}"
          f"{pull_lag.worst * 1000:>19.0f}")
    print(f"{'no-change sync after the push':<34}{0:>8}{quiet_s:>10.2f}{'':>10}{quiet_requests:>10}"
          f"{'':>13}{'':>19}   {quiet_bytes / 1024:.1f} KB")
    print(f"stand-in: {'in-memory imitation' if memory else 'PostgreSQL with the migrations'}")
    print(f"goal: push <= 10 s and <= 20 requests per 1,000 rows -> "
          f"{'met' if push_s <= 10 and push_requests * per_k <= 20 else 'NOT met'}")
    print(f"goal: no-change sync <= 5 requests and <= 20 KB -> "
          f"{'met' if quiet_requests <= 5 and quiet_bytes <= 20 * 1024 else 'NOT met'}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    asyncio.run(main(int(args[0]) if args else 2_000, "--memory" in sys.argv))
