"""Tasks panel, Settings with its live Test buttons, and the first-run banner."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tale_desktop import settings as cfg
from tale_desktop.context import AppContext
from tale_desktop.services.tasks import TaskState
from tale_desktop.storage.errors import DatabaseReadOnly
from tale_desktop.ui.settings.settings_dialog import SettingsDialog
from tale_desktop.ui.shell.main_window import MainWindow
from tests.fakes.service_checks import GOOD_KEYS, ServiceChecksFake, closed_port_url
from tests.ui.helpers import click, gone, type_into, until

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])


@pytest.fixture
def fake():
    with ServiceChecksFake() as server:
        yield server


async def test_tasks_panel_shows_progress_and_cancel_cancels(window, ctx):
    panel = window.tasks_panel
    panel.shown_prefixes = ("test.",)  # the panel lists only the parent's own work (stories, exports)
    panel.reveal_delay_ms, panel.linger_ms = 0, 50
    reached = asyncio.Event()

    async def long_job(handle):
        handle.report(5, 10, "Halfway through the forest")
        reached.set()
        await asyncio.sleep(3600)

    handle = ctx.tasks.spawn(long_job, name="test.long", title="Writing a long story")
    await reached.wait()
    row = await until(lambda: panel.row_for("test.long"), what="task row")
    assert window.tasks_dock.isVisible()
    assert row.title.text() == "Writing a long story"
    await until(lambda: row.progress.maximum() == 1000 and row.progress.value() == 500, what="progress")
    assert row.message.text() == "Halfway through the forest"

    click(row.cancel_button)
    await until(lambda: handle.state is TaskState.CANCELLED, what="cancelled")
    assert handle.task.cancelled()
    await until(lambda: panel.row_for("test.long") is None, what="row removed")
    await until(lambda: not window.tasks_dock.isVisible(), what="dock hidden when idle")


async def test_tasks_panel_busy_indicator_and_failure_message(window, ctx):
    panel = window.tasks_panel
    panel.shown_prefixes = ("test.",)  # the panel lists only the parent's own work (stories, exports)
    panel.reveal_delay_ms, panel.linger_ms = 0, 50
    release = asyncio.Event()

    async def unknown_total():
        await release.wait()

    ctx.tasks.spawn(unknown_total(), name="test.busy", title="Thinking")
    row = await until(lambda: panel.row_for("test.busy"), what="busy row")
    assert row.progress.maximum() == 0  # indeterminate while the total is unknown
    release.set()

    async def fails():
        raise DatabaseReadOnly("The library file is read-only, so nothing can be saved.")

    ctx.tasks.spawn(fails(), name="test.fail", title="Saving")
    failed = await until(lambda: panel.row_for("test.fail"), what="failed row")
    await until(lambda: failed.message.text().startswith("The library file is read-only"), what="failure text")
    assert failed.dismiss_button.isVisible() and not failed.cancel_button.isVisible()
    await asyncio.sleep(panel.linger_ms / 1000 + 0.1)
    assert panel.row_for("test.fail") is failed  # failures stay until dismissed
    click(failed.dismiss_button)
    assert panel.row_for("test.fail") is None


async def test_rows_are_built_ahead_and_reused_but_never_after_a_failure(window, ctx):
    """Spare rows wait, built while nothing runs; a job takes one and shows itself in it (nothing of the job the
    row showed before), a finished job's row goes back, a failed one does not."""
    panel = window.tasks_panel
    panel.shown_prefixes = ("test.",)
    panel.reveal_delay_ms, panel.linger_ms = 0, 30
    await until(lambda: len(panel._spares) == panel.spare_rows, what="spare rows built")
    spares = list(panel._spares)
    assert not any(row.isVisible() for row in spares)
    finish = asyncio.Event()

    async def job(handle):
        handle.report(1, 4, "A first page")
        await finish.wait()

    ctx.tasks.spawn(job, name="test.first", title="Exporting the first book")
    first = await until(lambda: panel.row_for("test.first"), what="first row")
    assert first in spares and first.isVisible() and first.title.text() == "Exporting the first book"
    finish.set()
    await until(lambda: panel.row_for("test.first") is None, what="first row gone")
    await until(lambda: first in panel._spares and not first.isVisible(), what="row kept as a spare")
    assert first.handle is None

    async def fails():
        raise DatabaseReadOnly("The library file is read-only, so nothing can be saved.")

    panel._spares[:] = [first]  # the next row is the one that showed the finished job
    never_done = asyncio.Event()

    async def second(handle):
        await never_done.wait()

    ctx.tasks.spawn(second, name="test.second", title="Writing a story for Mia")
    row = await until(lambda: panel.row_for("test.second"), what="second row")
    assert row is first and row.message.text() == "" and row.progress.maximum() == 0  # busy, not "Done"
    assert row.cancel_button.isVisible() and "Writing a story for Mia" in row.cancel_button.toolTip()
    ctx.tasks.spawn(fails(), name="test.fail", title="Saving")
    failed = await until(lambda: panel.row_for("test.fail"), what="failed row")
    click(failed.dismiss_button)
    await until(lambda: panel.row_for("test.fail") is None, what="failed row dismissed")
    assert failed not in panel._spares
    never_done.set()


