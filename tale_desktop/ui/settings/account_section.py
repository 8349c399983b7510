"""The Account section of Settings: project URL and anon key, sign in / out, last sync time and result."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tale_desktop import settings as cfg
from tale_desktop.context import AppContext
from tale_desktop.providers.supabase import Account
from tale_desktop.services.sync import SyncState, SyncStatus
from tale_desktop.ui.sync.sync_status import SyncStateBridge, ago

try:  # the window shell's liveness check (a widget may close before its background task ends)
    from tale_desktop.ui.asyncqt import alive
except ImportError:  # pragma: no cover - before the window shell lands
    import shiboken6

    alive = shiboken6.isValid  # type: ignore[assignment]


class AccountSection(QWidget):
    """Sign-in to the family's Supabase project and the state of the last sync.

    With ``connection_fields=True`` it also edits the project URL and anon key (saved when signing in); inside the
    Settings dialog, which already has those fields, pass ``url_key`` to read the dialog's current values instead.
    """

    account_changed = Signal(object)  # Account | None
    busy_changed = Signal(bool)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, connection_fields: bool = True,
                 url_key: Any = None):
        super().__init__(parent)
        self.setObjectName("accountSection")
        self.ctx = ctx
        self.sync = ctx.sync
        self._url_key = url_key
        self.account: Account | None = None

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.url_edit = QLineEdit(ctx.settings.get(cfg.SUPABASE_URL))
        self.url_edit.setPlaceholderText("https://abcd.supabase.co")
        self.key_edit = QLineEdit(ctx.settings.get(cfg.SUPABASE_KEY))
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("anon public key")
        if connection_fields:
            form.addRow("Project URL", self.url_edit)
            form.addRow("Anon key", self.key_edit)
        self.email_edit = QLineEdit()
        self.email_edit.setObjectName("accountEmail")
        self.email_edit.setPlaceholderText("you@example.org")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("accountPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.returnPressed.connect(self.sign_in)
        form.addRow("Email", self.email_edit)
        form.addRow("Password", self.password_edit)

        self.status_label = QLabel(self.tr("Checking the account…"))
        self.status_label.setObjectName("accountStatus")
        self.status_label.setWordWrap(True)
        self.last_sync_label = QLabel()
        self.last_sync_label.setObjectName("lastSync")
        self.last_sync_label.setWordWrap(True)
        self.last_sync_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sign_in_button = QPushButton(self.tr("Sign in"))
        self.sign_in_button.setObjectName("signIn")
        self.sign_in_button.clicked.connect(self.sign_in)
        self.sign_out_button = QPushButton(self.tr("Sign out"))
        self.sign_out_button.setObjectName("signOut")
        self.sign_out_button.clicked.connect(self.sign_out)
        self.sync_button = QPushButton(self.tr("Sync now"))
        self.sync_button.setObjectName("syncNow")
        self.sync_button.clicked.connect(lambda: self.sync.request_sync("settings", by_parent=True))
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.sign_out_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sync_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addLayout(buttons)
        layout.addWidget(self.last_sync_label)

        self.bridge = SyncStateBridge(self.sync, self)
        self.bridge.changed.connect(self.render_state)
        self._set_account(None, checking=True)
        self.render_state(self.sync.state)
        self.ctx.tasks.spawn(self._load(), name="account.load", title="Checking the Supabase account", replace=True,
                             on_result=self._loaded, on_error=self._load_failed)

    # -- loading ------------------------------------------------------------------------------------------------
    async def _load(self) -> Account | None:
        await self.sync.load_state()
        if not self.sync.provider.configured:
            return None
        return await self.sync.account()

    def _loaded(self, account: Account | None) -> None:
        if alive(self):
            self._set_account(account)
            self.render_state(self.sync.state)

    def _load_failed(self, message: str, _exc: BaseException) -> None:
        if alive(self):
            self._set_account(None)
            self.status_label.setText(f"Could not check the account: {message}")

    # -- rendering ----------------------------------------------------------------------------------------------
    def _set_account(self, account: Account | None, *, checking: bool = False) -> None:
        self.account = account
        signed_in = account is not None
        self.email_edit.setEnabled(not signed_in)
        self.password_edit.setEnabled(not signed_in)
        self.sign_in_button.setVisible(not signed_in)
        self.sign_out_button.setVisible(signed_in)
        self.sync_button.setEnabled(signed_in)
        if signed_in:
            self.email_edit.setText(account.email)
            self.password_edit.clear()
            self.status_label.setText(f"Signed in as {account.email}. The library syncs in the background.")
        elif not checking:
            self.status_label.setText(self.tr("Not signed in. Sign in with your Supabase account to sync this "
                                              "library with the family's other devices."))
        self.account_changed.emit(account)

    def render_state(self, state: SyncState) -> None:
        if state.status is SyncStatus.SYNCING:
            self.last_sync_label.setText(self.tr("Syncing…"))
            return
        text = f"Last sync: {ago(state.last_sync_at)}"
        if state.last_result:
            text += f" — {state.last_result}"
        if state.status in (SyncStatus.OFFLINE, SyncStatus.ERROR) and state.reason:
            text += f"\n{'Offline' if state.status is SyncStatus.OFFLINE else 'Problem'}: {state.reason}"
        self.last_sync_label.setText(text)
        self.last_sync_label.setProperty("state", state.status.value)

    def _busy(self, busy: bool) -> None:
        for widget in (self.sign_in_button, self.sign_out_button):
            widget.setEnabled(not busy)
        self.busy_changed.emit(busy)

    # -- intents ------------------------------------------------------------------------------------------------
    def connection_values(self) -> tuple[str, str]:
        if self._url_key is not None:
            return self._url_key()
        return self.url_edit.text().strip(), self.key_edit.text().strip()

    def sign_in(self) -> None:
        email, password = self.email_edit.text().strip(), self.password_edit.text()
        if not email or not password:
            self.status_label.setText(self.tr("Enter the email and password of your Supabase account."))
            return
        url, key = self.connection_values()
        if not url or not key:
            self.status_label.setText(self.tr("Enter the project URL and anon key first (Project Settings → API)."))
            return
        self._busy(True)
        self.status_label.setText(self.tr("Signing in…"))

        async def work() -> Account:
            settings = self.ctx.settings
            # The keyring may be slow: store the address and key off the loop thread.
            await asyncio.to_thread(lambda: [settings.set(k, v) for k, v in
                                             ((cfg.SUPABASE_URL, url), (cfg.SUPABASE_KEY, key))
                                             if not (k.env and settings.env.get(k.env))])
            return await self.sync.sign_in(email, password)

        def done(account: Account) -> None:
            if alive(self):
                self._busy(False)
                self._set_account(account)
            self.sync.request_sync("signed in", by_parent=True)

        def failed(message: str, _exc: BaseException) -> None:
            if alive(self):
                self._busy(False)
                self.password_edit.selectAll()
                self.status_label.setText(f"✗ {message}")

        self.ctx.tasks.spawn(work(), name="account.sign_in", title="Signing in to Supabase", replace=True,
                             on_result=done, on_error=failed)

    def sign_out(self) -> None:
        self._busy(True)

        def done(_result: Any) -> None:
            if alive(self):
                self._busy(False)
                self._set_account(None)

        def failed(message: str, _exc: BaseException) -> None:
            if alive(self):
                self._busy(False)
                self.status_label.setText(f"✗ {message}")

        self.ctx.tasks.spawn(self.sync.sign_out(), name="account.sign_out", title="Signing out of Supabase",
                             replace=True, on_result=done, on_error=failed)
