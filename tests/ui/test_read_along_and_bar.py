"""Read-along highlighting follows the position and clicks seek; the player bar only emits intents and does not
move the seek handle while it is dragged."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QTextBrowser

from tale_desktop.domain.speech import sentences_of, timing
from tale_desktop.ui.listen.player import PlayerState
from tale_desktop.ui.listen.player_bar import PlayerBar
from tale_desktop.ui.reader.read_along import ReadAlong, locate_sentences

CONTENT = ("The little **fox** curled up under the old oak tree.\n\n"
           "The moon rose slowly over the quiet hill. Goodnight, little fox.")


def timings_for(content: str, step: float = 2.0) -> list[dict]:
    return [timing(s, i * step, i * step + step - 0.2) for i, s in enumerate(sentences_of(content))]


def reader(qtbot) -> QTextBrowser:
    view = QTextBrowser()
    view.setMarkdown(CONTENT)
    view.resize(300, 80)
    qtbot.addWidget(view)
    view.show()
    return view


def test_sentences_are_found_in_rendered_markdown():
    timings = timings_for(CONTENT)
    document_text = "The little fox curled up under the old oak tree.\u2029The moon rose slowly ..."
    spans = locate_sentences(document_text, CONTENT, timings)
    assert document_text[spans[0][0]:spans[0][1]] == "The little fox curled up under the old oak tree."
    assert spans[2] is None


def test_highlight_follows_position_and_scrolls(qtbot):
    view = reader(qtbot)
    along = ReadAlong(view)
    along.set_timings(CONTENT, timings_for(CONTENT))
    changes = []
    along.sentence_changed.connect(changes.append)
    along.on_position(0.5)
    assert along.highlighted_text().startswith("The little fox curled up")
    along.on_position(1.0)  # same sentence: nothing changes
    along.on_position(4.1)
    assert along.highlighted_text() == "Goodnight, little fox."
    assert changes == [0, 2]
    # The view scrolled so the spoken sentence is visible.
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.document().toPlainText().index("Goodnight"))
    rect = view.cursorRect(cursor)
    assert 0 <= rect.top() < view.viewport().height()


def test_timings_arriving_in_pieces_and_click_to_seek(qtbot):
    view = reader(qtbot)
    along = ReadAlong(view)
    all_timings = timings_for(CONTENT)
    along.add_timings(CONTENT, all_timings[:1])
    along.add_timings(CONTENT, all_timings[1:])
    assert len(along.timings) == 3
    view.verticalScrollBar().setValue(0)
    seeks = []
    along.seek_requested.connect(seeks.append)
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.document().toPlainText().index("moon") + 1)
    point = view.cursorRect(cursor).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert seeks == [all_timings[1]["start"]]


def test_bar_emits_intents_and_keeps_the_handle_while_dragging(qtbot):
    bar = PlayerBar()
    qtbot.addWidget(bar)
    intents = []
    bar.play_pause_requested.connect(lambda: intents.append("toggle"))
    bar.seek_requested.connect(lambda s: intents.append(("seek", s)))
    bar.speed_requested.connect(lambda s: intents.append(("speed", s)))
    bar.volume_requested.connect(lambda v: intents.append(("volume", v)))
    qtbot.mouseClick(bar.play_button, Qt.MouseButton.LeftButton)
    bar.set_duration(120)
    bar.set_position(10)
    assert bar.seek_slider.value() == 10000 and bar.time_label.text() == "0:10 / 2:00"
    bar.seek_slider.setSliderDown(True)
    bar.seek_slider.setSliderPosition(60000)
    bar.set_position(11)  # playback moves on while the parent drags
    assert bar.seek_slider.value() == 60000
    bar.seek_slider.setSliderDown(False)  # the release seeks, once
    bar.volume_slider.setValue(40)
    bar.speed_box.activated.emit(0)
    assert intents == ["toggle", ("seek", 60.0), ("volume", 0.4), ("speed", 0.75)]
    bar.set_state(PlayerState.PLAYING)
    assert bar.play_button.accessibleName() == "Pause"


def test_bar_disabled_with_a_message_without_backend(qtbot):
    bar = PlayerBar()
    qtbot.addWidget(bar)
    bar.set_available(False, "Audio playback is not available")
    assert not bar.controls.isEnabled() and bar.message.text() == "Audio playback is not available"
    assert not bar.message.isHidden()
