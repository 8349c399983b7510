"""Settings → Voices → Family voices: the family's cloned ElevenLabs voices by name, each with Delete (after a
confirmation), and "Create a family voice…", which opens the consent step.

The consent step says what is uploaded (the recordings chosen), to whom (ElevenLabs), and that only the speaker's
own voice may be cloned; the parent ticks an explicit box, chooses at least a minute of samples (files and/or
their own reading recordings from the library), and the voice is made in the background through the task helper.
Every dialog opens with ``open()``; nothing waits on the loop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tale_desktop.context import AppContext
from tale_desktop.domain.family_voice import MAX_VOICE_NAME, MIN_CLONE_SECONDS
from tale_desktop.domain.models import Narration
from tale_desktop.providers.elevenlabs import VoiceInfo
from tale_desktop.providers.elevenlabs_voices import ClonedVoice
from tale_desktop.ui.asyncqt import alive
from tale_desktop.ui.common.dialogs import confirm, show_error
from tale_desktop.ui.listen.voice_directory import CLONED, VoiceDirectory

log = logging.getLogger(__name__)

RECORDING_FILTER = "*.m4a *.mp3 *.wav *.ogg *.opus"
CLONE_TASK = "voices.clone"
PathRole = Qt.ItemDataRole.UserRole
SecondsRole = Qt.ItemDataRole.UserRole + 1


def minutes_and_seconds(seconds: float) -> str:
    def t(text: str) -> str:
        return QCoreApplication.translate("FamilyVoices", text)

    total = int(round(seconds))
    minutes, rest = divmod(total, 60)
    if minutes and rest:
        return t("{0} min {1} s").format(minutes, rest)
    if minutes:
        return t("{0} min").format(minutes)
    return t("{0} s").format(rest)


@dataclass
class Sample:
    path: Path
    seconds: float
    label: str


class CloneVoiceDialog(QDialog):
    """The consent step and the samples of a new family voice."""

    created = Signal(str)  # the new voice's name

    def __init__(self, ctx: AppContext, directory: VoiceDirectory, parent: QWidget | None = None, *,
                 speaker: str = ""):
        super().__init__(parent)
        self.ctx = ctx
        self.directory = directory
        self.setObjectName("cloneVoiceDialog")
        self.setWindowTitle(self.tr("Create a family voice"))
        self.setMinimumWidth(520)
        self.resize(640, 640)

        heading = QLabel(self.tr("A voice that sounds like a member of your family"))
        heading.setObjectName("bannerHeading")
        heading.setWordWrap(True)
        self.name = QLineEdit(speaker)
        self.name.setObjectName("voiceName")
        self.name.setMaxLength(MAX_VOICE_NAME)
        self.name.setPlaceholderText(self.tr("e.g. Mum or Grandpa"))
        self.consent_text = QLabel(self.tr(
            "<p><b>What is uploaded:</b> the recordings you choose below.</p>"
            "<p><b>To whom:</b> ElevenLabs (ElevenLabs, Inc., elevenlabs.io). It keeps the recordings and the voice "
            "made from them on its servers, under its terms, on the ElevenLabs account whose key is in Settings."
            "</p><p><b>Whose voice:</b> only your own voice, or the voice of a family member who is the person "
            "speaking in every recording and has agreed to it. Never clone anyone else's voice.</p>"
            "<p>You can delete the voice at any time here in Settings.</p>"))
        self.consent_text.setObjectName("consentText")
        self.consent_text.setTextFormat(Qt.TextFormat.RichText)
        self.consent_text.setWordWrap(True)
        self.samples = QListWidget()
        self.samples.setObjectName("voiceSamples")
        self.samples.setAccessibleName(self.tr("Recordings to upload"))
        self.samples.setMinimumHeight(110)
        self.samples.itemChanged.connect(lambda _item: self._update_total())
        self.no_samples = QLabel(self.tr("No recordings yet. Add recordings of the speaker from files; a reading "
                                         "recorded with “Record my reading” is listed here too."))
        self.no_samples.setObjectName("fieldHint")
        self.no_samples.setWordWrap(True)
        self.add_files_button = QPushButton(self.tr("Add recordings from files…"))
        self.add_files_button.setObjectName("addSampleFiles")
        self.add_files_button.clicked.connect(self.choose_files)
        self.total = QLabel()
        self.total.setObjectName("fieldHint")
        self.total.setWordWrap(True)
        self.consent = QCheckBox(self.tr("The person speaking in these recordings is me, or has agreed to have "
                                         "their voice cloned"))
        self.consent.setObjectName("consentBox")
        self.consent.toggled.connect(lambda _on: self.error.hide())
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox()
        self.create_button = self.buttons.addButton(self.tr("Create the voice"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("createVoice")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.create)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("Name of the voice"), self.name)
        sample_row = QHBoxLayout()
        sample_row.addWidget(self.total, 1)
        sample_row.addWidget(self.add_files_button, 0, Qt.AlignmentFlag.AlignTop)
        samples_heading = QLabel(self.tr("Recordings of the speaker (at least a minute in total; reading a story "
                                         "aloud works well):"))
        samples_heading.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.consent_text)
        layout.addLayout(form)
        layout.addWidget(samples_heading)
        layout.addWidget(self.samples, 1)
        layout.addWidget(self.no_samples)
        layout.addLayout(sample_row)
        layout.addWidget(self.consent)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._file_dialog: QFileDialog | None = None
        self._update_total()
        self._load_recordings()

    # -- samples ------------------------------------------------------------------------------------------------
    def _load_recordings(self) -> None:
        def fill(found: list[tuple[Narration, str]]) -> None:
            if not alive(self):
                return
            for narration, title in found:
                speaker = narration.voice_id or self.tr("a family member")
                label = self.tr("“{0}” read by {1} ({2})").format(title, speaker,
                                                                   minutes_and_seconds(narration.duration_s))
                self._add_sample(Sample(Path(str(narration.local_file)), narration.duration_s, label),
                                 checked=False)

        self.ctx.tasks.spawn(self.ctx.narrator.recordings(), name="voices.samples",
                             title=self.tr("Finding your recordings"), replace=True, on_result=fill)

    def _add_sample(self, sample: Sample, *, checked: bool) -> None:
        for row in range(self.samples.count()):
            if self.samples.item(row).data(PathRole) == str(sample.path):
                self.samples.item(row).setCheckState(Qt.CheckState.Checked)
                return
        item = QListWidgetItem(sample.label)
        item.setData(PathRole, str(sample.path))
        item.setData(SecondsRole, sample.seconds)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.samples.addItem(item)
        self._update_total()

    def choose_files(self) -> QFileDialog:
        dialog = QFileDialog(self, self.tr("Choose recordings of the speaker"))
        dialog.setObjectName("sampleFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter(self.tr("Recordings ({0})").format(RECORDING_FILTER))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(self.add_files)
        self._file_dialog = dialog
        dialog.open()
        return dialog

    def add_files(self, paths: list[str]) -> None:
        """Measure each file off the loop thread, then list it (checked)."""
        for name in paths:
            path = Path(name)

            def listed(seconds: float, path: Path = path) -> None:
                if alive(self):
                    self._add_sample(Sample(path, seconds, f"{path.name} ({minutes_and_seconds(seconds)})"),
                                     checked=True)

            def failed(message: str, _exc: BaseException) -> None:
                if alive(self):
                    self._show_error(message)

            self.ctx.tasks.spawn(self.ctx.voices.recording_seconds(path), name="voices.measure",
                                 title=self.tr("Reading {0}").format(path.name), on_result=listed,
                                 on_error=failed)

    def chosen(self) -> list[tuple[Path, float]]:
        items = [self.samples.item(row) for row in range(self.samples.count())]
        return [(Path(str(i.data(PathRole))), float(i.data(SecondsRole))) for i in items
                if i.checkState() == Qt.CheckState.Checked]

    def total_seconds(self) -> float:
        return sum(seconds for _path, seconds in self.chosen())

    def _update_total(self) -> None:
        self.no_samples.setVisible(self.samples.count() == 0)
        total = self.total_seconds()
        if total >= MIN_CLONE_SECONDS:
            self.total.setText(self.tr("Chosen: {0}. That is enough for a voice.").format(
                minutes_and_seconds(total)))
        else:
            self.total.setText(self.tr("Chosen: {0}. A family voice needs at least a minute of recordings."
                                       ).format(minutes_and_seconds(total)))

    # -- creating -----------------------------------------------------------------------------------------------
    def problems(self) -> list[str]:
        problems = []
        if not " ".join(self.name.text().split()):
            problems.append(self.tr("Give the voice a name, such as Mum or Grandpa."))
        if self.total_seconds() < MIN_CLONE_SECONDS:
            problems.append(self.tr("Choose at least a minute of recordings in total; these last {0}.").format(
                minutes_and_seconds(self.total_seconds())))
        if not self.consent.isChecked():
            problems.append(self.tr("Tick the box to confirm that the person speaking agreed. Nothing is "
                                    "uploaded without it."))
        return problems

    def create(self) -> None:
        problems = self.problems()
        if problems:
            self._show_error(" ".join(problems))
            return
        name = " ".join(self.name.text().split())
        files = [path for path, _seconds in self.chosen()]
        self.error.hide()
        self.create_button.setEnabled(False)
        self.create_button.setText(self.tr("Creating the voice…"))

        def done(voice: ClonedVoice) -> None:
            self.directory.added(VoiceInfo(voice.voice_id, voice.name or name, (), CLONED))
            self.created.emit(voice.name or name)
            if alive(self):
                self.accept()

        def failed(message: str, _exc: BaseException) -> None:
            if alive(self):
                self.create_button.setEnabled(True)
                self.create_button.setText(self.tr("Create the voice"))
                self._show_error(message)

        self.ctx.tasks.spawn(self.ctx.voices.clone(name, files, consent=self.consent.isChecked()),
                             name=CLONE_TASK, title=self.tr("Making the family voice “{0}”").format(name),
                             on_result=done, on_error=failed)

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()


class FamilyVoicesSection(QWidget):
    """The family's cloned voices with Delete, and "Create a family voice…"."""

    create_requested = Signal()

    def __init__(self, ctx: AppContext, directory: VoiceDirectory, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.directory = directory
        self.setObjectName("familyVoices")
        self.intro = QLabel(self.tr("A family voice reads any story in the voice of someone the children know. "
                                    "It is made by ElevenLabs from at least a minute of that person's own "
                                    "recordings."))
        self.intro.setObjectName("fieldHint")
        self.intro.setWordWrap(True)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(4)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.create_button = QPushButton(self.tr("Create a family voice…"))
        self.create_button.setObjectName("createFamilyVoice")
        self.create_button.clicked.connect(self.create_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.create_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.intro)
        layout.addLayout(self.rows)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        self.delete_buttons: dict[str, QPushButton] = {}
        directory.changed.connect(self.refresh)
        directory.failed.connect(self._failed)
        self.refresh()
        directory.ensure_loaded()

    def refresh(self) -> None:
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        self.delete_buttons = {}
        for voice in self.directory.family:
            row = QWidget()
            row.setObjectName("familyVoiceRow")
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            name = QLabel(voice.name)
            name.setObjectName("familyVoiceName")
            delete = QPushButton(self.tr("Delete"))
            delete.setObjectName("deleteFamilyVoice")
            delete.setAccessibleName(self.tr("Delete the voice {0}").format(voice.name))
            delete.clicked.connect(lambda _=False, v=voice: self.ask_delete(v))
            line.addWidget(name, 1)
            line.addWidget(delete)
            self.rows.addWidget(row)
            self.delete_buttons[voice.name] = delete
        if self.directory.loading and not self.directory.loaded:
            self.empty.setText(self.tr("Loading the voices…"))
        elif not self.directory.configured:
            self.empty.setText(self.tr("Family voices need an ElevenLabs key (above)."))
        elif not self.directory.family:
            self.empty.setText(self.tr("No family voices yet."))
        else:
            self.empty.setText("")
        self.empty.setVisible(bool(self.empty.text()))

    def _failed(self, message: str) -> None:
        self.empty.setText(message)
        self.empty.show()

    def ask_delete(self, voice: VoiceInfo) -> None:
        confirm(self, self.tr("Delete the voice “{0}”?").format(voice.name),
                self.tr("The voice is deleted from your ElevenLabs account. Stories already narrated with it "
                        "keep their audio."), lambda: self.delete(voice), yes_text=self.tr("Delete"))

    def delete(self, voice: VoiceInfo) -> None:
        def done(_result: object) -> None:
            self.directory.removed(voice.voice_id)

        def failed(message: str, _exc: BaseException) -> None:
            show_error(self if alive(self) else None, self.tr("The voice was not deleted"), message)

        self.ctx.tasks.spawn(self.ctx.voices.delete(voice.voice_id), name="voices.delete",
                             title=self.tr("Deleting the voice “{0}”").format(voice.name), on_result=done,
                             on_error=failed)
