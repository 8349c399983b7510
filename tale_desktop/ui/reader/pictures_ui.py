"""Picture books in the main window: "Illustrate this story" (Story menu) and "Redraw this picture" (the picture's
context menu in the reader) in the action registry, the pictures placed in the reader as they arrive, progress in
the tasks panel named by the story's title, and one notice when pictures are off.

Both actions are disabled, with a tooltip saying why, while no image model (or no key) is set; whether pictures
can be drawn is worked out off the loop thread (keys live in the keyring) at start and after Settings are saved.
The new-story form asks for pictures through ``NewStoryPanel.illustrate_requested`` once a story is written.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QPoint, Qt, QTimer
from PySide6.QtWidgets import QMenu

from tale_desktop.services.illustrator import IllustrationEvent, IllustrationEventKind
from tale_desktop.services.tasks import TaskHandle
from tale_desktop.ui.reader.reader_pictures import ReaderPictures

if TYPE_CHECKING:
    from tale_desktop.domain.illustrations import Illustration
    from tale_desktop.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)
NOTICE_MS = 12000
Kind = IllustrationEventKind


class PicturesUi(QObject):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.reader = window.reader
        self.pictures = ReaderPictures(self.ctx, self.reader, self)
        self.reason: str | None = "checking"  # why pictures cannot be drawn (None: they can)
        self.menu_picture: Illustration | None = None  # the picture the context menu was opened on
        self.last_notice = ""
        stories = QCoreApplication.translate("MainWindow", "Stories")
        self.illustrate_action = window.actions.define(
            "illustrate", self.tr("Illustrate this story"), section=stories, icon=None,
            tip=self.tr("Draw a cover and pictures for the story with the image model"), slot=self.illustrate)
        self.redraw_action = window.actions.define(
            "redraw_picture", self.tr("Redraw this picture"), section=stories,
            tip=self.tr("Draw this picture again"), slot=self.redraw)
        window.story_menu.insertAction(window.actions["favourite"], self.illustrate_action)
        window.story_menu.insertSeparator(window.actions["favourite"])
        view = self.reader.text_view
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._context_menu)
        self.reader.story_shown.connect(self._story_shown)
        window.settings_saved.connect(self.check)
        self._update()
        self.check()

    # -- can pictures be drawn? ---------------------------------------------------------------------------------
    def check(self) -> None:
        self.ctx.tasks.spawn(asyncio.to_thread(self.ctx.illustrator.unavailable_reason), name="pictures.check",
                             title=self.tr("Checking the image model"), replace=True, on_result=self._checked)

    def _checked(self, reason: tuple[str, str] | None) -> None:
        self.reason = reason[0] if reason else None
        self._update()
        self.window.storyteller_ui.panel.form.set_pictures_available(self.reason is None)
        if self.reader.story is not None:
            self._story_shown(self.reader.story.id)

    def reason_text(self, reason: str) -> str:
        if reason == "no_key":
            return self.tr("Pictures need the OpenRouter key (or a local server that draws). Add it in Settings; "
                           "stories work without pictures.")
        return self.tr("Pictures are off: no image model is set. Choose one in Settings, under How stories are "
                       "written; stories work without pictures.")

    def _update(self) -> None:
        has_story = self.reader.story is not None and bool(self.reader.story.content.strip())
        can = self.reason is None
        self.illustrate_action.setEnabled(can and has_story)
        self.redraw_action.setEnabled(can)
        if can or self.reason == "checking":
            self.illustrate_action.setToolTip(self.tr("Draw a cover and pictures for the story with the image "
                                                      "model"))
            self.redraw_action.setToolTip(self.tr("Draw this picture again"))
        else:
            why = self.reason_text(self.reason or "")
            self.illustrate_action.setToolTip(why)
            self.redraw_action.setToolTip(why)

    def _story_shown(self, _story_id: str) -> None:
        self._update()
        if self.reason is not None and self.reason != "checking" and self.ctx.illustrator.notice_once():
            self._notice(self.reason_text(self.reason))

    def _notice(self, text: str) -> None:
        self.last_notice = text
        self.window.statusBar().showMessage(text, NOTICE_MS)

    # -- drawing ----------------------------------------------------------------------------------------------
    def illustrate(self, story_id: str | None = None, style: str | None = None, title: str = "") -> TaskHandle | None:
        """Draw the story's missing pictures (the reader's story by default) in the background."""
        story = self.reader.story
        story_id = story_id or (story.id if story else None)
        if story_id is None:
            return None
        if not title and story is not None and story.id == story_id:
            title = story.title
        handle = self.ctx.illustrator.start(story_id, style=style, listener=lambda e: self._on_event(handle, e))
        handle.title = self.tr("Pictures for “{0}”").format(title) if title else self.tr("Pictures for a story")
        return handle

    def illustrate_new(self, story_id: str, style: str) -> None:
        """A story written with "Add pictures" checked (the compose form)."""
        async def title() -> str:
            return (await self.ctx.library.get_story(story_id)).title

        self.ctx.tasks.spawn(title(), name=f"pictures.title:{story_id}", title=self.tr("Opening the story"),
                             on_result=lambda text: self.illustrate(story_id, style or None, text))

    def _on_event(self, handle: TaskHandle, event: IllustrationEvent) -> None:
        if event.kind is Kind.PLANNED:
            self._report_later(handle, 0, event.total, self.tr("Drawing {0} pictures").format(event.total))
        elif event.kind is Kind.PICTURE:
            self._report_later(handle, event.done, event.total,
                               self.tr("Drew {0} of {1} pictures").format(event.done, event.total))
        elif event.kind is Kind.SKIPPED:
            self._notice(self.tr("One picture was left out: the image model would not draw it."))
        elif event.kind is Kind.FAILED:
            self._notice(self.tr("The pictures could not all be drawn; the story and the pictures drawn so far are "
                                 "kept. Try again later."))
        elif event.kind is Kind.UNAVAILABLE:
            self._notice(self.reason_text(event.reason))
        elif event.kind is Kind.DONE and event.total == 0:
            self._notice(self.tr("This story has all its pictures. Right-click a picture to draw it again."))

    @staticmethod
    def _report_later(handle: TaskHandle, done: int, total: int, message: str) -> None:
        # The illustrator reports its own (English) progress right after the event: ours replaces it.
        QTimer.singleShot(0, lambda: handle.report(done, total, message) if handle.running else None)

    def redraw(self) -> TaskHandle | None:
        picture = self.menu_picture
        if picture is None:
            return None
        self.menu_picture = None
        handle = self.ctx.illustrator.start_redraw(picture.id)
        story = self.reader.story
        handle.title = (self.tr("Redrawing a picture for “{0}”").format(story.title)
                        if story is not None and story.id == picture.story_id else self.tr("Redrawing a picture"))
        return handle

    # -- the reader's context menu ------------------------------------------------------------------------------
    def context_menu(self, pos: QPoint) -> QMenu:
        view = self.reader.text_view
        menu = view.createStandardContextMenu(pos)
        picture = self.pictures.picture_at(pos)
        if picture is not None:
            self.menu_picture = picture
            menu.addSeparator()
            menu.addAction(self.redraw_action)
        elif self.reader.story is not None:
            menu.addSeparator()
            menu.addAction(self.illustrate_action)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return menu

    def _context_menu(self, pos: QPoint) -> None:
        self.context_menu(pos).popup(self.reader.text_view.viewport().mapToGlobal(pos))


def install_pictures(window: MainWindow) -> PicturesUi:
    ui = PicturesUi(window)
    window.storyteller_ui.panel.illustrate_requested.connect(ui.illustrate_new)
    return ui
