"""The "Narration voices" section of the Settings dialog: an ElevenLabs voice per language, picked from the
account's live voice list (or typed as an id), and the parent's own piper voice file (.onnx).
Values are written when the dialog is saved."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from tale_desktop import settings as cfg
from tale_desktop.ui.common.wheel_guard import NoWheelComboBox

log = logging.getLogger(__name__)

LANGUAGE_KEYS = {"en": cfg.ELEVENLABS_VOICE_EN, "ru": cfg.ELEVENLABS_VOICE_RU}


class VoiceSettings(QWidget):
    def __init__(self, ctx: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.combos: dict[str, QComboBox] = {}
        form = QFormLayout(self)
        for language, key in LANGUAGE_KEYS.items():
            combo = NoWheelComboBox()
            combo.setEditable(True)
            combo.setObjectName(f"voice_{language}")
            combo.lineEdit().setPlaceholderText(self.tr("The standard voice"))
            combo.setToolTip(self.tr("Pick a voice after “Load my voices”, or paste a voice id from ElevenLabs"))
            combo.setEditText(ctx.settings.get(key))
            self.combos[language] = combo
            form.addRow(self.tr("English voice") if language == "en" else self.tr("Russian voice"), combo)
        self.load_button = QPushButton(self.tr("Load my voices"))
        self.load_button.setToolTip(self.tr("Fill the lists with the voices of your ElevenLabs account "
                                            "(uses the saved key)"))
        self.load_button.clicked.connect(self.load_voices)
        self.status = QLabel()
        self.status.setObjectName("fieldHint")
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.load_button)
        row.addWidget(self.status, 1)
        form.addRow("", row)
        self.piper_path = QLineEdit(ctx.settings.get(cfg.PIPER_VOICE_PATH))
        self.piper_path.setObjectName("piper_voice_path")
        self.piper_path.setPlaceholderText(self.tr("optional: your own piper voice file (.onnx)"))
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._browse)
        piper_row = QHBoxLayout()
        piper_row.addWidget(self.piper_path, 1)
        piper_row.addWidget(browse)
        form.addRow(self.tr("Own offline voice"), piper_row)

    def load_voices(self) -> None:
        self.load_button.setEnabled(False)
        self.status.setText(self.tr("Loading the voices…"))
        self.ctx.tasks.spawn(self.ctx.narrator.elevenlabs_voices(), name="settings.voices", replace=True,
                             title=self.tr("Loading ElevenLabs voices"), on_result=self._fill,
                             on_error=self._failed)

    def _fill(self, voices: list[Any]) -> None:
        self.load_button.setEnabled(True)
        self.show_voices(voices)

    def show_voices(self, voices: list[Any]) -> None:
        """List the account's voices by name in the pickers (a family voice, which names no language, in
        every language's list)."""
        for language, combo in self.combos.items():
            current = self.voice_id(language)
            combo.clear()
            speaking = [v for v in voices if language in v.languages or not v.languages] or voices
            for voice in speaking:
                combo.addItem(voice.name, voice.voice_id)  # the name; the id stays behind it
                combo.setItemData(combo.count() - 1, voice.voice_id, Qt.ItemDataRole.ToolTipRole)
            chosen = combo.findData(current)
            if chosen >= 0:
                combo.setCurrentIndex(chosen)
            else:
                combo.setEditText(current)
        self.status.setText(self.tr("1 voice in your account.") if len(voices) == 1
                            else self.tr("{0} voices in your account.").format(len(voices)))

    def _failed(self, message: str, _exc: BaseException) -> None:
        self.load_button.setEnabled(True)
        self.status.setText(message)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a piper voice"), "",
                                              self.tr("Piper voices (*.onnx)"))
        if path:
            self.piper_path.setText(path)

    def voice_id(self, language: str) -> str:
        combo = self.combos[language]
        text = combo.currentText().strip()
        index = combo.findText(text)
        if index >= 0 and combo.itemData(index):
            return str(combo.itemData(index))
        return text

    def save(self) -> None:
        for language, key in LANGUAGE_KEYS.items():
            self.ctx.settings.set(key, self.voice_id(language))
        self.ctx.settings.set(cfg.PIPER_VOICE_PATH, self.piper_path.text().strip())


def install_voice_settings(dialog: Any) -> VoiceSettings:
    """Add the section to a SettingsDialog (its ``add_section`` extension point) and save with it."""
    section = VoiceSettings(dialog.ctx)
    dialog.add_section(QCoreApplication.translate("VoiceSettings", "Narration voices"), section, name="voices")
    dialog.saved.connect(section.save)
    return section
