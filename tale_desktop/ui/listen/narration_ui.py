"""Listening in the main window: the player bar under the reader, a Listen menu with Play/Pause, Stop and
"Narrate again", read-along highlighting in the reader, and fallback notices in the bar and the status bar.

``install_narration(window)`` needs only what the main window offers: ``ctx``, ``reader`` (a ReaderPane with
``text_view``, ``story``, ``story_shown`` and ``add_bottom_widget``), ``menuBar()``, ``statusBar()``, ``toolbar``
and ``settings_action``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu

from tale_desktop.domain.models import Narration, Story
from tale_desktop.ui.listen.narration_playback import NarrationPlayback
from tale_desktop.ui.listen.player import AudioPlayer, PlayerState
from tale_desktop.ui.listen.player_bar import PlayerBar, connect_player
from tale_desktop.ui.reader.read_along import ReadAlong
from tale_desktop.ui.settings.voice_settings import install_voice_settings

if TYPE_CHECKING:
    from tale_desktop.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)

NOTICE_MS = 10000
SEEK_STEP_S = 10.0
PREPARE_TASK = "narrator.prepare"


class NarrationControls(QObject):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.reader = window.reader
        self.player = AudioPlayer(self.ctx.settings, self)
        self.bar = PlayerBar()
        connect_player(self.bar, self.player)
        self.read_along = ReadAlong(self.reader.text_view, self)
        self.playback = NarrationPlayback(self.ctx, self.player, self.read_along, self)
        self.reader.add_bottom_widget(self.bar)
        self._timings: list[dict[str, Any]] = []
        # Bedtime listening plugs in here: another story starts (where it stopped) and Stop stores the position.
        self.start_story: Callable[[Story], None] | None = None
        self.stop_story: Callable[[], None] | None = None

        listening = self.tr("Listening")
        actions = window.actions
        self.play_action = actions.define(
            "play", self.tr("Play"), section=listening, icon="play",
            shortcuts=["Space", "Ctrl+P", QKeySequence(Qt.Key.Key_MediaTogglePlayPause)],
            shortcut_text=self.tr("Space, Ctrl+P"), tip=self.tr("Listen to the story, or pause"), slot=self.play)
        self.stop_action = actions.define("stop", self.tr("Stop"), section=listening, icon="stop",
                                          shortcuts=["Ctrl+."], slot=self.stop)
        self.back_action = actions.define("seek_back", self.tr("Back 10 seconds"), section=listening,
                                          shortcuts=["Left"], slot=lambda: self.seek_by(-SEEK_STEP_S))
        self.forward_action = actions.define("seek_forward", self.tr("Forward 10 seconds"), section=listening,
                                             shortcuts=["Right"], slot=lambda: self.seek_by(SEEK_STEP_S))
        self.again_action = actions.define("narrate_offline", self.tr("Narrate again with the offline voice"),
                                           section=listening, slot=lambda: self.narrate_again("offline"))
        self.again_eleven_action = actions.define("narrate_elevenlabs", self.tr("Narrate again with ElevenLabs"),
                                                  section=listening, slot=lambda: self.narrate_again("elevenlabs"))
        menu = self.menu = QMenu(self.tr("&Listen"), window)
        window.menuBar().insertMenu(window.help_menu.menuAction(), menu)  # before Help, as menus usually are
        for action in (self.play_action, self.stop_action, self.back_action, self.forward_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.again_action)
        menu.addAction(self.again_eleven_action)
        window.toolbar.insertAction(window.actions["favourite"], self.play_action)
        window.theme.theme_changed.connect(self.bar.recolour)

        self.bar.play_pause_requested.disconnect()
        self.bar.play_pause_requested.connect(self.play)
        self.bar.stop_requested.disconnect()
        self.bar.stop_requested.connect(self.stop)
        self.playback.message.connect(self.notice)
        self.playback.narration_ready.connect(self._narration_ready)
        self.player.state_changed.connect(self._update_actions)
        self.reader.story_shown.connect(self._story_shown)
        # The offline voice (~90 MB in memory, ~0.5 s to load) is loaded when the parent reaches for Play, not for
        # every story shown: many stories already have their narration, and many are only read.
        self._prepared: set[str] = set()
        self.bar.listen_intent.connect(self._prepare_voice)
        self.play_action.hovered.connect(self._prepare_voice)
        menu.aboutToShow.connect(self._prepare_voice)
        window.settings_saved.connect(self._prepared.clear)  # another voice may be chosen: load it when reached for
        window.story.closed.connect(lambda: self._update_actions(self.player.state))
        self._unsubscribe = self.ctx.library.subscribe(self._on_library_change)
        window.settings_opened.connect(install_voice_settings)  # the Voices page of Settings
        self._update_actions(self.player.state)

    # -- intents -------------------------------------------------------------------------------------------------
    def play(self) -> None:
        """Play/pause the story in the reader (starting its narration when needed)."""
        story = self.reader.story
        if story is None:
            self.notice(self.tr("Choose a story to listen to."))
            return
        if self.playback.story_id != story.id:
            self.bar.show_message("")
        self.read_along.enabled = True
        idle = self.player.state in (PlayerState.STOPPED, PlayerState.ENDED, PlayerState.EMPTY, PlayerState.ERROR)
        if self.start_story is not None and (self.playback.story_id != story.id or idle):
            self.start_story(story)
            return
        self.playback.play_story(story)

    def stop(self) -> None:
        if self.stop_story is not None:
            self.stop_story()
        else:
            self.player.stop()

    def seek_by(self, seconds: float) -> None:
        self.player.seek(max(0.0, self.player.position + seconds))

    def narrate_again(self, which: str) -> None:
        story = self.reader.story
        if story is None:
            return
        self.bar.show_message("")
        self.read_along.enabled = True
        self.playback.start(story, provider=which, again=True)

    def notice(self, message: str) -> None:
        self.bar.show_message(message)
        self.window.statusBar().showMessage(message, NOTICE_MS)

    # -- events --------------------------------------------------------------------------------------------------
    def _story_shown(self, story_id: str) -> None:
        story = self.reader.story
        if story is None:
            return
        playing_this = self.playback.story_id == story_id
        self.read_along.enabled = playing_this
        if playing_this:
            # The document was rendered again: find the sentences anew.
            self.read_along.set_timings(story.content, self.read_along.timings)
        self._update_actions(self.player.state)

    def _prepare_voice(self) -> None:
        """Load what Play will need for the story shown, once per language."""
        story = self.reader.story
        if story is None or story.language in self._prepared:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # the app shuts down: nothing to prepare
        self._prepared.add(story.language)
        self.ctx.tasks.spawn(self.ctx.narrator.prepare(story.language), name=PREPARE_TASK,
                             title=self.tr("Preparing the voice"), replace=True)

    def _narration_ready(self, narration: Narration) -> None:
        story = self.reader.story
        if story is not None and story.id == narration.story_id:
            self.read_along.set_timings(story.content, narration.timings)

    def _on_library_change(self, kind: str, ids: list[str]) -> None:
        if kind == "stories_purged" and self.playback.story_id in ids:
            self.playback.release_story(ids)  # let go of the files before they are deleted

    def _update_actions(self, state: PlayerState) -> None:
        playing = state is PlayerState.PLAYING
        self.play_action.setText(self.tr("Pause") if playing else self.tr("Play"))
        self.window.actions.set_icon("play", "pause" if playing else "play")
        available = self.player.isAvailable()
        has_story = self.reader.story is not None
        loaded = available and bool(self.player.segments)
        self.play_action.setEnabled(available and has_story)
        self.stop_action.setEnabled(loaded)
        self.back_action.setEnabled(loaded)
        self.forward_action.setEnabled(loaded)
        self.bar.set_commands(can_play=available and has_story, can_stop=loaded)
        self.again_action.setEnabled(has_story)
        self.again_eleven_action.setEnabled(has_story)

    def close(self) -> None:
        self._unsubscribe()
        self.playback.stop()


def install_narration(window: MainWindow) -> NarrationControls:
    controls = NarrationControls(window)
    window.narration = controls
    return controls
