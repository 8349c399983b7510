"""The "Tonight" panel: tonight's queue (drop library rows in, drag to reorder, remove, play from a row) and the
soft sound under the story (which sound, its volume, how many minutes after the last story).

A widget: it shows what it is given (:meth:`TonightPanel.show_queue`, :meth:`show_children`, :meth:`show_sound`)
and emits intents; its buttons show the window's actions.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tale_desktop.domain.bedtime import MAX_THEN_MINUTES, SoftSound
from tale_desktop.ui.common.story_mime import STORY_IDS_MIME, story_ids_of
from tale_desktop.ui.common.wheel_guard import NoWheelComboBox, NoWheelSpinBox

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class QueueList(QListWidget):
    """The queue's rows: accepts library rows (``dropped``) and reorders by drag (``moved``); the session then
    says what the queue is (the list never rearranges itself)."""

    dropped = Signal(list, int)  # story ids, the row they go before
    moved = Signal(int, int)  # from row, to row

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("tonightList")
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)  # long titles wrap; no sideways scrolling
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)

    def _drop_row(self, event: QDropEvent) -> int:
        item = self.itemAt(event.position().toPoint())
        if item is None:
            return self.count()
        row = self.row(item)
        rect = self.visualItemRect(item)
        return row + 1 if event.position().y() > rect.center().y() else row

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if event.source() is self or event.mimeData().hasFormat(STORY_IDS_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt override
        if event.source() is self or event.mimeData().hasFormat(STORY_IDS_MIME):
            super().dragMoveEvent(event)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        to = self._drop_row(event)
        if event.source() is self:
            source = self.currentRow()
            if source >= 0:
                self.moved.emit(source, to - 1 if to > source else to)
        else:
            ids = story_ids_of(event.mimeData())
            if ids:
                self.dropped.emit(ids, to)
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()  # the rows are drawn again from the saved queue


class TonightPanel(QWidget):
    play_requested = Signal(int)  # a row was double-clicked / activated
    dropped = Signal(list, int)
    moved = Signal(int, int)
    favourites_requested = Signal(str)  # child id
    sound_chosen = Signal(str)  # a SoftSound value, "" for none
    sound_volume_changed = Signal(float)  # 0..1
    then_minutes_changed = Signal(int)

    def __init__(self, actions: Sequence[QAction], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("tonightPanel")
        heading = QLabel(self.tr("Tonight's stories"))
        heading.setObjectName("sectionHeading")
        self.list = QueueList()
        self.list.setAccessibleName(self.tr("Tonight's queue"))
        self.list.itemActivated.connect(lambda item: self.play_requested.emit(self.list.row(item)))
        self.list.dropped.connect(self.dropped)
        self.list.moved.connect(self.moved)
        self.empty = QLabel(self.tr("Drag stories here from the library, or choose “Add to tonight's queue” "
                                    "in a story's menu."))
        self.empty.setObjectName("emptyHint")
        self.empty.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.favourites_button = QToolButton()
        self.favourites_button.setObjectName("favouritesButton")
        self.favourites_button.setText(self.tr("Favourites of…"))
        self.favourites_button.setToolTip(self.tr("Play all favourite stories of a child"))
        self.favourites_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.favourites_menu = QMenu(self.favourites_button)
        self.favourites_menu.setObjectName("favouritesMenu")
        self.favourites_button.setMenu(self.favourites_menu)
        favourites_row = QHBoxLayout()
        favourites_row.addWidget(self.favourites_button)
        favourites_row.addStretch(1)

        sound_heading = QLabel(self.tr("Soft sound"))
        sound_heading.setObjectName("sectionHeading")
        self.sound_box = NoWheelComboBox()
        self.sound_box.setObjectName("soundBox")
        self.sound_box.setAccessibleName(self.tr("Soft sound"))
        self.sound_box.addItem(self.tr("Off"), "")
        for sound, text in self.sound_names().items():
            self.sound_box.addItem(text, sound.value)
        self.sound_box.activated.connect(lambda i: self.sound_chosen.emit(str(self.sound_box.itemData(i))))
        self.sound_volume = QSlider(Qt.Orientation.Horizontal)
        self.sound_volume.setObjectName("soundVolume")
        self.sound_volume.setAccessibleName(self.tr("Sound volume"))
        self.sound_volume.setRange(0, 100)
        self.sound_volume.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.sound_volume.valueChanged.connect(self._volume_moved)
        self.then_box = NoWheelSpinBox()
        self.then_box.setObjectName("thenMinutes")
        self.then_box.setAccessibleName(self.tr("Minutes of sound after the last story"))
        self.then_box.setRange(0, int(MAX_THEN_MINUTES))
        self.then_box.setSuffix(self.tr(" min"))
        self.then_box.valueChanged.connect(self._then_changed)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Sound"), self.sound_box)
        form.addRow(self.tr("Volume"), self.sound_volume)
        form.addRow(self.tr("After the story"), self.then_box)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(heading)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        layout.addLayout(favourites_row)
        layout.addSpacing(8)
        layout.addWidget(sound_heading)
        layout.addLayout(form)
        self.show_queue([], -1)

    # -- showing -------------------------------------------------------------------------------------------------
    def show_queue(self, rows: Sequence[tuple[str, str]], current: int, playing: bool = False) -> None:
        """(story id, title) in order; ``current``: the row playing or next to play."""
        selected = self.list.currentRow()
        self.list.clear()
        for row, (story_id, title) in enumerate(rows):
            mark = ("▶ " if playing else "• ") if row == current else ""
            item = QListWidgetItem(f"{mark}{row + 1}. {title}")
            item.setData(ID_ROLE, story_id)
            if row == current:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.list.addItem(item)
        if 0 <= selected < self.list.count():
            self.list.setCurrentRow(selected)
        self.empty.setVisible(not rows)

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(ID_ROLE)) if item is not None else None

    def show_children(self, children: Sequence[tuple[str, str]], on_chosen_text: str) -> None:
        """(child id, name): one "Play all favourites of <name>" entry each."""
        self.favourites_menu.clear()
        for child_id, name in children:
            action = self.favourites_menu.addAction(on_chosen_text.format(name))
            action.triggered.connect(lambda _=False, c=child_id: self.favourites_requested.emit(c))
        self.favourites_button.setEnabled(bool(children))

    def show_sound(self, sound: str, volume: float, then_minutes: int) -> None:
        for widget in (self.sound_box, self.sound_volume, self.then_box):
            widget.blockSignals(True)
        index = self.sound_box.findData(sound)
        self.sound_box.setCurrentIndex(max(0, index))
        self.sound_volume.setValue(int(round(volume * 100)))
        self.then_box.setValue(int(then_minutes))
        self.sound_volume.setEnabled(bool(sound))
        for widget in (self.sound_box, self.sound_volume, self.then_box):
            widget.blockSignals(False)

    def sound_names(self) -> dict[SoftSound, str]:
        """The sounds as the parent reads them."""
        return {
            SoftSound.RAIN: self.tr("Rain"),
            SoftSound.SEA: self.tr("Sea"),
            SoftSound.CRICKETS: self.tr("Night crickets"),
            SoftSound.FIRE: self.tr("Crackling fire"),
            SoftSound.WHITE: self.tr("White noise"),
            SoftSound.PINK: self.tr("Pink noise"),
            SoftSound.BROWN: self.tr("Brown noise"),
        }

    def _volume_moved(self, value: int) -> None:
        self.sound_volume_changed.emit(value / 100)

    def _then_changed(self, value: int) -> None:
        self.then_minutes_changed.emit(value)
