"""Test setup shared by every test: headless Qt, no keyring, a fresh data/config dir, one QApplication.

Async tests run on both a qasync loop (the one the app uses) and a plain asyncio loop; tests that need Qt's
loop (widgets, signals) select it with ``@pytest.mark.asyncio(loop_factories=["qasync"])``.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["QT_API"] = "pyside6"
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false;qt.qpa.*=false")
os.environ["TALE_NO_KEYRING"] = "1"

import pytest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_ENV_NAMES = (
    "OPENROUTER_API_KEY", "TALE_LLM_BASE_URL", "TALE_LLM_MODEL", "ELEVENLABS_API_KEY", "TALE_ELEVENLABS_BASE_URL",
    "SUPABASE_URL", "SUPABASE_KEY", "TALE_SUPABASE_EMAIL", "TALE_SUPABASE_PASSWORD", "TALE_IMAGE_MODEL",
    "TALE_LANGUAGE",
)


def _qapp() -> QApplication:
    app = QApplication.instance() or QApplication(["tale-desktop-tests"])
    return app  # type: ignore[return-value]


@pytest.fixture(scope="session")
def qapp() -> QApplication:
    """One QApplication for the whole session (overrides pytest-qt's so both share it)."""
    return _qapp()


def _qasync_loop() -> asyncio.AbstractEventLoop:
    from tale_desktop.ui.asyncqt import QtEventLoop

    _qapp()
    return QtEventLoop()


def pytest_asyncio_loop_factories(config, item):  # noqa: ARG001 - pytest-asyncio hook signature
    return {"qasync": _qasync_loop, "asyncio": asyncio.new_event_loop}


@pytest.fixture(autouse=True)
def tale_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Every test gets its own data and config dir and no outside keys."""
    for name in _ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    data, config = tmp_path / "data", tmp_path / "config"
    monkeypatch.setenv("TALE_DATA_DIR", str(data))
    monkeypatch.setenv("TALE_CONFIG_DIR", str(config))
    monkeypatch.setenv("TALE_NO_KEYRING", "1")
    return {"TALE_DATA_DIR": str(data), "TALE_CONFIG_DIR": str(config)}


@pytest.fixture(autouse=True)
def collect_qt_garbage_on_the_main_thread():
    """Destroy the previous test's Qt objects here, on the GUI thread.

    A closed qasync loop (its timer QObject, socket notifiers) and Settings' QSettings sit in reference cycles, so
    the cyclic garbage collector frees them whenever it next runs, in whatever thread allocates at that moment
    (a loopback server thread, a database worker). A QObject destroyed off its thread while the GUI thread
    dispatches its timers crashes the process (seen as a segfault in pytest-qt's processEvents).
    """
    gc.collect()
    yield
    gc.collect()


@pytest.fixture(autouse=True, scope="session")
def _freeze_startup_heap():
    """Keep those collections cheap: objects alive at start (Qt, SDK modules) are never scanned again."""
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True, scope="session")
def _no_automatic_collection():
    """With automatic collection off, the collector never starts in a worker or server thread in the middle of
    a test: the collections above, on the GUI thread, are the only ones (the app does the same with
    ``tale_desktop.ui.gc_guard``)."""
    gc.disable()
    yield
    gc.enable()
