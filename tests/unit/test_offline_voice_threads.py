"""The piper voice's onnxruntime session uses a bounded number of threads that do not spin."""

from __future__ import annotations

import pytest

from tale_desktop.providers import offline_voice


def test_piper_session_threads_are_bounded():
    pytest.importorskip("piper")
    model = offline_voice.bundled_piper_model()
    if model is None:
        pytest.skip("the bundled piper voice is not installed")
    voice = offline_voice.PiperVoice(model)
    voice.load()
    options = voice._voice.session.get_session_options()
    assert options.intra_op_num_threads == offline_voice.onnx_threads()
    assert options.inter_op_num_threads == 1
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert voice.synthesize("Good night.")  # still speaks


def test_thread_budget_leaves_the_loop_a_core(monkeypatch):
    for cores, expected in ((1, 1), (2, 1), (4, 1), (8, 4)):
        monkeypatch.setattr(offline_voice.os, "cpu_count", lambda c=cores: c)
        assert offline_voice.onnx_threads() == expected
