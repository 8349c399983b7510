"""The CLI imports only what a command uses: no SDK (openai, elevenlabs, supabase) on import, no Qt for listing.

Each check runs in a fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("openai", "elevenlabs", "supabase")


def _loaded_after(code: str, tmp_path) -> dict[str, bool]:
    env = {**os.environ, "TALE_DATA_DIR": str(tmp_path / "data"), "TALE_CONFIG_DIR": str(tmp_path / "config"),
           "TALE_NO_KEYRING": "1"}
    probe = (f"{code}\nimport json, sys\n"
             f"print(json.dumps({{m: m in sys.modules for m in {HEAVY + ('PySide6',)!r}}}))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_cli_pulls_in_no_sdk(tmp_path):
    loaded = _loaded_after("import tale_desktop.cli", tmp_path)
    assert not any(loaded[m] for m in HEAVY), loaded


def test_listing_stories_imports_neither_sdks_nor_qt(tmp_path):
    code = ("import contextlib, io\nimport tale_desktop.cli\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    code = tale_desktop.cli.main(['stories', 'list', '--json'])\n"
            "assert code == 0, code")
    loaded = _loaded_after(code, tmp_path)
    assert loaded == {m: False for m in (*HEAVY, "PySide6")}, loaded


def test_building_the_composition_root_imports_no_sdk(tmp_path):
    loaded = _loaded_after("from tale_desktop.context import AppContext\nAppContext.create()", tmp_path)
    assert not any(loaded[m] for m in HEAVY), loaded


def test_a_command_loads_only_its_own_module(tmp_path):
    probe = ("import contextlib, io, json, sys\nimport tale_desktop.cli\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    code = tale_desktop.cli.main(['stories', 'list', '--json'])\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.startswith('tale_desktop.'))))")
    env = {**os.environ, "TALE_DATA_DIR": str(tmp_path / "data"), "TALE_CONFIG_DIR": str(tmp_path / "config"),
           "TALE_NO_KEYRING": "1"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120,
                          check=True)
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "tale_desktop.commands.stories" in loaded
    assert not loaded & {"tale_desktop.commands.illustrate", "tale_desktop.commands.export",
                         "tale_desktop.services.illustrator", "tale_desktop.services.backup"}, loaded


def test_the_command_table_names_every_command_where_it_is_registered():
    import argparse
    import importlib

    from tale_desktop.commands import COMMAND_MODULES, COMMANDS

    registered: dict[str, str] = {}
    for module in COMMAND_MODULES:
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers(dest="command")
        importlib.import_module(f"tale_desktop.commands.{module}").register(sub)
        registered.update({name: module for name in sub.choices})
    assert registered == COMMANDS


def test_settings_and_theme_load_no_records_before_the_first_paint():
    """The start-up frame needs the settings and the theme; the records (dataclasses, validation) come later."""
    code = ("import sys\nimport tale_desktop.settings\nimport tale_desktop.domain as domain\n"
            "assert 'tale_desktop.domain.models' not in sys.modules, 'models loaded early'\n"
            "assert domain.Story.__name__ == 'Story' and domain.Language.EN == 'en'\n"
            "from tale_desktop.domain import Child, ValidationError\n"
            "assert 'tale_desktop.domain.models' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_stories_started_while_the_sdk_is_being_imported_wait_for_the_whole_module(tmp_path):
    """The SDK is in ``sys.modules`` half made while a worker thread imports it; a story starting a few ms after
    another (the start gate staggers them) must wait for the import, not use the half-made module."""
    code = ("import asyncio\nfrom tale_desktop.providers import llm\n"
            "async def one(delay):\n"
            "    await asyncio.sleep(delay)\n"
            "    await llm.load_sdk()\n"
            "    return llm._openai().AsyncOpenAI is not None\n"
            "async def main():\n"
            "    return await asyncio.gather(*(one(i * 0.004) for i in range(60)))\n"
            "assert all(asyncio.run(main()))")
    loaded = _loaded_after(code, tmp_path)
    assert loaded["openai"]
