"""“Read by: Mum's recording / Offline voice / ElevenLabs Calm Storyteller”: which of the story's narrations
plays, in a row above the player bar, with the "Record my reading" button beside it. The widget shows the
narrations it is given and emits ``chosen(narration_id)``; the container saves the choice."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

from tale_desktop.domain.enums import NarrationProvider
from tale_desktop.domain.models import Narration
from tale_desktop.providers.elevenlabs import VoiceInfo
from tale_desktop.ui.common.wheel_guard import NoWheelComboBox


def narration_label(narration: Narration, voice_name: Callable[[str], str]) -> str:
    def t(text: str) -> str:
        return QCoreApplication.translate("NarrationPicker", text)

    if narration.provider == NarrationProvider.RECORDING:
        speaker = narration.voice_id.strip()
        return t("{0}'s recording").format(speaker) if speaker else t("A family recording")
    if narration.provider == NarrationProvider.ELEVENLABS:
        name = voice_name(narration.voice_id)
        return t("ElevenLabs {0}").format(name) if name else t("ElevenLabs voice")
    return t("Offline voice")


VOICE = "voice:"  # item data of a family voice that has not read this story yet


class NarrationPicker(QWidget):
    chosen = Signal(str)  # the narration the parent picked
    voice_chosen = Signal(str)  # a family voice that should read the story (ElevenLabs voice id)

    def __init__(self, record_action: QAction, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("narrationPicker")
        self.label = QLabel(self.tr("Read by:"))
        self.combo: QComboBox = NoWheelComboBox()
        self.combo.setObjectName("narrationChoice")
        self.combo.setAccessibleName(self.tr("Read by"))
        self.combo.setToolTip(self.tr("Which reading of this story plays"))
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.activated.connect(self._activated)
        self.label.setBuddy(self.combo)
        self.record_button = QToolButton()
        self.record_button.setObjectName("recordButton")
        self.record_button.setDefaultAction(record_action)
        self.record_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.record_button.setAutoRaise(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 8, 0)
        row.setSpacing(6)
        row.addWidget(self.label)
        row.addWidget(self.combo)
        row.addStretch(1)
        row.addWidget(self.record_button)
        self.show_narrations([], lambda _id: "")

    def show_narrations(self, narrations: list[Narration], voice_name: Callable[[str], str],
                        family: Sequence[VoiceInfo] = ()) -> None:
        """The story's narrations in play order (the one that plays first), then the family voices that have
        not read it yet (choosing one has it read in that voice)."""
        self.combo.clear()
        for narration in narrations:
            self.combo.addItem(narration_label(narration, voice_name), narration.id)
        used = {n.voice_id for n in narrations if n.provider == NarrationProvider.ELEVENLABS}
        for voice in family:
            if voice.voice_id not in used:
                self.combo.addItem(self.tr("{0} (family voice)").format(voice.name), VOICE + voice.voice_id)
        self.combo.setCurrentIndex(0 if self.combo.count() else -1)
        for widget in (self.label, self.combo):
            widget.setVisible(self.combo.count() > 0)

    def current_id(self) -> str:
        return str(self.combo.currentData() or "")

    def choose(self, narration_id: str) -> None:
        """Pick a narration (or a family voice, by its id) as the parent would."""
        index = self.combo.findData(narration_id)
        if index < 0:
            index = self.combo.findData(VOICE + narration_id)
        if index >= 0:
            self.combo.setCurrentIndex(index)
            self._activated(index)

    def _activated(self, index: int) -> None:
        data = str(self.combo.itemData(index) or "")
        if data.startswith(VOICE):
            self.voice_chosen.emit(data[len(VOICE):])
        elif data:
            self.chosen.emit(data)
