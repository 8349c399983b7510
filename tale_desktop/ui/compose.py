""""New story": the compose form and the panel that runs a generation into the streaming view.

``ComposeForm`` only gathers choices and emits ``generate_requested(StoryRequest)``. ``NewStoryPanel`` holds the
form and a :class:`StoryStreamView`, starts each generation through ``ctx.storyteller.start`` (its own task, so
several can run at once and each shows in the tasks panel) and shows validation and service errors in plain words.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from tale_desktop.context import AppContext
from tale_desktop.domain.enums import LANGUAGE_NAMES, AgeBand, Language, Moral, Status, StoryType, Theme
from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.models import CUSTOM_MORAL_MAX, MINUTES_MAX, MINUTES_MIN, Child, Hero, Story
from tale_desktop.domain.query import StoryQuery
from tale_desktop.services.storyteller import StoryEvent, StoryEventKind, StoryRequest
from tale_desktop.services.tasks import TaskHandle
from tale_desktop.ui.story_stream import StoryStreamView

log = logging.getLogger(__name__)

CUSTOM = "__custom__"
TYPE_LABELS = {None: "Automatic (from who is chosen)", StoryType.CHILD: "About the child",
               StoryType.HERO: "About the hero", StoryType.COMBINED: "The child and the hero together"}
AGE_LABELS = {AgeBand.TODDLER: "2-3 years", AgeBand.PRESCHOOL: "3-5 years", AgeBand.EARLY: "5-7 years",
              AgeBand.MIDDLE: "8-12 years"}


def _select(combo: QComboBox, value: Any) -> bool:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)
    return index >= 0


class ComposeForm(QWidget):
    """Child and/or hero, story type, moral (preset or own words), theme, language, minutes, continue-story."""

    generate_requested = Signal(object)  # StoryRequest

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("composeForm")
        self._pending_sequel: Story | None = None
        self._loaded_once = False

        self.child = QComboBox()
        self.child.setObjectName("composeChild")
        self.hero = QComboBox()
        self.hero.setObjectName("composeHero")
        self.story_type = QComboBox()
        for value, label in TYPE_LABELS.items():
            self.story_type.addItem(label, value.value if value else None)
        self.moral = QComboBox()
        self.moral.setObjectName("composeMoral")
        for moral in Moral:
            self.moral.addItem(moral.value.capitalize(), moral.value)
        self.moral.addItem("In my own words…", CUSTOM)
        self.custom_moral = QLineEdit()
        self.custom_moral.setObjectName("composeCustomMoral")
        self.custom_moral.setPlaceholderText("e.g. It is fine to ask for help")
        self.custom_moral.setMaxLength(CUSTOM_MORAL_MAX)
        self.custom_moral.hide()
        self.theme = QComboBox()
        self.theme.addItem("Any theme", None)
        for theme in Theme:
            self.theme.addItem(theme.value.capitalize(), theme.value)
        self.language = QComboBox()
        for language in Language:
            self.language.addItem(LANGUAGE_NAMES[language], language.value)
        self.minutes = QSpinBox()
        self.minutes.setObjectName("composeMinutes")
        self.minutes.setRange(MINUTES_MIN, MINUTES_MAX)
        self.minutes.setValue(5)
        self.minutes.setSuffix(" min")
        self.words_hint = QLabel()
        self.age_band = QComboBox()
        for band, label in AGE_LABELS.items():
            self.age_band.addItem(label, band.value)
        _select(self.age_band, AgeBand.PRESCHOOL.value)
        self.sequel = QComboBox()
        self.sequel.setObjectName("composeSequel")
        self.sequel.addItem("No, a new story", None)
        self.generate_button = QPushButton("Generate")
        self.generate_button.setObjectName("composeGenerate")
        self.generate_button.setDefault(True)
        self.error = QLabel("")
        self.error.setObjectName("composeError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()

        minutes_row = QHBoxLayout()
        minutes_row.addWidget(self.minutes)
        minutes_row.addWidget(self.words_hint, 1)
        form = QFormLayout()
        form.addRow("For (child)", self.child)
        form.addRow("Hero", self.hero)
        form.addRow("Story type", self.story_type)
        form.addRow("Listener's age", self.age_band)
        form.addRow("Moral", self.moral)
        form.addRow("", self.custom_moral)
        form.addRow("Theme", self.theme)
        form.addRow("Language", self.language)
        form.addRow("Length", minutes_row)
        form.addRow("Continue a story", self.sequel)
        self.form_layout = form
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.generate_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addStretch(1)

        self.moral.currentIndexChanged.connect(self._moral_changed)
        self.minutes.valueChanged.connect(self._minutes_changed)
        self.child.currentIndexChanged.connect(self._who_changed)
        self.hero.currentIndexChanged.connect(self._who_changed)
        self.generate_button.clicked.connect(self.submit)
        self._minutes_changed(self.minutes.value())
        self._who_changed()
        self._unsubscribe = ctx.library.subscribe(self._library_changed)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    # -- data ---------------------------------------------------------------------------------------------------
    def reload(self) -> TaskHandle:
        """Load children, heroes and finished stories through the task helper (off the loop thread)."""
        async def load() -> tuple[list[Child], list[Hero], list[dict[str, Any]]]:
            children = await self.ctx.library.list_children()
            heroes = await self.ctx.library.list_heroes()
            stories = await self.ctx.library.list_stories(StoryQuery(), limit=300)
            return children, heroes, stories

        return self.ctx.tasks.spawn(load(), name="compose.load", title="Loading profiles", replace=True,
                                    on_result=self._fill)

    def _library_changed(self, kind: str, _ids: list[str]) -> None:
        if kind in ("children", "heroes", "stories"):
            self.reload()

    def _fill(self, result: tuple[list[Child], list[Hero], list[dict[str, Any]]]) -> None:
        children, heroes, stories = result
        keep = (self.child.currentData(), self.hero.currentData(), self.sequel.currentData())
        for combo in (self.child, self.hero, self.sequel):
            combo.blockSignals(True)
            combo.clear()
        self.child.addItem("No child", None)
        for child in children:
            self.child.addItem(child.name, child.id)
        self.hero.addItem("No hero", None)
        for hero in heroes:
            self.hero.addItem(f"{hero.name} ({hero.language})", hero.id)
        self.sequel.addItem("No, a new story", None)
        for row in stories:
            if row["status"] != Status.DRAFT:
                self.sequel.addItem(row["title"] or "Untitled story", row["id"])
        for combo, value in zip((self.child, self.hero, self.sequel), keep, strict=True):
            _select(combo, value)
            combo.blockSignals(False)
        if not self._loaded_once and self.child.count() > 1 and keep[1] is None:
            self.child.setCurrentIndex(1)  # the first time, preselect the first child
        self._loaded_once = True
        if self._pending_sequel is not None:
            self._apply_sequel(self._pending_sequel)
        self._who_changed()

    # -- reactions ----------------------------------------------------------------------------------------------
    def _moral_changed(self) -> None:
        custom = self.moral.currentData() == CUSTOM
        self.custom_moral.setVisible(custom)
        if custom:
            self.custom_moral.setFocus()

    def _minutes_changed(self, minutes: int) -> None:
        self.words_hint.setText(f"about {minutes * 150} words")

    def _who_changed(self) -> None:
        self.age_band.setEnabled(self.child.currentData() is None)

    # -- prefill ------------------------------------------------------------------------------------------------
    def prefill_sequel(self, story: Story) -> None:
        """Open the form as a sequel of ``story``: same child, hero, moral, theme, language and length."""
        self._pending_sequel = story
        self._apply_sequel(story)

    def _apply_sequel(self, story: Story) -> None:
        if self.sequel.findData(story.id) < 0:
            self.sequel.addItem(story.title or "Untitled story", story.id)
        _select(self.sequel, story.id)
        if story.child_id:
            _select(self.child, story.child_id)
        else:
            _select(self.child, None)
        _select(self.hero, story.hero_id) if story.hero_id else _select(self.hero, None)
        _select(self.story_type, story.story_type)
        if story.moral_is_custom:
            _select(self.moral, CUSTOM)
            self.custom_moral.setText(story.moral)
        else:
            _select(self.moral, story.moral)
        _select(self.theme, story.theme)
        _select(self.language, story.language)
        self.minutes.setValue(story.minutes)
        if self.child.currentData() == story.child_id and self.hero.currentData() == story.hero_id:
            self._pending_sequel = None

    # -- submitting ---------------------------------------------------------------------------------------------
    def request(self) -> StoryRequest:
        """The parent's choices; raises ValidationError for what the form itself can tell."""
        child_id, hero_id = self.child.currentData(), self.hero.currentData()
        if not child_id and not hero_id:
            raise ValidationError.single("child", "Choose a child or a hero for the story (or add one first).")
        moral = self.moral.currentData()
        if moral == CUSTOM:
            moral = self.custom_moral.text().strip()
            if not moral:
                raise ValidationError.single("moral", "Write the moral in your own words, or pick one.")
        return StoryRequest(
            child_id=child_id, hero_id=hero_id, story_type=self.story_type.currentData(), moral=moral,
            theme=self.theme.currentData(), language=self.language.currentData(), minutes=self.minutes.value(),
            parent_id=self.sequel.currentData(), age_band=None if child_id else self.age_band.currentData(),
        )

    def submit(self) -> None:
        try:
            request = self.request()
        except ValidationError as exc:
            self.show_error(exc.user_message)
            return
        self.show_error("")
        self.generate_requested.emit(request)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))


