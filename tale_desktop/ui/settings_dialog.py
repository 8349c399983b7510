"""Settings: keys and addresses of the outside services, each with a live "Test" button.

A value set by an environment variable is shown read-only with the variable's name (the environment wins). Tests
run what is typed in the form (saved or not) through the task helper and show success or the exact problem.
Later capabilities add their own sections (e.g. the Supabase account) with :meth:`SettingsDialog.add_section`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from tale_desktop import settings as cfg
from tale_desktop.context import AppContext
from tale_desktop.resources_path import resource
from tale_desktop.services import connections
from tale_desktop.ui.asyncqt import alive
from tale_desktop.ui.dialogs import show_error

log = logging.getLogger(__name__)


def _icon(name: str) -> QIcon:
    return QIcon(str(resource("icons", f"{name}.svg")))


@dataclass
class _Field:
    key: cfg.Key
    edit: QLineEdit
    from_env: bool


class ServiceSection(QGroupBox):
    """One service: its fields, a Test button and the last test's result."""

    def __init__(self, title: str, blurb: str, parent: QWidget | None = None):
        super().__init__(title, parent)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        intro = QLabel(blurb)
        intro.setObjectName("fieldHint")
        intro.setWordWrap(True)
        self.test_button = QPushButton("Test")
        self.result = QLabel()
        self.result.setObjectName("testResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.result, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.form)
        layout.addLayout(row)

    def set_result(self, ok: bool | None, text: str) -> None:
        self.result.setProperty("state", "" if ok is None else ("ok" if ok else "error"))
        self.result.setText(text if ok is None else f"{'✓' if ok else '✗'} {text}")
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)


