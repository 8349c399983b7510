"""QMediaPlayer + QAudioOutput as every player of the app makes and drives them, clear of a PySide/Qt deadlock.

The deadlock (seen as a test run hanging for good in ``QMediaPlayer.stop()``): Qt's FFmpeg backend deletes a
pipeline's audio renderer on the renderer's own thread whenever it rebuilds the pipeline (stop, seek, a new
source, a loop). ``~QObject`` then calls ``disconnectNotify()`` on the renderer's sender, our QAudioOutput,
while it holds a Qt signal-slot lock. A QAudioOutput made from Python is a PySide wrapper, and a wrapper's
first call of a C++ virtual takes the GIL to look for a Python override. Meanwhile the main thread, still
holding the GIL inside ``stop()`` (PySide releases it only around ``setSource``), disconnects the next
pipeline object and waits for that same lock. Each waits for the other; as no Python code runs any more,
pytest-timeout's thread cannot fire either. Any machine can meet it (with or without a sound device).

Two guards, both here so that every player has them:

* :func:`make_player` has the new wrappers answer those override lookups once, on the main thread: shiboken
  then remembers "no Python override" per object and virtual, and the FFmpeg threads never take the GIL.
* the transport calls below (:func:`play`, :func:`pause`, :func:`stop`, :func:`seek`, :func:`set_rate`,
  :func:`set_volume`) go through ``QMetaObject.invokeMethod`` on this thread, which releases the GIL around the
  C++ call, so the main thread never waits for a Qt thread while holding it.

One more way in for Python on that thread: a Python Qt message handler (``qInstallMessageHandler``). With no sound
device the renderer warns "No audio device detected" each time it is built, and the handler would then run on
the renderer's thread (the same wait for the GIL; PySide also crashes when the handler is swapped at that
moment). The app installs none, and the tests turn pytest-qt's off (``--no-qt-log`` in pyproject.toml).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")

from PySide6.QtCore import Q_ARG, QMetaObject, QObject, Qt, QUrl  # noqa: E402
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer  # noqa: E402

_DIRECT = Qt.ConnectionType.DirectConnection


def _noop(*_args: object) -> None:
    pass


def _answer_override_lookups(signal) -> None:  # noqa: ANN001 - a bound PySide signal
    """Connect and disconnect once: the wrapper's connectNotify/disconnectNotify look for a Python override now
    (GIL held, main thread) and never again."""
    signal.connect(_noop)
    signal.disconnect(_noop)


def make_player(parent: QObject, *, loops: int | None = None) -> tuple[QMediaPlayer, QAudioOutput]:
    """A player and its audio output, both children of ``parent``."""
    player = QMediaPlayer(parent)
    output = QAudioOutput(parent)
    _answer_override_lookups(player.positionChanged)
    _answer_override_lookups(output.volumeChanged)
    player.setAudioOutput(output)
    if loops is not None:
        player.setLoops(loops)
    return player, output


def _call(target: QObject, method: str, *args: object) -> None:
    """``target.method(*args)`` on this thread, with the GIL released for the C++ call."""
    if not QMetaObject.invokeMethod(target, method, _DIRECT, *args):
        raise RuntimeError(f"{type(target).__name__}.{method} could not be called")


def play(player: QMediaPlayer) -> None:
    _call(player, "play")


def pause(player: QMediaPlayer) -> None:
    _call(player, "pause")


def stop(player: QMediaPlayer) -> None:
    """Stop: back to the start, state Stopped (the pipeline is rebuilt, the case the module docstring is about)."""
    _call(player, "stop")


def seek(player: QMediaPlayer, ms: int) -> None:
    _call(player, "setPosition", Q_ARG("qint64", int(ms)))


def set_rate(player: QMediaPlayer, rate: float) -> None:
    _call(player, "setPlaybackRate", Q_ARG("double", float(rate)))


def set_source(player: QMediaPlayer, url: QUrl) -> None:
    """``setSource`` (PySide already releases the GIL for it); an empty QUrl lets go of the file."""
    player.setSource(url)


def set_volume(output: QAudioOutput, gain: float) -> None:
    """The output's linear gain (0..1)."""
    _call(output, "setVolume", Q_ARG("float", float(gain)))
