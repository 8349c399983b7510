"""What a parent can do with the selected stories: the library's context menu and its keyboard shortcuts.

Open, continue (a sequel), rate 1-10, mark read/archived, favourite, export (Markdown, PDF, EPUB, MP3 when a
narrator is there) and delete with undo. Everything but open/continue (signals for the main window) runs
through the services in tasks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from tale_desktop.context import AppContext
from tale_desktop.domain.models import RATING_MAX, RATING_MIN
from tale_desktop.services.export import safe_filename
from tale_desktop.ui.library.undo_bar import UndoBar

log = logging.getLogger(__name__)
EXPORT_FORMATS = {"md": "Markdown (.md)", "pdf": "PDF (.pdf)", "epub": "EPUB book (.epub)", "mp3": "Audio (.mp3)"}
AskPath = Callable[[str, str], str | None]  # (suggested file name, format) -> chosen path or None


def ask_save_path(parent: QWidget | None) -> AskPath:
    def ask(suggested: str, fmt: str) -> str | None:
        path, _filter = QFileDialog.getSaveFileName(parent, "Export story", str(Path.home() / suggested),
                                                    f"{EXPORT_FORMATS[fmt]} (*.{fmt})")
        return path or None
    return ask


class StoryActions(QObject):
    """Acts on story summary rows (dicts from ``list_stories``)."""

    open_requested = Signal(str)
    continue_requested = Signal(str)
    exported = Signal(str)  # the file written
    failed = Signal(str)

    def __init__(self, ctx: AppContext, undo_bar: UndoBar, parent: QObject | None = None,
                 ask_path: AskPath | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.undo_bar = undo_bar
        self.ask_path = ask_path or ask_save_path(parent if isinstance(parent, QWidget) else None)

    # -- the menu ---------------------------------------------------------------------------------------------
    def build_menu(self, rows: Sequence[dict[str, Any]], parent: QWidget | None = None) -> QMenu:
        menu = QMenu(parent)
        menu.setObjectName("storyMenu")
        if not rows:
            return menu
        single = rows[0] if len(rows) == 1 else None
        ids = [row["id"] for row in rows]
        if single:
            self._add(menu, "Open", lambda: self.open_requested.emit(single["id"]), "open")
            self._add(menu, "Continue the story…", lambda: self.continue_requested.emit(single["id"]), "continue")
            menu.addSeparator()
        rate = menu.addMenu(self.tr("Rate"))
        rate.setObjectName("rateMenu")
        current = single.get("rating") if single else None
        for value in range(RATING_MAX, RATING_MIN - 1, -1):
            action = self._add(rate, f"★ {value}", lambda v=value: self.rate(ids, v), f"rate{value}")
            action.setCheckable(True)
            action.setChecked(current == value)
        if any(row.get("rating") for row in rows):
            rate.addSeparator()
            self._add(rate, "Clear rating", lambda: self.rate(ids, None), "rateClear")
        self._add(menu, "Mark as read", lambda: self.set_status(ids, "read"), "markRead")
        self._add(menu, "Archive", lambda: self.set_status(ids, "archived"), "markArchived")
        all_favourite = all(row.get("favourite") for row in rows)
        self._add(menu, "Remove from favourites" if all_favourite else "Add to favourites",
                  lambda: self.set_favourite(ids, not all_favourite), "favourite")
        if single:
            export = menu.addMenu(self.tr("Export"))
            export.setObjectName("exportMenu")
            for fmt, label in EXPORT_FORMATS.items():
                action = self._add(export, label, lambda f=fmt: self.export(single, f), f"export_{fmt}")
                if fmt == "mp3" and getattr(self.ctx, "narrator", None) is None:
                    action.setEnabled(False)
        menu.addSeparator()
        self._add(menu, "Delete" if single else f"Delete {len(rows)} stories", lambda: self.delete(rows), "delete")
        return menu

    @staticmethod
    def _add(menu: QMenu, text: str, slot: Callable[[], Any], name: str) -> QAction:
        action = menu.addAction(text)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    # -- actions ----------------------------------------------------------------------------------------------
    def rate(self, ids: Sequence[str], rating: int | None) -> None:
        self._each(ids, lambda story_id: self.ctx.library.rate(story_id, rating), "Rating")

    def set_status(self, ids: Sequence[str], status: str) -> None:
        self._each(ids, lambda story_id: self.ctx.library.set_status(story_id, status), "Changing the status")

    def set_favourite(self, ids: Sequence[str], on: bool) -> None:
        self._each(ids, lambda story_id: self.ctx.library.set_favourite(story_id, on), "Marking favourites")

    def delete(self, rows: Sequence[dict[str, Any]]) -> None:
        self.undo_bar.delete([row["id"] for row in rows], [row.get("title") or "Untitled story" for row in rows])

    def export(self, row: dict[str, Any], fmt: str) -> None:
        path = self.ask_path(safe_filename(row.get("title") or "story", fmt), fmt)
        if not path:
            return

        async def work() -> str:
            if fmt == "mp3":
                narrator = getattr(self.ctx, "narrator", None)
                if narrator is None:
                    raise RuntimeError("MP3 export needs the narrator")
                await narrator.export_mp3(row["id"], Path(path))
                return path
            return str(await self.ctx.exporter.export_story(row["id"], fmt, path))

        self.ctx.tasks.spawn(work(), name=f"export.{row['id']}", title=f"Exporting “{row.get('title')}”",
                             on_result=self.exported.emit, on_error=lambda message, _exc: self.failed.emit(message))

    def _each(self, ids: Sequence[str], make: Callable[[str], Any], title: str) -> None:
        async def work() -> None:
            for story_id in ids:
                await make(story_id)

        self.ctx.tasks.spawn(work(), name="library.bulk", title=title,
                             on_error=lambda message, _exc: self.failed.emit(message))
