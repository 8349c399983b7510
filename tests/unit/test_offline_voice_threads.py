"""The piper voice: its onnxruntime session uses a bounded number of threads that do not spin, and the steady
reading that recording alignment compares a recording with is the same every time (piper's default noise made
each reading of a sentence differ, which moved the found sentence starts from run to run)."""

from __future__ import annotations

import pytest

from tale_desktop.providers import offline_voice

TEXT = "The little fox curled up under the silver moon."


@pytest.fixture(scope="module")
def voice() -> offline_voice.PiperVoice:
    pytest.importorskip("piper")
    model = offline_voice.bundled_piper_model()
    if model is None:
        pytest.skip("the bundled piper voice is not installed")
    voice = offline_voice.PiperVoice(model)
    voice.load()
    return voice


def test_piper_session_threads_are_bounded(voice):
    options = voice._voice.session.get_session_options()
    assert options.intra_op_num_threads == offline_voice.onnx_threads()
    assert options.inter_op_num_threads == 1
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert voice.synthesize("Good night.")  # still speaks


def test_thread_budget_leaves_the_loop_a_core(monkeypatch):
    for cores, expected in ((1, 1), (2, 1), (4, 1), (8, 4)):
        monkeypatch.setattr(offline_voice.os, "cpu_count", lambda c=cores: c)
        assert offline_voice.onnx_threads() == expected


def test_a_steady_reading_is_the_same_every_time(voice):
    steady = voice.steady_copy()
    assert steady.steady and not voice.steady
    assert steady._voice is voice._voice  # the loaded model is shared, not loaded again
    assert len({steady.synthesize(TEXT) for _ in range(3)}) == 1


def test_the_listening_voice_keeps_its_natural_variation(voice):
    assert len({voice.synthesize(TEXT) for _ in range(3)}) > 1
