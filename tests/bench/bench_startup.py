"""Start-up benchmark: time from launching ``python -m tale_desktop`` to the first painted window.

Runs the real program N times (offscreen Qt, fresh data dir for the first run, the same one after), reads the
"Window shown ... (at EPOCH)" line the app logs right after its first paint, and prints a table.
Usage: ``python tests/bench/bench_startup.py [N]``.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOWN = re.compile(r"Window shown .* \(at ([0-9.]+)\)")


def run_once(data: Path, config: Path) -> tuple[float, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"), "TALE_NO_KEYRING": "1",
           "TALE_DATA_DIR": str(data), "TALE_CONFIG_DIR": str(config), "TALE_QUIT_AFTER_MS": "50",
           "PYTHONPATH": str(ROOT)}
    log = data / "logs" / "tale-desktop.log"
    if log.exists():
        log.unlink()
    start = time.time()
    subprocess.run([sys.executable, "-m", "tale_desktop"], env=env, cwd=ROOT, check=True, capture_output=True,
                   timeout=60)
    total = time.time() - start
    match = SHOWN.search(log.read_text())
    if match is None:
        raise SystemExit("the app did not log its first paint")
    return (float(match.group(1)) - start) * 1000, total * 1000


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        data, config = Path(tmp) / "data", Path(tmp) / "config"
        first_paint, total = run_once(data, config)
        rows = [("first start (new library)", first_paint, total)]
        paints, totals = [], []
        for _ in range(runs):
            paint, whole = run_once(data, config)
            paints.append(paint)
            totals.append(whole)
        rows.append((f"later starts (median of {runs})", statistics.median(paints), statistics.median(totals)))
    print(f"{'case':34} {'launch -> first paint':>22} {'launch -> exit (quit at +50 ms)':>32}")
    for name, paint, whole in rows:
        print(f"{name:34} {paint:>19.0f} ms {whole:>29.0f} ms")


if __name__ == "__main__":
    main()
