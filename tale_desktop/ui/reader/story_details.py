"""The story details: a header above the reader's text with what the story is about and the parent's controls.

Shows child, hero, moral, theme, length, word count and reading time in words; a 1-10 rating control;
status (not read yet/read/archived); a favourite toggle; and previous/next in the sequel chain. The controls
sit in a flow layout, so they wrap onto a second line in a narrow window instead of being cut off. ``open_story(id)`` loads
the story through ``ctx.library.open_story`` (which marks a new story read) and emits ``story_opened(details)``
for the reader to show the text; the controls write through the library service in tasks.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
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
from tale_desktop.ui.common import formatting, labels
from tale_desktop.ui.common.flow_layout import FlowLayout
from tale_desktop.ui.common.wheel_guard import NoWheelComboBox

log = logging.getLogger(__name__)


class RatingControl(QWidget):
    """Ten buttons, 1 to 10; clicking one rates, clicking the current rating again clears it.

    Keyboard: the buttons take focus in order; Space/Enter presses; Left/Right move between them.
    """

    rating_chosen = Signal(object)  # int 1-10, or None to clear

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ratingControl")
        self.setAccessibleName(self.tr("Rating"))
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
            tip = self.tr("Rate {0} of {1} (key {2})").format(value, RATING_MAX, value % 10)
            button.setAccessibleName(tip)
            button.setToolTip(tip)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self._group.addButton(button, value)
            layout.addWidget(button)
            self.buttons.append(button)
        self._fit_buttons()
        self._group.idClicked.connect(self._clicked)

    def _fit_buttons(self) -> None:
        # Every button as wide as "10" needs, so the ten always fit side by side.
        width = self.fontMetrics().horizontalAdvance("10") + 14
        for button in self.buttons:
            button.setFixedWidth(width)

    def changeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() in (event.Type.FontChange, event.Type.StyleChange):
            self._fit_buttons()

    @property
    def rating(self) -> int | None:
        return self._rating

    def set_rating(self, rating: int | None) -> None:
        self._rating = rating
        for value, button in enumerate(self.buttons, start=RATING_MIN):
            button.setChecked(rating is not None and value <= rating)
        self.setToolTip(self.tr("Rated {0} of {1}").format(rating, RATING_MAX) if rating else self.tr("Not rated"))

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

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, follow_changes: bool = True):
        """``follow_changes=False`` where a :class:`StoryController` loads the story and feeds
        :meth:`show_details` (the main window): then this panel never loads on its own."""
        super().__init__(parent)
        self.ctx = ctx
        self.follow_changes = follow_changes
        self.setObjectName("storyDetails")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.details: StoryDetails | None = None
        self.fields: dict[str, QLabel] = {}
        self.facts = QLabel()
        self.facts.setObjectName("detailsFacts")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        names = {"child": self.tr("For"), "hero": self.tr("Hero"), "moral": self.tr("Moral"),
                 "theme": self.tr("Theme"), "minutes": self.tr("Length"), "words": self.tr("Words"),
                 "reading": self.tr("Reading time")}
        self.field_names = names
        for key in names:
            value = QLabel()  # the values, also joined into the facts line
            value.setObjectName(f"detail_{key}")
            self.fields[key] = value
        self.rating = RatingControl()
        rating_label = QLabel(self.tr("Rating"))
        rating_label.setObjectName("detailLabel")
        rating_label.setBuddy(self.rating.buttons[0])
        self.status = NoWheelComboBox()
        self.status.setObjectName("statusBox")
        self.status.setAccessibleName(self.tr("Status"))
        self.status.setToolTip(self.tr("Whether the story was read"))
        for status in SETTABLE_STATUSES:
            self.status.addItem(labels.status(status), status)
        self.favourite = QPushButton()
        self.favourite.setObjectName("favouriteToggle")
        self.favourite.setCheckable(True)
        self.favourite.setToolTip(self.tr("Favourite (Ctrl+D)"))
        self._favourite_text(False)
        self.previous = QPushButton(self.tr("← Previous part"))
        self.previous.setObjectName("previousStory")
        self.next = QPushButton(self.tr("Next part →"))
        self.next.setObjectName("nextStory")
        rating_box = QWidget()
        rating_row = QHBoxLayout(rating_box)
        rating_row.setContentsMargins(0, 0, 0, 0)
        rating_row.setSpacing(6)
        rating_row.addWidget(rating_label)
        rating_row.addWidget(self.rating)
        controls = FlowLayout(spacing=8)
        for widget in (rating_box, self.status, self.favourite, self.previous, self.next):
            controls.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(6)
        layout.addWidget(self.facts)
        layout.addLayout(controls)

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

        self.ctx.tasks.spawn(self.ctx.library.open_story(story_id), name="reader.open", title=self.tr("Opening the story"),
                             replace=True, on_result=opened, on_error=self._error)

    def reload(self) -> None:
        if self.story_id:
            self.ctx.tasks.spawn(self.ctx.library.details(self.story_id), name="reader.details", replace=True,
                                 title=self.tr("Loading the story"), on_result=self.show_details,
                                 on_error=lambda _message, _exc: self.clear())  # e.g. it was just deleted

    def clear(self) -> None:
        self.details = None
        for label in self.fields.values():
            label.clear()
        self.facts.clear()
        self.rating.set_rating(None)
        self.setEnabled(False)

    def _favourite_text(self, on: bool) -> None:
        self.favourite.setText(self.tr("♥ Favourite") if on else self.tr("♡ Add to favourites"))

    def show_details(self, details: StoryDetails) -> None:
        self.details = details
        story = details.story
        values = {
            "child": story.child_name or "", "hero": story.hero_name or "",
            "moral": labels.moral(story.moral, story.moral_is_custom),
            "theme": labels.theme(story.theme) if story.theme else "",
            "minutes": formatting.minutes_text(story.minutes), "words": formatting.number_text(story.word_count),
            "reading": formatting.minutes_text(details.reading_minutes),
        }
        for key, text in values.items():
            self.fields[key].setText(text)
        shown = [f"<span style='opacity:0.7'>{self.field_names[k]}:</span> {values[k]}"
                 for k in ("moral", "theme", "minutes", "reading") if values[k]]
        self.facts.setText(" &nbsp;·&nbsp; ".join(shown))
        self.rating.set_rating(story.rating)
        self.status.blockSignals(True)
        index = self.status.findData(story.status)
        if index < 0:  # a draft: shown, but not offered as a choice
            self.status.addItem(labels.status(story.status), story.status)
            index = self.status.count() - 1
        self.status.setCurrentIndex(index)
        self.status.blockSignals(False)
        self.favourite.blockSignals(True)
        self.favourite.setChecked(story.favourite)
        self._favourite_text(story.favourite)
        self.favourite.blockSignals(False)
        self.previous.setEnabled(details.previous is not None)
        self.previous.setToolTip(self.tr("Previous part: {0}").format(details.previous["title"])
                                 if details.previous else "")
        self.previous.setVisible(details.previous is not None or details.next is not None)
        self.next.setEnabled(details.next is not None)
        self.next.setToolTip(self.tr("Next part: {0}").format(details.next["title"]) if details.next else "")
        self.next.setVisible(self.previous.isVisible())
        self.setEnabled(True)

    # -- controls ---------------------------------------------------------------------------------------------
    def _rate(self, rating: int | None) -> None:
        if self.story_id:
            self._write(self.ctx.library.rate(self.story_id, rating), self.tr("Rating the story"))

    def _set_status(self, status: str) -> None:
        if self.story_id and status in SETTABLE_STATUSES:
            self._write(self.ctx.library.set_status(self.story_id, status), self.tr("Changing the status"))

    def _favourite(self, on: bool) -> None:
        self._favourite_text(on)
        if self.story_id:
            self._write(self.ctx.library.set_favourite(self.story_id, on), self.tr("Marking the favourite"))

    def toggle_favourite(self) -> None:
        if self.story_id:
            self.favourite.toggle()

    def rate(self, rating: int) -> None:
        """Rate from the keyboard: the same rating again clears it, as a click does."""
        if self.story_id:
            self.rating._clicked(rating)

    def _write(self, coro: Any, title: str) -> None:
        # A reload still in flight may have read the story before this change: drop it (the change notifies,
        # and that reloads after the write).
        self.ctx.tasks.cancel("reader.details")
        self.ctx.tasks.spawn(coro, name="reader.update", title=title, on_error=self._error_and_reload)

    def _navigate(self, which: str) -> None:
        target = getattr(self.details, which, None) if self.details else None
        if target:
            self.navigate_requested.emit(target["id"])
            if self.follow_changes:  # else whoever feeds the panel opens it
                self.open_story(target["id"])

    def _error(self, message: str, _exc: BaseException) -> None:
        self.failed.emit(message)

    def _error_and_reload(self, message: str, exc: BaseException) -> None:
        self._error(message, exc)
        if self.follow_changes:
            self.reload()  # show what is really stored (else the controller reloads on the change)

    def _on_change(self, kind: str, ids: list[str]) -> None:
        if self.follow_changes and kind == "stories" and self.story_id and (not ids or self.story_id in ids):
            self.reload()
