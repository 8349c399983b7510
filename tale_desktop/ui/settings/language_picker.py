"""The interface language field of the Settings dialog: "Like the system", English, Русский.

It loads and saves its own value (settings key ``ui/language``; empty = follow the system). A choice is applied
at the next start, and the field says so as soon as it differs from the language the window speaks now. With
``TALE_LANGUAGE`` set, the field is read-only and names the variable (the environment wins).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from tale_desktop import settings as cfg
from tale_desktop.domain.languages import NATIVE_NAMES, SYSTEM, first_supported
from tale_desktop.ui.common.language import (
    available_languages,
    current_language,
    language_switch,
    system_ui_languages,
)
from tale_desktop.ui.common.wheel_guard import NoWheelComboBox


class LanguagePicker(QWidget):
    changed = Signal()

    def __init__(self, settings: cfg.Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.combo = NoWheelComboBox()
        self.combo.setObjectName("interfaceLanguage")
        self.combo.setAccessibleName(self.tr("Interface language"))
        system = first_supported(system_ui_languages()) or "en"
        self.combo.addItem(self.tr("Like the system ({language})").format(language=NATIVE_NAMES[system]),
                           SYSTEM)
        for code in available_languages():
            self.combo.addItem(NATIVE_NAMES[code], code)  # each language in its own name
        self.note = QLabel()
        self.note.setObjectName("fieldHint")
        self.note.setWordWrap(True)
        self.restart_button = QPushButton(self.tr("Restart now"))
        self.restart_button.setObjectName("restartForLanguage")
        self.restart_button.setToolTip(self.tr("Save the language and start Tale Desktop again"))
        self.restart_button.clicked.connect(self.restart_now)
        row = QHBoxLayout()
        row.addWidget(self.note, 1)
        row.addWidget(self.restart_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addLayout(row)
        self.load()
        self.combo.currentIndexChanged.connect(self._update_note)
        self.combo.currentIndexChanged.connect(self.changed)

    @property
    def from_environment(self) -> bool:
        return bool(self.settings.env.get("TALE_LANGUAGE"))

    def load(self) -> None:
        index = self.combo.findData(self.settings.stored(cfg.UI_LANGUAGE))
        self.combo.setCurrentIndex(max(0, index))
        self.combo.setEnabled(not self.from_environment)
        self._update_note()

    def chosen(self) -> str:
        return str(self.combo.currentData() or SYSTEM)

    def effective(self) -> str:
        """The language the window will speak at the next start with the current choice."""
        return self.settings.interface_language(system_names=system_ui_languages()) if self.from_environment \
            else (self.chosen() or first_supported(system_ui_languages()) or "en")

    def save(self) -> bool:
        """Store the choice; True when it changes the language (a restart applies it)."""
        if self.from_environment:
            return False
        self.settings.set(cfg.UI_LANGUAGE, self.chosen() or None)
        return self.effective() != current_language()

    def restart_now(self) -> None:
        self.save()
        language_switch().request_restart()

    def _update_note(self) -> None:
        self.restart_button.setVisible(not self.from_environment and self.effective() != current_language())
        if self.from_environment:
            self.note.setText(self.tr("Set by the environment variable TALE_LANGUAGE."))
        elif self.effective() != current_language():
            self.note.setText(self.tr("The new language is used after Tale Desktop restarts."))
        else:
            self.note.setText(self.tr("New stories are written in this language unless you choose another."))
