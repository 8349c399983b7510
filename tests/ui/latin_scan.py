"""Find English left in a Russian window: every visible text of a widget tree, minus names and story content."""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMenu,
    QTabBar,
    QTableWidget,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QWidget,
)

#: Proper names, products and technical tokens a Russian interface keeps in Latin letters.
ALLOWED_WORDS = {
    "Tale", "Desktop", "ElevenLabs", "OpenRouter", "Supabase", "Ollama", "OpenAI", "API", "PDF", "EPUB",
    "Markdown", "MP3", "JSONL", "URL", "Piper", "piper", "eSpeak", "espeak", "NG", "Ctrl", "Shift", "Alt",
    "Esc", "Del", "Ins", "Home", "End", "PgUp", "PgDown", "F11", "F1", "F5", "anon", "ID", "GNOME", "KWallet",
    "Keyring", "SQLite", "Linux", "Windows", "macOS", "onnx", "wav", "mp3", "md", "pdf", "epub", "jsonl", "v1",
    "localhost", "http", "https", "www", "io", "ru", "en", "UTF", "OK",
}
_SKIP = [
    re.compile(r"\b(?:Ctrl|Shift|Alt|Meta)\+\S+|\bF\d{1,2}\b|\([A-Z]\)$"),  # key sequences
    re.compile(r"https?://\S+|www\.\S+"),            # addresses
    re.compile(r"\S+@\S+"),                          # e-mail addresses
    re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b"),  # environment variable names
    re.compile(r"\S*[/\\]\S*"),                      # model ids, paths
    re.compile(r"\bsk-[\w.…-]*|\bey[\w.…-]+"),       # key placeholders
    re.compile(r"\S+\.(?:onnx|mp3|wav|pdf|epub|md|jsonl|ini|sql)\b"),
]
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


def latin_words(text: str, allowed: Iterable[str] = ()) -> list[str]:
    text = re.sub(r"<[^>]+>|&#?\w+;", " ", text or "")  # rich text tags and entities
    text = text.replace("&", "")  # mnemonics
    for pattern in _SKIP:
        text = pattern.sub(" ", text)
    keep = ALLOWED_WORDS | set(allowed)
    return [w for w in WORD.findall(text) if w not in keep]


def visible_texts(root: QWidget, skip: Iterable[QWidget] = ()) -> list[tuple[str, str]]:
    """(where, text) for every text a person can see or hover in ``root``'s visible widgets."""
    skipped = list(skip)
    found: list[tuple[str, str]] = []

    def add(widget: QWidget, what: str, text: str) -> None:
        if text and text.strip():
            found.append((f"{type(widget).__name__}#{widget.objectName()}.{what}", text))

    def menu_texts(menu: QMenu, where: QWidget) -> None:
        add(where, "menu", menu.title())
        for action in menu.actions():
            if action.isSeparator() or not action.isVisible():
                continue
            add(where, "menu action", action.text())
            add(where, "menu tip", action.toolTip() if action.toolTip() != action.text().replace("&", "") else "")
            if action.menu():
                menu_texts(action.menu(), where)

    widgets = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        if not widget.isVisible() or any(s is widget or s.isAncestorOf(widget) for s in skipped):
            continue
        add(widget, "toolTip", widget.toolTip())
        add(widget, "windowTitle", widget.windowTitle() if widget.isWindow() else "")
        if isinstance(widget, QLabel):
            add(widget, "text", widget.text())
        elif isinstance(widget, QAbstractButton):
            add(widget, "text", widget.text())
            if isinstance(widget, QToolButton) and widget.defaultAction() is not None:
                add(widget, "action", widget.defaultAction().text())
            menu = widget.menu() if hasattr(widget, "menu") else None
            if menu is not None:
                menu_texts(menu, widget)
        elif isinstance(widget, QComboBox):
            for i in range(widget.count()):
                add(widget, f"item{i}", widget.itemText(i))
            add(widget, "placeholder", widget.placeholderText())
        elif isinstance(widget, QLineEdit):
            add(widget, "placeholder", widget.placeholderText())
        elif isinstance(widget, QAbstractSpinBox):
            add(widget, "text", widget.text() if hasattr(widget, "suffix") else "")
            add(widget, "specialValue", widget.specialValueText())
        elif isinstance(widget, QGroupBox):
            add(widget, "title", widget.title())
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                add(widget, f"tab{i}", widget.tabText(i))
                add(widget, f"tabTip{i}", widget.tabToolTip(i))
        elif isinstance(widget, QTabWidget):
            pass  # its QTabBar child is scanned
        elif isinstance(widget, QListWidget):  # interface lists (settings pages); story lists are models
            for i in range(widget.count()):
                add(widget, f"item{i}", widget.item(i).text())
        elif isinstance(widget, QTableWidget):
            for column in range(widget.columnCount()):
                header = widget.horizontalHeaderItem(column)
                add(widget, f"header{column}", header.text() if header else "")
                for row in range(widget.rowCount()):
                    item = widget.item(row, column)
                    add(widget, f"cell{row},{column}", item.text() if item else "")
        elif isinstance(widget, QTreeWidget):
            header = widget.headerItem()
            for column in range(widget.columnCount()):
                add(widget, f"header{column}", header.text(column))
        if isinstance(widget, QMainWindow) and widget.menuBar() is not None:
            for action in widget.menuBar().actions():
                add(widget, "menubar", action.text())
                if action.menu():
                    menu_texts(action.menu(), widget)
        for action in QWidget.actions(widget):  # toolbar/context actions (a window may shadow actions())
            if action.isVisible() and not action.isSeparator():
                add(widget, "action", action.text())
    return found


def english_left(root: QWidget, *, skip: Iterable[QWidget] = (), allowed: Iterable[str] = (),
                 content: Iterable[str] = ()) -> list[str]:
    """Every visible text that still has Latin-script words that are not proper names. ``content`` holds story
    texts (titles, summaries) that may appear inside interface texts and are removed before looking."""
    pieces = sorted({c for c in content if c and len(c) > 1}, key=len, reverse=True)
    problems = []
    for where, text in visible_texts(root, skip):
        for piece in pieces:
            text = text.replace(piece, " ")
        if words := latin_words(text, allowed):
            problems.append(f"{where}: {text!r} ({', '.join(words)})")
    return sorted(set(problems))
