""""New story": the compose form and the panel that runs a generation into the streaming view.

``ComposeForm`` only gathers choices and emits ``generate_requested(StoryRequest)``. ``NewStoryPanel`` holds the
form and a :class:`StoryStreamView`, starts each generation through ``ctx.storyteller.start`` (its own task, so
several can run at once and each shows in the tasks panel) and shows validation and service errors in plain words.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from tale_desktop.context import AppContext
from tale_desktop.domain.enums import AgeBand, Status
from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.languages import suggested_story_language
from tale_desktop.domain.models import CUSTOM_MORAL_MAX, MINUTES_MAX, MINUTES_MIN, Child, Hero, Story
from tale_desktop.domain.query import StoryQuery
from tale_desktop.services.storyteller import StoryEvent, StoryEventKind, StoryRequest
from tale_desktop.services.tasks import TaskHandle
from tale_desktop.ui.common import labels
from tale_desktop.ui.common.language import current_language, localized
from tale_desktop.ui.common.wheel_guard import NoWheelComboBox, NoWheelSpinBox
from tale_desktop.ui.compose.picture_choices import PictureChoices
from tale_desktop.ui.compose.story_stream import StoryStreamView, looks_like_title

if TYPE_CHECKING:
    from tale_desktop.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)

CUSTOM = "__custom__"
SIDE_BY_SIDE_MIN_WIDTH = 820  # narrower than this, the preview goes under the form
GENERATE_GUARD_MS = 1500  # the same choices again this soon after Generate: the second click of a double click
# Story changes come in streams (ten stories writing save a draft each second): the lists reload at most this often
# then. A new child or hero reloads them at once.
RELOAD_GAP_MS = 500


def _combo(name: str = "") -> QComboBox:
    combo = NoWheelComboBox()
    if name:
        combo.setObjectName(name)
    # The width follows the form, not the longest name in the list (a long name is elided, never cut).
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(10)
    return combo


def _refill(combo: QComboBox, items: list[tuple[str, Any]], shown: dict[str, list[tuple[str, Any]]]) -> bool:
    """Put ``items`` (text, data) into ``combo`` unless it holds exactly those already (``shown`` remembers what
    each combo was given, by object name); whether it was refilled. Signals stay blocked: the caller selects."""
    if shown.get(combo.objectName()) == items and combo.count() == len(items):
        return False
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)
    shown[combo.objectName()] = items
    return True


def _select(combo: QComboBox, value: Any) -> bool:
    # findData(None) finds nothing: look for the "none" item by hand.
    index = combo.findData(value) if value is not None else next(
        (i for i in range(combo.count()) if combo.itemData(i) is None), -1)
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
        self._last_submit = -1e9
        self._last_request: StoryRequest | None = None

        self.child = _combo("composeChild")
        self.hero = _combo("composeHero")
        self.story_type = _combo("composeType")
        for value, label in labels.story_type_names().items():
            self.story_type.addItem(label, value.value if value else None)
        self.moral = _combo("composeMoral")
        for value, label in labels.moral_names().items():
            self.moral.addItem(label, value.value)
        self.moral.addItem(self.tr("In my own words…"), CUSTOM)
        self.custom_moral = QLineEdit()
        self.custom_moral.setObjectName("composeCustomMoral")
        self.custom_moral.setPlaceholderText(self.tr("e.g. It is fine to ask for help"))
        self.custom_moral.setMaxLength(CUSTOM_MORAL_MAX)
        self.custom_moral.hide()
        self.theme = _combo("composeTheme")
        self.theme.addItem(self.tr("Any theme"), None)
        for value, label in labels.theme_names().items():
            self.theme.addItem(label, value.value)
        self.language = _combo("composeLanguage")
        for code, name in labels.language_names().items():
            self.language.addItem(name, code.value)
        _select(self.language, current_language())  # new stories follow the interface language
        self._language_chosen = False  # the parent picked a language: suggestions stop
        self._children: dict[str, Child] = {}
        self._heroes: dict[str, Hero] = {}
        self.minutes = NoWheelSpinBox()
        self.minutes.setObjectName("composeMinutes")
        self.minutes.setRange(MINUTES_MIN, MINUTES_MAX)
        self.minutes.setValue(5)
        self.minutes.setSuffix(self.tr(" min"))
        self.words_hint = QLabel()
        self.words_hint.setObjectName("fieldHint")
        self.age_band = _combo("composeAge")
        for band, label in labels.age_names().items():
            self.age_band.addItem(label, band.value)
        _select(self.age_band, AgeBand.PRESCHOOL.value)
        self.sequel = _combo("composeSequel")
        self.sequel.addItem(self.tr("No, a new story"), None)
        self.pictures = PictureChoices(ctx.settings)  # shown when an image model is set
        self.generate_button = QPushButton(self.tr("Write the story"))
        self.generate_button.setObjectName("composeGenerate")
        self.generate_button.setDefault(True)
        self.generate_button.setToolTip(self.tr("Write a new story with these choices (Ctrl+Enter)"))
        self.error = QLabel("")
        self.error.setObjectName("composeError")
        self.error.setWordWrap(True)
        self.error.hide()
        # Messages about one field go right under it.
        self.field_errors: dict[str, QLabel] = {}
        for name in ("child", "moral"):
            label = QLabel("")
            label.setObjectName("fieldError")
            label.setWordWrap(True)
            label.hide()
            self.field_errors[name] = label

        minutes_row = QHBoxLayout()
        minutes_row.addWidget(self.minutes)
        minutes_row.addWidget(self.words_hint, 1)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Child"), self.child)
        form.addRow(self.field_errors["child"])
        form.addRow(self.tr("Hero"), self.hero)
        form.addRow(self.tr("Kind of story"), self.story_type)
        form.addRow(self.tr("Listener's age"), self.age_band)
        form.addRow(self.tr("Moral"), self.moral)
        form.addRow("", self.custom_moral)
        form.addRow(self.field_errors["moral"])
        form.addRow(self.tr("Theme"), self.theme)
        form.addRow(self.tr("Language"), self.language)
        form.addRow(self.tr("Length"), minutes_row)
        form.addRow(self.tr("Continue a story"), self.sequel)
        form.addRow(self.tr("Pictures"), self.pictures)
        form.setRowVisible(self.pictures, False)
        self.form_layout = form
        heading = QLabel(self.tr("New story"))
        heading.setObjectName("bannerHeading")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.generate_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addStretch(1)

        self.moral.currentIndexChanged.connect(self._moral_changed)
        self.minutes.valueChanged.connect(self._minutes_changed)
        self.child.currentIndexChanged.connect(self._who_changed)
        self.hero.currentIndexChanged.connect(self._who_changed)
        self.language.activated.connect(self._language_picked)
        self.generate_button.clicked.connect(self.submit)
        self._minutes_changed(self.minutes.value())
        self._who_changed()
        self._shown: dict[str, list[tuple[str, Any]]] = {}  # what each list was last filled with
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.timeout.connect(self.reload)
        self._unsubscribe = ctx.library.subscribe(self._library_changed)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    # -- data ---------------------------------------------------------------------------------------------------
    def reload(self) -> TaskHandle:
        """Load children, heroes and finished stories through the task helper (off the loop thread)."""
        self._reload_timer.stop()  # this load covers a reload that was waiting

        async def load() -> tuple[list[Child], list[Hero], list[dict[str, Any]]]:
            children = await self.ctx.library.list_children()
            heroes = await self.ctx.library.list_heroes()
            stories = await self.ctx.library.list_stories(StoryQuery(include_drafts=False), limit=300)
            return children, heroes, stories

        return self.ctx.tasks.spawn(load(), name="compose.load", title=self.tr("Loading profiles"), replace=True,
                                    on_result=self._fill)

    def _library_changed(self, kind: str, _ids: list[str]) -> None:
        # Only while the form is on screen: opening it loads the lists anyway (``StorytellerUi.show_form``).
        if kind not in ("children", "heroes", "stories") or not self.isVisible():
            return
        if kind != "stories":
            self._reload_timer.start(0)
        elif not self._reload_timer.isActive():
            self._reload_timer.start(RELOAD_GAP_MS)

    def _fill(self, result: tuple[list[Child], list[Hero], list[dict[str, Any]]]) -> None:
        children, heroes, stories = result
        keep = (self.child.currentData(), self.hero.currentData(), self.sequel.currentData())
        names = labels.language_names()
        lists = (
            [(self.tr("No child"), None), *((child.name, child.id) for child in children)],
            [(self.tr("No hero"), None),
             *((f"{hero.name} ({names.get(hero.language, hero.language)})", hero.id) for hero in heroes)],
            [(self.tr("No, a new story"), None),
             *((row["title"] or self.tr("Untitled story"), row["id"]) for row in stories)],  # no drafts (query)
        )
        self._children = {child.id: child for child in children}
        self._heroes = {hero.id: hero for hero in heroes}
        for combo, items, value in zip((self.child, self.hero, self.sequel), lists, keep, strict=True):
            combo.blockSignals(True)
            if _refill(combo, items, self._shown):
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
        self.words_hint.setText(self.tr("about {0} words").format(minutes * 150))

    def _who_changed(self) -> None:
        self.age_band.setEnabled(self.child.currentData() is None)
        self._suggest_language()

    def _language_picked(self) -> None:
        self._language_chosen = True

    def _suggest_language(self) -> None:
        """A Russian hero or child suggests a Russian story (until the parent picks a language)."""
        if self._language_chosen or self._pending_sequel is not None:
            return
        hero = self._heroes.get(self.hero.currentData() or "")
        child = self._children.get(self.child.currentData() or "")
        _select(self.language, suggested_story_language(
            current_language(), hero_language=hero.language if hero else None,
            hero_name=hero.name if hero else "", child_name=child.name if child else ""))

    # -- prefill ------------------------------------------------------------------------------------------------
    def prefill_sequel(self, story: Story) -> None:
        """Open the form as a sequel of ``story``: same child, hero, moral, theme, language and length."""
        self._pending_sequel = story
        self._apply_sequel(story)

    def _apply_sequel(self, story: Story) -> None:
        if self.sequel.findData(story.id) < 0:
            self.sequel.addItem(story.title or self.tr("Untitled story"), story.id)
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
            raise ValidationError.single("child", self.tr("Choose a child or a hero for the story (or add one "
                                                          "first)."))
        moral = self.moral.currentData()
        if moral == CUSTOM:
            moral = self.custom_moral.text().strip()
            if not moral:
                raise ValidationError.single("moral", self.tr("Write the moral in your own words, or pick one."))
        return StoryRequest(
            child_id=child_id, hero_id=hero_id, story_type=self.story_type.currentData(), moral=moral,
            theme=self.theme.currentData(), language=self.language.currentData(), minutes=self.minutes.value(),
            parent_id=self.sequel.currentData(), age_band=None if child_id else self.age_band.currentData(),
        )

    def submit(self) -> None:
        now = time.monotonic()
        try:
            request = self.request()
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        if request == self._last_request and now - self._last_submit < GENERATE_GUARD_MS / 1000:
            return  # the second click of a double click: one story only
        self.show_error("")
        self._last_submit, self._last_request = now, request
        self.generate_requested.emit(request)

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each message next to its field; the others (and those of fields without a place) under the form."""
        rest = []
        for name, label in self.field_errors.items():
            label.setText(localized(errors.get(name, "")))
            label.setVisible(name in errors)
        for name, message in errors.items():
            if name not in self.field_errors:
                rest.append(localized(message))
        self.error.setText("\n".join(rest))
        self.error.setVisible(bool(rest))

    def show_error(self, message: str) -> None:
        for label in self.field_errors.values():
            label.hide()
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def set_pictures_available(self, available: bool) -> None:
        """Offer "Add pictures" only when an image model can draw them."""
        self.form_layout.setRowVisible(self.pictures, available)

    def reset(self) -> None:
        """A fresh form for a new story (keeps who it is for; forgets a sequel and the own-words moral)."""
        self.pictures.reset_style()
        self._pending_sequel = None
        self._language_chosen = False
        self.sequel.setCurrentIndex(0)  # "No, a new story"
        self.custom_moral.clear()
        if self.moral.currentData() == CUSTOM:
            self.moral.setCurrentIndex(0)
        self.show_error("")


