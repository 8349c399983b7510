"""The Qt Linguist files: every window string is extracted and translated, and the shipped .qm is current."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QDate, QLocale, QTranslator

from tale_desktop.domain.languages import INTERFACE_LANGUAGES
from tale_desktop.ui.common import language

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "resources" / "translations"
TOOL = ROOT / "tools" / "update_translations.py"
TS_FILES = sorted(TRANSLATIONS.glob("tale_desktop_*.ts"))


def _messages(ts: Path):
    for context in ET.parse(ts).getroot().iter("context"):
        for message in context.iter("message"):
            yield context.findtext("name"), message


def test_every_interface_language_but_english_has_a_translation():
    assert {p.stem.removeprefix("tale_desktop_") for p in TS_FILES} == set(INTERFACE_LANGUAGES) - {"en"}


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.name)
def test_every_entry_is_finished(ts: Path):
    problems = []
    count = 0
    for context, message in _messages(ts):
        count += 1
        source = message.findtext("source") or ""
        translation = message.find("translation")
        kind = "missing" if translation is None else translation.get("type")
        forms = [] if translation is None else (
            [f.text or "" for f in translation.iter("numerusform")] or [translation.text or ""])
        if kind in ("unfinished", "vanished", "obsolete", "missing") or not all(f.strip() for f in forms):
            problems.append(f"[{context}] {source!r}: {kind or 'empty'}")
            continue
        for marker in ("{", "%n", "%1", "%2"):  # placeholders survive translation
            if source.count(marker) and not all(marker in f for f in forms):
                problems.append(f"[{context}] {source!r}: lost {marker}")
    assert count > 0
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(not shutil.which("pyside6-lupdate") and not (Path(sys.executable).parent / "pyside6-lupdate")
                    .exists(), reason="Qt's lupdate is not installed")
def test_lupdate_finds_no_new_strings():
    done = subprocess.run([sys.executable, str(TOOL), "--check"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.name)
def test_shipped_qm_is_compiled_from_the_ts(ts: Path, tmp_path: Path):
    lrelease = shutil.which("pyside6-lrelease") or str(Path(sys.executable).parent / "pyside6-lrelease")
    fresh = tmp_path / "fresh.qm"
    subprocess.run([lrelease, "-silent", "-removeidentical", str(ts), "-qm", str(fresh)], check=True, timeout=120)
    shipped = ts.with_suffix(".qm")
    assert shipped.is_file(), f"{shipped.name} is missing: run tools/update_translations.py"
    assert shipped.read_bytes() == fresh.read_bytes(), "the .qm is stale: run tools/update_translations.py"


def test_russian_translator_and_qt_strings(qapp):
    try:
        assert language.apply_language("ru")
        assert language.current_language() == "ru"
        assert QCoreApplication.translate("app", "Starter content") == "Стартовые сказки"
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Отмена"  # qtbase_ru.qm
        assert QLocale().language() == QLocale.Language.Russian
        assert QLocale().toString(QDate(2026, 1, 1), "d MMMM yyyy") == "1 января 2026"
    finally:
        language.apply_language("en")
    assert QCoreApplication.translate("app", "Starter content") == "Starter content"
    assert QLocale().language() == QLocale.Language.English
    assert language.current_language() == "en"


def test_missing_translation_keeps_english(qapp, monkeypatch, tmp_path):
    monkeypatch.setattr(language, "qm_path", lambda code: tmp_path / f"none_{code}.qm")
    try:
        assert not language.apply_language("ru")
        assert language.current_language() == "en"
    finally:
        monkeypatch.undo()
        language.apply_language("en")


def test_every_source_string_in_the_ts_compiles_to_a_translator(qapp):
    for ts in TS_FILES:
        translator = QTranslator()
        assert translator.load(str(ts.with_suffix(".qm")))
        for context, message in _messages(ts):
            if message.get("numerus") == "yes":
                continue
            source = message.findtext("source")
            comment = message.findtext("comment")
            expected = message.findtext("translation")
            if source == expected:
                continue  # -removeidentical drops it: Qt then shows the source, which is the same
            assert translator.translate(context, source, comment) == expected, (context, source)


def test_window_formatting_follows_the_interface_language(qapp):
    from datetime import UTC, datetime

    from tale_desktop.ui.common import formatting

    stamp = "2026-03-12T10:00:00.000Z"
    now = datetime(2026, 3, 12, 12, 5, tzinfo=UTC)
    try:
        language.apply_language("ru")
        assert formatting.date_text(stamp) == "12 марта 2026"
        assert formatting.stories_text(5) == "5\u00a0сказок" and formatting.words_text(2) == "2\u00a0слова"
        assert formatting.enum_text("moral", "empathy") == "Понимание других"
        assert formatting.number_text(12345) == "12\u00a0345"
        assert formatting.ago_text("2026-03-12T12:00:00Z", now) == "5 мин назад"
        assert formatting.duration_text(170) == "2\u00a0мин 50\u00a0с"
    finally:
        language.apply_language("en")
    assert formatting.date_text(stamp) == "12 March 2026"
    assert formatting.stories_text(1) == "1 story" and formatting.number_text(12345) == "12,345"
    assert formatting.ago_text("2026-03-12T10:05:00Z", now) == "2 h ago"


def _start_language(env: dict[str, str]) -> str:
    import os

    script = ("from PySide6.QtWidgets import QApplication\n"
              "app = QApplication(['tale-desktop'])\n"
              "from tale_desktop.app import install_interface_language\n"
              "from PySide6.QtCore import QCoreApplication\n"
              "code = install_interface_language()\n"
              "print(code, QCoreApplication.translate('MainWindow', '&File'))\n")
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("LANG", "LC_", "TALE_LANGUAGE"))}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**keep, "QT_QPA_PLATFORM": "offscreen", **env})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize(("env", "expected"), [
    ({"LANG": "ru_RU.UTF-8", "LANGUAGE": "ru"}, "ru &Файл"),
    ({"LANG": "en_US.UTF-8", "TALE_LANGUAGE": "ru"}, "ru &Файл"),
    ({"LANG": "ru_RU.UTF-8", "TALE_LANGUAGE": "en"}, "en &File"),
    ({"LANG": "de_DE.UTF-8"}, "en &File"),
])
def test_the_app_starts_in_the_system_or_chosen_language(env, expected, tale_env):
    assert _start_language({**env, **tale_env}) == expected
