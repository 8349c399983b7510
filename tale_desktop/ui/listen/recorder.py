"""Record my reading: a self-contained panel that records a parent reading the story aloud from the microphone.

QtMultimedia: ``QMediaCaptureSession`` + ``QAudioInput`` + ``QMediaRecorder`` write the file (MPEG-4 audio, AAC);
a ``QAudioSource`` on the same microphone feeds the level meter. Record, pause/resume and stop; the elapsed time
is shown. When the finished file is written, ``recorded(path)`` is emitted: the container hands it to the
narrator (``narrate_recording``), which aligns it with the text for read-along.

Without a microphone (``QMediaDevices.audioInputs()`` is empty) the panel says so and offers to import a
recording made elsewhere instead (``import_requested``).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

from PySide6.QtCore import QIODevice, QTime, QUrl, Signal
from PySide6.QtMultimedia import (
    QAudioDevice,
    QAudioFormat,
    QAudioInput,
    QAudioSource,
    QMediaCaptureSession,
    QMediaDevices,
    QMediaFormat,
    QMediaRecorder,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from tale_desktop.ui.common.progress import set_progress

log = logging.getLogger(__name__)

METER_FLOOR_DB = -60.0


def available_inputs() -> list[QAudioDevice]:
    return list(QMediaDevices.audioInputs())


def level_of(data: bytes, sample_format: QAudioFormat.SampleFormat) -> float:
    """Peak level of a block of audio, 0.0 (silence, -60 dB or less) .. 1.0 (full scale)."""
    import numpy as np

    if sample_format == QAudioFormat.SampleFormat.Float:
        samples = np.frombuffer(data[: len(data) // 4 * 4], dtype=np.float32)
        peak = float(np.abs(samples).max()) if len(samples) else 0.0
    elif sample_format == QAudioFormat.SampleFormat.Int32:
        samples = np.frombuffer(data[: len(data) // 4 * 4], dtype=np.int32)
        peak = float(np.abs(samples.astype(np.float64)).max()) / 2**31 if len(samples) else 0.0
    elif sample_format == QAudioFormat.SampleFormat.UInt8:
        samples = np.frombuffer(data, dtype=np.uint8)
        peak = float(np.abs(samples.astype(np.float32) - 128).max()) / 128 if len(samples) else 0.0
    else:
        samples = np.frombuffer(data[: len(data) // 2 * 2], dtype=np.int16)
        peak = float(np.abs(samples.astype(np.int32)).max()) / 32768 if len(samples) else 0.0
    if peak <= 0.0:
        return 0.0
    decibels = 20 * math.log10(min(1.0, peak))
    return max(0.0, 1.0 - decibels / METER_FLOOR_DB)


class RecorderPanel(QWidget):
    """Record, pause/resume and stop, with a level meter and the elapsed time."""

    recorded = Signal(str)  # path of the finished recording
    import_requested = Signal()  # no microphone (or the parent prefers a file): import one instead
    message = Signal(str)  # something the parent should know (an error while recording)
    state_changed = Signal(str)  # "stopped", "recording" or "paused"
    duration_changed = Signal(int)  # milliseconds recorded so far (pauses not counted)

    def __init__(self, output_dir: Path, parent: QWidget | None = None, *,
                 inputs: list[QAudioDevice] | None = None):
        super().__init__(parent)
        self.output_dir = Path(output_dir)
        self._inputs = available_inputs() if inputs is None else list(inputs)
        self._session: QMediaCaptureSession | None = None
        self._recorder: QMediaRecorder | None = None
        self._audio_input: QAudioInput | None = None
        self._meter_source: QAudioSource | None = None
        self._meter_device: QIODevice | None = None
        self._meter_format = QAudioFormat.SampleFormat.Int16

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.time_label = QLabel("00:00", self)
        self.meter = QProgressBar(self)
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.meter.setAccessibleName(self.tr("Microphone level"))
        self.record_button = QPushButton(self.tr("Record my reading"), self)
        self.pause_button = QPushButton(self.tr("Pause"), self)
        self.stop_button = QPushButton(self.tr("Stop"), self)
        self.import_button = QPushButton(self.tr("Use a recording from a file…"), self)
        self.record_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        self.import_button.clicked.connect(self.import_requested)

        buttons = QHBoxLayout()
        for button in (self.record_button, self.pause_button, self.stop_button, self.import_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.time_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.meter)
        layout.addLayout(buttons)

        if not self._inputs:
            self.status.setText(self.tr("No microphone was found on this computer, so a reading cannot be "
                                        "recorded here. You can import a recording made on a phone or another "
                                        "computer instead."))
            for widget in (self.record_button, self.pause_button, self.stop_button, self.meter):
                widget.setEnabled(False)
        else:
            self.status.setText(self.tr("Read the story aloud at your own pace; pauses are fine."))
        self._update_buttons("stopped")

    # -- state -------------------------------------------------------------------------------------------------
    @property
    def has_microphone(self) -> bool:
        return bool(self._inputs)

    @property
    def state(self) -> str:
        if self._recorder is None:
            return "stopped"
        return {QMediaRecorder.RecorderState.RecordingState: "recording",
                QMediaRecorder.RecorderState.PausedState: "paused"}.get(self._recorder.recorderState(), "stopped")

    def _update_buttons(self, state: str) -> None:
        live = self.has_microphone
        self.record_button.setEnabled(live and state == "stopped")
        self.pause_button.setEnabled(live and state != "stopped")
        self.pause_button.setText(self.tr("Resume") if state == "paused" else self.tr("Pause"))
        self.stop_button.setEnabled(live and state != "stopped")
        self.import_button.setEnabled(state == "stopped")

    # -- recording ---------------------------------------------------------------------------------------------
    def start(self, output: Path | None = None) -> None:
        if not self.has_microphone or self.state != "stopped":
            return
        self.output_dir.mkdir(parents=True, exist_ok=True)
        target = Path(output) if output else self.output_dir / "reading.m4a"
        device = self._inputs[0]
        self._session = QMediaCaptureSession(self)
        self._audio_input = QAudioInput(device, self)
        self._recorder = QMediaRecorder(self)
        media_format = QMediaFormat(QMediaFormat.FileFormat.Mpeg4Audio)
        media_format.setAudioCodec(QMediaFormat.AudioCodec.AAC)
        self._recorder.setMediaFormat(media_format)
        self._recorder.setQuality(QMediaRecorder.Quality.HighQuality)
        self._recorder.setOutputLocation(QUrl.fromLocalFile(str(target)))
        self._session.setAudioInput(self._audio_input)
        self._session.setRecorder(self._recorder)
        self._recorder.durationChanged.connect(self._show_duration)
        self._recorder.recorderStateChanged.connect(self._on_state)
        self._recorder.errorOccurred.connect(self._on_error)
        self._start_meter(device)
        self._recorder.record()

    def toggle_pause(self) -> None:
        if self._recorder is None:
            return
        if self.state == "recording":
            self._recorder.pause()
        elif self.state == "paused":
            self._recorder.record()

    def stop(self) -> None:
        if self._recorder is not None and self.state != "stopped":
            self._recorder.stop()  # the file is final when the state turns to stopped (_on_state)

    def _on_state(self, state: QMediaRecorder.RecorderState) -> None:
        name = self.state
        self._update_buttons(name)
        self.state_changed.emit(name)
        if state == QMediaRecorder.RecorderState.StoppedState and self._recorder is not None:
            self._stop_meter()
            location = self._recorder.actualLocation().toLocalFile()
            if location and Path(location).is_file() and Path(location).stat().st_size > 0:
                self.recorded.emit(location)

    def _on_error(self, _error: QMediaRecorder.Error, text: str) -> None:
        log.warning("Recording failed: %s", text)
        self.message.emit(self.tr("The recording stopped because of a problem with the microphone."))
        self._stop_meter()
        self._update_buttons("stopped")

    def _show_duration(self, milliseconds: int) -> None:
        self.time_label.setText(QTime(0, 0).addMSecs(int(milliseconds)).toString("mm:ss"))
        self.duration_changed.emit(int(milliseconds))

    # -- level meter -------------------------------------------------------------------------------------------
    def _start_meter(self, device: QAudioDevice) -> None:
        audio_format = device.preferredFormat()
        self._meter_format = audio_format.sampleFormat()
        self._meter_source = QAudioSource(device, audio_format, self)
        self._meter_device = self._meter_source.start()
        if self._meter_device is not None:
            self._meter_device.readyRead.connect(self._read_level)

    def _read_level(self) -> None:
        if self._meter_device is None:
            return
        data = bytes(self._meter_device.readAll().data())
        if data:
            set_progress(self.meter, int(100 * level_of(data, self._meter_format)))

    def _stop_meter(self) -> None:
        if self._meter_source is not None:
            self._meter_source.stop()
        self._meter_source = None
        self._meter_device = None
        self.meter.setValue(0)

    def release(self) -> None:
        """Stop everything (the reader closes or shows another story)."""
        self.stop()
        self._stop_meter()
