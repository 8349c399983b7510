"""Bedtime listening in the main window: the sleep timer (fade, "+5 min") in the player bar, the "Tonight" panel
(tonight's queue and the soft sound), every story resuming where it stopped, bedtime mode, MPRIS and the tray.

One :class:`tale_desktop.services.tonight.BedtimeSession` drives it all: :class:`WindowPlayer` is its
``PlayerPort`` over the window's audio player (narration) and :class:`SoftSoundPlayer` (the sound under it);
one looping task calls ``session.tick()`` four times a second and shows the timer's state. Every command is an
action of the window's registry (menus, the bar, the panel, the tray menu and the keys show the same ones).
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu, QSystemTrayIcon

from tale_desktop import settings as cfg
from tale_desktop.domain.bedtime import DEFAULT_VOLUME, SLEEP_MINUTES, SoftSound
from tale_desktop.domain.illustrations import COVER_PARAGRAPH
from tale_desktop.domain.models import Story
from tale_desktop.services.bedtime_track import BedtimeTracks
from tale_desktop.services.sleep_timer import SleepMode, SleepStatus
from tale_desktop.services.tonight import BedtimeSession
from tale_desktop.ui.listen.bedtime_screen import BedtimeScreen
from tale_desktop.ui.listen.player import PlayerState
from tale_desktop.ui.listen.player_bar import clock
from tale_desktop.ui.listen.soft_sound_player import SoftSoundPlayer
from tale_desktop.ui.listen.tonight_panel import TonightPanel

NARROW_WIDTH = 1200  # as the main window's: below it, the library pane makes room for the panel
DOCK_MAX_WIDTH = 340

if TYPE_CHECKING:
    from tale_desktop.ui.listen.mpris import AudioPlayerAdapter, MprisService
    from tale_desktop.ui.listen.narration_ui import NarrationControls
    from tale_desktop.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)

TICK_S = 0.25
TICK_TASK = "bedtime.tick"


class WindowPlayer:
    """The session's PlayerPort: the narration player plus the soft sound, as one player."""

    def __init__(self, controls: BedtimeControls):
        self.controls = controls
        self.player = controls.narration.player
        self.sound = controls.sound
        self.pending_start: float | None = None  # seek here once the narration has that much audio
        self.frozen: float | None = None  # the position to store while a stop is under way

    def play_story(self, story_id: str, start_s: float) -> None:
        self.frozen = None
        self.pending_start = start_s if start_s > 0 else None
        self.controls.start_narration(story_id)

    def pause(self) -> None:
        self.player.pause()
        self.sound.pause()

    def stop(self) -> None:
        self.pending_start = None
        self.player.stop()
        self.sound.stop()
        self.frozen = None

    def set_fade(self, volume: float) -> None:
        self.player.set_fade(volume)
        self.sound.set_fade(volume)

    def position(self) -> float:
        return self.frozen if self.frozen is not None else float(self.player.position)

    def duration(self) -> float:
        # While the narration is still being made its end is not known (the timer must not end it early).
        return float(self.player.duration) if self.player.complete else 0.0

    def is_playing(self) -> bool:
        state = self.player.state
        return (state is PlayerState.PLAYING or (state is PlayerState.LOADING and self.player.want_play)
                or self.sound.in_tail)

    def speed(self) -> float:
        return float(self.player.speed)


