"""Sync in the window: a Qt bridge for the sync state, the status-bar indicator, and the "Sync now" action.

The sync service knows nothing about Qt: :class:`SyncStateBridge` re-emits its state as a signal, widgets render
it, and every action goes through ``ctx.sync`` (which runs the work in the task manager, so nothing blocks).
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QToolButton, QWidget

from tale_desktop.domain.locale_format import parse_stamp
from tale_desktop.services.sync import LiveMode, SyncService, SyncState, SyncStatus
from tale_desktop.ui.common import formatting
from tale_desktop.ui.common.language import localized


def _live_text(live: LiveMode) -> tuple[str, str]:
    """The indicator's suffix and tooltip line for how other devices' changes arrive."""
    if live is LiveMode.REALTIME:
        return (QCoreApplication.translate("SyncStatus", "live"),
                QCoreApplication.translate(
                    "SyncStatus", "Live updates: other devices' changes arrive at once (Supabase Realtime)."))
    if live is LiveMode.POLLING:
        return (QCoreApplication.translate("SyncStatus", "checking often"),
                QCoreApplication.translate(
                    "SyncStatus", "Live updates: Supabase Realtime is unavailable, so this window checks for "
                                  "changes every few seconds."))
    return "", ""


def status_label(status: SyncStatus) -> str:
    return {
        SyncStatus.OFF: QCoreApplication.translate("SyncStatus", "Sync off"),
        SyncStatus.SYNCED: QCoreApplication.translate("SyncStatus", "Synced"),
        SyncStatus.SYNCING: QCoreApplication.translate("SyncStatus", "Syncing…"),
        SyncStatus.OFFLINE: QCoreApplication.translate("SyncStatus", "Offline"),
        SyncStatus.ERROR: QCoreApplication.translate("SyncStatus", "Sync error"),
    }[status]


def ago(timestamp: str | None, now: datetime | None = None) -> str:
    """``2026-01-01T10:00:00.000Z`` -> "just now" / "5 min ago" / "3 h ago" / the date and time."""
    if not timestamp:
        return QCoreApplication.translate("SyncStatus", "never")
    moment = parse_stamp(timestamp)
    if moment is None:
        return timestamp
    if ((now or datetime.now(UTC)) - moment).total_seconds() < 86400:
        return formatting.ago_text(timestamp, now)
    return formatting.date_time_text(timestamp)


class SyncStateBridge(QObject):
    """Re-emits the sync service's state changes as a Qt signal (and unsubscribes when destroyed)."""

    changed = Signal(object)  # SyncState

    def __init__(self, sync: SyncService, parent: QObject | None = None):
        super().__init__(parent)
        self.sync = sync
        self._unsubscribe = sync.subscribe(self._emit)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    def _emit(self, state: SyncState) -> None:
        self.changed.emit(state)

    @property
    def state(self) -> SyncState:
        return self.sync.state


def describe(state: SyncState) -> tuple[str, str]:
    """The indicator's text and tooltip for a state."""
    label = status_label(state.status)
    lines = []
    if state.account:
        lines.append(QCoreApplication.translate("SyncStatus", "Account: {0}").format(state.account))
    if state.status is SyncStatus.SYNCED and state.last_sync_at:
        label = QCoreApplication.translate("SyncStatus", "Synced {0}").format(ago(state.last_sync_at))
    suffix, live_line = _live_text(state.live)
    if suffix and state.status in (SyncStatus.SYNCED, SyncStatus.SYNCING):
        label = QCoreApplication.translate("SyncStatus", "{0} · {1}").format(label, suffix)
    if live_line:
        lines.append(live_line)
    if state.reason:
        lines.append(localized(state.reason))
    if state.last_result:
        lines.append(QCoreApplication.translate("SyncStatus", "Last sync ({0}): {1}").format(
            ago(state.last_sync_at), localized(state.last_result)))
    if state.status is SyncStatus.OFF and not state.reason:
        lines.append(QCoreApplication.translate(
            "SyncStatus", "Sign in to Supabase in Settings → Account to sync the library across your devices."))
    lines.append(QCoreApplication.translate("SyncStatus", "Click to sync now."))
    return label, "\n".join(lines)


class SyncStatusIndicator(QToolButton):
    """A permanent status-bar item: synced / syncing / offline / error (the reason in the tooltip)."""

    def __init__(self, sync: SyncService, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.setAutoRaise(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.sync = sync
        self.bridge = SyncStateBridge(sync, self)
        self.bridge.changed.connect(self.render)
        self.clicked.connect(lambda: self.sync.request_sync("status indicator", by_parent=True))
        self.render(sync.state)

    def render(self, state: SyncState) -> None:
        text, tip = describe(state)
        self.setText(text)
        self.setToolTip(tip)
        self.setProperty("state", state.status.value)
        self.style().unpolish(self)
        self.style().polish(self)


def make_sync_action(sync: SyncService, parent: QObject) -> QAction:
    """"Sync now" (Ctrl+Shift+S): starts a run in the background, disabled while one runs."""
    action = QAction(QCoreApplication.translate("SyncStatus", "Sync now"), parent)
    action.setObjectName("syncNowAction")
    action.setShortcut("Ctrl+Shift+S")
    action.setStatusTip(QCoreApplication.translate(
        "SyncStatus", "Send this device's changes to Supabase and fetch the other devices' changes"))
    action.triggered.connect(lambda: sync.request_sync("menu", by_parent=True))
    bridge = SyncStateBridge(sync, action)
    # Disabled while a run is going and while sync is off (not set up or not signed in): it could not run.
    def follow(state: SyncState) -> None:
        action.setEnabled(state.status not in (SyncStatus.SYNCING, SyncStatus.OFF))

    bridge.changed.connect(follow)
    follow(bridge.state)
    return action
