"""The Listen controls in a window: Play narrates the story in the reader, the bar shows the notice, the
highlight follows. Uses a small stand-in for the main window's reader (only the attributes narration_ui needs)."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMainWindow, QTextBrowser, QVBoxLayout, QWidget

from tale_desktop.context import AppContext
from tale_desktop.ui.narration_ui import install_narration
from tale_desktop.ui.player import PlayerState
from tests.integration.narration_helpers import save_story

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])


class StandInReader(QWidget):
    story_shown = Signal(str)

    def __init__(self):
        super().__init__()
        self.story = None
        self.text_view = QTextBrowser()
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(self.text_view)

    def add_bottom_widget(self, widget):
        self.layout_.addWidget(widget)

    def show_story(self, story):
        self.story = story
        self.text_view.setMarkdown(story.content)
        self.story_shown.emit(story.id)


class StandInWindow(QMainWindow):
    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.reader = StandInReader()
        self.setCentralWidget(self.reader)
        self.toolbar = self.addToolBar("Main")
        self.settings_action = self.toolbar.addAction("Settings…")


def signal_future(signal, predicate=lambda *a: True):
    future = asyncio.get_running_loop().create_future()
    signal.connect(lambda *a: None if future.done() or not predicate(*a) else future.set_result(a))
    return future


async def test_play_from_the_window(qapp):
    ctx = AppContext.create()
    window = StandInWindow(ctx)
    controls = install_narration(window)
    try:
        assert not controls.play_action.isEnabled()  # no story shown yet
        story = await save_story(ctx)
        window.reader.show_story(story)
        assert controls.play_action.isEnabled() and controls.bar.parent() is not None
        highlighted = signal_future(controls.read_along.sentenceChanged, lambda i: i >= 0)
        ready = signal_future(controls.playback.narrationReady)
        controls.play_action.trigger()
        await asyncio.wait_for(highlighted, 20)
        await asyncio.wait_for(ready, 20)
        assert controls.player.state in (PlayerState.PLAYING, PlayerState.ENDED)
        assert controls.read_along.highlighted_text().startswith("The little fox")
        paused = signal_future(controls.player.stateChanged, lambda s: s is PlayerState.PAUSED)
        if controls.player.state is PlayerState.PLAYING:
            controls.bar.play_button.click()
            await asyncio.wait_for(paused, 5)
            assert controls.play_action.text() == "Play"
        # Purging the story lets go of its files.
        ctx.library.notify("stories_purged", [story.id])
        assert controls.player.state is PlayerState.EMPTY and controls.playback.story is None
    finally:
        controls.close()
        window.deleteLater()
        await ctx.aclose()
