"""Re-extract the window's strings into the Qt Linguist files and compile them.

    python3 tools/update_translations.py          # lupdate over tale_desktop/, then lrelease every .ts
    python3 tools/update_translations.py --check  # exit 1 when the .ts files miss strings or translations

``resources/translations/tale_desktop_<lang>.ts`` is the translators' file (edit it in Qt Linguist or any
editor); the compiled ``.qm`` next to it is committed, so ``pip install`` ships it without Qt's tools.
Add a language: ``python3 tools/update_translations.py --add de`` creates ``tale_desktop_de.ts`` (see
docs/i18n.md).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "tale_desktop"
TRANSLATIONS = ROOT / "resources" / "translations"


def tool(name: str) -> str:
    """``pyside6-lupdate`` / ``pyside6-lrelease`` next to this Python, else on PATH."""
    here = Path(sys.executable).parent / f"pyside6-{name}"
    return str(here) if here.exists() else (shutil.which(f"pyside6-{name}") or f"pyside6-{name}")


def ts_files() -> list[Path]:
    return sorted(TRANSLATIONS.glob("tale_desktop_*.ts"))


def source_files() -> list[Path]:
    return sorted(p for p in SOURCES.rglob("*.py") if "__pycache__" not in p.parts)


def lupdate(ts: Path, *, quiet: bool = False) -> None:
    language = ts.stem.removeprefix("tale_desktop_")
    with tempfile.NamedTemporaryFile("w", suffix=".lst", delete=False, encoding="utf-8") as listing:
        listing.write("\n".join(str(p) for p in source_files()))
    try:
        subprocess.run([tool("lupdate"), "-no-obsolete", "-locations", "none", "-source-language", "en",
                        "-target-language", language, *(["-silent"] if quiet else []), f"@{listing.name}",
                        "-ts", str(ts)], check=True)
    finally:
        Path(listing.name).unlink()


def lrelease(ts: Path, qm: Path | None = None) -> Path:
    qm = qm or ts.with_suffix(".qm")
    subprocess.run([tool("lrelease"), "-silent", "-removeidentical", str(ts), "-qm", str(qm)], check=True)
    return qm


def problems(ts: Path) -> list[str]:
    """Messages of ``ts`` that are unfinished, obsolete, vanished or have an empty translation."""
    found = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            translation = message.find("translation")
            kind = translation.get("type") if translation is not None else "missing"
            forms = [] if translation is None else (
                [f.text or "" for f in translation.iter("numerusform")] or [translation.text or ""])
            if kind or not all(form.strip() for form in forms):
                found.append(f"{ts.name}: [{name}] {source!r} ({kind or 'empty'})")
    return found


def check() -> int:
    """Extract into a copy of each .ts: new strings show up as unfinished there."""
    failures = []
    for ts in ts_files():
        with tempfile.TemporaryDirectory() as temp:
            copy = Path(temp) / ts.name
            shutil.copy(ts, copy)
            lupdate(copy, quiet=True)
            failures += problems(copy)
    for line in failures:
        print(line)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report untranslated or missing strings")
    parser.add_argument("--add", metavar="LANG", help="start a translation for a new language")
    args = parser.parse_args()
    if args.check:
        return check()
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    targets = ts_files()
    if args.add:
        targets = [TRANSLATIONS / f"tale_desktop_{args.add}.ts"]
    for ts in targets:
        lupdate(ts)
        lrelease(ts)
        left = problems(ts)
        print(f"{ts.name}: {len(left)} string(s) still to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