async def test_quick_tasks_never_flicker_into_the_panel(window, ctx):
    panel = window.tasks_panel
    panel.shown_prefixes = ("test.",)
    panel.reveal_delay_ms = 300
    seen = []
    panel.activity_changed.connect(seen.append)
    handle = ctx.tasks.spawn(asyncio.sleep(0), name="test.quick", title="A quick page load")
    await handle.wait()
    await asyncio.sleep(0.45)
    assert panel.row_for("test.quick") is None and seen == []


async def test_many_jobs_due_together_are_added_a_few_rows_per_frame(window, ctx):
    """Ten stories started together: the dock shows the first rows at once and the rest over the next frames,
    in the order the jobs started (no frame builds all ten rows)."""
    panel = window.tasks_panel
    panel.shown_prefixes = ("test.",)
    panel.reveal_delay_ms = 0
    counts: list[int] = []
    panel.rows_changed.connect(counts.append)
    release = asyncio.Event()
    handles = [ctx.tasks.spawn(release.wait(), name=f"test.story{i}", title=f"Story {i}") for i in range(10)]
    await until(lambda: len(panel.rows) == 10, what="all ten rows")
    assert counts == [4, 8, 10]
    assert window.tasks_dock.isVisible()
    assert [row.title.text() for row in panel.rows.values()] == [f"Story {i}" for i in range(10)]
    release.set()
    for handle in handles:
        await handle.wait()


def _set(edit, text: str) -> None:
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    type_into(edit, text)


async def _open_settings(window) -> SettingsDialog:
    await until(window.banner.isVisible, what="banner")
    click(window.banner.settings_button)
    dialog = await until(lambda: window.settings_dialog if window.settings_dialog and
                         window.settings_dialog.isVisible() else None, what="settings dialog")
    await until(lambda: dialog.loaded, what="keys read from the keyring")
    return dialog


async def test_settings_test_buttons_against_fakes(window, fake):
    dialog = await _open_settings(window)
    llm, voices, sync = dialog.sections["llm"], dialog.sections["elevenlabs"], dialog.sections["supabase"]

    _set(dialog.edit_for(cfg.LLM_BASE_URL), fake.llm_url)
    _set(dialog.edit_for(cfg.OPENROUTER_API_KEY), GOOD_KEYS["llm"])
    click(llm.test_button)
    await until(lambda: llm.result.text().startswith("✓"), what="LLM ok")
    assert "2 models available" in llm.result.text()
    _set(dialog.edit_for(cfg.OPENROUTER_API_KEY), "sk-or-wrong")
    click(llm.test_button)
    await until(lambda: llm.result.text().startswith("✗"), what="LLM refused")
    assert "Check the OpenRouter API key in Settings" in llm.result.text()
    assert "sk-or-wrong" not in llm.result.text()

    dialog.show_page("voices")
    _set(dialog.edit_for(cfg.ELEVENLABS_BASE_URL), fake.elevenlabs_url)
    _set(dialog.edit_for(cfg.ELEVENLABS_API_KEY), "el-wrong")
    click(voices.test_button)
    await until(lambda: voices.result.text().startswith("✗"), what="ElevenLabs refused")
    assert "Check the ElevenLabs API key" in voices.result.text()
    _set(dialog.edit_for(cfg.ELEVENLABS_API_KEY), GOOD_KEYS["elevenlabs"])
    click(voices.test_button)
    await until(lambda: voices.result.text().startswith("✓"), what="ElevenLabs ok")
    assert "2 voices" in voices.result.text()

    dialog.show_page("account")
    _set(dialog.edit_for(cfg.SUPABASE_URL), closed_port_url())
    _set(dialog.edit_for(cfg.SUPABASE_KEY), GOOD_KEYS["supabase"])
    click(sync.test_button)
    await until(lambda: sync.result.text().startswith("✗"), what="Supabase unreachable")
    assert "refused the connection" in sync.result.text()
    _set(dialog.edit_for(cfg.SUPABASE_URL), fake.supabase_url)
    click(sync.test_button)
    await until(lambda: sync.result.text().startswith("✓"), what="Supabase ok")
    assert "/llm/models" in fake.requests and "/el/v1/voices" in fake.requests


