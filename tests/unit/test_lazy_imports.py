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
