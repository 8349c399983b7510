"""Settings as pages (Stories, Voices, Appearance, Account), picked from a list on the left.

Each :class:`SettingsPage` loads its own values when the dialog opens, checks them (messages in plain words next
to the field) and saves them; Save checks every page first and stays open on the first page with a problem.
The services' keys and addresses sit on their page, each group with a live "Test" button. A value set by an
environment variable is shown read-only with the variable's name (the environment wins). Tests run what is typed
in the form (saved or not) through the task helper and show success or the exact problem. Capabilities add their
own groups with :meth:`SettingsDialog.add_section` (the ``name`` picks the page).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tale_desktop import settings as cfg
from tale_desktop.context import AppContext
from tale_desktop.resources_path import resource
from tale_desktop.services import connections
from tale_desktop.ui.asyncqt import alive
from tale_desktop.ui.common import theme
from tale_desktop.ui.common.dialogs import show_error
from tale_desktop.ui.common.wheel_guard import NoWheelComboBox
from tale_desktop.ui.settings.language_picker import LanguagePicker

log = logging.getLogger(__name__)


def _icon(name: str) -> QIcon:
    return QIcon(str(resource("icons", f"{name}.svg")))


@dataclass
class _Field:
    key: cfg.Key
    edit: QLineEdit
    from_env: bool
    error: QLabel
    combo: QComboBox | None = None


class ServiceSection(QGroupBox):
    """One service: its fields, a Test button and the last test's result."""

    def __init__(self, title: str, blurb: str, parent: QWidget | None = None):
        super().__init__(title, parent)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        intro = QLabel(blurb)
        intro.setObjectName("fieldHint")
        intro.setWordWrap(True)
        self.test_button = QPushButton(self.tr("Test"))
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


