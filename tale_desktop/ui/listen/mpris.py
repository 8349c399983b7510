"""MPRIS2 on Linux: ``org.mpris.MediaPlayer2.tale_desktop`` on the session bus, so media keys, the desktop's media
controls and headsets drive the player.

Self-contained: it talks to the player only through :class:`MprisPlayerAdapter` (play, pause, stop, next,
previous, seek, position, metadata and three change signals), so any player can be plugged in;
:class:`AudioPlayerAdapter` plugs in today's :class:`tale_desktop.ui.listen.player.AudioPlayer`.

    adapter = AudioPlayerAdapter(player)            # or a subclass of MprisPlayerAdapter for another player
    adapter.set_track(TrackInfo(story.id, story.title, story.child_name, cover_path))
    mpris = MprisService.start(adapter)            # None when there is no session bus (logged, not an error)
    ...
    mpris.close()                                  # at quit

Both interfaces are QtDBus adaptors (``QDBusAbstractAdaptor`` with Qt properties and slots), so QtDBus answers
Introspect, Properties.Get/GetAll/Set itself with the D-Bus types MPRIS asks for; ``PropertiesChanged`` is sent
when the adapter reports a change. Known limit: inside ``Metadata`` (a variant map built from Python values)
``mpris:length`` travels as a 32-bit integer for stories shorter than ~35 minutes (PySide6 offers no way to force
int64 there); ``Position`` and ``Seeked`` are int64 as the specification says.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import ClassInfo, Property, QMetaType, QObject, Signal, Slot
from PySide6.QtDBus import QDBusAbstractAdaptor, QDBusArgument, QDBusConnection, QDBusMessage, QDBusObjectPath

from tale_desktop import APP_NAME, APP_TITLE

log = logging.getLogger(__name__)

BUS_NAME = "org.mpris.MediaPlayer2.tale_desktop"
OBJECT_PATH = "/org/mpris/MediaPlayer2"
ROOT_INTERFACE = "org.mpris.MediaPlayer2"
PLAYER_INTERFACE = "org.mpris.MediaPlayer2.Player"
PROPERTIES_INTERFACE = "org.freedesktop.DBus.Properties"
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
US = 1_000_000  # MPRIS times are microseconds


@dataclass(frozen=True, slots=True)
class TrackInfo:
    story_id: str
    title: str
    child_name: str = ""
    cover: Path | None = None  # a picture of the story (its cover), shown by the desktop's media controls
    duration_s: float = 0.0

    @property
    def track_id(self) -> str:
        # An object path: letters, digits and underscores only.
        return "/org/tale_desktop/story/" + "".join(c if c.isalnum() else "_" for c in self.story_id)


class MprisPlayerAdapter(QObject):
    """What MPRIS needs from a player. Subclass it for a player and emit the signals when things change."""

    status_changed = Signal()  # playing / paused / stopped changed
    metadata_changed = Signal()  # another story (or its title, cover, length) is loaded
    seeked = Signal(float)  # the position jumped (a seek, not normal playback), new position in seconds

    def play(self) -> None:
        raise NotImplementedError

    def pause(self) -> None:
        raise NotImplementedError

    def play_pause(self) -> None:
        self.pause() if self.playback_status() == "Playing" else self.play()

    def stop(self) -> None:
        raise NotImplementedError

    def next(self) -> None:
        """The next story of tonight's queue (nothing when there is none)."""

    def previous(self) -> None:
        """The previous story of the queue, or back to the start of this one."""

    def seek(self, offset_s: float) -> None:
        self.set_position(max(0.0, self.position() + offset_s))

    def set_position(self, seconds: float) -> None:
        raise NotImplementedError

    def position(self) -> float:
        return 0.0

    def playback_status(self) -> str:
        """"Playing", "Paused" or "Stopped"."""
        return "Stopped"

    def track(self) -> TrackInfo | None:
        return None

    def volume(self) -> float:
        return 1.0

    def set_volume(self, volume: float) -> None:
        """Optional."""

    def can_go_next(self) -> bool:
        return False

    def can_go_previous(self) -> bool:
        return False

    def raise_window(self) -> None:
        """Optional: show the window (the desktop's "open the player")."""


def metadata_of(track: TrackInfo | None) -> dict[str, object]:
    if track is None:
        return {"mpris:trackid": QDBusObjectPath(NO_TRACK)}
    data: dict[str, object] = {"mpris:trackid": QDBusObjectPath(track.track_id), "xesam:title": track.title}
    if track.child_name:
        data["xesam:artist"] = [track.child_name]
    if track.duration_s > 0:
        data["mpris:length"] = int(track.duration_s * US)
    if track.cover is not None:
        data["mpris:artUrl"] = Path(track.cover).resolve().as_uri()
    return data


