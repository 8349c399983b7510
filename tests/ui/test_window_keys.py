"""The keyboard in the main window, pressed as a parent would: Space, Left/Right, Ctrl+D, the digits, Delete,
Ctrl+N, full screen, and Help → Keyboard shortcuts; actions that cannot run are disabled."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtTest import QTest

from tale_desktop.services.tasks import TaskState
from tale_desktop.ui.listen.player import PlayerState
from tests.ui.helpers import click, type_into, until
from tests.ui.test_player import tone_wav

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])
ORBI = "41f7b2c9-6e3d-4a80-9b5c-7d1e8a2f3c64"


async def open_orbi(window):
    await until(lambda: window.library.model.row_of(ORBI) >= 0, what="starter stories")
    window.open_story(ORBI)
    await until(lambda: window.reader.story_id == ORBI and window.details.details is not None, what="story open")
    window.reader.text_view.setFocus()


def press(widget, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(widget, key, modifier)


async def test_nothing_to_act_on_means_disabled(window):
    await until(lambda: window.library.model.rowCount() > 0, what="starter stories")
    for name in ("play", "stop", "seek_back", "seek_forward", "favourite", "delete", "rate5", "continue_story"):
        assert not window.actions[name].isEnabled(), name


async def test_space_plays_and_pauses_but_types_in_text_fields(window, ctx):
    await open_orbi(window)
    play = window.actions["play"]
    if not window.narration.player.isAvailable():
        pytest.skip("no audio output on this machine")
    assert play.isEnabled()
    pressed: list[bool] = []
    play.triggered.disconnect()  # count the presses instead of starting a narration
    play.triggered.connect(lambda *_: pressed.append(True))
    press(window.reader.text_view, Qt.Key.Key_Space)
    assert pressed == [True]
    search = window.library_features.filters.search
    type_into(search, "a b")
    assert search.text() == "a b" and pressed == [True]  # Space in a text field is a space


async def test_left_and_right_seek(window, ctx, tmp_path):
    await open_orbi(window)
    player = window.narration.player
    if not player.isAvailable():
        pytest.skip("no audio output on this machine")
    player.load(tone_wav(tmp_path / "story.wav", 40.0), 40.0)
    await until(lambda: window.actions["seek_forward"].isEnabled(), what="seeking possible")
    await until(lambda: player.state in (PlayerState.STOPPED, PlayerState.PAUSED), what="the file is open")
    loaded = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
    await until(lambda: player._player.mediaStatus() in loaded, what="the file is loaded")
    window.reader.text_view.setFocus()
    press(window.reader.text_view, Qt.Key.Key_Right)
    await until(lambda: abs(player.position - 10.0) < 0.6, what="10 s forward")
    press(window.reader.text_view, Qt.Key.Key_Right)
    await until(lambda: abs(player.position - 20.0) < 0.6, what="20 s")
    press(window.reader.text_view, Qt.Key.Key_Left)
    await until(lambda: abs(player.position - 10.0) < 0.6, what="back to 10 s")


async def test_ctrl_d_and_the_digits_act_on_the_story_in_the_reader(window, ctx):
    await open_orbi(window)
    press(window.reader.text_view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    await until(lambda: window.details.favourite.isChecked(), what="favourite button")
    await until(lambda: window.details.details.story.favourite, what="reloaded as favourite")
    assert (await ctx.library.get_story(ORBI)).favourite
    assert window.actions["favourite"].text() == "Remove from favourites"
    press(window.reader.text_view, Qt.Key.Key_7)
    await until(lambda: window.details.rating.rating == 7, what="rated 7")
    await until(lambda: window.details.details.story.rating == 7, what="stored 7")
    press(window.reader.text_view, Qt.Key.Key_0)
    await until(lambda: window.details.details.story.rating == 10, what="0 is 10")
    assert (await ctx.library.get_story(ORBI)).rating == 10
    press(window.reader.text_view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    await until(lambda: window.details.details and not window.details.details.story.favourite, what="unfavoured")


async def test_digits_rate_the_selected_rows_when_the_list_has_the_focus(window, ctx):
    await until(lambda: window.library.model.row_of(ORBI) >= 0, what="starter stories")
    view = window.library.list
    view.setFocus()
    view.setCurrentIndex(window.library.model.index(window.library.model.row_of(ORBI)))
    await until(lambda: window.actions["rate3"].isEnabled(), what="rating possible")
    press(view, Qt.Key.Key_3)
    await until(lambda: window.library.model.index(window.library.model.row_of(ORBI))
                .data(window.library.model.SummaryRole)["rating"] == 3, what="row rated")


async def test_delete_the_open_story_then_undo_leaves_no_error(window, ctx):
    await open_orbi(window)
    seen = []
    ctx.tasks.subscribe(lambda handle: seen.append(handle) if handle.state is TaskState.FAILED else None)
    press(window.reader.text_view, Qt.Key.Key_Delete)
    await until(lambda: window.undo_bar.isVisible(), what="undo notice")
    await until(lambda: window.reader.story is None and not window.details.isVisible(), what="reader cleared")
    click(window.undo_bar.undo_button)
    await until(lambda: window.library.model.row_of(ORBI) >= 0, what="back in the list")
    await asyncio.sleep(0.3)
    assert [h.name for h in seen] == []
    assert window.tasks_panel.rows == {}
    assert "id" not in window.statusBar().currentMessage()


async def test_ctrl_f_searches_and_full_screen_shows_only_the_story(window, ctx):
    await open_orbi(window)
    press(window.reader.text_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.library_features.filters.search.hasFocus()
    window.reader.text_view.setFocus()
    press(window.reader.text_view, Qt.Key.Key_F11)
    await until(lambda: window.actions["fullscreen"].isChecked(), what="full screen")
    assert not window.left_tabs.isVisible() and not window.toolbar.isVisible() and window.reader.isVisible()
    press(window.reader.text_view, Qt.Key.Key_Escape)
    await until(lambda: not window.actions["fullscreen"].isChecked(), what="full screen left")
    assert window.left_tabs.isVisible() and window.toolbar.isVisible() and window.details.isVisible()


async def test_help_lists_the_keyboard_shortcuts(window):
    dialog = window.show_shortcuts()
    rows = [(dialog.tree.topLevelItem(i).text(0).strip(), dialog.tree.topLevelItem(i).text(1))
            for i in range(dialog.tree.topLevelItemCount())]
    keys = dict(rows)
    assert "Space" in keys["Play"] and keys["Add to favourites"] == "Ctrl+D" and keys["New story"] == "Ctrl+N"
    assert keys["Back 10 seconds"] == "Left" and keys["Forward 10 seconds"] == "Right"
    assert "0 for 10" in keys["Rate 1 to 10"] and keys["Delete"] == "Del" and keys["Search"] == "Ctrl+F"
    assert keys["Full-screen reader"] == "F11"
    dialog.close()


async def test_space_on_a_focused_button_presses_the_button(window, ctx):
    await open_orbi(window)
    play = window.actions["play"]
    pressed: list[bool] = []
    play.triggered.disconnect()
    play.triggered.connect(lambda *_: pressed.append(True))
    clicked: list[bool] = []
    button = window.details.favourite
    button.clicked.connect(lambda *_: clicked.append(True))
    button.setFocus()
    QTest.keyClick(button, Qt.Key.Key_Space)
    assert clicked == [True] and pressed == []
    if not play.isEnabled():
        return  # no audio output here: Space has nothing to play
    window.reader.text_view.setFocus()
    QTest.keyClick(window.reader.text_view, Qt.Key.Key_Space)
    assert pressed == [True]