class BedtimeControls(QObject):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.narration: NarrationControls = window.narration
        self.player = self.narration.player
        self.sound = SoftSoundPlayer(self)
        self.port = WindowPlayer(self)
        self.session = BedtimeSession(self.ctx.library, self.port)
        self.tracks = BedtimeTracks(self.ctx.narrator)
        self.titles: dict[str, str] = {}
        self.status: SleepStatus | None = None
        self.screen: BedtimeScreen | None = None
        self.mpris: MprisService | None = None
        self.tray: QSystemTrayIcon | None = None
        self.sound_name = self._stored_sound()
        self.sound_volume = self._stored_float(cfg.BEDTIME_SOUND_VOLUME,
                                               DEFAULT_VOLUME.get(SoftSound(self.sound_name), 0.6)
                                               if self.sound_name else 0.6)
        self.then_minutes = int(self._stored_float(cfg.BEDTIME_THEN_MINUTES, 0))
        self._sound_for: tuple[str, Path] | None = None  # (sound, narration file) the bed gain was worked out for
        self._closing = False

        self._define_actions()
        self._build_panel()
        self._build_menus()
        self.adapter: AudioPlayerAdapter | None = None  # made once a session bus is there (MPRIS is Linux's)
        self.sound.set_listener_gain(self.player.linear_volume())
        self.player.volume_changed.connect(lambda _v: self.sound.set_listener_gain(self.player.linear_volume()))
        self.player.state_changed.connect(self._player_state)
        self.player.duration_changed.connect(self._duration_changed)
        self.sound.tail_finished.connect(self._update_actions)
        self.narration.read_along.sentence_changed.connect(self._sentence_changed)
        self.narration.playback.narration_ready.connect(self._narration_ready)
        self.narration.start_story = self.play_story
        self.narration.stop_story = self.stop
        self._unsubscribe = self.ctx.library.subscribe(self._on_library_change)
        window.library.list.selectionModel().selectionChanged.connect(self._update_actions)
        window.story.loaded.connect(self._update_actions)
        window.story.closed.connect(self._update_actions)
        self._update_actions()

    # -- setup ---------------------------------------------------------------------------------------------------
    def _define_actions(self) -> None:
        a = self.window.actions
        listening = self.tr("Listening")
        self.sleep_group = QActionGroup(self)
        sleep = [("sleep_off", self.tr("Sleep timer off"), "off"),
                 ("sleep_end_of_story", self.tr("At the end of this story"), "end_of_story"),
                 ("sleep_end_of_queue", self.tr("At the end of tonight's queue"), "end_of_queue")]
        sleep += [(f"sleep_{m}", self.tr("In {0} minutes").format(m), m) for m in SLEEP_MINUTES]
        for name, text, choice in sleep:
            action = a.define(name, text, section=listening, checkable=True,
                              slot=lambda c=choice: self.set_sleep(c))
            self.sleep_group.addAction(action)
        a["sleep_off"].setChecked(True)
        a.define("sleep_extend", self.tr("+5 min"), section=listening, shortcuts=["Ctrl+Shift+E"],
                 tip=self.tr("Five more minutes before the sleep timer stops"), slot=self.extend_sleep)
        a.define("bedtime_mode", self.tr("Bedtime mode"), section=listening, shortcuts=["B"], icon="bedtime",
                 checkable=True, tip=self.tr("Dim full screen with large text that follows the voice"),
                 slot=lambda: self.set_bedtime_mode(a["bedtime_mode"].isChecked()))
        a.define("leave_bedtime", self.tr("Leave bedtime mode"), section=listening, shortcuts=["Esc"],
                 slot=lambda: self.set_bedtime_mode(False))
        a.define("toggle_tonight", self.tr("Tonight's queue"), section=listening, shortcuts=["Ctrl+Shift+T"],
                 icon="queue", checkable=True, tip=self.tr("Show or hide tonight's queue and the soft sound"),
                 slot=lambda: self.tonight_dock.setVisible(a["toggle_tonight"].isChecked()))
        a.define("queue_add", self.tr("Add to tonight's queue"), section=listening, shortcuts=["Ctrl+Shift+A"],
                 tip=self.tr("Queue the selected stories for tonight"), slot=self.queue_selected)
        a.define("queue_play", self.tr("Play all"), section=listening, shortcuts=["Ctrl+Shift+P"],
                 tip=self.tr("Play tonight's queue in order, from the top"), slot=lambda: self.play_queue(0))
        a.define("queue_remove", self.tr("Remove"), section=listening,
                 tip=self.tr("Take the chosen story out of tonight's queue"), slot=self.remove_selected)
        a.define("queue_clear", self.tr("Clear"), section=listening, tip=self.tr("Empty tonight's queue"),
                 slot=lambda: self._spawn(self.session.clear(), "bedtime.queue"))
        a.define("queue_next", self.tr("Next story"), section=listening,
                 shortcuts=["Ctrl+]", QKeySequence(Qt.Key.Key_MediaNext)], slot=self.next_story)
        a.define("queue_previous", self.tr("Previous story"), section=listening,
                 shortcuts=["Ctrl+[", QKeySequence(Qt.Key.Key_MediaPrevious)], slot=self.previous_story)
        self.window.addAction(a["leave_bedtime"])
        a.set_enabled("leave_bedtime", False)

    def _build_panel(self) -> None:
        a = self.window.actions
        self.panel = TonightPanel([a["queue_play"], a["queue_remove"], a["queue_clear"]])
        self.panel.play_requested.connect(self.play_queue)
        self.panel.dropped.connect(lambda ids, at: self._spawn(self.session.add(ids, at=at), "bedtime.queue"))
        self.panel.moved.connect(lambda f, t: self._spawn(self.session.move(f, t), "bedtime.queue"))
        self.panel.favourites_requested.connect(self.play_favourites)
        self.panel.sound_chosen.connect(self.set_sound)
        self.panel.sound_volume_changed.connect(self.set_sound_volume)
        self.panel.then_minutes_changed.connect(self.set_then_minutes)
        self.panel.list.currentRowChanged.connect(lambda _r: self._update_actions())
        self.panel.show_sound(self.sound_name, self.sound_volume, self.then_minutes)
        self.tonight_dock = QDockWidget(self.tr("Tonight"), self.window)
        self.tonight_dock.setObjectName("tonightDock")
        self.tonight_dock.setWidget(self.panel)
        self.tonight_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                                      | QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.tonight_dock)
        self.tonight_dock.hide()
        self.tonight_dock.visibilityChanged.connect(self._dock_shown)
        self.window.installEventFilter(self)

    def _dock_shown(self, on: bool) -> None:
        if not self.window.isMinimized():
            self.window.actions["toggle_tonight"].setChecked(on)
        if on and not self.tonight_dock.isFloating():
            self._fit_dock()
        self._make_room()

    def _fit_dock(self) -> None:
        """A quarter of the window (between the panel's least and a comfortable width): the reader and the
        player bar keep the rest."""
        least = self.panel.minimumSizeHint().width()
        width = max(least, min(DOCK_MAX_WIDTH, self.window.width() // 4))
        self.window.resizeDocks([self.tonight_dock], [width], Qt.Orientation.Horizontal)

    def _make_room(self) -> None:
        """In a narrow window the library pane steps aside while the Tonight panel shows (as for the new-story
        page); it comes back when the panel closes or the window grows."""
        w = self.window
        narrow = w.width() < NARROW_WIDTH and self.tonight_dock.isVisible() and not self.tonight_dock.isFloating()
        wanted = w.actions["toggle_library"].isChecked() and not w.isFullScreen()
        on_reader = w.center.currentWidget() is w.reader_page
        if wanted and on_reader:
            w.left_tabs.setVisible(not narrow)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.window and event.type() == QEvent.Type.Resize:
            if self.tonight_dock.isVisible() and not self.tonight_dock.isFloating() and self.window.width() < NARROW_WIDTH:
                self._fit_dock()
            self._make_room()
        return False

    def _build_menus(self) -> None:
        a = self.window.actions
        self.sleep_menu = QMenu(self.tr("Sleep timer"), self.window)
        self.sleep_menu.setObjectName("sleepMenu")
        for name in ("sleep_off", "sleep_end_of_story", "sleep_end_of_queue"):
            self.sleep_menu.addAction(a[name])
        self.sleep_menu.addSeparator()
        for minutes in SLEEP_MINUTES:
            self.sleep_menu.addAction(a[f"sleep_{minutes}"])
        self.sleep_menu.addSeparator()
        self.sleep_menu.addAction(a["sleep_extend"])
        self.narration.bar.set_sleep_menu(self.sleep_menu, a["sleep_extend"])
        menu = self.narration.menu
        menu.addSeparator()
        menu.addMenu(self.sleep_menu)
        for name in ("queue_add", "queue_play", "queue_next", "queue_previous", "toggle_tonight", "bedtime_mode"):
            menu.addAction(a[name])
        self.window.toolbar.insertAction(a["favourite"], a["bedtime_mode"])
        self.window._icon_only(a["bedtime_mode"])
        self.window.library_features.menu_hooks.append(self._story_menu)

    def _story_menu(self, menu: QMenu, _rows: list[dict]) -> None:
        menu.insertAction(menu.actions()[0] if menu.actions() else None, self.window.actions["queue_add"])

    def start(self) -> None:
        """Load tonight's queue, offer MPRIS and the tray (call once the window shows)."""
        async def load() -> None:
            await self.session.load()
            await self._refresh_queue()
            await self._refresh_children()

        self._spawn(load(), "bedtime.load")
        if self.mpris is None and session_bus_available():
            self.mpris = mpris_module().MprisService.start(self.media_adapter())
        self._make_tray()

    def media_adapter(self) -> AudioPlayerAdapter:
        """The player as MPRIS sees it (made on first use: the D-Bus adaptors load only where a bus is)."""
        if self.adapter is None:
            self.adapter = mpris_module().AudioPlayerAdapter(self.player, next_story=self.next_story,
                                                             previous_story=self.previous_story,
                                                             raise_window=self.bring_back)
            story = self.window.reader.story
            if story is not None and self.narration.playback.story_id == story.id:
                self._set_track(story)
        return self.adapter

    def _make_tray(self) -> None:
        if self.tray is not None or not QSystemTrayIcon.isSystemTrayAvailable():
            return
        from tale_desktop.ui.shell.main_window import app_icon

        a = self.window.actions
        self.tray = QSystemTrayIcon(app_icon(), self)
        self.tray.setToolTip(self.tr("Tale Desktop"))
        menu = QMenu()
        menu.setObjectName("trayMenu")
        show = menu.addAction(self.tr("Show the window"))
        show.triggered.connect(self.bring_back)
        menu.addSeparator()
        menu.addAction(a["play"])
        menu.addAction(a["queue_next"])
        menu.addMenu(self.sleep_menu)
        menu.addSeparator()
        menu.addAction(a["quit"])
        self.tray_menu = menu
        self.tray.setContextMenu(menu)
        self.tray.activated.connect(self._tray_activated)
        self.tray.show()

    def _tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            if self.window.isVisible():
                self.window.hide()
            else:
                self.bring_back()

    # -- helpers -------------------------------------------------------------------------------------------------
    def _spawn(self, coro, name: str, on_result=None) -> None:  # noqa: ANN001
        self.ctx.tasks.spawn(coro, name=name, title=self.tr("Tonight's queue"), on_result=on_result)

    def _stored_sound(self) -> str:
        value = self.ctx.settings.get(cfg.BEDTIME_SOUND)
        return value if value in {s.value for s in SoftSound} else ""

    def _stored_float(self, key: cfg.Key, default: float) -> float:
        try:
            return float(self.ctx.settings.get(key) or default)
        except ValueError:
            return default

    def _remember(self, key: cfg.Key, value: str) -> None:
        try:
            self.ctx.settings.set(key, value)
        except Exception:  # a read-only config folder must not break listening
            log.warning("Could not remember a bedtime setting", exc_info=True)

    # -- the tick ------------------------------------------------------------------------------------------------
    def _ensure_ticking(self) -> None:
        """Tick while a story plays or the next one is due (started on Play; it ends by itself when idle)."""
        if not self._closing and self.ctx.tasks.get(TICK_TASK) is None:
            self.ctx.tasks.spawn(self._tick_loop(), name=TICK_TASK, title=self.tr("Sleep timer"))

    async def _tick_loop(self) -> None:
        while True:
            try:
                status = await self.session.tick()
                self.show_status(status)
            except asyncio.CancelledError:
                raise
            except Exception:  # one bad tick must not end the timer for the night
                log.exception("Bedtime tick failed")
            if self._closing or not self.session.needs_tick:
                return
            await asyncio.sleep(TICK_S)

    def show_status(self, status: SleepStatus) -> None:
        self.status = status
        bar = self.narration.bar
        a = self.window.actions
        if status.expired or not status.active:
            bar.show_sleep(self.tr("Sleep"), False)
            if not a["sleep_off"].isChecked():
                a["sleep_off"].setChecked(True)
            text = self.tr("Sleep timer off")
        else:
            if status.remaining_s is not None:
                text = self.tr("Sleep {0}").format(clock(status.remaining_s))
            elif status.mode is SleepMode.END_OF_QUEUE:
                text = self.tr("Sleep: end of queue")
            else:
                text = self.tr("Sleep: end of story")
            bar.show_sleep(text, True, status.fading)
        a.set_enabled("sleep_extend", status.active and not status.expired)
        if self.tray is not None:
            self.tray.setToolTip(self.tr("Tale Desktop — {0}").format(text))

    # -- sleep timer ---------------------------------------------------------------------------------------------
    def set_sleep(self, choice: int | str) -> None:
        self.session.set_sleep(choice)
        self.show_status(self.session.timer.update(playing=False))

    def extend_sleep(self) -> None:
        self.session.extend_sleep()
        self.show_status(self.session.timer.update(playing=False))

    # -- playing -------------------------------------------------------------------------------------------------
    def play_story(self, story: Story) -> None:
        """Play (where it stopped) a story other than the one loaded."""
        self.titles[story.id] = story.title
        self._spawn(self.session.play_story(story.id), "bedtime.play")

    def play_queue(self, index: int | None) -> None:
        self._spawn(self.session.play_queue(index), "bedtime.play")

    def play_favourites(self, child_id: str) -> None:
        async def work() -> None:
            await self.session.queue_favourites_of(child_id)
            await self.session.play_queue(0)

        self.tonight_dock.show()
        self._spawn(work(), "bedtime.play")

    def next_story(self) -> None:
        if self.session.queue:
            index = self.session.current + (1 if self.session.in_queue else 0)
            if index < len(self.session.queue):
                self.play_queue(index)

    def previous_story(self) -> None:
        if self.session.queue and self.session.in_queue and self.session.current > 0:
            self.play_queue(self.session.current - 1)
        else:
            self.player.seek(0.0)

    def stop(self) -> None:
        """Stop: store where it was first (the player forgets the position when it stops)."""
        self.port.frozen = self.port.position()
        self._spawn(self.session.stop(), "bedtime.stop")

    def start_narration(self, story_id: str) -> None:
        """The session asks for a story: open it in the reader and play its narration."""
        async def work() -> Story:
            return await self.ctx.library.get_story(story_id)

        def loaded(story: Story) -> None:
            self.titles[story.id] = story.title
            if self.window.reader.story_id != story.id:
                self.window.open_story(story.id)
            self.narration.bar.show_message("")
            self.narration.read_along.enabled = True
            self.narration.playback.start(story)
            self._set_track(story)
            if self.screen is not None:
                self.screen.set_story(story.title, story.content, [])
                self.screen.show_sentence(-1)
            self._spawn(self._refresh_queue(), "bedtime.queue.show")

        self.ctx.tasks.spawn(work(), name="bedtime.open", title=self.tr("Opening the story"), replace=True,
                             on_result=loaded)

    def _set_track(self, story: Story) -> None:
        if self.adapter is None:
            return
        track_info = mpris_module().TrackInfo
        self.adapter.set_track(track_info(story.id, story.title, story.child_name, None, self.player.duration))

        async def cover() -> Path | None:
            for picture in await self.ctx.illustrator.pictures(story.id):
                if picture.paragraph == COVER_PARAGRAPH and picture.file:
                    return Path(self.ctx.settings.data_dir) / picture.file
            return None

        def found(path: Path | None) -> None:
            track = self.adapter.track() if self.adapter is not None else None
            if self.adapter is not None and path is not None and track is not None and track.story_id == story.id:
                self.adapter.set_track(track_info(story.id, story.title, story.child_name, path,
                                                  self.player.duration))

        self.ctx.tasks.spawn(cover(), name="bedtime.cover", title=self.tr("Finding the cover"), replace=True,
                             on_result=found)

    # -- player events -------------------------------------------------------------------------------------------
    def _player_state(self, state: PlayerState) -> None:
        if state is PlayerState.PLAYING:
            self._ensure_ticking()
            if self.sound_name:
                self._ensure_sound()
                self.sound.play()
        elif state is PlayerState.PAUSED:
            self.sound.pause()
            self._spawn(self.session.remember_position(), "bedtime.remember")
        elif state is PlayerState.ENDED:
            self._spawn(self.session.story_ended(), "bedtime.ended", on_result=self._after_story)
        elif state in (PlayerState.STOPPED, PlayerState.ERROR, PlayerState.UNAVAILABLE) and not self.sound.in_tail:
            self.sound.stop()
        if state in (PlayerState.PLAYING, PlayerState.PAUSED, PlayerState.STOPPED) and self.session.queue:
            self._spawn(self._refresh_queue(), "bedtime.queue.show")  # the ▶ follows the playing story
        self._update_actions()

    def _after_story(self, stopped: bool) -> None:
        if stopped:
            self.sound.stop()
        elif self.session.next_pending:  # the next story starts after the short pause
            self._ensure_ticking()
            self.sound.keep_going(max(self.then_minutes * 60.0, self.session.gap_s + 30.0))
        else:
            self.sound.keep_going(self.then_minutes * 60.0)
        self._spawn(self._refresh_queue(), "bedtime.queue.show")
        self._update_actions()

    def _duration_changed(self, duration: float) -> None:
        start = self.port.pending_start
        if start is not None and duration > start + 1.0:
            self.port.pending_start = None
            self.player.seek(start)
        if self.sound_name and self.player.segments and self._sound_for is None:
            self._ensure_sound()

    def _narration_ready(self, narration) -> None:  # noqa: ANN001 - domain.models.Narration
        start = self.port.pending_start
        if start is not None and self.player.duration > start:
            self.port.pending_start = None
            self.player.seek(start)
        if self.screen is not None:
            self.screen.set_timings(narration.timings)

    def _sentence_changed(self, index: int) -> None:
        if self.screen is not None:
            self.screen.set_timings(self.narration.read_along.timings)
            self.screen.show_sentence(index)

    # -- the soft sound ------------------------------------------------------------------------------------------
    def set_sound(self, sound: str) -> None:
        self.sound_name = sound
        self._remember(cfg.BEDTIME_SOUND, sound)
        if sound:
            self.sound_volume = DEFAULT_VOLUME[SoftSound(sound)]
            self._remember(cfg.BEDTIME_SOUND_VOLUME, "")
        self.panel.show_sound(sound, self.sound_volume, self.then_minutes)
        self._sound_for = None
        if not sound:
            self.sound.set_source(None)
            self.sound.stop()
            return
        self._ensure_sound()

    def set_sound_volume(self, volume: float) -> None:
        self.sound_volume = volume
        self._remember(cfg.BEDTIME_SOUND_VOLUME, f"{volume:.2f}")
        self._sound_for = None
        self._ensure_sound()

    def set_then_minutes(self, minutes: int) -> None:
        self.then_minutes = minutes
        self._remember(cfg.BEDTIME_THEN_MINUTES, str(minutes))

    def _ensure_sound(self) -> None:
        """Work out the sound's loop and its level under the narration playing (worker threads), then play."""
        sound = self.sound_name
        if not sound:
            return
        narration = self.player.segments[0].path if self.player.segments else None
        if self._sound_for is not None and self._sound_for == (sound, narration):
            return
        self._sound_for = (sound, narration) if narration is not None else None
        volume = self.sound_volume

        async def work() -> tuple[Path, float]:
            loop = await self.tracks.loop_file(sound)
            if narration is None:  # nothing to measure yet: a quiet level until the narration is known
                return loop, 0.05 * volume
            return loop, await self.tracks.bed_volume(narration, sound, volume)

        def ready(result: tuple[Path, float]) -> None:
            if self._closing or sound != self.sound_name:
                return
            loop, gain = result
            self.sound.set_source(loop, gain)
            if self.player.state is PlayerState.PLAYING and not self.sound.playing:
                self.sound.play()

        self.ctx.tasks.spawn(work(), name="bedtime.sound", title=self.tr("Preparing the soft sound"),
                             replace=True, on_result=ready)

    # -- the queue -----------------------------------------------------------------------------------------------
    def queue_selected(self) -> None:
        rows = self.window.library_features.selected_rows()
        ids = [str(r["id"]) for r in rows]
        for row in rows:
            self.titles[str(row["id"])] = str(row.get("title") or "")
        if not ids and self.window.reader.story is not None:
            ids = [self.window.reader.story.id]
        if ids:
            self._spawn(self.session.add(ids), "bedtime.queue")
            self.tonight_dock.show()

    def remove_selected(self) -> None:
        story_id = self.panel.selected_id()
        if story_id:
            self._spawn(self.session.remove(story_id), "bedtime.queue")

    def _on_library_change(self, kind: str, _ids: list[str]) -> None:
        if kind == "tonight_queue":
            self._spawn(self._refresh_queue(), "bedtime.queue.show")
        elif kind == "children":
            self._spawn(self._refresh_children(), "bedtime.children")

    async def _refresh_queue(self) -> None:
        missing = [s for s in self.session.queue if s not in self.titles]
        for story_id in missing:
            try:
                self.titles[story_id] = (await self.ctx.library.get_story(story_id)).title
            except Exception:  # deleted meanwhile: the queue leaves it out next time
                self.titles[story_id] = ""
        rows = [(s, self.titles.get(s) or self.tr("Untitled story")) for s in self.session.queue]
        current = self.session.current if self.session.current < len(self.session.queue) else -1
        self.panel.show_queue(rows, current, playing=self.session.in_queue and self.player.state
                              is PlayerState.PLAYING)
        self._update_actions()

    async def _refresh_children(self) -> None:
        children = await self.ctx.library.list_children()
        self.panel.show_children([(c.id, c.name) for c in children], self.tr("Play all favourites of {0}"))

    def _update_actions(self, *_args: object) -> None:
        a = self.window.actions
        queued = bool(self.session.queue)
        a.set_enabled("queue_play", queued)
        a.set_enabled("queue_clear", queued)
        a.set_enabled("queue_remove", self.panel.selected_id() is not None)
        a.set_enabled("queue_next", queued and self.session.current + (1 if self.session.in_queue else 0)
                      < len(self.session.queue))
        a.set_enabled("queue_previous", bool(self.player.segments))
        a.set_enabled("queue_add", self.window.reader.story is not None
                      or bool(self.window.library_features.selected_rows()))

    # -- bedtime mode --------------------------------------------------------------------------------------------
    def set_bedtime_mode(self, on: bool) -> None:
        a = self.window.actions
        a["bedtime_mode"].setChecked(on)
        a.set_enabled("leave_bedtime", on)
        self.window.quiet = on
        if on:
            if self.screen is None:
                self.screen = BedtimeScreen(family=self.window.reader.text_view.font().family())
                for name in ("bedtime_mode", "leave_bedtime", "play", "sleep_extend", "seek_back",
                             "seek_forward", "queue_next"):
                    self.screen.addAction(a[name])
                self.screen.closed.connect(lambda: self.set_bedtime_mode(False) if self.screen else None)
            story = self.window.reader.story
            if story is not None:
                self.screen.set_story(story.title, story.content, self.narration.read_along.timings)
            self.screen.show_sentence(self.narration.read_along.current)
            self.screen.setGeometry(self.window.screen().geometry())  # the whole screen, also without a WM
            self.screen.showFullScreen()
            self.screen.activateWindow()
        elif self.screen is not None:
            screen, self.screen = self.screen, None
            screen.hide()
            screen.deleteLater()
            self.window.activateWindow()

    # -- window --------------------------------------------------------------------------------------------------
    def bring_back(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def hides_to_tray(self) -> bool:
        """Closing the window while a story plays hides it to the tray (when there is one)."""
        playing = self.port.is_playing()
        if self.tray is None or not self.tray.isVisible() or not playing or self.window.quit_requested:
            return False
        self.window.hide()
        return True

    def close(self) -> None:
        """The window closes: store where the story is, let go of the bus and the tray."""
        if self._closing:
            return
        self._closing = True
        self.port.frozen = self.port.position()
        if self.session.playing:
            self._spawn(self.session.remember_position(), "bedtime.remember")
        self._unsubscribe()
        if self.screen is not None:
            self.set_bedtime_mode(False)
        self.sound.stop()
        if self.mpris is not None:
            self.mpris.close()
            self.mpris = None
        if self.tray is not None:
            self.tray.hide()
        self.ctx.tasks.cancel(TICK_TASK)


def session_bus_available() -> bool:
    """A D-Bus session bus to offer MPRIS on (Linux desktops; never on Windows or macOS)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") and not (runtime and (Path(runtime) / "bus").exists()):
        return False
    from PySide6.QtDBus import QDBusConnection

    return QDBusConnection.sessionBus().isConnected()


def mpris_module():  # noqa: ANN201 - the module
    from tale_desktop.ui.listen import mpris

    return mpris


def install_bedtime(window: MainWindow) -> BedtimeControls:
    controls = BedtimeControls(window)
    window.bedtime = controls
    return controls