@ClassInfo({"D-Bus Interface": ROOT_INTERFACE})
class _RootAdaptor(QDBusAbstractAdaptor):
    def __init__(self, parent: QObject, adapter: MprisPlayerAdapter):
        super().__init__(parent)
        self._adapter = adapter

    CanQuit = Property(bool, lambda self: False)
    CanRaise = Property(bool, lambda self: True)
    HasTrackList = Property(bool, lambda self: False)
    Identity = Property(str, lambda self: APP_TITLE)
    DesktopEntry = Property(str, lambda self: APP_NAME)
    SupportedUriSchemes = Property("QStringList", lambda self: [])
    SupportedMimeTypes = Property("QStringList", lambda self: [])

    @Slot()
    def Raise(self) -> None:  # noqa: N802 - D-Bus method name
        self._adapter.raise_window()

    @Slot()
    def Quit(self) -> None:  # noqa: N802 - D-Bus method name (CanQuit is false)
        log.info("MPRIS Quit ignored (CanQuit is false)")


@ClassInfo({"D-Bus Interface": PLAYER_INTERFACE})
class _PlayerAdaptor(QDBusAbstractAdaptor):
    Seeked = Signal("qlonglong")  # noqa: N815 - D-Bus signal name

    def __init__(self, parent: QObject, adapter: MprisPlayerAdapter):
        super().__init__(parent)
        self._adapter = adapter

    # -- properties (read by QtDBus through the meta-object, typed as MPRIS says) --------------------------------
    def _volume(self) -> float:
        return float(self._adapter.volume())

    def _set_volume(self, volume: float) -> None:
        self._adapter.set_volume(min(1.0, max(0.0, float(volume))))

    PlaybackStatus = Property(str, lambda self: self._adapter.playback_status())
    Rate = Property(float, lambda self: 1.0)
    MinimumRate = Property(float, lambda self: 1.0)
    MaximumRate = Property(float, lambda self: 1.0)
    Metadata = Property("QVariantMap", lambda self: metadata_of(self._adapter.track()))
    Volume = Property(float, _volume, _set_volume)
    Position = Property("qlonglong", lambda self: int(self._adapter.position() * US))
    CanGoNext = Property(bool, lambda self: self._adapter.can_go_next())
    CanGoPrevious = Property(bool, lambda self: self._adapter.can_go_previous())
    CanPlay = Property(bool, lambda self: self._adapter.track() is not None)
    CanPause = Property(bool, lambda self: self._adapter.track() is not None)
    CanSeek = Property(bool, lambda self: self._adapter.track() is not None)
    CanControl = Property(bool, lambda self: True)

    # -- methods -------------------------------------------------------------------------------------------------
    @Slot()
    def Play(self) -> None:  # noqa: N802
        self._adapter.play()

    @Slot()
    def Pause(self) -> None:  # noqa: N802
        self._adapter.pause()

    @Slot()
    def PlayPause(self) -> None:  # noqa: N802
        self._adapter.play_pause()

    @Slot()
    def Stop(self) -> None:  # noqa: N802
        self._adapter.stop()

    @Slot()
    def Next(self) -> None:  # noqa: N802
        self._adapter.next()

    @Slot()
    def Previous(self) -> None:  # noqa: N802
        self._adapter.previous()

    @Slot("qlonglong")
    def Seek(self, offset_us: int) -> None:  # noqa: N802
        self._adapter.seek(offset_us / US)

    @Slot(QDBusObjectPath, "qlonglong")
    def SetPosition(self, track_id: QDBusObjectPath, position_us: int) -> None:  # noqa: N802
        track = self._adapter.track()
        if track is None or track_id.path() != track.track_id or position_us < 0:
            return  # the spec: ignore a stale track id
        if track.duration_s and position_us / US > track.duration_s:
            return
        self._adapter.set_position(position_us / US)

    @Slot(str)
    def OpenUri(self, _uri: str) -> None:  # noqa: N802
        log.info("MPRIS OpenUri ignored (no URI schemes supported)")


