"""Bedtime listening in the main window, as a parent uses it: the sleep timer fades voice and sound to silence,
stops and stores the position ("+5 min" while it fades brings the volume back); tonight's queue plays in order
and every story resumes where it stopped; bedtime mode goes in and out by key; MPRIS answers for the window's
real player on a private D-Bus session; the panel and the bar fit at 900x600 and 1920x1080, day and night."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtDBus import QDBusConnection
from PySide6.QtTest import QTest

from tale_desktop.ui.common import theme
from tale_desktop.ui.listen.mpris import BUS_NAME, OBJECT_PATH, MprisService
from tale_desktop.ui.listen.player import PlayerState
from tests.integration.narration_helpers import EN_TEXT, story
from tests.library_helpers import make_story
from tests.ui.helpers import until
from tests.ui.layout_checks import clipped

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])

LONG_TEXT = " ".join([EN_TEXT] * 4)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def use_clock(window) -> FakeClock:
    fake = FakeClock()
    session = window.bedtime.session
    session.clock = session.timer.clock = fake
    return fake


async def play_in_window(window, ctx, title: str = "Sleepy Fox", content: str = EN_TEXT):
    saved = await ctx.library.save_story(story(content, title=title))
    window.open_story(saved.id)
    await until(lambda: window.reader.story_id == saved.id, what="the story in the reader")
    window.narration.play_action.trigger()
    await until(lambda: window.narration.player.state is PlayerState.PLAYING, timeout=30, what="playing")
    return saved


async def tick(window) -> None:
    window.bedtime.show_status(await window.bedtime.session.tick())


async def test_sleep_timer_fades_to_silence_and_stores_the_position(ctx, window):
    bedtime, player = window.bedtime, window.narration.player
    if not player.isAvailable():
        pytest.skip(player.unavailable_message)
    bedtime.set_sound("rain")
    saved = await play_in_window(window, ctx, content=LONG_TEXT)
    await until(lambda: bedtime.sound.playing and bedtime.sound.gain() > 0, timeout=20, what="rain under it")
    await until(lambda: not ctx.tasks.get("bedtime.sound"), timeout=20, what="the rain's level worked out")
    full = bedtime.sound.gain()
    assert full == pytest.approx(bedtime.sound.bed_gain * player.linear_volume(), rel=1e-3)
    await until(lambda: player.position > 1.0, timeout=20, what="some of the story heard")
    clock = use_clock(window)
    window.actions["sleep_5"].trigger()
    assert window.actions["sleep_5"].isChecked()
    await tick(window)
    assert bedtime.narration.bar.sleep_button.text() == "Sleep 5:00"
    assert bedtime.narration.bar.extend_button.isVisibleTo(window)
    clock.now += 300 - 15  # 15 seconds left: half-way through the fade
    await tick(window)
    assert bedtime.status.fading and 0 < player.fade < 0.5
    assert bedtime.sound.gain() == pytest.approx(full * player.fade, rel=1e-3)  # the sound fades with the voice
    window.actions["sleep_extend"].trigger()  # "+5 min" while it fades: loud again, five more minutes
    assert player.fade == 1.0 and bedtime.status.remaining_s == pytest.approx(315, abs=1)
    fades = []
    for left in (20, 10, 3, 0.5, 0.01):
        clock.now = clock.now + (bedtime.status.remaining_s - left)
        await tick(window)
        fades.append(player.fade)
    assert fades == sorted(fades, reverse=True) and fades[-1] < 1e-4  # monotonic, to silence
    heard = player.position
    clock.now += 1
    await tick(window)
    assert bedtime.status.expired
    await until(lambda: player.state is PlayerState.STOPPED, what="stopped by the timer")
    assert not bedtime.sound.playing and player.fade == 1.0  # the next Play starts at the listener's volume
    stored = await ctx.library.bedtime.position(saved.id)
    assert stored is not None and stored[0] == pytest.approx(heard, abs=0.5)
    assert window.actions["sleep_off"].isChecked() and bedtime.narration.bar.sleep_button.text() == "Sleep"
    window.narration.play_action.trigger()  # the next evening: loud again, a little before where it stopped
    await until(lambda: player.state is PlayerState.PLAYING and player.position > 0.2, timeout=30,
                what="playing again")
    assert player.output_gain() == pytest.approx(player.linear_volume(), abs=1e-3)
    assert heard - 4.0 <= player.position <= heard + 2.0


async def test_the_sleep_timer_ticks_only_while_a_story_plays(ctx, window):
    """An idle window runs no background task: the tick starts with playback and ends when it stops."""
    player = window.narration.player
    if not player.isAvailable():
        pytest.skip(player.unavailable_message)
    await until(lambda: not ctx.tasks.running(), what="the start-up tasks done")
    assert ctx.tasks.get("bedtime.tick") is None
    await play_in_window(window, ctx, content=LONG_TEXT)
    await until(lambda: ctx.tasks.get("bedtime.tick") is not None, what="the tick while playing")
    window.narration.play_action.trigger()  # pause
    await until(lambda: player.state is PlayerState.PAUSED, what="paused")
    await until(lambda: ctx.tasks.get("bedtime.tick") is None, what="the tick ended while paused")
    window.narration.play_action.trigger()
    await until(lambda: ctx.tasks.get("bedtime.tick") is not None, what="the tick again")
    await until(lambda: player.state is PlayerState.PLAYING, what="playing again")


async def test_queue_plays_in_order_and_every_story_resumes(ctx, window):
    bedtime, player = window.bedtime, window.narration.player
    if not player.isAvailable():
        pytest.skip(player.unavailable_message)
    bedtime.session.gap_s = 0.2
    first = await ctx.library.save_story(story(LONG_TEXT, title="Moon Boat"))
    second = await ctx.library.save_story(story(EN_TEXT, title="Sleepy Fox"))
    window.actions["toggle_tonight"].trigger()
    assert bedtime.tonight_dock.isVisible()
    bedtime.panel.dropped.emit([first.id, second.id], 0)  # two library rows dropped on the panel
    await until(lambda: bedtime.panel.list.count() == 2, what="two rows queued")
    bedtime.panel.moved.emit(1, 0)  # dragged: the fox first
    await until(lambda: bedtime.session.queue == [second.id, first.id], what="reordered")
    assert (await ctx.library.tonight_queue()).story_ids == [second.id, first.id]  # saved
    assert bedtime.panel.list.item(0).text().endswith("Sleepy Fox")

    assert window.actions["queue_play"].isEnabled()
    window.actions["queue_play"].trigger()
    await until(lambda: window.narration.playback.story_id == second.id, timeout=30, what="the queue's first")
    await until(lambda: window.narration.playback.story_id == second.id and player.state is PlayerState.PLAYING,
                timeout=30, what="the first story of the queue playing")
    await until(lambda: player.complete and player.duration > 1, timeout=30, what="the whole narration")
    player.seek(player.duration - 0.3)  # listen to its end
    await until(lambda: window.narration.playback.story_id == first.id and player.state is PlayerState.PLAYING,
                timeout=30, what="the next story after the short pause")
    assert window.reader.story_id == first.id and bedtime.session.current == 1
    await until(lambda: player.complete and player.duration > 8, timeout=30, what="the second narration")
    player.seek(7.0)
    await until(lambda: player.position > 7.2, what="listening on")
    window.narration.play_action.trigger()  # pause: the position is stored
    await until(lambda: player.state is PlayerState.PAUSED, what="paused")
    stopped_at = player.position
    await until(lambda: asyncio.ensure_future(ctx.library.bedtime.position(first.id)).done() or True)
    await asyncio.sleep(0.2)
    assert (await ctx.library.bedtime.position(first.id))[0] == pytest.approx(stopped_at, abs=0.5)

    window.open_story(second.id)  # another story, then back: it resumes a little before where it stopped
    await until(lambda: window.reader.story_id == second.id, what="the fox open")
    window.narration.play_action.trigger()
    await until(lambda: window.narration.playback.story_id == second.id, timeout=30, what="the fox again")
    window.open_story(first.id)
    await until(lambda: window.reader.story_id == first.id, what="the boat open")
    window.narration.play_action.trigger()
    await until(lambda: window.narration.playback.story_id == first.id and player.position > 3.0, timeout=30,
                what="resumed where it stopped")
    assert stopped_at - 5.0 <= player.position <= stopped_at + 2.0  # resumes ~3 s before; MP3 seeks land on frames


async def test_bedtime_mode_in_and_out_by_key(ctx, window):
    saved = await ctx.library.save_story(story(EN_TEXT, title="Sleepy Fox"))
    window.open_story(saved.id)
    await until(lambda: window.reader.story_id == saved.id, what="the story in the reader")
    assert window.actions["bedtime_mode"] in window.toolbar.actions()
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_B)
    screen = window.bedtime.screen
    assert screen is not None and screen.isVisible() and screen.isFullScreen()
    assert screen.text.text() == "Sleepy Fox" and window.quiet
    window.notify("A story is ready", "“Moon Boat” is ready to read.")  # held back at bedtime
    assert window._tray is None or not window._tray.isVisible() or window.quiet
    QTest.keyClick(screen, Qt.Key.Key_Escape)
    assert window.bedtime.screen is None and not screen.isVisible() and not window.quiet
    QTest.keyClick(window, Qt.Key.Key_B)
    screen = window.bedtime.screen
    assert screen is not None and screen.isVisible()
    QTest.keyClick(screen, Qt.Key.Key_B)  # the same key leaves
    assert window.bedtime.screen is None and not window.actions["bedtime_mode"].isChecked()


async def test_bedtime_screen_follows_the_voice(ctx, window):
    if not window.narration.player.isAvailable():
        pytest.skip(window.narration.player.unavailable_message)
    await play_in_window(window, ctx)
    window.actions["bedtime_mode"].trigger()
    screen = window.bedtime.screen
    await until(lambda: screen.text.text().startswith(("The little fox", "The moon", "Goodnight")), timeout=20,
                what="the sentence being read")
    window.actions["bedtime_mode"].trigger()


@pytest.fixture
def private_bus():
    if not (shutil.which("dbus-run-session") and shutil.which("gdbus")):
        pytest.skip("dbus-run-session or gdbus is not installed (Debian: apt-get install dbus libglib2.0-bin)")
    proc = subprocess.Popen(["dbus-run-session", "--", "sh", "-c", 'echo "$DBUS_SESSION_BUS_ADDRESS"; exec sleep 600'],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    address = proc.stdout.readline().strip() if proc.stdout else ""
    if not address:
        proc.kill()
        pytest.skip("no private D-Bus session could be started")
    name = f"tale-window-mpris-{os.getpid()}"
    connection = QDBusConnection.connectToBus(address, name)
    if not connection.isConnected():
        os.killpg(proc.pid, 15)
        pytest.skip("cannot connect to the private bus")
    yield address, connection
    QDBusConnection.disconnectFromBus(name)
    os.killpg(proc.pid, 15)
    proc.wait(timeout=10)


async def gdbus(address: str, method: str, *args: str) -> str:
    result = await asyncio.to_thread(
        subprocess.run, ["gdbus", "call", "--address", address, "--dest", BUS_NAME, "--object-path", OBJECT_PATH,
                         "--method", method, *args], capture_output=True, text=True, timeout=15)
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_mpris_answers_for_the_window_playing(ctx, window, private_bus):
    address, connection = private_bus
    bedtime, player = window.bedtime, window.narration.player
    if not player.isAvailable():
        pytest.skip(player.unavailable_message)
    if bedtime.mpris is not None:
        bedtime.mpris.close()
    bedtime.mpris = MprisService.start(bedtime.media_adapter(), connection)  # the window's own adapter, on this bus
    assert bedtime.mpris is not None
    await play_in_window(window, ctx, title="The Lighthouse Fox", content=LONG_TEXT)
    props = "org.freedesktop.DBus.Properties.Get"
    player_iface = "org.mpris.MediaPlayer2.Player"
    assert "Tale Desktop" in await gdbus(address, props, "org.mpris.MediaPlayer2", "Identity")
    metadata = await gdbus(address, props, player_iface, "Metadata")
    assert "'xesam:title': <'The Lighthouse Fox'>" in metadata
    assert "'Playing'" in await gdbus(address, props, player_iface, "PlaybackStatus")
    await gdbus(address, f"{player_iface}.PlayPause")
    await until(lambda: player.state is PlayerState.PAUSED, what="paused from the desktop")
    assert "'Paused'" in await gdbus(address, props, player_iface, "PlaybackStatus")


SIZES = [(900, 600), (1920, 1080)]


@pytest.mark.parametrize("shade", [theme.DAY, theme.NIGHT])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_player_and_tonight_panel_fit(ctx, window, size, shade):
    from tale_desktop.domain.models import Child

    window.theme.set_choice(shade)
    mia = await ctx.library.save_child(Child(name="Mia", age_band="3-5", gender="female", interests=["stars"]))
    titles = ["The Very Long Night When Mia and the Lighthouse Fox Counted Every Star", "Moon Boat", "Sleepy Fox"]
    ids = [(await ctx.library.save_story(make_story(t, EN_TEXT, child=mia))).id for t in titles]
    window.banner.dismiss()
    window.open_story(ids[0])
    await until(lambda: window.reader.story_id == ids[0], what="story open")
    window.actions["toggle_tonight"].trigger()
    await window.bedtime.session.add(ids)
    await until(lambda: window.bedtime.panel.list.count() == 3, what="queue shown")
    await until(lambda: window.bedtime.panel.favourites_button.isEnabled(), what="children listed")
    window.bedtime.set_sound("rain")
    window.resize(*size)
    bar = window.narration.bar
    bar.set_duration(3725)
    bar.set_position(1234)
    bar.set_state(PlayerState.PLAYING)
    bar.set_available(True)
    window.actions["sleep_60"].trigger()  # the longest time it shows: "Sleep 1:00:00"
    for _ in range(5):
        await asyncio.sleep(0.02)
    window.centralWidget().layout().activate()
    assert (window.width(), window.height()) == size
    assert bar.extend_button.isVisible() and bar.sleep_button.text() == "Sleep 1:00:00"
    assert window.bedtime.panel.sound_box.isVisible() and window.bedtime.panel.then_box.isVisible()
    problems = clipped(window)
    assert not problems, problems
    assert window.bedtime.tonight_dock.width() >= window.bedtime.panel.minimumSizeHint().width()


async def test_story_menu_drag_favourites_and_shortcuts(ctx, window):
    from tale_desktop.domain.models import Child
    from tale_desktop.ui.common.story_mime import STORY_IDS_MIME, story_ids_of

    mia = await ctx.library.save_child(Child(name="Mia", age_band="3-5", gender="female", interests=["stars"]))
    loved = await ctx.library.save_story(make_story("Moon Boat", EN_TEXT, child=mia, favourite=True))
    await ctx.library.save_story(make_story("Sleepy Fox", EN_TEXT, child=mia))
    model = window.library.model
    await until(lambda: model.rowCount() >= 2 and any(model.index(r, 0).data(model.IdRole) == loved.id
                                                      for r in range(model.rowCount())), what="rows")
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data(model.IdRole) == loved.id)
    mime = model.mimeData([model.index(row, 0)])  # a row dragged out of the library
    assert STORY_IDS_MIME in model.mimeTypes() and story_ids_of(mime) == [loved.id]
    view = window.library.list
    view.setCurrentIndex(model.index(row, 0))
    menu = window.library_features.show_menu(view.visualRect(model.index(row, 0)).center())
    assert window.actions["queue_add"] in menu.actions()
    menu.close()
    window.actions["queue_add"].trigger()
    await until(lambda: window.bedtime.session.queue == [loved.id], what="queued from the menu")
    assert window.bedtime.tonight_dock.isVisible()

    await until(lambda: window.bedtime.panel.favourites_menu.actions(), what="children in the menu")
    entry = next(a for a in window.bedtime.panel.favourites_menu.actions() if a.text().endswith("Mia"))
    assert entry.text() == "Play all favourites of Mia"
    rows = window.actions.shortcut_rows()
    assert ("Listening", "Bedtime mode", "B") in rows and ("Listening", "+5 min", "Ctrl+Shift+E") in rows
    assert ("Listening", "Tonight's queue", "Ctrl+Shift+T") in rows


async def test_sound_goes_on_after_the_story_then_fades_and_stops(ctx, window, tmp_path):
    from tale_desktop.domain.bedtime import SoftSound
    from tale_desktop.services.bedtime_track import write_loop_wav

    sound = window.bedtime.sound
    clock = FakeClock()
    sound.clock = clock
    sound.set_source(write_loop_wav(SoftSound.SEA, tmp_path), 0.5)
    finished = []
    sound.tail_finished.connect(lambda: finished.append(True))
    assert sound.keep_going(120)  # "then 2 more minutes of the sea"
    assert sound.in_tail and window.bedtime.port.is_playing()  # the timer still counts
    sound._tail_tick()
    assert sound.gain() == pytest.approx(0.5 * sound.listener_gain)
    clock.now += 120 - 15
    sound._tail_tick()
    assert 0 < sound.gain() < 0.5 * sound.listener_gain * 0.2  # fading out
    clock.now += 16
    sound._tail_tick()
    assert finished and not sound.in_tail and not sound.playing


async def test_close_while_playing_hides_to_the_tray(ctx, window):
    from PySide6.QtWidgets import QSystemTrayIcon

    player = window.narration.player
    if not player.isAvailable():
        pytest.skip(player.unavailable_message)
    tray = QSystemTrayIcon(window)
    tray.show()
    window.bedtime.tray = tray  # as where the desktop has a tray
    closed = []
    window.closed.connect(lambda: closed.append(True))
    await play_in_window(window, ctx, content=LONG_TEXT)
    window.close()
    await asyncio.sleep(0.1)
    assert not window.isVisible() and not closed and player.state is PlayerState.PLAYING  # goes on, hidden
    window.bedtime.bring_back()
    assert window.isVisible()
    window.actions["quit"].trigger()  # Quit really quits
    assert closed
