"""The reader's details panel: who and what the story is about, its numbers, and the parent's controls.

Shows child, hero, moral, theme, minutes, word count, reading time, model and cost; a 1-10 rating control;
status (new/read/archived); a favourite toggle; and previous/next in the sequel chain. ``open_story(id)`` loads
the story through ``ctx.library.open_story`` (which marks a new story read) and emits ``story_opened(details)``
for the reader to show the text; the controls write through the library service in tasks.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tale_desktop.context import AppContext
from tale_desktop.domain.models import RATING_MAX, RATING_MIN
from tale_desktop.services.library import SETTABLE_STATUSES, StoryDetails

log = logging.getLogger(__name__)
STATUS_NAMES = {"draft": "Draft", "new": "New", "read": "Read", "archived": "Archived"}


class RatingControl(QWidget):
    """Ten buttons, 1 to 10; clicking one rates, clicking the current rating again clears it.

    Keyboard: the buttons take focus in order; Space/Enter presses; Left/Right move between them.
    """

    rating_chosen = Signal(object)  # int 1-10, or None to clear

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ratingControl")
        self.setAccessibleName("Rating")
        self._rating: int | None = None
        self.buttons: list[QToolButton] = []
        self._group = QButtonGroup(self)
        self._group.setExclusive(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for value in range(RATING_MIN, RATING_MAX + 1):
            button = QToolButton()
            button.setObjectName(f"rate{value}")
            button.setText(str(value))
            button.setCheckable(True)
            button.setAccessibleName(f"Rate {value} of {RATING_MAX}")
            button.setToolTip(f"Rate {value} of {RATING_MAX}")
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self._group.addButton(button, value)
            layout.addWidget(button)
            self.buttons.append(button)
        layout.addStretch(1)
        self._group.idClicked.connect(self._clicked)

    @property
    def rating(self) -> int | None:
        return self._rating

    def set_rating(self, rating: int | None) -> None:
        self._rating = rating
        for value, button in enumerate(self.buttons, start=RATING_MIN):
            button.setChecked(rating is not None and value <= rating)
        self.setToolTip(f"Rated {rating} of {RATING_MAX}" if rating else "Not rated")

    def _clicked(self, value: int) -> None:
        chosen = None if value == self._rating else value
        self.set_rating(chosen)
        self.rating_chosen.emit(chosen)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        focused = next((b for b in self.buttons if b.hasFocus()), None)
        if focused is not None and event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = -1 if event.key() == Qt.Key.Key_Left else 1
            index = max(0, min(len(self.buttons) - 1, self.buttons.index(focused) + step))
            self.buttons[index].setFocus()
            return
        super().keyPressEvent(event)


class StoryDetailsPanel(QWidget):
    """Details and controls for the story in the reader."""

    story_opened = Signal(object)  # StoryDetails
    navigate_requested = Signal(str)  # a story id from the sequel chain
    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("storyDetails")
        self.details: StoryDetails | None = None
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        for key, label in (("child", "Child"), ("hero", "Hero"), ("moral", "Moral"), ("theme", "Theme"),
                           ("minutes", "Length"), ("words", "Words"), ("reading", "Reading time"),
                           ("model", "Model"), ("cost", "Cost")):
            value = QLabel()
            value.setObjectName(f"detail_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.fields[key] = value
            form.addRow(f"{label}:", value)
        self.rating = RatingControl()
        form.addRow("Rating:", self.rating)
        self.status = QComboBox()
        self.status.setObjectName("statusBox")
        self.status.setAccessibleName("Status")
        for status in SETTABLE_STATUSES:
            self.status.addItem(STATUS_NAMES[status], status)
        form.addRow("Status:", self.status)
        self.favourite = QPushButton("♡ Favourite")
        self.favourite.setObjectName("favouriteToggle")
        self.favourite.setCheckable(True)
        form.addRow("", self.favourite)
        self.previous = QPushButton("← Previous")
        self.previous.setObjectName("previousStory")
        self.next = QPushButton("Next →")
        self.next.setObjectName("nextStory")
        chain = QHBoxLayout()
        chain.addWidget(self.previous)
        chain.addWidget(self.next)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(chain)
        layout.addStretch(1)

        self.rating.rating_chosen.connect(self._rate)
        self.status.activated.connect(lambda _i: self._set_status(self.status.currentData()))
        self.favourite.toggled.connect(self._favourite)
        self.previous.clicked.connect(lambda: self._navigate("previous"))
        self.next.clicked.connect(lambda: self._navigate("next"))
        self._unsubscribe = ctx.library.subscribe(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self.setEnabled(False)

    # -- loading ----------------------------------------------------------------------------------------------
    @property
    def story_id(self) -> str | None:
        return self.details.story.id if self.details else None

    def open_story(self, story_id: str) -> None:
        """Open (marks a new story read), show its details and emit ``story_opened``."""
        def opened(details: StoryDetails) -> None:
            self.show_details(details)
            self.story_opened.emit(details)

        self.ctx.tasks.spawn(self.ctx.library.open_story(story_id), name="reader.open", title="Opening the story",
                             replace=True, on_result=opened, on_error=self._error)

    def reload(self) -> None:
        if self.story_id:
            self.ctx.tasks.spawn(self.ctx.library.details(self.story_id), name="reader.details", replace=True,
                                 title="Loading the story", on_result=self.show_details,
                                 on_error=lambda _message, _exc: self.clear())  # e.g. it was just deleted

    def clear(self) -> None:
        self.details = None
        for label in self.fields.values():
            label.clear()
        self.rating.set_rating(None)
        self.setEnabled(False)

    def show_details(self, details: StoryDetails) -> None:
        self.details = details
        story = details.story
        cost = story.stats.cost
        values = {
            "child": story.child_name or "—", "hero": story.hero_name or "—", "moral": story.moral,
            "theme": story.theme or "—", "minutes": f"{story.minutes} min", "words": f"{story.word_count:,}",
            "reading": f"{details.reading_minutes:g} min", "model": story.model or "—",
            "cost": "—" if cost is None else f"${cost:.4f}",
        }
        for key, text in values.items():
            self.fields[key].setText(text)
        self.rating.set_rating(story.rating)
        self.status.blockSignals(True)
        index = self.status.findData(story.status)
        if index < 0:  # a draft: shown, but not offered as a choice
            self.status.addItem(STATUS_NAMES.get(story.status, story.status), story.status)
            index = self.status.count() - 1
        self.status.setCurrentIndex(index)
        self.status.blockSignals(False)
        self.favourite.blockSignals(True)
        self.favourite.setChecked(story.favourite)
        self.favourite.setText("♥ Favourite" if story.favourite else "♡ Favourite")
        self.favourite.blockSignals(False)
        self.previous.setEnabled(details.previous is not None)
        self.previous.setToolTip(f"Previous: {details.previous['title']}" if details.previous else "")
        self.next.setEnabled(details.next is not None)
        self.next.setToolTip(f"Next: {details.next['title']}" if details.next else "")
        self.setEnabled(True)

    # -- controls ---------------------------------------------------------------------------------------------
    def _rate(self, rating: int | None) -> None:
        if self.story_id:
            self._write(self.ctx.library.rate(self.story_id, rating), "Rating the story")

    def _set_status(self, status: str) -> None:
        if self.story_id and status in SETTABLE_STATUSES:
            self._write(self.ctx.library.set_status(self.story_id, status), "Changing the status")

    def _favourite(self, on: bool) -> None:
        self.favourite.setText("♥ Favourite" if on else "♡ Favourite")
        if self.story_id:
            self._write(self.ctx.library.set_favourite(self.story_id, on), "Marking the favourite")

    def _write(self, coro: Any, title: str) -> None:
        self.ctx.tasks.spawn(coro, name="reader.update", title=title, on_error=self._error_and_reload)

    def _navigate(self, which: str) -> None:
        target = getattr(self.details, which, None) if self.details else None
        if target:
            self.navigate_requested.emit(target["id"])
            self.open_story(target["id"])

    def _error(self, message: str, _exc: BaseException) -> None:
        self.failed.emit(message)

    def _error_and_reload(self, message: str, exc: BaseException) -> None:
        self._error(message, exc)
        self.reload()  # show what is really stored

    def _on_change(self, kind: str, ids: list[str]) -> None:
        if kind == "stories" and self.story_id and (not ids or self.story_id in ids):
            self.reload()