class NewStoryPanel(QWidget):
    """The compose form beside the streaming view; each Generate starts one more story task."""

    story_saved = Signal(str)
    settings_requested = Signal()
    open_requested = Signal(str)
    back_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("newStoryPanel")
        self.form = ComposeForm(ctx)
        self.view = StoryStreamView()
        self.handles: list[TaskHandle] = []
        # The form scrolls rather than forcing a minimum window size (the centre stack takes every page's minimum).
        form_scroll = QScrollArea()
        form_scroll.setWidgetResizable(True)
        form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        form_scroll.setWidget(self.form)
        form_scroll.setMinimumWidth(120)
        self.view.setMinimumSize(160, 120)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(form_scroll)
        splitter.addWidget(self.view)
        splitter.setStretchFactor(1, 2)
        self.back_button = QPushButton("← Back to the reader")
        self.back_button.setObjectName("composeBack")
        self.back_button.setFlat(True)
        self.back_button.clicked.connect(self.back_requested)
        self.back_button.hide()  # shown when the panel lives in the main window
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(splitter)
        self.form.generate_requested.connect(self.generate)
        self.view.settings_requested.connect(self.settings_requested)
        self.view.open_requested.connect(self.open_requested)

    def start(self) -> None:
        self.form.reload()

    def prefill_sequel(self, story: Story) -> None:
        self.form.prefill_sequel(story)

    def generate(self, request: StoryRequest) -> TaskHandle:
        handle = self.ctx.storyteller.start(request, self._on_event)
        self.handles = [h for h in self.handles if h.running] + [handle]
        self.view.bind(handle)
        return handle

    def _on_event(self, event: StoryEvent) -> None:
        if event.kind is StoryEventKind.FAILED and event.invalid and event.story_id == self.view.story_id:
            self.form.show_error(event.error or "")
        self.view.on_event(event)
        if event.kind is StoryEventKind.DONE:
            self.story_saved.emit(event.story_id)


