"""The "Record my reading" page: the story as a prompt (the sentence to read highlighted, moving on at the
parent's pace), who is reading, and the recorder (record, pause/resume, stop, level meter, elapsed time).

The page only shows and emits intents: ``recorded(path, speaker)`` when a reading is finished,
``import_requested`` for a recording made elsewhere, ``back_requested`` to return to the story.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtMultimedia import QAudioDevice
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tale_desktop.domain.models import Story
from tale_desktop.ui.listen.reading_prompt import ReadingPrompt
from tale_desktop.ui.listen.recorder import RecorderPanel

MAX_SPEAKER = 60


class RecordingPage(QWidget):
    recorded = Signal(str, str)  # path of the finished recording, who read it
    import_requested = Signal()
    back_requested = Signal()
    speaker_changed = Signal(str)

    def __init__(self, output_dir: Path, parent: QWidget | None = None, *,
                 inputs: list[QAudioDevice] | None = None):
        super().__init__(parent)
        self.setObjectName("recordingPage")
        self.story: Story | None = None
        self._last_state = "stopped"

        self.heading = QLabel()
        self.heading.setObjectName("bannerHeading")
        self.heading.setWordWrap(True)
        self.back_button = QPushButton(self.tr("Back to the story"))
        self.back_button.setObjectName("recordingBack")
        self.back_button.clicked.connect(self.back_requested)
        self.hint = QLabel(self.tr("Read the highlighted sentence. The highlight moves on at your pace; press "
                                   "“Next sentence” (or Space) or click a sentence to move it yourself. Pausing is "
                                   "fine."))
        self.hint.setObjectName("fieldHint")
        self.hint.setWordWrap(True)
        self.prompt = ReadingPrompt()
        self.prompt.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space stays with the focused "Next sentence"
        self.previous_button = QPushButton(self.tr("Previous sentence"))
        self.previous_button.setObjectName("previousSentence")
        self.previous_button.clicked.connect(self.prompt.previous_sentence)
        self.next_button = QPushButton(self.tr("Next sentence"))
        self.next_button.setObjectName("nextSentence")
        self.next_button.clicked.connect(self.prompt.next_sentence)
        self.speaker_label = QLabel(self.tr("Who is reading:"))
        self.speaker = QLineEdit()
        self.speaker.setObjectName("recordingSpeaker")
        self.speaker.setMaxLength(MAX_SPEAKER)
        self.speaker.setPlaceholderText(self.tr("e.g. Mum"))
        self.speaker.setAccessibleName(self.tr("Who is reading"))
        self.speaker.setMinimumWidth(self.speaker.fontMetrics().horizontalAdvance("Grandma Rose") + 24)
        self.speaker.editingFinished.connect(lambda: self.speaker_changed.emit(self.speaker_name()))
        self.speaker_label.setBuddy(self.speaker)
        self.recorder = RecorderPanel(output_dir, inputs=inputs)
        self.recorder.setObjectName("recorderPanel")
        self.recorder.recorded.connect(lambda path: self.recorded.emit(path, self.speaker_name()))
        self.recorder.import_requested.connect(self.import_requested)
        self.recorder.duration_changed.connect(lambda ms: self.prompt.set_elapsed(ms / 1000))
        self.recorder.state_changed.connect(self._state_changed)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        steps = QHBoxLayout()
        steps.addWidget(self.previous_button)
        steps.addWidget(self.next_button)
        steps.addStretch(1)
        steps.addWidget(self.speaker_label)
        steps.addWidget(self.speaker)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addWidget(self.prompt, 1)
        layout.addLayout(steps)
        layout.addWidget(self.recorder)

    def show_story(self, story: Story, speaker: str) -> None:
        self.story = story
        self.heading.setText(self.tr("Read “{0}” aloud").format(story.title or self.tr("Untitled story")))
        self.prompt.set_story(story.content)
        if not self.speaker.text().strip():
            self.speaker.setText(speaker)
        self.next_button.setFocus()

    def speaker_name(self) -> str:
        return " ".join(self.speaker.text().split())

    @property
    def busy(self) -> bool:
        return self.recorder.state != "stopped"

    def _state_changed(self, state: str) -> None:
        if state == "recording" and self._last_state == "stopped":
            self.prompt.restart()  # a new recording begins at the first sentence
        self._last_state = state
        self.back_button.setEnabled(state == "stopped")
        self.speaker.setEnabled(state == "stopped")

    def release(self) -> None:
        self.recorder.release()
