"""The real program: ``python -m tale_desktop`` opens the window on a qasync loop and quits cleanly."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("Traceback", "Task was destroyed but it is pending", "Unclosed", "ResourceWarning",
             "Event loop is closed", "Fatal Python error")


def _run(tale_env: dict[str, str], quit_after_ms: int = 1200) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **tale_env, "QT_QPA_PLATFORM": "offscreen", "TALE_NO_KEYRING": "1",
           "TALE_QUIT_AFTER_MS": str(quit_after_ms), "PYTHONWARNINGS": "error::ResourceWarning",
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-W", "error::ResourceWarning", "-m", "tale_desktop"], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_app_starts_and_quits_cleanly(tale_env):
    result = _run(tale_env)
    assert result.returncode == 0, result.stderr
    for text in FORBIDDEN:
        assert text not in result.stderr, result.stderr
    data = Path(tale_env["TALE_DATA_DIR"])
    assert (data / "library.sqlite3").is_file()
    log = (data / "logs" / "tale-desktop.log").read_text()
    assert "Window shown" in log and "Closed cleanly" in log

    again = _run(tale_env, 600)  # a second start on the same library
    assert again.returncode == 0, again.stderr


def test_corrupt_library_gives_a_clear_error_and_is_left_untouched(tale_env):
    data = Path(tale_env["TALE_DATA_DIR"])
    data.mkdir(parents=True)
    db = data / "library.sqlite3"
    db.write_bytes(b"This is not a database, just some text a sync tool left behind.\n" * 40)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    result = _run(tale_env, 300)
    assert result.returncode == 2, result.stderr
    assert "damaged" in result.stderr and str(db) in result.stderr
    assert "Traceback" not in result.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in data.iterdir() if p.name != "logs") == ["library.sqlite3"]


def test_unwritable_data_dir_gives_a_clear_error(tale_env, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = _run({**tale_env, "TALE_DATA_DIR": str(blocker / "data")}, 300)
    assert result.returncode == 2, result.stderr
    assert "cannot be created" in result.stderr and "TALE_DATA_DIR" in result.stderr
    assert "Traceback" not in result.stderr


async def _window_of(qapp, timeout: float = 10.0):
    from tale_desktop.ui.shell.main_window import MainWindow
    from tests.ui.helpers import until

    return await until(lambda: next((w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow)
                                     and w.isVisible()), None), timeout, "main window")


@pytest.mark.asyncio(loop_factories=["qasync"])
async def test_closing_the_window_cancels_tasks_and_closes_everything(qapp, monkeypatch):
    import asyncio

    from tale_desktop.app import main as app_main

    monkeypatch.setenv("TALE_QUIT_AFTER_MS", "0")
    running = asyncio.ensure_future(app_main(qapp))
    window = await _window_of(qapp)
    ctx = window.ctx
    started = asyncio.Event()

    async def endless():
        started.set()
        await asyncio.sleep(3600)

    handle = ctx.tasks.spawn(endless(), name="test.endless", title="A very long job")
    await started.wait()
    await asyncio.sleep(0.2)  # the lists load meanwhile
    window.quit_action.trigger()
    assert await asyncio.wait_for(running, 10) == 0
    assert handle.task.cancelled()
    assert ctx.tasks.running() == []
    assert ctx.http._clients == {}
    assert ctx.library.store.db._closed
