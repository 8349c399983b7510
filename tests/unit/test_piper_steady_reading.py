"""A recording is aligned against a steady piper reading: piper's default noise makes each reading of a sentence
differ, which moved the reference (and the found sentence starts) from run to run."""

from __future__ import annotations

import pytest

from tale_desktop.providers import offline_voice


@pytest.fixture(scope="module")
def voice() -> offline_voice.PiperVoice:
    pytest.importorskip("piper")
    model = offline_voice.bundled_piper_model()
    if model is None:
        pytest.skip("the bundled piper voice is not installed")
    voice = offline_voice.PiperVoice(model)
    voice.load()
    return voice


def test_a_steady_reading_is_the_same_every_time(voice):
    steady = voice.steady_copy()
    assert steady.steady and not voice.steady
    assert steady._voice is voice._voice  # the loaded model is shared, not loaded again
    text = "The little fox curled up under the silver moon."
    readings = {steady.synthesize(text) for _ in range(3)}
    assert len(readings) == 1


def test_the_listening_voice_keeps_its_natural_variation(voice):
    text = "The little fox curled up under the silver moon."
    assert len({voice.synthesize(text) for _ in range(3)}) > 1
