"""The window application: QApplication on a qasync event loop, the composition root, and a clean shutdown.

Start-up order (paint first, do the rest after): QApplication (name, icon, style) -> the qasync loop -> a light
start-up frame (the window's title, place and size, "Opening your library…") is shown and painted -> in a worker
thread: the window's modules are imported and ``AppContext.create`` opens settings and the library file -> the
main window replaces the frame in the same place -> HTTP clients are prepared and built-in content installed off
the loop thread -> the long-lived heap is frozen for the garbage collector -> the SDKs (openai; ElevenLabs when
configured) are imported in a worker thread, so the first Generate or Play does not wait -> wait until the window
closes -> cancel tasks, close HTTP clients and the database. No SDK is imported before the first paint.

A library that cannot be opened (damaged or read-only file, unwritable data folder) shows a clear message box and
exits with code 2 without touching the file.

Environment hooks:
- ``TALE_QUIT_AFTER_MS``: when set to a positive number, the window (or the start-up error box) closes by itself
  that many milliseconds after it is shown, exactly as if the parent had closed it. Used by the start/quit tests
  and the start-up benchmark; unset (the default) it does nothing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import time
from pathlib import Path

from tale_desktop import APP_NAME, APP_TITLE

log = logging.getLogger(__name__)

EXIT_STORAGE = 2
LOG_FILE = Path("logs") / "tale-desktop.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 3
_STARTED = time.perf_counter()


def quit_after_ms() -> int:
    try:
        return max(0, int(os.environ.get("TALE_QUIT_AFTER_MS", "0") or 0))
    except ValueError:
        return 0


def data_dir_from_env() -> Path:
    import platformdirs

    return Path(os.environ.get("TALE_DATA_DIR") or platformdirs.user_data_dir(APP_NAME, appauthor=False))


class TerseFormatter(logging.Formatter):
    """For the terminal: warnings are one line; only errors carry their traceback (the log file has all)."""

    def format(self, record: logging.LogRecord) -> str:
        if record.levelno >= logging.ERROR or not record.exc_info:
            return super().format(record)
        record.message = record.getMessage()
        return self.formatMessage(record)


class EarlyRecords(logging.Handler):
    """Keeps the records logged before the log file is opened (the window paints first: opening the file needs
    ``logging.handlers``, whose imports took ~7 ms), for :func:`setup_file_logging` to write first."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []
        self.terminal_level = logging.getLogger().level or logging.WARNING

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @classmethod
    def install(cls) -> EarlyRecords:
        handler = cls()
        root = logging.getLogger()
        for existing in root.handlers:  # the terminal stays as quiet as before (see setup_file_logging)
            if existing.level == logging.NOTSET:
                existing.setLevel(handler.terminal_level)
        root.addHandler(handler)
        root.setLevel(min(handler.terminal_level, logging.INFO))
        return handler


def setup_file_logging(data_dir: Path, early: EarlyRecords | None = None) -> Path | None:
    """Log INFO and above to a rotating file in the data folder (never keys). Returns the path, if writable.
    ``early``: records logged before this, written to the file first."""
    import logging.handlers

    root = logging.getLogger()
    if early is not None:
        root.removeHandler(early)
    path = data_dir / LOG_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS,
                                                       encoding="utf-8", delay=True)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    for record in early.records if early is not None else ():
        handler.handle(record)
    terminal_level = early.terminal_level if early is not None else root.level or logging.WARNING
    for existing in root.handlers:  # keep the terminal as quiet as before (WARNING unless --verbose)
        if existing.level == logging.NOTSET:
            existing.setLevel(terminal_level)
        if existing.formatter is not None:
            existing.setFormatter(TerseFormatter(existing.formatter._fmt))
    root.addHandler(handler)
    root.setLevel(min(terminal_level, logging.INFO))
    for noisy in ("httpx", "httpcore", "openai", "elevenlabs", "hpack"):
        logging.getLogger(noisy).setLevel(logging.WARNING)  # request lines may carry ids: keep them out
    return path