async def test_banner_visible_without_keys_and_hides_after_saving_them(window, ctx, fake):
    banner = window.banner
    await until(banner.isVisible, what="banner shown")
    text = banner.text.text()
    assert "OpenRouter API key" in text and "local story-writing server" in text
    assert "ElevenLabs" in text and "offline voice works without it" in text
    assert "Supabase" in text and "devices" in text

    dialog = await _open_settings(window)
    _set(dialog.edit_for(cfg.OPENROUTER_API_KEY), GOOD_KEYS["llm"])
    _set(dialog.edit_for(cfg.ELEVENLABS_API_KEY), GOOD_KEYS["elevenlabs"])
    click(dialog.save_button)
    await until(lambda: gone(dialog), what="settings saved")
    await until(lambda: "OpenRouter" not in banner.text.text(), what="banner updated")
    assert banner.isVisible() and "Supabase" in banner.text.text()
    assert ctx.settings.get(cfg.OPENROUTER_API_KEY) == GOOD_KEYS["llm"]

    dialog = await _open_settings(window)
    assert dialog.edit_for(cfg.OPENROUTER_API_KEY).text() == GOOD_KEYS["llm"]  # read back from the store
    assert dialog.edit_for(cfg.OPENROUTER_API_KEY).isEnabled()
    _set(dialog.edit_for(cfg.SUPABASE_URL), fake.supabase_url)
    _set(dialog.edit_for(cfg.SUPABASE_KEY), GOOD_KEYS["supabase"])
    click(dialog.save_button)
    await until(lambda: not banner.isVisible(), what="banner hidden")
    settings_file = ctx.settings.config_dir / "settings.ini"
    assert GOOD_KEYS["llm"] not in settings_file.read_text()  # secrets never in the settings file


async def test_banner_hidden_with_keys_from_environment(monkeypatch):
    for name, value in (("OPENROUTER_API_KEY", "sk-or-env"), ("ELEVENLABS_API_KEY", "el-env"),
                        ("SUPABASE_URL", "https://abcd.supabase.co"), ("SUPABASE_KEY", "anon-env")):
        monkeypatch.setenv(name, value)
    ctx = await asyncio.to_thread(AppContext.create)
    window = MainWindow(ctx)
    try:
        window.show()
        await until(lambda: ctx.tasks.get("banner.check") is None, what="keys checked")
        assert not window.banner.isVisible()
        dialog = window.open_settings()
        assert dialog.loaded  # every key comes from the environment: nothing to read from the keyring
        key = dialog.edit_for(cfg.OPENROUTER_API_KEY)
        assert key.isReadOnly() and key.text() == "sk-or-env"
        assert key.echoMode() == key.EchoMode.Password
        assert "OPENROUTER_API_KEY" in key.toolTip()
        assert not dialog.edit_for(cfg.LLM_MODEL).isReadOnly()
        assert cfg.OPENROUTER_API_KEY not in dialog.changes()
        dialog.close()
    finally:
        window.close()
        window.deleteLater()
        await ctx.aclose()
