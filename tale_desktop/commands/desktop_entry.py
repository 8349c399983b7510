"""`tale-desktop --install-desktop-entry`: the launcher entry, AppStream metainfo and icons for this user.

Files go into the user's XDG data folder (``$XDG_DATA_HOME``, else ``~/.local/share``):
``applications/tale-desktop.desktop`` (its id matches ``QGuiApplication.setDesktopFileName``, so the window is
matched to its entry), ``metainfo/<component id>.metainfo.xml`` and ``icons/hicolor/{scalable,48x48,...}/apps``.
The PNG icons are shipped ready-made in ``resources/desktop/icons`` (rendered by
``tools/render_desktop_icons.py``), so this command needs no Qt at all.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from tale_desktop import APP_NAME
from tale_desktop.resources_path import resource

DESKTOP_FILE = f"{APP_NAME}.desktop"
METAINFO_FILE = "io.github.tale_desktop.TaleDesktop.metainfo.xml"
ICON_NAME = APP_NAME
_EXEC_RESERVED = re.compile(r'[\s"\'\\><~|&;$*?#()`]')


def xdg_data_home(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    value = env.get("XDG_DATA_HOME", "")
    # The XDG spec: a relative path is invalid and must be ignored.
    if value and Path(value).is_absolute():
        return Path(value)
    return Path.home() / ".local" / "share"


def quote_exec_arg(arg: str) -> str:
    """Quote one argument of a desktop entry's ``Exec`` key (Desktop Entry spec, "The Exec key")."""
    if not arg or _EXEC_RESERVED.search(arg):
        escaped = re.sub(r'(["`$\\])', r"\\\1", arg)
        arg = f'"{escaped}"'
    # Exec is also a string value, whose own escape rule doubles every backslash; "%" is a field code.
    return arg.replace("\\", "\\\\").replace("%", "%%")


def launch_command() -> list[str]:
    """How the desktop should start this installation: the ``tale-desktop`` script, else ``python -m``."""
    script = shutil.which(APP_NAME)
    if script:
        return [str(Path(script).resolve())]
    return [str(Path(sys.executable).resolve()), "-m", "tale_desktop"]


def desktop_entry_text(command: Sequence[str]) -> str:
    """The shipped entry with ``Exec``/``TryExec`` pointing at ``command``."""
    exec_line = " ".join(quote_exec_arg(arg) for arg in command)
    lines = []
    for line in resource("desktop", DESKTOP_FILE).read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = f"Exec={exec_line}"
        elif line.startswith("TryExec="):
            line = "TryExec=" + command[0].replace("\\", "\\\\")  # a plain string value, not Exec quoting
        lines.append(line)
    return "\n".join(lines) + "\n"


def planned_files(data_home: Path) -> dict[Path, Path | str]:
    """Target path -> a shipped file to copy, or the text to write."""
    icons = data_home / "icons" / "hicolor"
    files: dict[Path, Path | str] = {
        data_home / "applications" / DESKTOP_FILE: desktop_entry_text(launch_command()),
        data_home / "metainfo" / METAINFO_FILE: resource("desktop", METAINFO_FILE),
        icons / "scalable" / "apps" / f"{ICON_NAME}.svg": resource("icons", f"{APP_NAME}.svg"),
    }
    for png in sorted(resource("desktop", "icons").glob(f"*/{ICON_NAME}.png")):
        files[icons / png.parent.name / "apps" / f"{ICON_NAME}.png"] = png
    return files


def install_desktop_entry(data_home: Path | None = None) -> list[Path]:
    """Install (or refresh) every file; returns the installed paths. Each file is replaced atomically."""
    from tale_desktop.services.export import atomic_path

    data_home = xdg_data_home() if data_home is None else data_home
    installed = []
    for target, source in planned_files(data_home).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as temp:
            if isinstance(source, Path):
                shutil.copyfile(source, temp)
            else:
                temp.write_text(source, encoding="utf-8")
        installed.append(target)
    return installed


def install_command() -> int:
    """The CLI flag: install, then list what was written (one path a line)."""
    for path in install_desktop_entry():
        print(path)
    return 0