class SettingsDialog(QDialog):
    saved = Signal()
    secrets_loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.settings = ctx.settings
        self.setWindowTitle("Settings")
        self.setMinimumSize(620, 560)
        self.resize(660, 720)
        self.fields: dict[str, _Field] = {}
        self.sections: dict[str, ServiceSection] = {}
        self.reveal_actions: dict[str, QAction] = {}
        self._initial: dict[str, str] = {}  # the values shown when the dialog opened, by key name
        self._pending: dict[str, str] = {}  # keyring fields still loading -> their placeholder

        note = self.storage_note = QLabel(self._storage_note())
        note.setObjectName("fieldHint")
        note.setWordWrap(True)

        llm = self._section("llm", "Stories (LLM)",
                            "Writing new stories needs an OpenRouter API key, or the address of a local "
                            "OpenAI-compatible server (then no key is needed).")
        self._add(llm, cfg.OPENROUTER_API_KEY, "API key", secret=True, placeholder="sk-or-…")
        self._add(llm, cfg.LLM_BASE_URL, "Base URL")
        self._add(llm, cfg.LLM_MODEL, "Model")
        voices = self._section("elevenlabs", "Natural voices (ElevenLabs)",
                               "An ElevenLabs key gives natural narration voices. Without it, stories are read "
                               "by the offline voice.")
        self._add(voices, cfg.ELEVENLABS_API_KEY, "API key", secret=True)
        self._add(voices, cfg.ELEVENLABS_BASE_URL, "Base URL")
        sync = self._section("supabase", "Sync (Supabase)",
                             "A Supabase project keeps your library, profiles and audio in step across the "
                             "family's devices.")
        self._add(sync, cfg.SUPABASE_URL, "Project URL", placeholder="https://abcd.supabase.co")
        self._add(sync, cfg.SUPABASE_KEY, "Anon key", secret=True)
        llm.test_button.clicked.connect(lambda: self.run_test("llm"))
        voices.test_button.clicked.connect(lambda: self.run_test("elevenlabs"))
        sync.test_button.clicked.connect(lambda: self.run_test("supabase"))

        self._sections_layout = QVBoxLayout()
        self._sections_layout.setSpacing(12)
        for section in self.sections.values():
            self._sections_layout.addWidget(section)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.addWidget(note)
        inner_layout.addLayout(self._sections_layout)
        inner_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self._load_secrets()

    # -- loading keys -------------------------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return not self._pending

    def _load_secrets(self) -> None:
        if not self._pending:
            return
        keys = [self.fields[name].key for name in self._pending]

        def read() -> dict[str, str]:
            return {key.name: self.settings.get(key) for key in keys}

        def fill(values: dict[str, str]) -> None:
            if not alive(self):
                return
            for name, value in values.items():
                edit = self.fields[name].edit
                edit.setText(value)
                edit.setPlaceholderText(self._pending.pop(name, ""))
                edit.setEnabled(True)
                self._initial[name] = value
            self.storage_note.setText(self._storage_note())  # reading may have found the keyring locked
            self.secrets_loaded.emit()

        self.ctx.tasks.spawn(asyncio.to_thread(read), name="settings.load", title="Reading keys", replace=True,
                             on_result=fill)

    # -- building -----------------------------------------------------------------------------------------------
    def _storage_note(self) -> str:
        if self.settings.secrets.persistent:
            return "Keys are kept in your system keyring, never in a file."
        return self.settings.secrets.warning or ("Keys are kept only until you close the app "
                                                 "(the system keyring is turned off).")

    def _section(self, name: str, title: str, blurb: str) -> ServiceSection:
        section = ServiceSection(title, blurb)
        section.setObjectName(f"section_{name}")
        self.sections[name] = section
        return section

    def _add(self, section: ServiceSection, key: cfg.Key, label: str, *, secret: bool = False,
             placeholder: str = "") -> QLineEdit:
        from_env = bool(key.env and self.settings.env.get(key.env))
        from_keyring = key.secret and not from_env  # read in a worker thread (the keyring may be slow)
        value = "" if from_keyring else self.settings.get(key)
        edit = QLineEdit(value)
        edit.setObjectName(f"edit_{key.name.replace('/', '_')}")
        edit.setPlaceholderText("Loading…" if from_keyring else (placeholder or key.default))
        edit.setClearButtonEnabled(True)
        if from_keyring:
            edit.setEnabled(False)
            self._pending[key.name] = placeholder
        else:
            self._initial[key.name] = value
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            show = QAction(_icon("eye"), "Show the key", edit)
            show.setCheckable(True)

            def toggle(on: bool, edit: QLineEdit = edit, show: QAction = show) -> None:
                edit.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
                show.setIcon(_icon("eye-off" if on else "eye"))
                show.setText("Hide the key" if on else "Show the key")

            show.toggled.connect(toggle)
            edit.addAction(show, QLineEdit.ActionPosition.TrailingPosition)
            self.reveal_actions[key.name] = show
        field_widget: QWidget = edit
        if from_env:
            edit.setReadOnly(True)
            edit.setClearButtonEnabled(False)
            edit.setToolTip(f"Set by the environment variable {key.env}; change it there.")
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(edit)
            hint = QLabel(f"From the environment variable {key.env} (read-only here).")
            hint.setObjectName("fieldHint")
            column.addWidget(hint)
            field_widget = box
        section.form.addRow(label, field_widget)
        self.fields[key.name] = _Field(key, edit, from_env)
        return edit

    def add_section(self, title: str, widget: QWidget, *, name: str | None = None) -> QGroupBox:
        """Extension point: a later capability's own group (e.g. the Supabase account) under the services."""
        group = QGroupBox(title)
        if name:
            group.setObjectName(f"section_{name}")
        QVBoxLayout(group).addWidget(widget)
        self._sections_layout.addWidget(group)
        return group

    def value(self, key: cfg.Key) -> str:
        return self.fields[key.name].edit.text().strip()

    def edit_for(self, key: cfg.Key) -> QLineEdit:
        return self.fields[key.name].edit

    # -- testing ------------------------------------------------------------------------------------------------
    def _check(self, service: str) -> Coroutine[Any, Any, connections.CheckResult]:
        http = self.ctx.http.get(service)
        if service == "llm":
            return connections.check_llm(http, self.value(cfg.LLM_BASE_URL) or cfg.LLM_BASE_URL.default,
                                         self.value(cfg.OPENROUTER_API_KEY))
        if service == "elevenlabs":
            return connections.check_elevenlabs(
                http, self.value(cfg.ELEVENLABS_BASE_URL) or cfg.ELEVENLABS_BASE_URL.default,
                self.value(cfg.ELEVENLABS_API_KEY))
        return connections.check_supabase(http, self.value(cfg.SUPABASE_URL), self.value(cfg.SUPABASE_KEY))

    def run_test(self, service: str) -> None:
        section = self.sections[service]
        section.test_button.setEnabled(False)
        section.set_result(None, "Testing…")

        def ok(result: connections.CheckResult) -> None:
            if not alive(section):
                return
            section.test_button.setEnabled(True)
            section.set_result(True, result.message)

        def failed(message: str, _exc: BaseException) -> None:
            if not alive(section):
                return
            section.test_button.setEnabled(True)
            section.set_result(False, message)

        self.ctx.tasks.spawn(self._check(service), name=f"settings.test.{service}",
                             title=f"Testing {section.title()}", replace=True, on_result=ok, on_error=failed)

    # -- saving -------------------------------------------------------------------------------------------------
    def changes(self) -> dict[cfg.Key, str]:
        """Edited values (keys still loading and values from the environment are never written)."""
        return {f.key: f.edit.text().strip() for name, f in self.fields.items()
                if not f.from_env and name in self._initial and f.edit.text().strip() != self._initial[name]}

    def save(self) -> None:
        changes = self.changes()
        if not changes:
            self.saved.emit()
            self.accept()
            return
        self.save_button.setEnabled(False)
        apply: Callable[[], None] = lambda: [self.settings.set(k, v) for k, v in changes.items()]  # noqa: E731
        was_persistent = self.settings.secrets.persistent

        def done(_result: Any) -> None:
            if alive(self):
                self.saved.emit()
                self.accept()
            if was_persistent and not self.settings.secrets.persistent:  # locked or failed while saving
                show_error(None, self.tr("Keys kept for this session only"),
                           self.settings.secrets.warning or self._storage_note())

        def failed(message: str, _exc: BaseException) -> None:
            if alive(self):
                self.save_button.setEnabled(True)
            show_error(self if alive(self) else None, "Could not save the settings", message)

        # The keyring may talk to a desktop service (slow): keep it off the loop thread.
        self.ctx.tasks.spawn(asyncio.to_thread(apply), name="settings.save", title="Saving settings",
                             on_result=done, on_error=failed)
