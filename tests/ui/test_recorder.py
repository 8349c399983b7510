"""The "Record my reading" panel: the no-microphone path, the level meter's scale, and a real recording where the
machine has a microphone (skipped, with the reason, where it has none)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QAudioFormat

from tale_desktop.providers.audio_files import decode
from tale_desktop.ui.listen.recorder import RecorderPanel, available_inputs, level_of


def test_without_a_microphone_it_says_so_and_offers_importing(qtbot, tmp_path):
    panel = RecorderPanel(tmp_path, inputs=[])
    qtbot.addWidget(panel)
    assert not panel.has_microphone
    assert "No microphone" in panel.status.text() and "import a recording" in panel.status.text()
    assert not panel.record_button.isEnabled() and not panel.pause_button.isEnabled()
    assert panel.import_button.isEnabled()
    with qtbot.waitSignal(panel.import_requested, timeout=1000):
        qtbot.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)
    panel.start()  # nothing happens without a microphone
    assert panel.state == "stopped" and not list(tmp_path.iterdir())


def test_the_panel_follows_this_machines_inputs(qtbot, tmp_path):
    panel = RecorderPanel(tmp_path)
    qtbot.addWidget(panel)
    assert panel.has_microphone == bool(available_inputs())
    assert panel.record_button.isEnabled() == panel.has_microphone


def test_level_meter_scale():
    silence = np.zeros(480, np.int16).tobytes()
    full = np.array([0, 32767, -32768, 0], np.int16).tobytes()
    minus_30_db = (np.ones(480) * 32768 * 10 ** (-30 / 20)).astype(np.int16).tobytes()
    assert level_of(silence, QAudioFormat.SampleFormat.Int16) == 0.0
    assert level_of(full, QAudioFormat.SampleFormat.Int16) == pytest.approx(1.0)
    assert level_of(minus_30_db, QAudioFormat.SampleFormat.Int16) == pytest.approx(0.5, abs=0.01)
    floats = (np.ones(100, np.float32) * 0.1).tobytes()  # -20 dB
    assert level_of(floats, QAudioFormat.SampleFormat.Float) == pytest.approx(2 / 3, abs=0.01)


def test_records_pauses_resumes_and_writes_a_file(qtbot, tmp_path):
    if not available_inputs():
        pytest.skip("This machine has no audio input device (QMediaDevices.audioInputs() is empty), so recording "
                    "from a microphone cannot be exercised here; the no-microphone path is tested above.")
    panel = RecorderPanel(tmp_path)
    qtbot.addWidget(panel)
    states: list[str] = []
    panel.state_changed.connect(states.append)
    panel.start(tmp_path / "reading.m4a")
    qtbot.waitUntil(lambda: panel.state == "recording", timeout=5000)
    qtbot.wait(1200)
    panel.toggle_pause()
    qtbot.waitUntil(lambda: panel.state == "paused", timeout=5000)
    assert panel.pause_button.text() == "Resume"
    panel.toggle_pause()
    qtbot.waitUntil(lambda: panel.state == "recording", timeout=5000)
    qtbot.wait(600)
    with qtbot.waitSignal(panel.recorded, timeout=10000) as finished:
        panel.stop()
    path = finished.args[0]
    assert len(decode(path, 16000)) / 16000 > 1.0
    assert states[0] == "recording" and "paused" in states and states[-1] == "stopped"
