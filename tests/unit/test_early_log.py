"""Start-up logging: records from before the log file is opened (the window paints first) still reach it."""

from __future__ import annotations

import io
import logging

from tale_desktop import app


def test_records_logged_before_the_log_file_are_written_to_it_first(tmp_path):
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    terminal = logging.StreamHandler(io.StringIO())
    root.addHandler(terminal)
    log = logging.getLogger("tale_desktop.test_early_log")
    try:
        early = app.EarlyRecords.install()
        log.info("before the file")
        log.debug("too detailed for the file")
        path = app.setup_file_logging(tmp_path, early)
        assert path is not None
        log.info("after the file")
        log.warning("a warning")
        for handler in root.handlers:
            handler.flush()
        text = path.read_text(encoding="utf-8")
        assert text.index("before the file") < text.index("after the file") < text.index("a warning")
        assert "too detailed" not in text
        assert early not in root.handlers
        shown = terminal.stream.getvalue()
        assert "a warning" in shown and "before the file" not in shown and "after the file" not in shown
    finally:
        for handler in root.handlers:
            if handler not in saved_handlers:
                handler.close()
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
