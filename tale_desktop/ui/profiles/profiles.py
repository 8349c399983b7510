"""Children and heroes: lists with Add / Edit / Delete, and the editor dialogs.

Editors are non-modal (``open()``), validate with the domain rules and show each message next to its field;
Save keeps the dialog open on any error and writes nothing. Built-in heroes can be viewed and copied into an
own hero, never edited or deleted.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tale_desktop.context import AppContext
from tale_desktop.domain.enums import Gender
from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.models import INTERESTS_MAX, NAME_MAX, Child, Hero, new_id, split_list, utc_now
from tale_desktop.ui.asyncqt import alive
from tale_desktop.ui.common import labels
from tale_desktop.ui.common.delegates import TwoLineDelegate
from tale_desktop.ui.common.dialogs import confirm, show_error
from tale_desktop.ui.common.flow_layout import FlowLayout
from tale_desktop.ui.common.language import localized
from tale_desktop.ui.common.wheel_guard import NoWheelComboBox

log = logging.getLogger(__name__)
ModelIndex = QModelIndex | QPersistentModelIndex

def age_band_labels() -> dict[str, str]:
    return {str(k): v for k, v in labels.age_names().items()}


def child_gender_labels() -> dict[str, str]:
    return {Gender.FEMALE: QCoreApplication.translate("ChildEditor", "Girl"),
            Gender.MALE: QCoreApplication.translate("ChildEditor", "Boy"),
            Gender.OTHER: QCoreApplication.translate("ChildEditor", "Not specified")}


def hero_gender_labels() -> dict[str, str]:
    return {Gender.FEMALE: QCoreApplication.translate("HeroEditor", "Female"),
            Gender.MALE: QCoreApplication.translate("HeroEditor", "Male"),
            Gender.OTHER: QCoreApplication.translate("HeroEditor", "Other")}


# -- models ---------------------------------------------------------------------------------------------------------
class RecordListModel(QAbstractListModel):
    """A small list of children or heroes, reloaded through the task helper when the library reports a change."""

    RecordRole = Qt.ItemDataRole.UserRole + 1
    SubtitleRole = Qt.ItemDataRole.UserRole + 2
    loaded = Signal()

    def __init__(self, ctx: AppContext, kind: str, fetch: Callable[[], Coroutine[Any, Any, list[Any]]],
                 subtitle: Callable[[Any], str], parent: Any = None):
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self._fetch = fetch
        self._subtitle = subtitle
        self.records: list[Any] = []
        self._unsubscribe = ctx.library.subscribe(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.records)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.records):
            return None
        record = self.records[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return record.name
        if role == self.SubtitleRole:
            return self._subtitle(record)
        if role == self.RecordRole:
            return record
        return None

    def reload(self) -> None:
        self.ctx.tasks.spawn(self._fetch(), name=f"{self.kind}.load", title=f"Loading {self.kind}", replace=True,
                             on_result=self._set_records)

    def _set_records(self, records: list[Any]) -> None:
        self.beginResetModel()
        self.records = list(records)
        self.endResetModel()
        self.loaded.emit()

    def _on_change(self, kind: str, _ids: list[str]) -> None:
        if kind == self.kind:
            self.reload()

    def names(self) -> list[str]:
        return [record.name for record in self.records]


def child_subtitle(child: Child) -> str:
    age = age_band_labels().get(child.age_band, child.age_band)
    return f"{age} · {', '.join(child.interests)}"


def hero_subtitle(hero: Hero) -> str:
    language = labels.language_names().get(hero.language, hero.language)  # type: ignore[call-overload]
    builtin = [QCoreApplication.translate("HeroesPanel", "built-in")] if hero.builtin else []
    return " · ".join([language, *builtin, ", ".join(hero.personality_traits)])


# -- editor base ----------------------------------------------------------------------------------------------------
class RecordEditor(QDialog):
    """Form with an error label under every field; subclasses map fields <-> the record."""

    saved = Signal(object)

    def window_title(self, is_new: bool) -> str:
        return self.tr("New") if is_new else self.tr("Edit")

    def __init__(self, ctx: AppContext, record: Any, *, is_new: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.record = record
        self.is_new = is_new
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.window_title(is_new))
        self.setMinimumWidth(460)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.fields: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}
        self.general_error = QLabel()
        self.general_error.setObjectName("fieldError")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def add_field(self, name: str, label: str, widget: QWidget, hint: str = "") -> None:
        """A labelled field with its (hidden) error message right under it."""
        widget.setObjectName(f"field_{name}")
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        if hint:
            hint_label = QLabel(hint)
            hint_label.setObjectName("fieldHint")
            hint_label.setWordWrap(True)
            column.addWidget(hint_label)
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.hide()
        column.addWidget(error)
        self.form.addRow(label, box)
        self.fields[name] = widget
        self.error_labels[name] = error

    @staticmethod
    def combo(names: dict[Any, str], current: str | None, prompt: str = "") -> QComboBox:
        """A choice among ``names``; an unknown or missing ``current`` leaves it blank (Save then explains)."""
        box = NoWheelComboBox()
        box.setPlaceholderText(prompt or QCoreApplication.translate("RecordEditor", "Choose…"))
        for value, text in names.items():
            box.addItem(text, str(value))
        box.setCurrentIndex(box.findData(current) if current is not None else -1)
        return box

    # -- errors -----------------------------------------------------------------------------------------------
    def show_errors(self, errors: dict[str, str]) -> None:
        self.clear_errors()
        other = []
        for name, message in errors.items():
            label = self.error_labels.get(name)
            if label is None:
                other.append(localized(message))
                continue
            label.setText(localized(message))
            label.show()
            self.fields[name].setProperty("invalid", True)
            self._repolish(self.fields[name])
        if other:
            self.general_error.setText("\n".join(other))
            self.general_error.show()
        first = next((self.fields[n] for n in errors if n in self.fields), None)
        if first is not None:
            first.setFocus()

    def clear_errors(self) -> None:
        for name, label in self.error_labels.items():
            label.clear()
            label.hide()
            if self.fields[name].property("invalid"):
                self.fields[name].setProperty("invalid", False)
                self._repolish(self.fields[name])
        self.general_error.hide()

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def error_text(self, name: str) -> str:
        label = self.error_labels[name]
        return label.text() if not label.isHidden() else ""

    # -- saving -----------------------------------------------------------------------------------------------
    def build(self) -> Any:
        raise NotImplementedError

    def persist(self, record: Any) -> Coroutine[Any, Any, Any]:
        raise NotImplementedError

    def save(self) -> None:
        try:
            record = self.build().validate()
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        self.clear_errors()
        self.save_button.setEnabled(False)
        self.ctx.tasks.spawn(self.persist(record), name=f"save.{record.id}", title=self.tr("Saving {0}").format(record.name),
                             replace=True, on_result=self._saved, on_error=self._failed)

    def _saved(self, record: Any) -> None:
        if not alive(self):  # closed while saving: the record is saved all the same
            return
        self.record = record
        self.saved.emit(record)
        self.accept()

    def _failed(self, message: str, exc: BaseException) -> None:
        if not alive(self):
            show_error(None, QCoreApplication.translate("RecordEditor", "Could not save"), message)
            return
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.show_errors(exc.errors)
        else:
            show_error(self, self.tr("Could not save"), message)


def _list_text(values: list[str]) -> str:
    return ", ".join(values)


# -- children -------------------------------------------------------------------------------------------------------
class ChildEditor(RecordEditor):
    def window_title(self, is_new: bool) -> str:
        return self.tr("New child") if is_new else self.tr("Edit child")

    def __init__(self, ctx: AppContext, child: Child | None = None, parent: QWidget | None = None):
        super().__init__(ctx, child or Child(name="", interests=[]), is_new=child is None, parent=parent)
        child = self.record
        self.name = QLineEdit(child.name)
        self.name.setPlaceholderText(self.tr("e.g. Mia"))
        self.name.setMaxLength(NAME_MAX + 20)  # longer input still gets a clear message instead of a cut
        # A new child's age is chosen, never assumed: stories are pitched to it.
        self.age_band = self.combo(age_band_labels(), None if self.is_new else child.age_band,
                                   self.tr("Choose an age"))
        self.gender = self.combo(child_gender_labels(), child.gender)
        self.interests = QLineEdit(_list_text(child.interests))
        self.interests.setPlaceholderText(self.tr("e.g. dragons, space, baking"))
        self.add_field("name", self.tr("Name"), self.name)
        self.add_field("age_band", self.tr("Age"), self.age_band)
        self.add_field("gender", self.tr("Gender"), self.gender)
        self.add_field("interests", self.tr("Interests"), self.interests,
                       self.tr("Separate with commas; 1 to {0}. Stories weave these in.").format(INTERESTS_MAX))
        self.name.setFocus()

    def build(self) -> Child:
        return dataclasses.replace(
            self.record, name=self.name.text(), age_band=self.age_band.currentData(),
            gender=self.gender.currentData(), interests=split_list(self.interests.text()), updated_at=utc_now(),
        )

    def persist(self, record: Child) -> Coroutine[Any, Any, Child]:
        return self.ctx.library.save_child(record)


# -- heroes ---------------------------------------------------------------------------------------------------------
class HeroEditor(RecordEditor):
    copy_requested = Signal(object)

    def window_title(self, is_new: bool) -> str:
        return self.tr("New hero") if is_new else self.tr("Edit hero")

    def __init__(self, ctx: AppContext, hero: Hero | None = None, parent: QWidget | None = None, *,
                 is_new: bool | None = None):
        super().__init__(ctx, hero or Hero(), is_new=hero is None if is_new is None else is_new, parent=parent)
        hero = self.record
        self.read_only = bool(hero.builtin)
        self.name = QLineEdit(hero.name)
        self.name.setPlaceholderText(self.tr("e.g. Captain Whiskers"))
        self.gender = self.combo(hero_gender_labels(), hero.gender)
        self.language = self.combo({str(k): v for k, v in labels.language_names().items()}, hero.language)
        self.appearance = QPlainTextEdit(hero.appearance)
        self.appearance.setPlaceholderText(self.tr("What the hero looks like"))
        self.appearance.setFixedHeight(70)
        self.appearance.setTabChangesFocus(True)
        self.traits = QLineEdit(_list_text(hero.personality_traits))
        self.traits.setPlaceholderText(self.tr("e.g. brave, curious, kind"))
        self.interests = QLineEdit(_list_text(hero.interests))
        self.interests.setPlaceholderText(self.tr("optional, e.g. maps, stars"))
        self.strengths = QLineEdit(_list_text(hero.strengths))
        self.strengths.setPlaceholderText(self.tr("e.g. never gives up"))
        self.add_field("name", self.tr("Name"), self.name)
        self.add_field("gender", self.tr("Gender"), self.gender)
        self.add_field("language", self.tr("Language"), self.language,
                       self.tr("Stories with this hero are told in this language."))
        self.add_field("appearance", self.tr("Appearance"), self.appearance)
        self.add_field("personality_traits", self.tr("Personality"), self.traits,
                       self.tr("Comma-separated traits (at least one)."))
        self.add_field("interests", self.tr("Interests"), self.interests)
        self.add_field("strengths", self.tr("Strengths"), self.strengths, self.tr("Comma-separated (at least one)."))
        if self.read_only:
            self._make_read_only()

    def _make_read_only(self) -> None:
        self.setWindowTitle(f"{self.record.name} (built-in hero)")
        for widget in self.fields.values():
            if isinstance(widget, QLineEdit):
                widget.setReadOnly(True)
                widget.setCursorPosition(0)
            elif isinstance(widget, QPlainTextEdit):
                widget.setReadOnly(True)
            else:
                widget.setEnabled(False)
        self.save_button.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Close"))
        self.copy_button = self.buttons.addButton(self.tr("Copy as my own hero"),
                                                  QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self._copy)
        note = QLabel(self.tr("Built-in heroes cannot be changed. Copy this one to make your own version."))
        note.setObjectName("fieldHint")
        note.setWordWrap(True)
        self.layout().insertWidget(1, note)

    def _copy(self) -> None:
        self.copy_requested.emit(own_copy(self.record))
        self.reject()

    def build(self) -> Hero:
        return dataclasses.replace(
            self.record, name=self.name.text(), gender=self.gender.currentData(),
            language=self.language.currentData(), appearance=self.appearance.toPlainText(),
            personality_traits=split_list(self.traits.text()), interests=split_list(self.interests.text()),
            strengths=split_list(self.strengths.text()), builtin=False, updated_at=utc_now(),
        )

    def persist(self, record: Hero) -> Coroutine[Any, Any, Hero]:
        return self.ctx.library.save_hero(record)

    def save(self) -> None:
        if self.read_only:
            return
        super().save()


def own_copy(hero: Hero) -> Hero:
    now = utc_now()
    return dataclasses.replace(hero, id=new_id(), builtin=False, created_at=now, updated_at=now, deleted_at=None,
                               personality_traits=list(hero.personality_traits), interests=list(hero.interests),
                               strengths=list(hero.strengths))


# -- panels ---------------------------------------------------------------------------------------------------------
class _ProfileList(QWidget):
    """A list with Add / Edit / Delete buttons under it."""

    def __init__(self, model: RecordListModel, empty_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.list = QListView()
        self.list.setModel(model)
        self.list.setObjectName(f"{model.kind}List")
        self.list.setAccessibleName(model.kind.capitalize())
        self.list.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.list.setItemDelegate(TwoLineDelegate(RecordListModel.SubtitleRole, self.list))
        self.list.setUniformItemSizes(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.doubleClicked.connect(lambda _index: self.edit())
        self.empty = QLabel(empty_text)
        self.empty.setObjectName("emptyHint")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.add_button = QPushButton(self.tr("Add…"))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.delete_button.clicked.connect(self.delete)
        self.buttons = FlowLayout()  # wraps in a narrow pane instead of cutting "Добавить ребёнка…"
        self.buttons.addWidget(self.add_button)
        self.buttons.addWidget(self.edit_button)
        self.buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(self.buttons)
        self.list.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())
        model.modelReset.connect(self._update_buttons)
        model.loaded.connect(self._reselect)
        self._wanted_id: str | None = None
        self._update_buttons()

    def select_after_reload(self, record: Any) -> None:
        """Select ``record`` (just saved) once the list has reloaded."""
        self._wanted_id = record.id
        self._reselect()

    def _reselect(self) -> None:
        wanted = self._wanted_id or (self.current().id if self.current() is not None else None)
        for row, record in enumerate(self.model.records):
            if record.id == wanted:
                self.list.setCurrentIndex(self.model.index(row))
                self._wanted_id = None
                break
        self._update_buttons()

    def current(self) -> Any:
        index = self.list.currentIndex()
        return index.data(RecordListModel.RecordRole) if index.isValid() else None

    def select_name(self, name: str) -> bool:
        for row, record in enumerate(self.model.records):
            if record.name == name:
                self.list.setCurrentIndex(self.model.index(row))
                return True
        return False

    def _update_buttons(self) -> None:
        has_rows = self.model.rowCount() > 0
        self.list.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        record = self.current()
        self.edit_button.setEnabled(record is not None)
        self.delete_button.setEnabled(record is not None)

    def add(self) -> None:
        raise NotImplementedError

    def edit(self) -> None:
        raise NotImplementedError

    def delete(self) -> None:
        raise NotImplementedError


class ChildrenPanel(_ProfileList):
    editor_opened = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        model = RecordListModel(ctx, "children", ctx.library.list_children, child_subtitle)
        super().__init__(model, QCoreApplication.translate(
            "ChildrenPanel", "No children yet. Add one so stories can be written for them."), parent)
        self.ctx = ctx
        model.setParent(self)
        self.add_button.setText(self.tr("Add child…"))

    def add(self) -> ChildEditor:
        return self._open(ChildEditor(self.ctx, None, self.window()))

    def edit(self) -> ChildEditor | None:
        child = self.current()
        return self._open(ChildEditor(self.ctx, child, self.window())) if child else None

    def _open(self, editor: ChildEditor) -> ChildEditor:
        editor.saved.connect(self.select_after_reload)
        editor.open()
        self.editor_opened.emit(editor)
        return editor

    def delete(self) -> None:
        child = self.current()
        if child is None:
            return
        confirm(self.window(), "Delete child",
                f"Delete {child.name}'s profile? Stories written for {child.name} stay in the library.",
                lambda: self.ctx.tasks.spawn(self.ctx.library.delete_child(child.id), name=f"delete.{child.id}",
                                             title=f"Deleting {child.name}",
                                             on_error=lambda m, _e: show_error(self.window(), "Could not delete", m)))


class HeroesPanel(_ProfileList):
    editor_opened = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        model = RecordListModel(ctx, "heroes", ctx.library.list_heroes, hero_subtitle)
        super().__init__(model, QCoreApplication.translate("HeroesPanel", "No heroes yet."), parent)
        self.ctx = ctx
        model.setParent(self)
        self.add_button.setText(self.tr("Add hero…"))
        self.copy_button = QPushButton(self.tr("Copy…"))
        self.copy_button.setToolTip(self.tr("Make your own editable copy of this hero"))
        self.copy_button.clicked.connect(self.copy)
        self.buttons.insertWidget(2, self.copy_button)
        self._update_buttons()

    def _update_buttons(self) -> None:
        super()._update_buttons()
        hero = self.current()
        if hasattr(self, "copy_button"):
            self.copy_button.setEnabled(hero is not None)
        builtin = bool(hero and hero.builtin)
        self.edit_button.setText(self.tr("View…") if builtin else self.tr("Edit…"))
        self.delete_button.setEnabled(hero is not None and not builtin)
        self.delete_button.setToolTip(self.tr("Built-in heroes cannot be deleted") if builtin else "")

    def add(self) -> HeroEditor:
        return self._open(HeroEditor(self.ctx, None, self.window()))

    def edit(self) -> HeroEditor | None:
        hero = self.current()
        return self._open(HeroEditor(self.ctx, hero, self.window())) if hero else None

    def copy(self) -> HeroEditor | None:
        hero = self.current()
        return self.open_copy(own_copy(hero)) if hero else None

    def open_copy(self, hero: Hero) -> HeroEditor:
        return self._open(HeroEditor(self.ctx, hero, self.window(), is_new=True))

    def _open(self, editor: HeroEditor) -> HeroEditor:
        editor.copy_requested.connect(self.open_copy)
        editor.saved.connect(self.select_after_reload)
        editor.open()
        self.editor_opened.emit(editor)
        return editor

    def delete(self) -> None:
        hero = self.current()
        if hero is None or hero.builtin:
            return
        confirm(self.window(), "Delete hero", f"Delete the hero {hero.name}? Stories with {hero.name} stay.",
                lambda: self.ctx.tasks.spawn(self.ctx.library.delete_hero(hero.id), name=f"delete.{hero.id}",
                                             title=f"Deleting {hero.name}",
                                             on_error=lambda m, _e: show_error(self.window(), "Could not delete", m)))
