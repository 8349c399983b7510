"""Account section, sync indicator and Sync action, driven like a parent would, against the loopback Supabase."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tale_desktop.context import AppContext
from tale_desktop.domain.models import Child
from tale_desktop.ui.settings.account_section import AccountSection
from tale_desktop.ui.sync.sync_status import SyncStatusIndicator, make_sync_action
from tests.fakes.supabase_server import FakeSupabase

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])
EMAIL, PASSWORD = "parent@example.org", "pw-123"


async def until(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)
    return value


@pytest.fixture()
def fake() -> Iterator[FakeSupabase]:
    with FakeSupabase() as server:
        server.add_user(EMAIL, PASSWORD)
        yield server


@pytest.fixture()
async def ctx(tmp_path: Path, fake: FakeSupabase) -> AsyncIterator[AppContext]:
    context = AppContext.create({"TALE_DATA_DIR": str(tmp_path / "d"), "TALE_CONFIG_DIR": str(tmp_path / "c"),
                                 "TALE_NO_KEYRING": "1"})
    await context.start()
    context.sync.retry_delay_s = 0.01
    yield context
    await context.aclose()


def type_into(widget, text: str) -> None:
    widget.setFocus()
    QTest.keyClicks(widget, text)


def click(button) -> None:
    assert button.isVisible() and button.isEnabled(), f"{button.text()!r} is not clickable"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


async def test_sign_in_syncs_and_shows_the_result(ctx: AppContext, fake: FakeSupabase, qtbot) -> None:
    section = AccountSection(ctx)
    indicator = SyncStatusIndicator(ctx.sync)
    qtbot.addWidget(section)
    qtbot.addWidget(indicator)
    section.show()
    await until(lambda: "Not signed in" in section.status_label.text(), what="the account check")
    assert indicator.text() == "Sync off"

    type_into(section.url_edit, fake.url)
    type_into(section.key_edit, fake.anon_key)
    type_into(section.email_edit, EMAIL)
    type_into(section.password_edit, "wrong")
    click(section.sign_in_button)
    await until(lambda: "✗" in section.status_label.text(), what="the refusal")
    assert "refused the email or password" in section.status_label.text()
    assert section.account is None

    section.password_edit.clear()
    type_into(section.password_edit, PASSWORD)
    click(section.sign_in_button)
    await until(lambda: section.account is not None, what="the sign-in")
    assert f"Signed in as {EMAIL}" in section.status_label.text()
    assert section.sign_out_button.isVisible() and not section.sign_in_button.isVisible()
    await until(lambda: "pushed" in section.last_sync_label.text(), what="the first sync")
    assert indicator.text() == "Synced just now"
    assert "Account: parent@example.org" in indicator.toolTip()
    assert fake.table("stories")  # the starter stories went up

    click(section.sign_out_button)
    await until(lambda: section.account is None and section.sign_in_button.isVisible(), what="the sign-out")
    assert indicator.text() == "Sync off"


async def test_indicator_and_action_show_offline_with_the_reason(ctx: AppContext, fake: FakeSupabase, qtbot) -> None:
    section = AccountSection(ctx)
    qtbot.addWidget(section)
    type_into(section.url_edit, fake.url)
    type_into(section.key_edit, fake.anon_key)
    type_into(section.email_edit, EMAIL)
    type_into(section.password_edit, PASSWORD)
    section.show()
    click(section.sign_in_button)
    await until(lambda: "pushed" in section.last_sync_label.text(), what="the first sync")

    indicator = SyncStatusIndicator(ctx.sync)
    qtbot.addWidget(indicator)
    action = make_sync_action(ctx.sync, indicator)
    fake.reset_next(times=20, path="/rest/v1/", method="POST")  # pushes fail; reads would be retried (slowly)
    await ctx.library.save_child(Child(name="Ada", age_band="5-7", gender="female", interests=["maps"]))
    states: list[str] = []
    ctx.sync.subscribe(lambda state: states.append(state.status.value))
    action.trigger()
    await until(lambda: indicator.text() == "Offline", what="the offline state")
    assert "syncing" in states and action.isEnabled()
    assert "Cannot reach the Supabase project" in indicator.toolTip()
    assert "Offline: Cannot reach" in section.last_sync_label.text()
    fake.clear_script()
    QTest.mouseClick(indicator, Qt.MouseButton.LeftButton)  # clicking the indicator syncs again
    await until(lambda: indicator.text().startswith("Synced"), what="the recovery")
    handle = ctx.tasks.get("sync")
    if handle is not None:
        await handle.wait()


async def test_main_window_has_the_indicator_action_and_account_section(ctx: AppContext, fake: FakeSupabase,
                                                                         window) -> None:
    from tale_desktop import settings as cfg
    from tale_desktop.ui.sync.sync_wiring import install_sync_ui

    indicator = install_sync_ui(window, ctx, background=False)
    assert indicator.isVisible() and indicator.text() == "Sync off"
    assert window.sync_action in window.file_menu.actions()
    dialog = window.open_settings()
    dialog.show_page("account")
    section = dialog.account_section
    await until(lambda: "Not signed in" in section.status_label.text(), what="the account check")
    assert not section.url_edit.isVisible()  # the dialog's own Supabase fields are used
    type_into(dialog.edit_for(cfg.SUPABASE_URL), fake.url)
    await until(lambda: dialog.loaded, what="the keys to load")
    dialog.edit_for(cfg.SUPABASE_KEY).setText(fake.anon_key)
    type_into(section.email_edit, EMAIL)
    type_into(section.password_edit, PASSWORD)
    click(section.sign_in_button)
    await until(lambda: indicator.text() == "Synced just now", what="the first sync")
    assert ctx.settings.get(cfg.SUPABASE_URL) == fake.url
    assert {r["id"] for r in fake.table("heroes")}
    dialog.close()
