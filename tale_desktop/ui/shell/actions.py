"""One registry for every command of the main window: text, shortcut, icon, tooltip and enabled state are set
once here, and menus, the toolbar and context menus all show the same ``QAction``.

The window defines its commands with :meth:`ActionRegistry.define` and connects their ``triggered`` signal; panels
read them by name (``registry["play"]``) and never build their own copy. :meth:`shortcut_rows` feeds
Help → Keyboard shortcuts. Icons are monochrome SVGs redrawn in the theme's colours when the theme changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from tale_desktop.ui.common import theme

log = logging.getLogger(__name__)


@dataclass
class Command:
    name: str
    action: QAction
    icon: str | None = None
    shortcut_text: str = ""  # how Help → Keyboard shortcuts names the keys, when not the action's own
    section: str = ""
    extra: list[QKeySequence] = field(default_factory=list)


class ActionRegistry(QObject):
    def __init__(self, parent: QObject):
        super().__init__(parent)
        self._commands: dict[str, Command] = {}

    def define(self, name: str, text: str, *, section: str, shortcuts: Iterable[QKeySequence | str] = (),
               icon: str | None = None, tip: str = "", checkable: bool = False,
               slot: Callable[..., Any] | None = None, shortcut_text: str = "",
               role: QAction.MenuRole | None = None) -> QAction:
        if name in self._commands:
            raise ValueError(f"command {name!r} is defined twice")
        action = QAction(text, self.parent())
        action.setObjectName(f"{name}Action")
        keys = [k if isinstance(k, QKeySequence) else QKeySequence(k) for k in shortcuts]
        if keys:
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(checkable)
        if role is not None:
            action.setMenuRole(role)
        shown_keys = shortcut_text or (keys[0].toString(QKeySequence.SequenceFormat.NativeText) if keys else "")
        action.setToolTip(f"{tip or text.rstrip('…')} ({shown_keys})" if shown_keys else (tip or text.rstrip('…')))
        action.setStatusTip(tip)
        if slot is not None:
            action.triggered.connect(lambda _checked=False, s=slot: s())
        self._commands[name] = Command(name, action, icon, shortcut_text, section)
        if icon:
            action.setIcon(theme.icon(icon))
        return action

    def __getitem__(self, name: str) -> QAction:
        return self._commands[name].action

    def __contains__(self, name: str) -> bool:
        return name in self._commands

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands.values())

    def set_enabled(self, name: str, enabled: bool) -> None:
        self._commands[name].action.setEnabled(enabled)

    def set_icon(self, name: str, icon: str) -> None:
        command = self._commands[name]
        command.icon = icon
        command.action.setIcon(theme.icon(icon))

    def recolour(self, _theme: str = "") -> None:
        """Draw every icon again in the colours of the theme shown now."""
        for command in self._commands.values():
            if command.icon:
                command.action.setIcon(theme.icon(command.icon))

    def shortcut_rows(self) -> list[tuple[str, str, str]]:
        """(section, command, keys) for every command that has keys, in definition order."""
        rows = []
        for command in self._commands.values():
            keys = command.shortcut_text or ", ".join(
                k.toString(QKeySequence.SequenceFormat.NativeText) for k in command.action.shortcuts())
            if keys:
                rows.append((command.section, command.action.text().replace("&", "").rstrip("…"), keys))
        return rows
