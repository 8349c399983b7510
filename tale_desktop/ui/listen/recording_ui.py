"""A parent's own voice in the window: "Record my reading" and "Use a recording from a file…" (actions in the
window's registry, in the Listen menu), the recording page with the story as a prompt, the "Read by" narration
picker above the player bar, and the Family voices group of Settings → Voices.

A finished reading (recorded here or brought from a phone) becomes the story's narration through
``narrator.narrate_recording`` in the background (the task is named by the story's title; the parent is told
when it is ready), and plays next with read-along. Without a microphone, "Record my reading" says so and offers
the file instead. Dialogs open with ``open()``; nothing waits on the loop.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtMultimedia import QAudioDevice
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox

from tale_desktop import settings as cfg
from tale_desktop.domain.models import Narration, Story
from tale_desktop.services.narrator import NarrationListener
from tale_desktop.services.tasks import TaskHandle
from tale_desktop.ui.listen.narration_picker import NarrationPicker
from tale_desktop.ui.listen.player import PlayerState
from tale_desktop.ui.listen.recorder import available_inputs
from tale_desktop.ui.listen.recording_page import RecordingPage
from tale_desktop.ui.listen.voice_directory import VoiceDirectory
from tale_desktop.ui.settings.family_voices import RECORDING_FILTER, CloneVoiceDialog, FamilyVoicesSection
from tale_desktop.ui.settings.voice_settings import VoiceSettings

if TYPE_CHECKING:
    from tale_desktop.ui.listen.narration_ui import NarrationControls
    from tale_desktop.ui.settings.settings_dialog import SettingsDialog
    from tale_desktop.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)

IMPORT_TASK = "recording.import"
PICKER_TASK = "recording.picker"
PARENTS_WORK = (IMPORT_TASK, "voices.clone", "voices.delete")  # shown in the Tasks panel while they run


class RecordingControls(QObject):
    def __init__(self, window: MainWindow, narration: NarrationControls, *,
                 inputs: list[QAudioDevice] | None = None):
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.narration = narration
        self.reader = window.reader
        self._inputs = inputs
        self.directory = VoiceDirectory(self.ctx, self)
        self.page: RecordingPage | None = None
        self.file_dialog: QFileDialog | None = None
        self.no_microphone_box: QMessageBox | None = None
        self.speaker_dialog: QInputDialog | None = None
        self.clone_dialog: CloneVoiceDialog | None = None
        self._story_for_file: Story | None = None

        listening = self.tr("Listening")
        actions = window.actions
        self.record_action = actions.define(
            "record_reading", self.tr("Record my reading"), section=listening, icon="microphone",
            tip=self.tr("Read the story aloud: your recording becomes its narration, with the text highlighted"),
            slot=self.record)
        self.import_action = actions.define(
            "import_recording", self.tr("Use a recording from a file…"), section=listening,
            tip=self.tr("A reading recorded on a phone or another computer becomes the story's narration"),
            slot=self.choose_file)
        narration.menu.addSeparator()
        narration.menu.addAction(self.record_action)
        narration.menu.addAction(self.import_action)

        self.picker = NarrationPicker(self.record_action)
        self.reader.bottom_slot.insertWidget(0, self.picker)  # just above the player bar
        self.picker.chosen.connect(self.choose_narration)
        self.picker.voice_chosen.connect(self.read_in_voice)
        self.reader.story_shown.connect(self._story_shown)
        window.story.closed.connect(self._story_shown_none)
        self.directory.changed.connect(self.refresh_picker)
        self._unsubscribe = self.ctx.library.subscribe(self._on_library_change)
        panel = window.tasks_panel
        panel.shown_prefixes = (*panel.shown_prefixes, *PARENTS_WORK)
        window.settings_opened.connect(self._settings_opened)
        window.settings_saved.connect(self._settings_saved)
        window.theme.theme_changed.connect(self._recolour)
        window.center.currentChanged.connect(lambda _index: self._update_actions())
        self._update_actions()

    # -- state ---------------------------------------------------------------------------------------------------
    @property
    def inputs(self) -> list[QAudioDevice]:
        return available_inputs() if self._inputs is None else list(self._inputs)

    @property
    def speaker(self) -> str:
        return self.ctx.settings.get(cfg.UI_RECORDING_SPEAKER).strip()

    def remember_speaker(self, name: str) -> None:
        name = " ".join(name.split())
        if name and name != self.speaker:
            try:
                self.ctx.settings.set(cfg.UI_RECORDING_SPEAKER, name)
            except Exception:  # a read-only config folder must not stop the recording
                log.warning("Could not remember who reads", exc_info=True)

    def _update_actions(self) -> None:
        has_story = self.reader.story is not None
        recording = self.page is not None and self.page.busy
        importing = self.ctx.tasks.get(IMPORT_TASK) is not None
        self.record_action.setEnabled((has_story and not importing) or recording)
        self.import_action.setEnabled(has_story and not recording and not importing)

    # -- recording -----------------------------------------------------------------------------------------------
    def record(self) -> None:
        """Open the recording page for the story in the reader, or say there is no microphone."""
        if self.page is not None and self.page.busy:  # a reading is being recorded: back to it
            self.window.show_center_page(self.page)
            return
        story = self.reader.story
        if story is None:
            return
        inputs = self.inputs
        if not inputs:
            self._no_microphone()
            return
        if self.page is None:
            self.page = RecordingPage(self.ctx.settings.data_dir / "recording", inputs=inputs)
            self.page.recorded.connect(self._recorded)
            self.page.import_requested.connect(self.choose_file)
            self.page.back_requested.connect(self.leave_page)
            self.page.speaker_changed.connect(self.remember_speaker)
            self.page.recorder.state_changed.connect(lambda _state: self._update_actions())
            self.page.recorder.message.connect(self.narration.notice)
            self.window.add_center_page(self.page)
        self.narration.player.pause()
        self.page.show_story(story, self.speaker)
        self.window.show_center_page(self.page)

    def leave_page(self) -> None:
        if self.page is not None:
            self.page.release()
        self.window.show_center_page(None)

    def _no_microphone(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("No microphone"),
                          self.tr("No microphone was found on this computer, so your reading cannot be recorded "
                                  "here. You can use a recording made on a phone or another computer instead "
                                  "(m4a, mp3, wav, ogg or opus)."), QMessageBox.StandardButton.NoButton,
                          self.window)
        box.setObjectName("noMicrophoneBox")
        use_file = box.addButton(self.tr("Use a recording from a file…"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            if box.clickedButton() is use_file:
                self.choose_file()

        box.finished.connect(answered)
        self.no_microphone_box = box
        box.open()
        return box

    def _recorded(self, path: str, speaker: str) -> None:
        story = self.page.story if self.page is not None else None
        if story is None:
            return
        self.remember_speaker(speaker)
        self.window.show_center_page(None)
        self._with_speaker(lambda name: self.attach(story, path, name, remove_source=True), speaker)

    # -- a recording from a file ---------------------------------------------------------------------------------
    def choose_file(self) -> QFileDialog | None:
        story = self.reader.story
        if story is None:
            return None
        self._story_for_file = story
        dialog = QFileDialog(self.window, self.tr("Use a recording of “{0}”").format(story.title))
        dialog.setObjectName("recordingFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters([self.tr("Recordings ({0})").format(RECORDING_FILTER), self.tr("All files (*)")])
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self._file_chosen)
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def _file_chosen(self, path: str) -> None:
        story = self._story_for_file
        if story is None or not path:
            return
        self._with_speaker(lambda name: self.attach(story, path, name), self.speaker)

    def _with_speaker(self, then: Callable[[str], object], known: str) -> None:
        """Call ``then(name)`` with who reads in the recording, asking once when nobody was named yet."""
        if known:
            then(known)
            return
        dialog = QInputDialog(self.window)
        dialog.setObjectName("speakerDialog")
        dialog.setWindowTitle(self.tr("Who is reading?"))
        dialog.setLabelText(self.tr("Who reads in this recording? The name is shown when you choose which "
                                    "reading plays."))
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setTextValue("")
        dialog.setOkButtonText(self.tr("Use the recording"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted(name: str) -> None:
            name = " ".join(name.split()) or self.tr("Family")
            self.remember_speaker(name)
            then(name)

        dialog.textValueSelected.connect(accepted)
        self.speaker_dialog = dialog
        dialog.open()

    def attach(self, story: Story, path: str, speaker: str, *, remove_source: bool = False) -> TaskHandle:
        """Make the recording the story's narration (aligned with the text in the background)."""
        listener = NarrationListener(on_notice=self.narration.notice)
        title = story.title or self.tr("Untitled story")

        async def work(handle: TaskHandle) -> Narration:
            handle.report(message=self.tr("Lining the recording up with the text"))
            try:
                return await self.ctx.narrator.narrate_recording(story.id, path, speaker=speaker,
                                                                 listener=listener)
            finally:
                if remove_source:  # the page's own file: the narration keeps its own copy in the cache
                    Path(path).unlink(missing_ok=True)

        def done(narration: Narration) -> None:
            self._update_actions()
            playback = self.narration.playback
            if playback.story_id == story.id:  # this story was loaded in the player: the reading plays next
                playing = self.narration.player.state is PlayerState.PLAYING
                playback.stop()
                playback.story = None
                if playing and self.reader.story is not None and self.reader.story.id == story.id:
                    self.narration.play()
            self.narration.notice(self.tr("{0}'s reading of “{1}” is ready: it plays with the text "
                                          "highlighted.").format(narration.voice_id or speaker, title))
            if not self.window.isActiveWindow():
                self.window.notify(self.tr("A reading is ready"),
                                   self.tr("“{0}” now plays in {1}'s voice.").format(title, speaker))

        def failed(message: str, _exc: BaseException) -> None:
            self._update_actions()
            self.narration.notice(message)

        handle = self.ctx.tasks.spawn(work, name=IMPORT_TASK, title=self.tr("Adding your reading of “{0}”").format(
            title), on_result=done, on_error=failed)
        self._update_actions()
        return handle

    # -- which narration plays -----------------------------------------------------------------------------------
    def _story_shown(self, _story_id: str) -> None:
        self._update_actions()
        self.refresh_picker()

    def _story_shown_none(self) -> None:
        self._update_actions()
        self.refresh_picker()

    def refresh_picker(self) -> None:
        story = self.reader.story
        if story is None:
            self.picker.show_narrations([], self.directory.name_of)
            return
        story_id = story.id

        def fill(narrations: list[Narration]) -> None:
            if self.reader.story_id != story_id:
                return
            self.picker.show_narrations(narrations, self.directory.name_of, self.directory.family)
            self.directory.ensure_loaded()  # voices by name, and the family voices that can read it

        self.ctx.tasks.spawn(self.ctx.narrator.narrations(story_id), name=PICKER_TASK,
                             title=self.tr("Finding the story's readings"), replace=True, on_result=fill)

    def choose_narration(self, narration_id: str) -> None:
        story = self.reader.story
        if story is None:
            return
        playback = self.narration.playback

        def chosen(_result: object) -> None:
            if playback.story_id == story.id:
                playing = self.narration.player.state is PlayerState.PLAYING
                playback.stop()
                playback.story = None
                if playing:
                    self.narration.play()  # go on with the chosen reading

        self.ctx.tasks.spawn(self.ctx.narrator.set_preferred(story.id, narration_id), name="recording.choose",
                             title=self.tr("Choosing the reading"), replace=True, on_result=chosen,
                             on_error=lambda message, _exc: self.narration.notice(message))

    def read_in_voice(self, voice_id: str) -> None:
        """A family voice reads the story (ElevenLabs), which then plays, and is remembered as the choice."""
        story = self.reader.story
        if story is None:
            return
        playback = self.narration.playback

        def ready(narration: Narration) -> None:
            playback.narration_ready.disconnect(ready)
            if narration.story_id == story.id and narration.voice_id == voice_id:
                self.ctx.tasks.spawn(self.ctx.narrator.set_preferred(story.id, narration.id),
                                     name="recording.choose", title=self.tr("Choosing the reading"), replace=True)

        playback.narration_ready.connect(ready)
        self.narration.bar.show_message("")
        self.narration.read_along.enabled = True
        playback.start(story, provider="elevenlabs", voice=voice_id)

    def _on_library_change(self, kind: str, ids: list[str]) -> None:
        story = self.reader.story
        if kind == "narrations" and story is not None and (not ids or story.id in ids):
            self.refresh_picker()

    # -- settings ------------------------------------------------------------------------------------------------
    def _settings_opened(self, dialog: SettingsDialog) -> None:
        section = FamilyVoicesSection(self.ctx, self.directory)
        dialog.add_section(self.tr("Family voices"), section, name="family_voices", page="voices")
        section.create_requested.connect(lambda: self.create_family_voice(dialog))
        pickers = dialog.findChild(VoiceSettings)
        if pickers is not None:  # the Settings voice pickers list the account's voices, family voices included
            def show_voices() -> None:
                if self.directory.loaded:
                    pickers.show_voices(self.directory.voices)

            self.directory.changed.connect(show_voices)
            dialog.destroyed.connect(lambda *_: self._disconnect(show_voices))
            show_voices()

    def _disconnect(self, slot: Callable[[], None]) -> None:
        with contextlib.suppress(RuntimeError, TypeError):
            self.directory.changed.disconnect(slot)

    def create_family_voice(self, parent: SettingsDialog | None = None) -> CloneVoiceDialog:
        dialog = CloneVoiceDialog(self.ctx, self.directory, parent or self.window, speaker=self.speaker)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.created.connect(lambda name: self.narration.notice(
            self.tr("The family voice “{0}” is ready: choose it in Settings → Voices.").format(name)))
        self.clone_dialog = dialog
        dialog.open()
        return dialog

    def _settings_saved(self) -> None:
        if self.directory.loaded:
            self.directory.reload()  # the key may have changed

    def _recolour(self, theme_name: str) -> None:
        if self.page is not None:
            self.page.prompt.recolour(theme_name)

    def close(self) -> None:
        self._unsubscribe()
        if self.page is not None:
            self.page.release()


def install_recording(window: MainWindow) -> RecordingControls:
    controls = RecordingControls(window, window.narration)
    window.recording = controls
    return controls