def _make_application():
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from tale_desktop.resources_path import resource

    app = QApplication.instance() or QApplication([APP_NAME])  # argv[0] names the X11 window class
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_NAME)
    app.setWindowIcon(QIcon(str(resource("icons", "tale-desktop.svg"))))
    install_interface_language()
    app.setStyle("Fusion")
    from tale_desktop.ui.common import theme

    # The environment's choice first (the stored one is applied by the window's ThemeManager once settings load).
    # Guessed from the system's palette for "system": asking the colour scheme costs ~40 ms before the first paint.
    theme.apply(app, theme.resolve(os.environ.get("TALE_THEME", theme.SYSTEM).strip().lower(), guess=True))
    # The window's close ends the app through ``main`` (so cleanup runs on a live loop), not Qt's own quit.
    app.setQuitOnLastWindowClosed(False)
    return app


def install_interface_language() -> str:
    """Translators for ``TALE_LANGUAGE`` / the saved choice / the system locale, before any widget exists."""
    from tale_desktop.settings import startup_interface_language
    from tale_desktop.ui.common.language import apply_language, current_language, system_ui_languages

    apply_language(startup_interface_language(system_names=system_ui_languages()))
    return current_language()


async def show_fatal(message: str) -> None:
    """A clear, non-blocking message box for a problem that stops the start; returns when it is closed."""
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtWidgets import QMessageBox

    from tale_desktop.ui.asyncqt import open_and_wait
    from tale_desktop.ui.common.language import localized

    title = QCoreApplication.translate("app", "{app} cannot open the library").format(app=APP_TITLE)
    box = QMessageBox(QMessageBox.Icon.Critical, title, localized(message), QMessageBox.StandardButton.Close)
    box.setInformativeText(QCoreApplication.translate(
        "app", "Nothing was changed. Fix the problem above and start Tale Desktop again."))
    if ms := quit_after_ms():
        QTimer.singleShot(ms, box.reject)
    await open_and_wait(box)


class _FirstPaint:
    """The start-up frame: a plain window painted at once while the real one is being built."""

    def __init__(self) -> None:
        from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QObject
        from PySide6.QtWidgets import QLabel, QMainWindow

        from tale_desktop import settings as cfg

        self.painted_at: float | None = None
        self.closed = False
        frame = self.frame = QMainWindow()
        frame.setWindowTitle(APP_TITLE)
        frame.resize(1180, 760)
        try:
            geometry = cfg.Settings().get(cfg.UI_WINDOW_GEOMETRY)
        except Exception:  # noqa: BLE001 - the real window reports settings problems
            geometry = ""
        if geometry:
            frame.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii")))
        label = QLabel(QCoreApplication.translate("Startup", "Opening your library…"))
        # Centred by a style property: the Qt namespace (Qt.AlignmentFlag) costs ~40 ms on first use, after the paint.
        label.setStyleSheet("qproperty-alignment: AlignCenter;")
        label.setObjectName("startupHint")
        frame.setCentralWidget(label)
        outer = self

        class Watch(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
                if event.type() == QEvent.Type.Paint and outer.painted_at is None:
                    outer.painted_at = time.perf_counter()
                elif event.type() == QEvent.Type.Close and watched is frame:
                    outer.closed = True  # closed before the window was ready: quit once it is
                return False

        self._watch = Watch(frame)
        label.installEventFilter(self._watch)
        frame.installEventFilter(self._watch)

    def show(self) -> None:
        self.frame.show()

    def paint_now(self, timeout_s: float = 5.0) -> None:
        """Before the event loop exists: let Qt show and paint the frame (nothing else is imported yet)."""
        from PySide6.QtCore import QCoreApplication, QEventLoop

        deadline = time.monotonic() + timeout_s
        while self.painted_at is None and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)

    async def painted(self, timeout_s: float = 5.0) -> None:
        import asyncio

        deadline = time.monotonic() + timeout_s
        while self.painted_at is None and time.monotonic() < deadline:
            await asyncio.sleep(0.005)

    def log_shown(self) -> None:
        painted = self.painted_at or time.perf_counter()
        log.info("Window shown %.0f ms after the app module loaded (at %.3f)", (painted - _STARTED) * 1000,
                 time.time() - (time.perf_counter() - painted))

    def replace_with(self, window) -> None:
        from tale_desktop import settings as cfg

        if not window.ctx.settings.get(cfg.UI_WINDOW_GEOMETRY):
            window.setGeometry(self.frame.geometry())
        window.show()
        self.close()

    def close(self) -> None:
        self.frame.removeEventFilter(self._watch)
        self.frame.hide()
        self.frame.deleteLater()


