"""MPRIS2 in a private D-Bus session (``dbus-run-session``): the service is on the bus, PlayPause toggles the
player (a fake one and the real AudioPlayer), Metadata has the title, the child's name and the cover, and
changes are announced with PropertiesChanged. The client is ``gdbus`` (GLib's, as desktop shells use)."""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtDBus import QDBusConnection

from tale_desktop.settings import Settings
from tale_desktop.ui.listen.mpris import (
    BUS_NAME,
    OBJECT_PATH,
    AudioPlayerAdapter,
    MprisPlayerAdapter,
    MprisService,
    TrackInfo,
)
from tale_desktop.ui.listen.player import AudioPlayer, PlayerState
from tests.ui.test_player import tone_wav

PLAYER = "org.mpris.MediaPlayer2.Player"
_pool = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="gdbus")


@pytest.fixture(scope="module")
def bus_address():
    """A private session bus for this module, started by dbus-run-session (skipped when it cannot start)."""
    if not (shutil.which("dbus-run-session") and shutil.which("gdbus")):
        pytest.skip("dbus-run-session or gdbus is not installed (Debian: apt-get install dbus libglib2.0-bin)")
    proc = subprocess.Popen(["dbus-run-session", "--", "sh", "-c", 'echo "$DBUS_SESSION_BUS_ADDRESS"; exec sleep 600'],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    address = proc.stdout.readline().strip() if proc.stdout else ""
    if not address:
        proc.kill()
        pytest.skip("no private D-Bus session could be started")
    yield address
    os.killpg(proc.pid, 15)
    proc.wait(timeout=10)


@pytest.fixture
def connection(bus_address):
    name = f"tale-mpris-test-{os.getpid()}"
    conn = QDBusConnection.connectToBus(bus_address, name)
    if not conn.isConnected():
        pytest.skip(f"cannot connect to the private bus: {conn.lastError().message()}")
    yield conn
    QDBusConnection.disconnectFromBus(name)


def gdbus(qtbot, address: str, *args: str, timeout: float = 10.0) -> str:
    """Run ``gdbus ARGS --address ADDRESS`` in a thread while the Qt loop keeps serving the bus."""
    job = _pool.submit(subprocess.run, ["gdbus", *args[:1], "--address", address, *args[1:]], capture_output=True,
                       text=True, timeout=timeout)
    qtbot.waitUntil(job.done, timeout=int(timeout * 1000) + 2000)
    result = job.result()
    assert result.returncode == 0, result.stderr
    return result.stdout


def call(qtbot, address: str, method: str, *args: str) -> str:
    return gdbus(qtbot, address, "call", "--dest", BUS_NAME, "--object-path", OBJECT_PATH, "--method", method, *args)


def get(qtbot, address: str, prop: str, interface: str = PLAYER) -> str:
    return call(qtbot, address, "org.freedesktop.DBus.Properties.Get", interface, prop)


class FakePlayer(MprisPlayerAdapter):
    def __init__(self):
        super().__init__()
        self.status = "Stopped"
        self.at = 0.0
        self.calls: list[str] = []
        self.current = TrackInfo("3f1c-story", "The Sleepy Fox", "Mia", None, 120.0)

    def play(self):
        self.calls.append("play")
        self.status = "Playing"
        self.status_changed.emit()

    def pause(self):
        self.calls.append("pause")
        self.status = "Paused"
        self.status_changed.emit()

    def stop(self):
        self.calls.append("stop")
        self.status = "Stopped"
        self.status_changed.emit()

    def next(self):
        self.calls.append("next")

    def set_position(self, seconds):
        self.calls.append(f"position {seconds:g}")
        self.at = seconds

    def position(self):
        return self.at

    def playback_status(self):
        return self.status

    def track(self):
        return self.current

    def can_go_next(self):
        return True


@pytest.fixture
def fake_service(qtbot, connection):
    fake = FakePlayer()
    service = MprisService.start(fake, connection)
    assert service is not None
    yield fake, service
    service.close()


def test_service_is_on_the_bus_and_play_pause_toggles(qtbot, bus_address, fake_service):
    fake, _service = fake_service
    names = gdbus(qtbot, bus_address, "call", "--dest", "org.freedesktop.DBus", "--object-path",
                  "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.ListNames")
    assert BUS_NAME in names
    assert "Tale Desktop" in get(qtbot, bus_address, "Identity", "org.mpris.MediaPlayer2")
    call(qtbot, bus_address, f"{PLAYER}.PlayPause")
    assert fake.calls == ["play"] and "'Playing'" in get(qtbot, bus_address, "PlaybackStatus")
    call(qtbot, bus_address, f"{PLAYER}.PlayPause")
    assert fake.calls == ["play", "pause"] and "'Paused'" in get(qtbot, bus_address, "PlaybackStatus")
    call(qtbot, bus_address, f"{PLAYER}.Stop")
    call(qtbot, bus_address, f"{PLAYER}.Next")
    assert fake.calls[-2:] == ["stop", "next"]


def test_metadata_title_child_and_cover(qtbot, bus_address, fake_service, tmp_path):
    fake, _service = fake_service
    metadata = get(qtbot, bus_address, "Metadata")
    assert "'xesam:title': <'The Sleepy Fox'>" in metadata
    assert "'xesam:artist': <['Mia']>" in metadata
    assert "objectpath '/org/tale_desktop/story/3f1c_story'" in metadata
    assert "mpris:artUrl" not in metadata  # no cover: no art
    cover = tmp_path / "cover.png"
    cover.write_bytes(b"\x89PNG")
    fake.current = TrackInfo("3f1c-story", "The Sleepy Fox", "Mia", cover, 120.0)
    assert f"'mpris:artUrl': <'{cover.as_uri()}'>" in get(qtbot, bus_address, "Metadata")
    assert "true" in get(qtbot, bus_address, "CanGoNext")


def test_seek_and_set_position(qtbot, bus_address, fake_service):
    fake, _service = fake_service
    fake.at = 10.0
    call(qtbot, bus_address, f"{PLAYER}.Seek", "int64 5000000")
    assert fake.calls[-1] == "position 15"
    assert "int64 15000000" in get(qtbot, bus_address, "Position")
    call(qtbot, bus_address, f"{PLAYER}.SetPosition", "objectpath '/org/tale_desktop/story/3f1c_story'",
         "int64 42000000")
    assert fake.calls[-1] == "position 42"
    call(qtbot, bus_address, f"{PLAYER}.SetPosition", "objectpath '/org/tale_desktop/story/other'", "int64 1")
    assert fake.calls[-1] == "position 42"  # a stale track id is ignored, as the specification says


def test_changes_are_announced_with_properties_changed(qtbot, bus_address, fake_service):
    fake, _service = fake_service
    monitor = subprocess.Popen(["gdbus", "monitor", "--address", bus_address, "--dest", BUS_NAME],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        qtbot.wait(700)  # let the monitor subscribe
        fake.current = TrackInfo("story-2", "Moon Boat", "Leo", None, 60.0)
        fake.metadata_changed.emit()
        fake.play()
        qtbot.wait(700)
    finally:
        monitor.terminate()
        out, _ = monitor.communicate(timeout=10)
    assert "PropertiesChanged" in out and "Moon Boat" in out and "'Playing'" in out


def test_real_audio_player_pauses_on_play_pause(qtbot, bus_address, connection, tmp_path: Path):
    player = AudioPlayer(Settings())
    if not player.isAvailable():
        shiboken6.delete(player)
        pytest.skip(player.unavailable_message())
    adapter = AudioPlayerAdapter(player)
    service = MprisService.start(adapter, connection)
    assert service is not None
    try:
        player.load(tone_wav(tmp_path / "tone.wav", 6.0))
        adapter.set_track(TrackInfo("story-1", "The Sleepy Fox", "Mia"))
        player.play()
        qtbot.waitUntil(lambda: player.state is PlayerState.PLAYING, timeout=10000)
        assert "'Playing'" in get(qtbot, bus_address, "PlaybackStatus")
        assert "The Sleepy Fox" in get(qtbot, bus_address, "Metadata")
        call(qtbot, bus_address, f"{PLAYER}.PlayPause")
        qtbot.waitUntil(lambda: player.state is PlayerState.PAUSED, timeout=5000)
        assert "'Paused'" in get(qtbot, bus_address, "PlaybackStatus")
        call(qtbot, bus_address, f"{PLAYER}.PlayPause")
        qtbot.waitUntil(lambda: player.state is PlayerState.PLAYING, timeout=5000)
    finally:
        service.close()
        player.release()
        shiboken6.delete(adapter)
        shiboken6.delete(player)


def test_no_bus_means_no_service(qtbot):
    conn = QDBusConnection.connectToBus("unix:path=/nonexistent/tale-bus", "tale-mpris-nobus")
    try:
        assert MprisService.start(FakePlayer(), conn) is None
    finally:
        QDBusConnection.disconnectFromBus("tale-mpris-nobus")