class MprisService(QObject):
    """Owns the bus name and the object; forwards the adapter's changes as PropertiesChanged / Seeked."""

    def __init__(self, adapter: MprisPlayerAdapter, connection: QDBusConnection):
        super().__init__()
        self.adapter = adapter
        self.connection = connection
        self._root = _RootAdaptor(self, adapter)
        self._player = _PlayerAdaptor(self, adapter)
        self._registered = False
        adapter.status_changed.connect(self._on_status)
        adapter.metadata_changed.connect(self._on_metadata)
        adapter.seeked.connect(self._on_seeked)

    @classmethod
    def start(cls, adapter: MprisPlayerAdapter, connection: QDBusConnection | None = None) -> MprisService | None:
        """Register on ``connection`` (default: the session bus); ``None`` when that is not possible (no bus,
        not Linux, or another instance holds the name), which only costs the media keys."""
        if connection is None:
            if not sys.platform.startswith("linux"):
                return None
            connection = QDBusConnection.sessionBus()
        if not connection.isConnected():
            log.info("MPRIS not available: no D-Bus session bus (%s)", connection.lastError().message())
            return None
        service = cls(adapter, connection)
        if not service._register():
            service.close()
            return None
        return service

    def _register(self) -> bool:
        if not self.connection.registerObject(OBJECT_PATH, self, QDBusConnection.RegisterOption.ExportAdaptors):
            log.info("MPRIS: could not register %s", OBJECT_PATH)
            return False
        if not self.connection.registerService(BUS_NAME):
            log.info("MPRIS: the name %s is taken (%s)", BUS_NAME, self.connection.lastError().message())
            self.connection.unregisterObject(OBJECT_PATH)
            return False
        self._registered = True
        log.info("MPRIS service %s registered", BUS_NAME)
        return True

    def close(self) -> None:
        for signal, slot in ((self.adapter.status_changed, self._on_status),
                             (self.adapter.metadata_changed, self._on_metadata),
                             (self.adapter.seeked, self._on_seeked)):
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect(slot)
        if self._registered:
            self.connection.unregisterService(BUS_NAME)
            self.connection.unregisterObject(OBJECT_PATH)
            self._registered = False

    # -- change notifications ------------------------------------------------------------------------------------
    def _changed(self, interface: str, values: dict[str, object]) -> None:
        if not self._registered:
            return
        message = QDBusMessage.createSignal(OBJECT_PATH, PROPERTIES_INTERFACE, "PropertiesChanged")
        invalidated = QDBusArgument()  # an empty array of strings ("as"; a bare [] would travel as "av")
        invalidated.beginArray(QMetaType(QMetaType.Type.QString))
        invalidated.endArray()
        message.setArguments([interface, values, invalidated])
        self.connection.send(message)

    def _on_status(self) -> None:
        track = self.adapter.track() is not None
        self._changed(PLAYER_INTERFACE, {"PlaybackStatus": self.adapter.playback_status(), "CanPlay": track,
                                         "CanPause": track, "CanSeek": track})

    def _on_metadata(self) -> None:
        self._changed(PLAYER_INTERFACE, {"Metadata": metadata_of(self.adapter.track()),
                                         "CanGoNext": self.adapter.can_go_next(),
                                         "CanGoPrevious": self.adapter.can_go_previous()})

    def _on_seeked(self, position_s: float) -> None:
        if self._registered:
            self._player.Seeked.emit(int(position_s * US))


class AudioPlayerAdapter(MprisPlayerAdapter):
    """Today's :class:`tale_desktop.ui.listen.player.AudioPlayer` behind the adapter. ``next_story``/``previous_story``
    (optional callables) move through tonight's queue; ``raise_window`` shows the window."""

    SEEK_JUMP_S = 1.5  # a position change bigger than playback explains is reported as Seeked

    def __init__(self, player, *, next_story=None, previous_story=None, raise_window=None,  # noqa: ANN001
                 parent: QObject | None = None):
        super().__init__(parent)
        from tale_desktop.ui.listen.player import PlayerState

        self._states = PlayerState
        self.player = player
        self._track: TrackInfo | None = None
        self._next, self._previous, self._raise = next_story, previous_story, raise_window
        self._last_position = 0.0
        player.state_changed.connect(lambda _state: self.status_changed.emit())
        player.duration_changed.connect(lambda _d: self._duration_changed())
        player.position_changed.connect(self._position_changed)

    def set_track(self, track: TrackInfo | None) -> None:
        self._track = track
        self.metadata_changed.emit()

    def _duration_changed(self) -> None:
        if self._track is not None and self.player.duration > 0:
            self._track = TrackInfo(self._track.story_id, self._track.title, self._track.child_name,
                                    self._track.cover, self.player.duration)
            self.metadata_changed.emit()

    def _position_changed(self, seconds: float) -> None:
        if abs(seconds - self._last_position) > self.SEEK_JUMP_S:
            self.seeked.emit(seconds)
        self._last_position = seconds

    def play(self) -> None:
        self.player.play()

    def pause(self) -> None:
        self.player.pause()

    def stop(self) -> None:
        self.player.stop()

    def next(self) -> None:
        if self._next:
            self._next()

    def previous(self) -> None:
        if self._previous:
            self._previous()
        else:
            self.set_position(0.0)

    def set_position(self, seconds: float) -> None:
        self.player.seek(seconds)

    def position(self) -> float:
        return float(self.player.position)

    def playback_status(self) -> str:
        state = self.player.state
        if state is self._states.PLAYING or (state is self._states.LOADING and self.player.source is not None):
            return "Playing"
        if state is self._states.PAUSED:
            return "Paused"
        return "Stopped"

    def track(self) -> TrackInfo | None:
        return self._track

    def volume(self) -> float:
        return float(self.player.volume)

    def set_volume(self, volume: float) -> None:
        self.player.set_volume(volume)

    def can_go_next(self) -> bool:
        return self._next is not None

    def can_go_previous(self) -> bool:
        return self._track is not None

    def raise_window(self) -> None:
        if self._raise:
            self._raise()