class StorytellerUi:
    """Puts story writing into the main window through its extension points.

    - "New story…" (Ctrl+N) first in the File menu and the toolbar: shows the New story page in the centre.
    - "Continue this story…" (toolbar, and a button under the reader's text) opens the form prefilled as a sequel
      of the story in the reader.
    - The streaming view's "Open in the reader" opens the saved story; "Settings…" opens Settings.
    """

    def __init__(self, window: Any):
        from PySide6.QtGui import QAction, QKeySequence

        self.window = window
        self.panel = NewStoryPanel(window.ctx)
        self.panel.back_button.show()
        window.add_center_page(self.panel)
        self.new_action = QAction("New story…", window)
        self.new_action.setObjectName("newStoryAction")
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self.new_story)
        window.add_primary_action(self.new_action)
        self.continue_action = QAction("Continue this story…", window)
        self.continue_action.setObjectName("continueStoryAction")
        self.continue_action.setEnabled(False)
        self.continue_action.triggered.connect(self.continue_story)
        window.add_primary_action(self.continue_action)
        self.continue_button = QPushButton("Continue this story…")
        self.continue_button.setObjectName("continueStoryButton")
        self.continue_button.clicked.connect(self.continue_story)
        self.continue_button.hide()
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(8, 4, 8, 4)
        row_layout.addStretch(1)
        row_layout.addWidget(self.continue_button)
        window.reader.add_bottom_widget(row)
        window.reader.story_shown.connect(self._reader_changed)
        window.library.story_selected.connect(lambda _id: window.show_center_page(None))
        self.panel.settings_requested.connect(window.open_settings)
        self.panel.open_requested.connect(self.open_story)
        self.panel.back_requested.connect(lambda: window.show_center_page(None))
        window.settings_opened.connect(self._settings_opened)
        if hasattr(window, "continue_story_requested"):  # "Continue the story…" in the library's menu
            window.continue_story_requested.connect(self.continue_story_by_id)
        # Statistics are fetched quietly after each story; they are not work the parent waits for.
        window.tasks_panel.hidden_prefixes = (*window.tasks_panel.hidden_prefixes, "stats:")
        self.story_settings = None

    def _settings_opened(self, dialog: Any) -> None:
        from tale_desktop.ui.story_settings import add_to_dialog

        self.story_settings = add_to_dialog(self.window.ctx, dialog)

    def _reader_changed(self, _story_id: str = "") -> None:
        story = self.window.reader.story
        can = story is not None and story.status != Status.DRAFT and bool(story.content.strip())
        self.continue_action.setEnabled(can)
        self.continue_button.setVisible(can)

    def new_story(self) -> None:
        self.panel.form.reload()
        self.window.show_center_page(self.panel)

    def continue_story(self) -> None:
        story = self.window.reader.story
        if story is None:
            return
        self.panel.prefill_sequel(story)
        self.new_story()

    def continue_story_by_id(self, story_id: str) -> None:
        def loaded(story: Story) -> None:
            self.panel.prefill_sequel(story)
            self.new_story()

        self.window.ctx.tasks.spawn(self.window.ctx.library.get_story(story_id), name="compose.sequel",
                                    title="Opening the story to continue", replace=True, on_result=loaded)

    def open_story(self, story_id: str) -> None:
        self.window.show_center_page(None)
        if not self.window.library.select_story(story_id):
            self.window.reader.open_story(story_id)


def install(window: Any) -> StorytellerUi:
    return StorytellerUi(window)
