"""Where the reader places pictures: each paragraph's end found in the rendered text by its words, in order."""

from __future__ import annotations

from tale_desktop.ui.reader.reader_pictures import paragraph_ends, picture_id, picture_url


def test_paragraph_ends_follow_the_words_not_the_markup():
    paragraphs = ["Mia *found* a door.", "It was **tiny**.", "Mia found a door."]
    text = "Mia found a door.\u2029It was tiny.\u2029Mia found a door."
    ends = paragraph_ends(text, paragraphs)
    assert ends == [len("Mia found a door"), text.index("tiny") + len("tiny"), len(text) - 1]
    # A repeated paragraph is found after the earlier one, never before it.
    assert ends[2] > ends[1]


def test_paragraphs_that_are_not_shown_are_skipped():
    assert paragraph_ends("Only this.", ["Only this.", "Missing here.", "---"]) == [len("Only this"), None, None]


def test_picture_names_round_trip():
    assert picture_id(picture_url("abc-1").toString()) == "abc-1"
    assert picture_id("file:///other.png") is None