# What the first request imports (httpx's transport, anyio's asyncio backend, the HTTP/1.1 and HTTP/2 codecs), and
# the parts of each SDK that a first story or narration uses (both SDKs load their clients and types lazily, on
# first use): a few hundred milliseconds that would otherwise stall the loop thread in the middle of a story.
NETWORK_MODULES = ("httpcore._async.connection_pool", "httpcore._async.http11", "httpcore._async.http2",
                   "httpcore._backends.anyio", "httpcore._backends.auto", "anyio._backends._asyncio",
                   "anyio.streams.tls", "h11", "h2.connection")
SDK_MODULES = {
    "openai": ("openai", "openai._streaming"),
    "elevenlabs": ("elevenlabs.client", "elevenlabs.voices.client", "elevenlabs.text_to_speech.client",
                   "elevenlabs.types.get_voices_response", "elevenlabs.types.audio_with_timestamps_response"),
}


def _warm_sdks(settings) -> None:
    """Worker thread, after the window is up: import what the first Generate / Play / sync will need."""
    import importlib

    wanted = {"openai": settings.llm_configured, "elevenlabs": settings.elevenlabs_configured}
    for group, names in (("network", NETWORK_MODULES), *SDK_MODULES.items()):
        if not wanted.get(group, True):
            continue
        for name in names:
            try:
                importlib.import_module(name)
            except ImportError:  # a newer SDK may have moved a module: it loads on first use instead
                log.info("Could not load %s ahead of time (%s)", name, group)


def _create_context():
    """Worker thread: import the heavy modules (httpx, SDK glue, widgets code) and open the library."""
    import tale_desktop.ui.shell.main_window  # noqa: F401 - warm the import off the loop thread
    from tale_desktop.context import AppContext

    return AppContext.create()


async def main(app, collector=None, first: _FirstPaint | None = None) -> int:
    """Paint a start-up frame (unless ``first`` is already painted), build the context and window off the loop
    thread, show the window, wait for it to close, then shut down cleanly. ``collector`` (the GC guard) is told
    when start-up is done."""
    import asyncio

    from PySide6.QtCore import QCoreApplication, QTimer

    from tale_desktop.domain.messages import msg
    from tale_desktop.storage.errors import StorageError

    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)  # e.g. the desktop session ends
    if first is None:
        first = _FirstPaint()
        first.show()
        await first.painted()  # the frame first (no other thread competes with it)...
        first.log_shown()
    building = asyncio.ensure_future(asyncio.to_thread(_create_context))  # ...then the rest
    try:
        ctx = await building
    except StorageError as exc:
        first.close()
        log.error("Cannot open the library: %s", exc.user_message)
        print(f"{APP_NAME}: {exc.user_message}", file=sys.stderr)
        await show_fatal(exc.user_message)
        return EXIT_STORAGE

    from tale_desktop.ui.shell.main_window import MainWindow

    window = None
    try:
        preparing = ctx.tasks.spawn(ctx.http.prepare_async(), name="startup.http", cancellable=False,
                                    title=msg("task.prepare_connections"))  # SSL contexts, off the loop thread
        window = MainWindow(ctx)
        window.closed.connect(closed.set)
        _restart_on_request(window)
        first.replace_with(window)
        QTimer.singleShot(0, lambda: log.info("Library window ready %.0f ms after the app module loaded",
                                              (time.perf_counter() - _STARTED) * 1000))
        if first.closed:
            QTimer.singleShot(0, window.close)
        if ms := quit_after_ms():
            QTimer.singleShot(ms, window.close)
        try:
            await ctx.start()  # built-in heroes and starter stories on first run (DB worker thread)
        except StorageError as exc:
            log.error("Cannot prepare the library: %s", exc.user_message)
            print(f"{APP_NAME}: {exc.user_message}", file=sys.stderr)
            window.hide()
            await show_fatal(exc.user_message)
            return EXIT_STORAGE
        except Exception:  # the library still works without the starter content
            log.exception("Installing the built-in heroes and stories failed")
            from tale_desktop.ui.common.dialogs import show_error

            show_error(window, QCoreApplication.translate("app", "Starter content"),
                       QCoreApplication.translate("app", "The built-in heroes and starter stories could not be "
                                                         "installed. Details were written to the log."))
        window.start()
        from tale_desktop.ui.sync.sync_wiring import install_sync_ui

        install_sync_ui(window, ctx)  # status indicator, Sync action, Account section, background sync
        await preparing.wait()  # a failure is logged; clients are then made on first use
        if collector is not None:
            collector.settle()  # what is alive now lives as long as the window: never scan it again
        ctx.tasks.spawn(asyncio.to_thread(_warm_sdks, ctx.settings), name="startup.sdks", cancellable=False,
                        title=msg("task.prepare_connections"))
        await closed.wait()
        return 0
    finally:
        if window is not None:
            window.hide()
        await ctx.aclose()
        if window is not None:
            window.deleteLater()
        log.info("Closed cleanly")


