"""`tale-desktop --install-desktop-entry`: the files it installs pass the freedesktop validators."""

from __future__ import annotations

import configparser
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from tale_desktop.commands.desktop_entry import quote_exec_arg
from tests.integration.cli_helpers import run_cli


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    data_home = tmp_path / "xdg-data"
    result = run_cli("--install-desktop-entry", env={"XDG_DATA_HOME": str(data_home)})
    assert result.code == 0, result.err
    listed = {Path(line) for line in result.out.splitlines()}
    assert listed == {p for p in data_home.rglob("*") if p.is_file()}
    return data_home


def test_installs_entry_metainfo_and_icons(installed: Path) -> None:
    entry = installed / "applications" / "tale-desktop.desktop"  # the id given to setDesktopFileName
    metainfo = installed / "metainfo" / "io.github.tale_desktop.TaleDesktop.metainfo.xml"
    svg = installed / "icons" / "hicolor" / "scalable" / "apps" / "tale-desktop.svg"
    png = installed / "icons" / "hicolor" / "48x48" / "apps" / "tale-desktop.png"
    for path in (entry, metainfo, svg, png):
        assert path.is_file(), path
    assert png_size(png) == (48, 48)
    for big in (installed / "icons" / "hicolor").glob("*x*/apps/tale-desktop.png"):
        size = int(big.parent.parent.name.split("x")[0])
        assert png_size(big) == (size, size)
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<svg")

    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(entry, encoding="utf-8")
    section = parser["Desktop Entry"]
    assert section["Icon"] == "tale-desktop"
    assert section["StartupWMClass"] == "tale-desktop"
    program = section["TryExec"]
    assert Path(program).is_absolute() and Path(program).exists(), "Exec must point at this installation"
    assert section["Exec"].startswith(quote_exec_arg(program))

    text = metainfo.read_text(encoding="utf-8")
    assert '<content_rating type="oars-1.1">' in text
    assert '<launchable type="desktop-id">tale-desktop.desktop</launchable>' in text


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils is not installed")
def test_desktop_file_validates(installed: Path) -> None:
    done = subprocess.run(["desktop-file-validate", str(installed / "applications" / "tale-desktop.desktop")],
                          capture_output=True, text=True, timeout=30)
    report = done.stdout + done.stderr
    assert done.returncode == 0 and "error" not in report.lower(), report


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstream is not installed")
def test_metainfo_validates(installed: Path) -> None:
    (metainfo,) = (installed / "metainfo").glob("*.metainfo.xml")
    done = subprocess.run(["appstreamcli", "validate", "--no-net", "--no-color", str(metainfo)],
                          capture_output=True, text=True, timeout=60)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    problems = [line for line in report.splitlines() if line.startswith(("E:", "W:"))]
    assert not problems, report


def test_reinstall_replaces_files(installed: Path) -> None:
    entry = installed / "applications" / "tale-desktop.desktop"
    entry.write_text("broken", encoding="utf-8")
    assert run_cli("--install-desktop-entry", env={"XDG_DATA_HOME": str(installed)}).code == 0
    assert entry.read_text(encoding="utf-8").startswith("[Desktop Entry]")


@pytest.mark.parametrize(("arg", "quoted"), [
    ("/usr/bin/tale-desktop", "/usr/bin/tale-desktop"),
    ("/home/a b/bin/python", '"/home/a b/bin/python"'),
    ("/opt/50%/x", "/opt/50%%/x"),
    ('/we"ird', '"/we\\\\"ird"'),
])
def test_exec_quoting(arg: str, quoted: str) -> None:
    assert quote_exec_arg(arg) == quoted
