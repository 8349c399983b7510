"""Puts sync into the main window through its extension points (see ``ui/main_window.py``):

- ``add_status_widget``: the synced / syncing / offline / error indicator;
- the File menu and toolbar: a "Sync now" action;
- ``settings_opened``: an Account section added to every Settings dialog with ``add_section``;
- ``settings_saved``: a new project URL or key triggers a sync;
- background sync (on start, after local changes, every few minutes) through ``ctx.sync.start_background``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from tale_desktop import settings as cfg
from tale_desktop.context import AppContext
from tale_desktop.ui.settings.account_section import AccountSection
from tale_desktop.ui.sync.sync_status import SyncStatusIndicator, make_sync_action

if TYPE_CHECKING:
    from tale_desktop.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)


def install_sync_ui(window: MainWindow, ctx: AppContext, *, background: bool = True) -> SyncStatusIndicator:
    """Wire sync into ``window`` (a MainWindow); call once the event loop runs."""
    sync = ctx.sync
    indicator = SyncStatusIndicator(sync)
    window.add_status_widget(indicator)
    window.sync_indicator = indicator

    action = make_sync_action(sync, window)
    window.sync_action = action
    window.file_menu.insertAction(window.settings_action, action)
    window.toolbar.insertAction(window.settings_action, action)

    def add_account_section(dialog: Any) -> None:
        def url_key() -> tuple[str, str]:
            return dialog.value(cfg.SUPABASE_URL), dialog.value(cfg.SUPABASE_KEY)

        section = AccountSection(ctx, connection_fields=False, url_key=url_key)
        dialog.account_section = section
        dialog.add_section(QCoreApplication.translate("SyncWiring", "Account (Supabase sync)"), section, name="account")

    window.settings_opened.connect(add_account_section)
    window.settings_saved.connect(lambda: sync.request_sync("settings saved"))
    if background:
        sync.start_background()
    ctx.tasks.spawn(sync.load_state(), name="sync.state", title=QCoreApplication.translate("SyncWiring", "Reading the sync state"),
                    on_result=lambda state: indicator.render(state))
    return indicator