def _restart_on_request(window) -> None:
    """"Restart now" (a new interface language): close the window like the parent would, then start again."""
    from tale_desktop.ui.asyncqt import alive
    from tale_desktop.ui.common.language import language_switch

    switch = language_switch()

    def close_for_restart() -> None:
        if not alive(window):
            return
        window.close()
        if window.isVisible():  # the parent chose to stay (e.g. a story is being written)
            switch.restart_pending = False

    def forget(*_args: object) -> None:
        with contextlib.suppress(RuntimeError, TypeError):
            switch.restart_requested.disconnect(close_for_restart)

    switch.restart_requested.connect(close_for_restart)
    window.destroyed.connect(forget)


def restart_pending() -> bool:
    from tale_desktop.ui.common.language import language_switch

    return language_switch().restart_pending


def run_app() -> int:
    """Entry point for ``tale-desktop`` without a subcommand; returns the process exit code."""
    os.environ.setdefault("QT_API", "pyside6")
    early = EarlyRecords.install()
    app = _make_application()
    first = _FirstPaint()  # painted before the event loop, qasync and the GC guard are even imported
    first.show()
    first.paint_now()
    setup_file_logging(data_dir_from_env(), early)
    first.log_shown()
    import asyncio

    from tale_desktop.ui.asyncqt import QtEventLoop

    with asyncio.Runner(loop_factory=QtEventLoop) as runner:
        loop = runner.get_loop()

        def interrupt(*_args: object) -> None:  # Ctrl+C in a terminal: close like the window's close button
            for widget in app.topLevelWidgets():
                if widget.isVisible():
                    loop.call_soon_threadsafe(widget.close)

        previous = signal.signal(signal.SIGINT, interrupt)
        from PySide6.QtCore import QTimer

        wake = QTimer()  # lets Python run its signal handlers while Qt is idle
        wake.start(300)
        wake.timeout.connect(lambda: None)
        from tale_desktop.ui.gc_guard import MainThreadCollector

        collector = MainThreadCollector()  # Qt objects must never be collected on a worker thread
        collector.start()
        try:
            code = runner.run(main(app, collector, first))
        except asyncio.CancelledError:
            return 130
        except RuntimeError as exc:
            if "Event loop stopped before Future completed" in str(exc):  # Qt quit under us; cleanup ran
                return 0
            raise
        finally:
            wake.stop()
            collector.stop()
            signal.signal(signal.SIGINT, previous)
    if code == 0 and restart_pending():
        log.info("Restarting in the newly chosen language")
        logging.shutdown()
        os.execv(sys.executable, [sys.executable, "-m", "tale_desktop", *sys.argv[1:]])
    return code
