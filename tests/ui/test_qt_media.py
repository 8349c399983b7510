"""The guards against the PySide/Qt deadlock described in ui.listen.qt_media: every player is made there, its
calls reach Qt (invokeMethod finds each slot by its signature), and no Python Qt message handler is installed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QObject, qInstallMessageHandler
from PySide6.QtMultimedia import QMediaPlayer

from tale_desktop.ui.listen import qt_media

PACKAGE = Path(qt_media.__file__).resolve().parents[2]
MADE_HERE = re.compile(r"\b(QMediaPlayer|QAudioOutput)\(")


def test_only_qt_media_makes_players_and_outputs():
    makers = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
              if path.name != "qt_media.py" and MADE_HERE.search(path.read_text(encoding="utf-8"))]
    assert makers == []


def test_calls_reach_the_player_and_output(qapp):
    parent = QObject()
    try:
        player, output = qt_media.make_player(parent, loops=QMediaPlayer.Loops.Infinite)
        assert player.audioOutput() is output and player.loops() == QMediaPlayer.Loops.Infinite
        assert player.parent() is parent and output.parent() is parent
        qt_media.set_volume(output, 0.25)
        qt_media.set_rate(player, 1.25)
        qt_media.seek(player, 0)
        qt_media.play(player)
        qt_media.pause(player)
        qt_media.stop(player)
        assert output.volume() == pytest.approx(0.25)
        assert player.playbackRate() == pytest.approx(1.25)
        assert player.playbackState() == QMediaPlayer.PlaybackState.StoppedState and player.position() == 0
    finally:
        shiboken6.delete(parent)


def test_no_python_qt_message_handler_is_installed(qapp):
    """Qt's audio thread warns when there is no sound device: a Python handler would run on that thread."""
    previous = qInstallMessageHandler(None)
    qInstallMessageHandler(previous)
    assert previous is None
    installers = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                  if path.name != "qt_media.py" and "qInstallMessageHandler" in path.read_text(encoding="utf-8")]
    assert installers == []