class NewStoryPanel(QWidget):
    """The compose form beside the streaming view; each Generate starts one more story task."""

    story_saved = Signal(str)
    illustrate_requested = Signal(str, str)  # story id, style: the story was written with "Add pictures"
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
        self._picture_styles: dict[int, str] = {}  # id(handle) -> style, for stories asked with pictures
        # The form scrolls up and down only; it never needs a sideways scroll bar.
        self.form_scroll = QScrollArea()
        self.form_scroll.setObjectName("composeScroll")
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form_scroll.setWidget(self.form)
        self.form_scroll.setMinimumWidth(300)
        self.view.setMinimumSize(240, 160)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("composeSplitter")
        self.splitter.addWidget(self.form_scroll)
        self.splitter.addWidget(self.view)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.back_button = QPushButton(self.tr("← Back to the reader"))
        self.back_button.setObjectName("composeBack")
        self.back_button.setFlat(True)
        self.back_button.clicked.connect(self.back_requested)
        self.back_button.hide()  # shown when the panel lives in the main window
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.splitter)
        self.form.generate_requested.connect(self.generate)
        self.view.settings_requested.connect(self.settings_requested)
        self.view.open_requested.connect(self.open_requested)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._arrange()

    # The story in the streaming view is read as it arrives while the page is on screen; the others (and this
    # one while the page is hidden) are read in gulps (``Storyteller.watch``).
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.ctx.storyteller.watch(self.view.story_id)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        super().hideEvent(event)
        self.ctx.storyteller.watch(None)

    def _arrange(self) -> None:
        """Form and preview side by side when there is room, else the preview under the form."""
        wide = self.width() >= SIDE_BY_SIDE_MIN_WIDTH
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)
            self.form_scroll.setMinimumWidth(300 if wide else 0)
            if wide:
                self.splitter.setSizes([360, max(240, self.width() - 360)])
            else:
                self.splitter.setSizes([self.height() // 2, self.height() // 2])

    def start(self) -> None:
        self.form.reload()

    def reset(self) -> None:
        """A fresh page: the form without the last sequel, the preview waiting for the next story."""
        self.form.reset()
        running = self.view.handle is not None and self.view.handle.running
        if not running:
            self.view.clear()

    def prefill_sequel(self, story: Story) -> None:
        self.form.prefill_sequel(story)

    def generate(self, request: StoryRequest) -> TaskHandle:
        handle = self.ctx.storyteller.start(request, self._on_event)
        self.handles = [h for h in self.handles if h.running] + [handle]
        style = self.form.pictures.choice()
        if style is not None:
            self._picture_styles[id(handle)] = style
        self.view.bind(handle)
        if self.isVisible():
            self.ctx.storyteller.watch(self.view.story_id)
        return handle

    def _on_event(self, event: StoryEvent) -> None:
        if event.kind is StoryEventKind.FAILED and event.invalid and event.story_id == self.view.story_id:
            self.form.show_error(localized(event.error) if event.error else "")
        if event.kind is StoryEventKind.TEXT:
            self._name_task(event)
        self.view.on_event(event)
        if event.kind is StoryEventKind.DONE:
            handle = self._handle_for(event.story_id)
            if handle is not None and event.story is not None:
                handle.title = self.tr("“{0}”").format(event.story.title)
            self.story_saved.emit(event.story_id)
            style = self._picture_styles.pop(id(handle), None) if handle is not None else None
            if style is not None:
                self.illustrate_requested.emit(event.story_id, style)

    def _handle_for(self, story_id: str) -> TaskHandle | None:
        return next((h for h in self.handles if getattr(h, "story_id", None) == story_id), None)

    def _name_task(self, event: StoryEvent) -> None:
        """Once the title line has arrived, the tasks panel names the story by its title."""
        handle = self._handle_for(event.story_id)
        if handle is None or getattr(handle, "titled", False):
            return
        head, newline, _ = event.text.lstrip().partition("\n")
        if newline:
            handle.titled = True  # type: ignore[attr-defined]
            title = head.strip().lstrip("#").strip()
            if title and looks_like_title(head):
                handle.title = self.tr("Writing “{0}”").format(title)


class StorytellerUi:
    """Puts story writing into the main window through its extension points.

    - "New story…" (Ctrl+N) first in the File menu and the toolbar: shows the New story page in the centre.
    - "Continue this story…" (toolbar, and a button under the reader's text) opens the form prefilled as a sequel
      of the story in the reader.
    - The streaming view's "Open in the reader" opens the saved story; "Settings…" opens Settings.
    """

    def __init__(self, window: MainWindow):
        from PySide6.QtGui import QKeySequence

        self.window = window
        self.panel = NewStoryPanel(window.ctx)
        self.panel.back_button.show()
        window.add_center_page(self.panel)
        stories = QCoreApplication.translate("MainWindow", "Stories")
        self.new_action = window.actions.define(
            "new_story", QCoreApplication.translate("MainWindow", "New story…"), section=stories, shortcuts=[QKeySequence.StandardKey.New],
            icon="new-story", tip=QCoreApplication.translate("MainWindow", "Write a new bedtime story"), slot=self.new_story)
        window.add_primary_action(self.new_action)
        self.continue_action = window.actions.define(
            "continue_story", QCoreApplication.translate("MainWindow", "Continue this story…"), section=stories, shortcuts=["Ctrl+Shift+N"],
            icon="continue", tip=QCoreApplication.translate("MainWindow", "Write what happens next, with the same child and hero"),
            slot=self.continue_story)
        self.continue_action.setEnabled(False)
        window.add_primary_action(self.continue_action)
        window.story_menu.insertAction(window.story_menu.actions()[0], self.new_action)
        window.story_menu.insertAction(window.actions["favourite"], self.continue_action)
        self.generate_action = window.actions.define(
            "generate", QCoreApplication.translate("MainWindow", "Write the story"), section=stories, shortcuts=["Ctrl+Return", "Ctrl+Enter"],
            slot=self.panel.form.submit)
        self.panel.addAction(self.generate_action)
        self.generate_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.continue_button = QPushButton(QCoreApplication.translate("MainWindow", "Continue this story…"))
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
        # "Continue the story…" in the library's menu reaches us through the window (``_continue_story``), once.
        self.story_settings = None

    def _settings_opened(self, dialog: Any) -> None:  # a SettingsDialog
        from tale_desktop.ui.settings.story_settings import add_to_dialog

        self.story_settings = add_to_dialog(self.window.ctx, dialog)

    def _reader_changed(self, _story_id: str = "") -> None:
        story = self.window.reader.story
        can = story is not None and story.status != Status.DRAFT and bool(story.content.strip())
        self.continue_action.setEnabled(can)
        self.continue_button.setVisible(can)

    def new_story(self) -> None:
        """Ctrl+N: a fresh form (not the last story's sequel, not the cancelled story's text)."""
        self.panel.reset()
        self.show_form()

    def show_form(self) -> None:
        self.panel.form.reload()
        self.window.show_center_page(self.panel)
        self.panel.form.child.setFocus()

    def continue_story(self) -> None:
        story = self.window.reader.story
        if story is None:
            return
        self.panel.reset()
        self.panel.prefill_sequel(story)
        self.show_form()

    def continue_story_by_id(self, story_id: str) -> None:
        def loaded(story: Story) -> None:
            self.panel.reset()
            self.panel.prefill_sequel(story)
            self.show_form()

        self.window.ctx.tasks.spawn(self.window.ctx.library.get_story(story_id), name="compose.sequel",
                                    title=QCoreApplication.translate("MainWindow", "Opening the story to continue"), replace=True,
                                    on_result=loaded)

    def open_story(self, story_id: str) -> None:
        self.window.show_center_page(None)
        if not self.window.library.select_story(story_id):
            self.window.open_story(story_id)


def install(window: MainWindow) -> StorytellerUi:
    return StorytellerUi(window)
