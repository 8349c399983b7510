"""Library benchmark: 100,000 generated stories, and a 20,000-story backup through the CLI.

    python tests/bench/bench_library.py [--stories 100000] [--words 200] [--keep DIR]

Prints a table (measured, budget, verdict):
- open: open the file (quick check + migrations) and fetch what the window shows first (count + first page), <= 300 ms
- search p95: a search as the list runs it (the first page of 100, newest first) over many queries, en and ru,
  with filters and every sort, <= 50 ms; the total count is timed too (no budget: the list does not need it)
- scroll: every row through the paged list model (pages fetched as the view scrolls), the slowest page
- RSS: peak resident memory of this process, <= 250 MB
- CLI: `import` of a 20,000-story backup, then `stories list --search` (whole commands), < 3 s together
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TALE_NO_KEYRING", "1")

from tale_desktop.domain.models import Child, Story  # noqa: E402
from tale_desktop.domain.query import SortKey, StoryQuery  # noqa: E402
from tale_desktop.services.backup import BACKUP_FORMAT, BACKUP_VERSION  # noqa: E402
from tale_desktop.services.library import LibraryService  # noqa: E402
from tale_desktop.storage.library import Library  # noqa: E402

EN = (  # noqa: SIM905 - a word list reads better as text
      "dragon comet star moon forest river castle robot rabbit fox owl ship island cloud rainbow garden lantern "
      "mountain meadow whale turtle bear kitten puppy pirate knight fairy wizard dinosaur rocket planet ocean "
      "wave shell treasure map bridge tower bell snow leaf acorn berry honey bee butterfly firefly night dream "
      "blanket pillow song lullaby whisper giggle brave kind gentle quiet sleepy little tiny giant golden silver "
      "shared helped found lost waited carried painted drew built climbed sailed flew listened smiled hugged").split()
RU = (  # noqa: SIM905
      "дракон комета звезда луна лес река замок робот заяц лиса сова корабль остров облако радуга сад фонарик "
      "гора поле кит черепаха медведь котёнок щенок пират рыцарь фея волшебник ёжик ракета планета море волна "
      "ракушка клад карта мост башня колокол снег лист жёлудь ягода мёд пчела бабочка светлячок ночь сон").split()
SEARCHES = ["dragon", "drag", "comet", "comets", "robot star", "kind fox", "whale", "lanter", "giant golden",
            "firefly night", "pirate treasure", "do", "x", "castle bell snow", "дракон", "ёжик", "ежик", "фонар",
            "звезда луна", "zzzz", '"NEAR* -', "rocket planet ocean", "brave", "sleepy kitten"]


def generate_stories(count: int, words: int, children: list[Child], seed: int = 7) -> list[Story]:
    rng = random.Random(seed)
    stories = []
    base = time.time() - count * 600
    for n in range(count):
        russian = n % 5 == 0
        vocab = RU if russian else EN
        child = children[n % len(children)]
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(base + n * 600))
        size = rng.randint(words // 2, words * 3 // 2)
        content = " ".join(rng.choices(vocab, k=size))
        title = " ".join(rng.choices(vocab, k=rng.randint(2, 5))).capitalize()
        stories.append(Story(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), title=title, content=content,
            language="ru" if russian else "en", child_id=child.id,
            child_snapshot={"id": child.id, "name": child.name}, moral="kindness", theme="space",
            minutes=max(1, size // 150), status=rng.choice(["new", "read", "read", "archived"]),
            rating=rng.choice([None, None, *range(1, 11)]), favourite=rng.random() < 0.05,
            created_at=stamp, updated_at=stamp,
        ))
    return stories


def make_children() -> list[Child]:
    names = ["Tom", "Маша", "Lily", "Ваня", "Sam"]
    return [Child(id=str(uuid.UUID(int=i + 1, version=4)), name=name, age_band="3-5", gender="other",
                  interests=["stars"]) for i, name in enumerate(names)]


def build_library(folder: Path, count: int, words: int) -> float:
    start = time.perf_counter()
    library = Library.open(folder)
    children = make_children()
    library.merge_records("children", children)
    batch = 5000
    for first in range(0, count, batch):
        library.merge_records("stories", generate_stories(min(batch, count - first), words, children,
                                                          seed=first))
    library.db.connection().execute("INSERT INTO stories_fts(stories_fts) VALUES ('optimize')")
    library.close()
    return time.perf_counter() - start


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure_library(folder: Path) -> dict[str, object]:
    results: dict[str, object] = {}
    start = time.perf_counter()
    library = await asyncio.to_thread(Library.open, folder)
    service = LibraryService(library)
    opened = time.perf_counter()
    total = await service.count_stories(StoryQuery())
    await service.list_stories(StoryQuery(), limit=100)
    results["open_ms"] = (opened - start) * 1000
    results["open_first_page_ms"] = (time.perf_counter() - start) * 1000
    results["total"] = total

    samples, count_samples, per_query = [], [], {}
    queries = [StoryQuery(search=s) for s in SEARCHES]
    queries += [StoryQuery(search="dragon", sort=k, descending=d) for k in SortKey for d in (True, False)]
    queries += [StoryQuery(search="star", min_rating=8, favourite=True), StoryQuery(min_rating=9),
                StoryQuery(language="ru", search="луна"), StoryQuery(has_audio=True),
                StoryQuery(child_id=make_children()[1].id, search="кит"), StoryQuery(status="archived")]
    for _round in range(3):
        for query in queries:
            t0 = time.perf_counter()
            await service.list_stories(query, limit=100)  # the first page: what the list (and the CLI) shows
            elapsed = (time.perf_counter() - t0) * 1000
            samples.append(elapsed)
            per_query[query] = max(elapsed, per_query.get(query, 0))
            t0 = time.perf_counter()
            await service.count_stories(query)  # a total, if a view wants one (the list does not need it)
            count_samples.append((time.perf_counter() - t0) * 1000)
    results["search_p95_ms"] = p95(samples)
    results["search_max_ms"] = max(samples)
    results["count_p95_ms"] = p95(count_samples)
    slowest = max(per_query, key=per_query.get)
    results["slowest_query"] = f"{describe(slowest)} ({per_query[slowest]:.0f} ms)"

    results.update(await scroll_pages(service, total))
    results["rss_mb"] = rss_mb()
    library.close()
    return results


def describe(query: StoryQuery) -> str:
    default = StoryQuery()
    return ", ".join(f"{name}={getattr(query, name)!r}" for name in query.__dataclass_fields__
                     if getattr(query, name) != getattr(default, name)) or "no filter"


async def scroll_pages(service: LibraryService, total: int) -> dict[str, object]:
    """Every row through the pages the list model fetches (without Qt)."""
    page, seen, slowest = 200, 0, 0.0
    start = time.perf_counter()
    for offset in range(0, total, page):
        t0 = time.perf_counter()
        rows = await service.list_stories(StoryQuery(), offset=offset, limit=page)
        slowest = max(slowest, time.perf_counter() - t0)
        seen += len(rows)
    return {"scroll_rows": seen, "scroll_s": time.perf_counter() - start, "scroll_slowest_page_ms": slowest * 1000,
            "scroll_via": "service pages", "scroll_stall_ms": None}


def scroll_model(folder: Path) -> dict[str, object] | None:
    """Every row through the window's paged model (``StoryListModel``) on the Qt event loop, as a view scrolling
    to the end would (canFetchMore/fetchMore), while a heartbeat measures how late the loop gets."""
    try:
        from tale_desktop.ui.library.library_view import StoryListModel
    except ImportError:
        return None
    import qasync
    from PySide6.QtWidgets import QApplication

    from tale_desktop.context import AppContext

    app = QApplication.instance() or QApplication(["bench"])
    os.environ["TALE_DATA_DIR"] = str(folder)
    os.environ.setdefault("TALE_CONFIG_DIR", str(folder.parent / "config"))

    async def run() -> dict[str, object]:
        ctx = await asyncio.to_thread(AppContext.create)
        model = StoryListModel(ctx)
        stall = 0.0
        stop = False

        async def heartbeat() -> None:
            nonlocal stall
            while not stop:
                t0 = time.perf_counter()
                await asyncio.sleep(0.005)
                stall = max(stall, time.perf_counter() - t0 - 0.005)

        beat = asyncio.ensure_future(heartbeat())
        slowest, start = 0.0, time.perf_counter()
        model.set_query(StoryQuery())
        while True:
            t0 = time.perf_counter()
            while model.loading:
                await asyncio.sleep(0.001)
            slowest = max(slowest, time.perf_counter() - t0)
            if not model.canFetchMore():
                break
            model.fetchMore()
        elapsed = time.perf_counter() - start
        stop = True
        await beat
        rows = model.rowCount()
        await ctx.aclose()
        return {"scroll_rows": rows, "scroll_s": elapsed, "scroll_slowest_page_ms": slowest * 1000,
                "scroll_via": "StoryListModel on the Qt loop", "scroll_stall_ms": stall * 1000}

    loop = qasync.QEventLoop(app)
    with loop:
        return loop.run_until_complete(run())


def write_backup_file(path: Path, count: int, words: int) -> None:
    children = make_children()
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"format": BACKUP_FORMAT, "version": BACKUP_VERSION}) + "\n")
        for child in children:
            out.write(json.dumps({"kind": "child", "record": child.to_dict()}, ensure_ascii=False) + "\n")
        for story in generate_stories(count, words, children, seed=99):
            out.write(json.dumps({"kind": "story", "record": story.to_dict()}, ensure_ascii=False) + "\n")


def measure_cli_import(folder: Path, count: int, words: int) -> dict[str, object]:
    backup = folder / "backup.jsonl"
    write_backup_file(backup, count, words)
    env = {**os.environ, "TALE_DATA_DIR": str(folder / "data"), "TALE_CONFIG_DIR": str(folder / "config"),
           "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tale_desktop", "import", str(backup)], env=env,
                          capture_output=True, text=True)
    t1 = time.perf_counter()
    found = subprocess.run([sys.executable, "-m", "tale_desktop", "stories", "list", "--search", "dragon comet",
                            "--json", "--limit", "50"], env=env, capture_output=True, text=True)
    t2 = time.perf_counter()
    assert done.returncode == 0, done.stderr
    assert found.returncode == 0 and json.loads(found.stdout), found.stderr
    return {"import_s": t1 - t0, "search_cmd_s": t2 - t1, "backup_mb": backup.stat().st_size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=200, help="average words per generated story")
    parser.add_argument("--backup-stories", type=int, default=20_000)
    parser.add_argument("--keep", help="reuse/keep the generated library in this folder")
    args = parser.parse_args()

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="tale-bench-"))
    try:
        lib_dir = folder / "library"
        build_s = None
        if not (lib_dir / "library.sqlite3").exists():
            build_s = build_library(lib_dir, args.stories, args.words)
        db_mb = (lib_dir / "library.sqlite3").stat().st_size / 1e6
        res = asyncio.run(measure_library(lib_dir))
        via_model = scroll_model(lib_dir)
        if via_model is not None:
            res.update(via_model)
            res["rss_mb"] = rss_mb()
        cli_dir = folder / "cli"
        shutil.rmtree(cli_dir, ignore_errors=True)
        cli_dir.mkdir(parents=True)
        cli = measure_cli_import(cli_dir, args.backup_stories, args.words)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)

    rows = [
        ("stories in library", f"{res['total']:,} (~{args.words} words each, {db_mb:.0f} MB file)", "", ""),
        ("generate + index", f"{build_s:.1f} s" if build_s else "(reused)", "", ""),
        ("open library (check + migrate)", f"{res['open_ms']:.0f} ms", "", ""),
        ("open + count + first page", f"{res['open_first_page_ms']:.0f} ms", "<= 300 ms",
         res["open_first_page_ms"] <= 300),
        ("search: first page p95", f"{res['search_p95_ms']:.1f} ms", "<= 50 ms", res["search_p95_ms"] <= 50),
        ("search: first page max", f"{res['search_max_ms']:.1f} ms", "", ""),
        ("search: total count p95", f"{res['count_p95_ms']:.1f} ms", "", ""),
        ("slowest query", str(res["slowest_query"]), "", ""),
        ("scroll all rows", f"{res['scroll_rows']:,} rows in {res['scroll_s']:.1f} s via {res['scroll_via']}",
         "", ""),
        ("scroll slowest page (200 rows)", f"{res['scroll_slowest_page_ms']:.1f} ms", "< 100 ms (no stall)",
         res["scroll_slowest_page_ms"] < 100),
        ("event-loop stall while scrolling", "n/a" if res["scroll_stall_ms"] is None else
         f"{res['scroll_stall_ms']:.0f} ms", "< 50 ms", "" if res["scroll_stall_ms"] is None else
         res["scroll_stall_ms"] < 50),
        ("peak RSS", f"{res['rss_mb']:.0f} MB", "<= 250 MB", res["rss_mb"] <= 250),
        (f"CLI import {args.backup_stories:,} stories", f"{cli['import_s']:.2f} s ({cli['backup_mb']:.0f} MB)",
         "", ""),
        ("CLI search after import", f"{cli['search_cmd_s']:.2f} s", "", ""),
        ("CLI import + search", f"{cli['import_s'] + cli['search_cmd_s']:.2f} s", "< 3 s",
         cli["import_s"] + cli["search_cmd_s"] < 3),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':<60}  {'budget':<20}  ok")
    for name, value, budget, ok in rows:
        verdict = "" if ok == "" else ("yes" if ok else "NO")
        print(f"{name:<{width}}  {value:<60}  {budget:<20}  {verdict}")


if __name__ == "__main__":
    main()