class SettingsPage(QScrollArea):
    """One page of Settings: its groups, scrolling up and down only. Subclasses (or the groups added to it)
    load, check and save their own values; ``check`` returns plain-language problems, shown next to the field."""

    def __init__(self, name: str, title: str, intro: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.name = name
        self.title = title
        self.setObjectName(f"page_{name}")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        self.column = QVBoxLayout(inner)
        self.column.setSpacing(12)
        heading = QLabel(title)
        heading.setObjectName("bannerHeading")
        self.column.addWidget(heading)
        self.intro_label: QLabel | None = None
        if intro:
            note = self.intro_label = QLabel(intro)
            note.setObjectName("fieldHint")
            note.setWordWrap(True)
            self.column.addWidget(note)
        self._end = QWidget()
        self.column.addWidget(self._end, 1)
        self.setWidget(inner)
        self.checks: list[Callable[[], list[str]]] = []
        self.savers: list[Callable[[], None]] = []

    def add(self, widget: QWidget) -> None:
        self.column.insertWidget(self.column.indexOf(self._end), widget)

    def load(self) -> None:
        """Values are read when the page is built (keys from the keyring in a worker thread)."""

    def check(self) -> list[str]:
        problems: list[str] = []
        for check in self.checks:
            problems.extend(check())
        return problems

    def save(self) -> None:
        for saver in self.savers:
            saver()


class AppearancePage(SettingsPage):
    """Day, night or the system's choice (applied at once), and the interface language (at the next start)."""

    def __init__(self, ctx: AppContext, manager: theme.ThemeManager | None, parent: QWidget | None = None):
        super().__init__("appearance", QCoreApplication.translate("AppearancePage", "Appearance"),
                         QCoreApplication.translate("AppearancePage", "How the window looks. The night theme is "
                                                                      "dark and soft for reading in a dim bedroom."),
                         parent)
        self.ctx = ctx
        self.manager = manager
        group = QGroupBox(self.tr("Theme"))
        column = QVBoxLayout(group)
        self.choice_buttons: dict[str, QRadioButton] = {}
        self._group = QButtonGroup(self)
        for choice, text in ((theme.SYSTEM, self.tr("As the system (light by day, dark at night)")),
                             (theme.DAY, self.tr("Day: warm and light")),
                             (theme.NIGHT, self.tr("Night: dark, warm and low contrast"))):
            button = QRadioButton(text)
            button.setObjectName(f"theme_{choice}")
            self._group.addButton(button)
            self.choice_buttons[choice] = button
            column.addWidget(button)
            button.toggled.connect(lambda on, c=choice: on and self._preview(c))
        env = ctx.settings.env.get(cfg.UI_THEME.env or "")
        if env:
            hint = QLabel(self.tr("The environment variable {0} chooses the theme when the app starts.")
                          .format(cfg.UI_THEME.env))
            hint.setObjectName("fieldHint")
            hint.setWordWrap(True)
            column.addWidget(hint)
        self.add(group)
        language_group = QGroupBox(self.tr("Language"))
        language_column = QVBoxLayout(language_group)
        self.language = LanguagePicker(ctx.settings)
        language_column.addWidget(self.language)
        self.add(language_group)
        self._initial = manager.choice if manager else theme.SYSTEM
        self.load()

    def load(self) -> None:
        self.choice_buttons[self._initial].setChecked(True)

    def chosen(self) -> str:
        return next(c for c, b in self.choice_buttons.items() if b.isChecked())

    def _preview(self, choice: str) -> None:
        if self.manager is not None:
            self.manager.set_choice(choice, remember=False)

    def revert(self) -> None:
        if self.manager is not None and self.manager.choice != self._initial:
            self.manager.set_choice(self._initial, remember=False)

    def save(self) -> None:
        if self.manager is not None:
            self.manager.set_choice(self.chosen())
        else:
            self.ctx.settings.set(cfg.UI_THEME, self.chosen())
        self.language.save()


PAGE_OF_SECTION = {"llm": "stories", "story_writing": "stories", "elevenlabs": "voices", "voices": "voices",
                   "supabase": "account", "account": "account"}


class SettingsDialog(QDialog):
    saved = Signal()
    secrets_loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 theme_manager: theme.ThemeManager | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.settings = ctx.settings
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumSize(600, 460)
        self.resize(820, 620)
        self.fields: dict[str, _Field] = {}
        self.sections: dict[str, ServiceSection] = {}
        self.reveal_actions: dict[str, QAction] = {}
        self._initial: dict[str, str] = {}  # the values shown when the dialog opened, by key name
        self._pending: dict[str, str] = {}  # keyring fields still loading -> their placeholder

        self.pages: dict[str, SettingsPage] = {}
        self.page_list = QListWidget()
        self.page_list.setObjectName("settingsPages")
        self.page_list.setSpacing(2)
        self.page_stack = QStackedWidget()
        note = self._note = self._storage_note()
        self._page("stories", self.tr("Stories"), self.tr("Writing new stories: the service that writes them and "
                                                          "how each story is checked.") + " " + note)
        self._page("voices", self.tr("Voices"), self.tr("Reading stories aloud.") + " " + note)
        self.appearance = AppearancePage(ctx, theme_manager)
        self._add_page(self.appearance)
        self._page("account", self.tr("Account"), self.tr("Keep your library in step across the family's "
                                                          "devices (optional).") + " " + note)

        llm = self._section("llm", self.tr("Story service"),
                            self.tr("Writing new stories needs an OpenRouter API key, or the address of a local "
                                    "story-writing server that speaks the OpenAI protocol (then no key is needed)."))
        self._add(llm, cfg.OPENROUTER_API_KEY, self.tr("API key"), secret=True, placeholder="sk-or-…")
        self._add(llm, cfg.LLM_BASE_URL, self.tr("Server address"))
        self._add(llm, cfg.LLM_MODEL, self.tr("Model"), editable_combo=True)
        voices = self._section("elevenlabs", self.tr("Natural voices (ElevenLabs)"),
                               self.tr("An ElevenLabs key gives natural narration voices. Without it, stories are "
                                       "read by the offline voice."))
        self._add(voices, cfg.ELEVENLABS_API_KEY, self.tr("API key"), secret=True)
        self._add(voices, cfg.ELEVENLABS_BASE_URL, self.tr("Server address"))
        sync = self._section("supabase", self.tr("Sync (Supabase)"),
                             self.tr("A Supabase project keeps your library, profiles and audio in step across the "
                                     "family's devices."))
        self._add(sync, cfg.SUPABASE_URL, self.tr("Project address"), placeholder="https://abcd.supabase.co")
        self._add(sync, cfg.SUPABASE_KEY, self.tr("Anon key"), secret=True)
        llm.test_button.clicked.connect(lambda: self.run_test("llm"))
        voices.test_button.clicked.connect(lambda: self.run_test("elevenlabs"))
        sync.test_button.clicked.connect(lambda: self.run_test("supabase"))
        for name, section in self.sections.items():
            self.pages[PAGE_OF_SECTION[name]].add(section)
        for key, page in ((cfg.LLM_BASE_URL, "stories"), (cfg.ELEVENLABS_BASE_URL, "voices"),
                          (cfg.SUPABASE_URL, "account")):
            self.pages[page].checks.append(lambda key=key: self._check_address(key))
        self.page_list.currentRowChanged.connect(self.page_stack.setCurrentIndex)
        self.page_list.setCurrentRow(0)
        fm = self.page_list.fontMetrics()
        self.page_list.setFixedWidth(max(fm.horizontalAdvance(p.title) for p in self.pages.values()) + 48)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        body = QHBoxLayout()
        body.addWidget(self.page_list)
        body.addWidget(self.page_stack, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
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
            self._refresh_storage_note()  # reading may have found the keyring locked
            self.secrets_loaded.emit()

        self.ctx.tasks.spawn(asyncio.to_thread(read), name="settings.load", title=self.tr("Reading keys"), replace=True,
                             on_result=fill)

    # -- building -----------------------------------------------------------------------------------------------
    def _storage_note(self) -> str:
        if self.settings.secrets.persistent:
            return self.tr("Keys are kept in your system keyring, never in a file.")
        return self.settings.secrets.warning or self.tr("Keys are kept only until you close the app "
                                                        "(the system keyring is turned off).")

    def _refresh_storage_note(self) -> None:
        note = self._storage_note()
        if note == self._note:
            return
        for page in self.pages.values():
            if page.intro_label is not None and self._note in page.intro_label.text():
                page.intro_label.setText(page.intro_label.text().replace(self._note, note))
        self._note = note

    def _page(self, name: str, title: str, intro: str) -> SettingsPage:
        return self._add_page(SettingsPage(name, title, intro))

    def _add_page(self, page: SettingsPage) -> SettingsPage:
        self.pages[page.name] = page
        self.page_list.addItem(page.title)
        item = self.page_list.item(self.page_list.count() - 1)
        item.setSizeHint(QSize(0, self.page_list.fontMetrics().height() + 14))
        self.page_stack.addWidget(page)
        return page

    def show_page(self, name: str) -> None:
        self.page_list.setCurrentRow(list(self.pages).index(name))

    def _check_address(self, key: cfg.Key) -> list[str]:
        field = self.fields[key.name]
        text = field.edit.text().strip()
        problem = ""
        if text and not field.from_env and not text.startswith(("http://", "https://")):
            problem = self.tr("The address should start with https:// (or http:// for a server on this "
                              "computer).")
        error = field.error
        error.setText(problem)
        error.setVisible(bool(problem))
        field.edit.setProperty("invalid", bool(problem))
        field.edit.style().unpolish(field.edit)
        field.edit.style().polish(field.edit)
        return [problem] if problem else []

    def _section(self, name: str, title: str, blurb: str) -> ServiceSection:
        section = ServiceSection(title, blurb)
        section.setObjectName(f"section_{name}")
        self.sections[name] = section
        return section

    def _add(self, section: ServiceSection, key: cfg.Key, label: str, *, secret: bool = False,
             placeholder: str = "", editable_combo: bool = False) -> QLineEdit:
        from_env = bool(key.env and self.settings.env.get(key.env))
        from_keyring = key.secret and not from_env  # read in a worker thread (the keyring may be slow)
        value = "" if from_keyring else self.settings.get(key)
        combo: QComboBox | None = None
        if editable_combo:  # a list to pick from (once loaded), and any id can be typed
            combo = NoWheelComboBox()
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16)
            combo.setObjectName(f"combo_{key.name.replace('/', '_')}")
            edit = combo.lineEdit()
            edit.setText(value)
        else:
            edit = QLineEdit(value)
        edit.setObjectName(f"edit_{key.name.replace('/', '_')}")
        edit.setPlaceholderText(self.tr("Loading…") if from_keyring else (placeholder or key.default))
        edit.setClearButtonEnabled(True)
        if from_keyring:
            edit.setEnabled(False)
            self._pending[key.name] = placeholder
        else:
            self._initial[key.name] = value
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            show = QAction(_icon("eye"), self.tr("Show the key"), edit)
            show.setCheckable(True)

            def toggle(on: bool, edit: QLineEdit = edit, show: QAction = show) -> None:
                edit.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
                show.setIcon(_icon("eye-off" if on else "eye"))
                show.setText(self.tr("Hide the key") if on else self.tr("Show the key"))

            show.toggled.connect(toggle)
            edit.addAction(show, QLineEdit.ActionPosition.TrailingPosition)
            self.reveal_actions[key.name] = show
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.hide()
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(combo if combo is not None else edit)
        column.addWidget(error)
        if from_env:
            edit.setReadOnly(True)
            edit.setClearButtonEnabled(False)
            if combo is not None:
                combo.setEnabled(False)
            edit.setToolTip(self.tr("Set by the environment variable {0}; change it there.").format(key.env))
            hint = QLabel(self.tr("From the environment variable {0} (read-only here).").format(key.env))
            hint.setObjectName("fieldHint")
            hint.setWordWrap(True)
            column.addWidget(hint)
        section.form.addRow(label, box)
        self.fields[key.name] = _Field(key, edit, from_env, error, combo)
        return edit

    def combo_for(self, key: cfg.Key) -> QComboBox | None:
        """The editable list of a field that has one (the model)."""
        return self.fields[key.name].combo

    def add_section(self, title: str, widget: QWidget, *, name: str | None = None,
                    page: str | None = None) -> QGroupBox:
        """Extension point: a capability's own group (e.g. the Supabase account) on its page (``page``, or the
        page its ``name`` belongs to; Stories otherwise). A widget with ``check()`` / ``save()`` methods is
        checked and saved with its page."""
        group = QGroupBox(title)
        if name:
            group.setObjectName(f"section_{name}")
        QVBoxLayout(group).addWidget(widget)
        target = self.pages[page or PAGE_OF_SECTION.get(name or "", "stories")]
        target.add(group)
        check = getattr(widget, "check", None)
        if callable(check):
            target.checks.append(check)
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
        section.set_result(None, self.tr("Testing…"))

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
                             title=self.tr("Testing {0}").format(section.title()), replace=True, on_result=ok,
                             on_error=failed)

    # -- saving -------------------------------------------------------------------------------------------------
    def changes(self) -> dict[cfg.Key, str]:
        """Edited values (keys still loading and values from the environment are never written)."""
        return {f.key: f.edit.text().strip() for name, f in self.fields.items()
                if not f.from_env and name in self._initial and f.edit.text().strip() != self._initial[name]}

    def check(self) -> bool:
        """Check every page; show the first page with a problem (the messages are next to the fields)."""
        for page in self.pages.values():
            if page.check():
                self.show_page(page.name)
                return False
        return True

    def reject(self) -> None:
        self.appearance.revert()
        super().reject()

    def save(self) -> None:
        if not self.check():
            return
        for page in self.pages.values():
            page.save()
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
            show_error(self if alive(self) else None, self.tr("Could not save the settings"), message)

        # The keyring may talk to a desktop service (slow): keep it off the loop thread.
        self.ctx.tasks.spawn(asyncio.to_thread(apply), name="settings.save", title=self.tr("Saving settings"),
                             on_result=done, on_error=failed)
