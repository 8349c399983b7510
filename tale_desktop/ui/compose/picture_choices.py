"""The new-story form's picture choices: "Add pictures" and the illustration style (shown when an image model is
set; the style starts at the one chosen in Settings)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QWidget

from tale_desktop import settings as cfg
from tale_desktop.domain.illustrations import DEFAULT_STYLE, style_of
from tale_desktop.settings import Settings
from tale_desktop.ui.common import labels
from tale_desktop.ui.common.wheel_guard import NoWheelComboBox


def style_combo(settings: Settings, name: str) -> QComboBox:
    """A combo box of the illustration styles, in words, set to the default style from Settings."""
    combo = NoWheelComboBox()
    combo.setObjectName(name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    for value, label in labels.style_names().items():
        combo.addItem(label, value.value)
    try:
        current = style_of(settings.get(cfg.IMAGE_STYLE)).value
    except ValueError:
        current = DEFAULT_STYLE.value
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class PictureChoices(QWidget):
    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.add = QCheckBox(self.tr("Add pictures"))
        self.add.setObjectName("composePictures")
        self.add.setChecked(False)  # pictures cost money: drawn only when asked, as in the CLI
        self.add.setToolTip(self.tr("Draw a cover and a few pictures once the story is written"))
        self.style = style_combo(settings, "composeStyle")
        self.style.setAccessibleName(self.tr("Illustration style"))
        self.style.setEnabled(False)
        self.add.toggled.connect(self.style.setEnabled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.add)
        layout.addWidget(self.style, 1)

    def choice(self) -> str | None:
        """The style to illustrate the new story in, or ``None`` for no pictures."""
        if not self.isVisibleTo(self.parentWidget() or self) or not self.add.isChecked():
            return None
        return str(self.style.currentData())

    def reset_style(self) -> None:
        """Back to the default style from Settings (it may have changed there)."""
        try:
            current = style_of(self.settings.get(cfg.IMAGE_STYLE)).value
        except ValueError:
            current = DEFAULT_STYLE.value
        self.style.setCurrentIndex(max(0, self.style.findData(current)))
