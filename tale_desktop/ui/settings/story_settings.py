"""The "Story writing" part of Settings: model list from the server, fallback models, the review pass.

Added to every new Settings dialog through its ``add_section`` extension point. The model list comes from the
server's ``GET /models`` (with the base URL and key currently typed in the dialog); typing an id by hand still
works. Values are written when the dialog is saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tale_desktop import settings as cfg
from tale_desktop.context import AppContext
from tale_desktop.providers.llm import LLMClient, LLMConfig, ModelInfo
from tale_desktop.ui.asyncqt import alive
from tale_desktop.ui.common.wheel_guard import NoWheelSpinBox
from tale_desktop.ui.compose.picture_choices import style_combo

if TYPE_CHECKING:
    from tale_desktop.ui.settings.settings_dialog import SettingsDialog


class StorySettings(QWidget):
    def __init__(self, ctx: AppContext, dialog: SettingsDialog, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog = dialog
        settings = ctx.settings
        self.models: list[ModelInfo] = []
        self.load_models_button = QPushButton(self.tr("Load the model list"))
        self.load_models_button.setObjectName("loadModels")
        self.load_models_button.clicked.connect(self.load_models)
        self.models_note = QLabel(self.tr("Type a model id, or load the server's list to pick one."))
        self.models_note.setObjectName("fieldHint")
        self.models_note.setWordWrap(True)
        self.fallbacks = QLineEdit(settings.get(cfg.LLM_FALLBACK_MODELS))
        self.fallbacks.setObjectName("fallbackModels")
        self.fallbacks.setPlaceholderText(self.tr("e.g. {0}").format("anthropic/claude-3.5-haiku, meta-llama/llama-3-8b"))
        self.fallbacks.setToolTip(self.tr("Tried in order when the main model is unknown or unavailable."))
        self.review = QCheckBox(self.tr("Check each story for safety and quality"))
        self.review.setObjectName("reviewEnabled")
        self.review.setChecked(settings.get_bool(cfg.REVIEW_ENABLED))
        self.threshold = NoWheelSpinBox()
        self.threshold.setObjectName("reviewThreshold")
        self.threshold.setRange(1, 10)
        self.threshold.setValue(max(1, min(10, settings.get_int(cfg.REVIEW_THRESHOLD))))
        self.attempts = NoWheelSpinBox()
        self.attempts.setObjectName("reviewAttempts")
        self.attempts.setRange(1, 5)
        self.attempts.setValue(max(1, min(5, settings.get_int(cfg.REVIEW_ATTEMPTS))))
        self.review.toggled.connect(self.threshold.setEnabled)
        self.review.toggled.connect(self.attempts.setEnabled)
        self.threshold.setEnabled(self.review.isChecked())
        self.attempts.setEnabled(self.review.isChecked())

        # Picture books: the image model (its own setting, TALE_IMAGE_MODEL) and the default illustration style.
        self.image_model = QLineEdit(settings.get(cfg.IMAGE_MODEL))
        self.image_model.setObjectName("imageModel")
        self.image_model.setPlaceholderText(self.tr("e.g. {0}").format("google/gemini-2.5-flash-image"))
        self.image_model.setToolTip(self.tr("The model that draws the pictures. Leave it empty for stories "
                                            "without pictures."))
        self.image_style = style_combo(settings, "imageStyle")
        self.image_model_from_env = bool(cfg.IMAGE_MODEL.env and settings.env.get(cfg.IMAGE_MODEL.env))
        if self.image_model_from_env:  # the environment wins, as for the other settings
            self.image_model.setReadOnly(True)
            self.image_model.setToolTip(self.tr("Set by the environment variable {0}; change it there.")
                                        .format(cfg.IMAGE_MODEL.env))
        self.image_note = QLabel(
            self.tr("From the environment variable {0} (read-only here).").format(cfg.IMAGE_MODEL.env)
            if self.image_model_from_env else self.tr("Pictures are drawn through the same server as the stories."))
        self.image_note.setObjectName("fieldHint")
        self.image_note.setWordWrap(True)

        models_row = QHBoxLayout()
        models_row.addWidget(self.load_models_button)
        models_row.addWidget(self.models_note, 1)
        self.review.setToolTip(self.tr("A second pass reads each story and rewrites it when it falls short."))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.tr("Models"), models_row)
        form.addRow(self.tr("Other models to try"), self.fallbacks)
        form.addRow(self.review)
        form.addRow(self.tr("Lowest good score"), self.threshold)
        form.addRow(self.tr("Writing attempts"), self.attempts)
        form.addRow(self.tr("Image model"), self.image_model)
        form.addRow("", self.image_note)
        form.addRow(self.tr("Illustration style"), self.image_style)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)

    def _dialog_value(self, key: cfg.Key) -> str:
        return self.dialog.value(key) or self.ctx.settings.get(key)

    def load_models(self) -> None:
        config = LLMConfig(base_url=self._dialog_value(cfg.LLM_BASE_URL).rstrip("/"),
                           api_key=self._dialog_value(cfg.OPENROUTER_API_KEY))
        client = LLMClient(self.ctx.http.get("llm"), config)
        self.load_models_button.setEnabled(False)
        self.models_note.setText(self.tr("Loading…"))

        def loaded(models: list[ModelInfo]) -> None:
            if not alive(self):
                return
            self.load_models_button.setEnabled(True)
            self.models = models
            edit = self.dialog.edit_for(cfg.LLM_MODEL)
            combo = self.dialog.combo_for(cfg.LLM_MODEL)
            if combo is not None:
                typed = edit.text()
                combo.clear()
                combo.addItems([m.id for m in models])
                edit.setText(typed)
            completer = QCompleter([m.id for m in models], edit)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            edit.setCompleter(completer)
            self.models_note.setText(self.tr("{0} models available: pick one in Model, or type its name.")
                                     .format(len(models)))

        def failed(message: str, _exc: BaseException) -> None:
            if alive(self):
                self.load_models_button.setEnabled(True)
                self.models_note.setText(message)

        self.ctx.tasks.spawn(client.list_models(), name="settings.models", title=self.tr("Loading the model list"),
                             replace=True, on_result=loaded, on_error=failed)

    def save(self) -> None:
        settings = self.ctx.settings
        fallbacks = ", ".join(m.strip() for m in self.fallbacks.text().split(",") if m.strip())
        settings.set(cfg.LLM_FALLBACK_MODELS, fallbacks)
        settings.set(cfg.REVIEW_ENABLED, "1" if self.review.isChecked() else "0")
        settings.set(cfg.REVIEW_THRESHOLD, str(self.threshold.value()))
        settings.set(cfg.REVIEW_ATTEMPTS, str(self.attempts.value()))
        if not self.image_model_from_env:
            settings.set(cfg.IMAGE_MODEL, self.image_model.text().strip())
        settings.set(cfg.IMAGE_STYLE, str(self.image_style.currentData()))


def add_to_dialog(ctx: AppContext, dialog: SettingsDialog) -> StorySettings:
    section = StorySettings(ctx, dialog)
    dialog.add_section(QCoreApplication.translate("StorySettings", "How stories are written"), section, name="story_writing")
    dialog.saved.connect(section.save)
    return section
