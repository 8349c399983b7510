"""Soft sounds and the bedtime mix, measured on rendered samples: seamless loops, the voice above the sound by
the stated margin, a monotonic fade that reaches silence."""

from __future__ import annotations

import numpy as np
import pytest

from tale_desktop.domain.bedtime import MIN_VOICE_MARGIN_DB, BedtimeOptions, SoftSound, fade_curve
from tale_desktop.domain.bedtime_mix import FADE_OUT_S, LEAD_IN_S, BedtimeMix, fade_gain, speech_rms
from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.soft_sounds import REFERENCE_RMS, make_loop
from tale_desktop.services.sleep_timer import fade_volume

RATE = 22050


def seam_ratio(loop: np.ndarray, rate: int = RATE) -> float:
    """The step from the last sample to the first, relative to the typical large step (99th percentile) in the
    20 ms on both sides of the loop point: a click is a step far above its neighbours; a seamless loop's seam
    is just another step."""
    window = int(0.02 * rate)
    around = np.concatenate([loop[-window:], loop[:window]]).astype(np.float64)
    steps = np.abs(np.diff(around))
    seam = steps[window - 1]
    neighbours = np.delete(steps, window - 1)
    return float(seam / np.percentile(neighbours, 99))


def level_jump_db(loop: np.ndarray, rate: int = RATE, window_s: float = 0.25) -> float:
    """Loudness change across the loop point (RMS of 250 ms before vs after)."""
    w = int(window_s * rate)
    before = np.sqrt(np.mean(loop[-w:].astype(np.float64) ** 2))
    after = np.sqrt(np.mean(loop[:w].astype(np.float64) ** 2))
    return float(abs(20 * np.log10(before / after)))


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))


@pytest.mark.parametrize("sound", list(SoftSound))
@pytest.mark.parametrize("rate", [22050, 44100])
def test_every_sound_loops_without_a_click(sound: SoftSound, rate: int):
    loop = make_loop(sound, rate)
    assert loop.dtype == np.float32 and len(loop) == int(24 * rate)
    assert seam_ratio(loop, rate) < 1.0, f"{sound} clicks at its loop point"
    assert abs(rms(loop) - REFERENCE_RMS) < 0.01 * REFERENCE_RMS + 0.005  # one volume, about one loudness
    assert np.max(np.abs(loop)) < 1.0
    if sound is not SoftSound.CRICKETS:  # chirps come and go by design; the others must not jump in level
        assert level_jump_db(loop, rate) < 6.0


def test_seam_check_catches_a_loop_that_clicks():
    t = np.arange(RATE * 2) / RATE
    clicking = (0.3 * np.sin(2 * np.pi * 110.3 * t)).astype(np.float32)  # not a whole number of cycles: a jump
    assert seam_ratio(clicking) > 3.0
    cut = make_loop(SoftSound.BROWN)[: RATE * 10]  # a piece cut out of the middle of a loop is not seamless
    assert seam_ratio(cut) > 3.0


def test_sounds_are_different_and_deterministic():
    loops = {sound: make_loop(sound, RATE, seconds=4.0) for sound in SoftSound}
    assert np.array_equal(loops[SoftSound.RAIN], make_loop(SoftSound.RAIN, RATE, seconds=4.0))
    spectra = {}
    for sound, loop in loops.items():
        power = np.abs(np.fft.rfft(loop)) ** 2
        freqs = np.fft.rfftfreq(len(loop), 1 / RATE)
        spectra[sound] = float((power * freqs).sum() / power.sum())  # spectral centroid
    assert spectra[SoftSound.BROWN] < spectra[SoftSound.PINK] < spectra[SoftSound.WHITE]
    assert spectra[SoftSound.CRICKETS] > 2000  # the chirps sit around 4-5 kHz
    assert len({round(c) for c in spectra.values()}) == len(SoftSound)


def _speech_like(sentences: int = 8, rate: int = RATE) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Sentences of a buzzing, syllable-modulated tone with 0.6 s of silence between them (like piper's)."""
    rng = np.random.default_rng(7)
    parts, spans, at = [], [], 0
    for _ in range(sentences):
        seconds = rng.uniform(1.2, 2.4)
        t = np.arange(int(seconds * rate)) / rate
        pitch = rng.uniform(140, 220)
        tone = sum(np.sin(2 * np.pi * pitch * k * t) / k for k in range(1, 6))
        syllables = 0.5 + 0.5 * np.sin(2 * np.pi * 4.0 * t) ** 2
        sentence = (0.12 * tone * syllables).astype(np.float32)
        parts += [sentence, np.zeros(int(0.6 * rate), np.float32)]
        spans.append((at, at + len(sentence)))
        at += len(sentence) + int(0.6 * rate)
    return np.concatenate(parts), spans


@pytest.mark.parametrize("sound", list(SoftSound))
def test_voice_stays_above_the_sound_by_the_margin(sound: SoftSound):
    voice, spans = _speech_like()
    mix = BedtimeMix(voice, make_loop(sound, RATE), RATE, volume=1.0, then_minutes=0.5, fade_out=True)
    out = mix.render_all()
    start = mix.layout.voice_start
    speaking = np.concatenate([out[start + a:start + b] for a, b in spans])
    pauses = np.concatenate([out[start + b + 500:start + b + int(0.6 * RATE) - 500] for _a, b in spans[:-1]])
    margin = 20 * np.log10(rms(speaking) / rms(pauses))
    assert margin >= MIN_VOICE_MARGIN_DB, f"{sound}: the voice is only {margin:.1f} dB above the sound"
    assert rms(pauses) > 0.003, "the pauses between sentences must not be silent"
    assert np.max(np.abs(out)) <= 1.0


def test_lower_volume_sits_further_below_and_the_margin_never_shrinks():
    voice, _ = _speech_like(3)
    loop = make_loop(SoftSound.PINK, RATE)
    quiet = BedtimeMix(voice, loop, RATE, volume=0.25)
    full = BedtimeMix(voice, loop, RATE, volume=1.0)
    too_loud = BedtimeMix(voice, loop, RATE, volume=5.0, margin_db=3.0)  # clamped to volume 1 and 12 dB
    assert quiet.gain == pytest.approx(full.gain / 4)
    assert too_loud.gain == pytest.approx(full.gain)
    assert 20 * np.log10(full.voice_rms / (rms(loop) * full.gain)) == pytest.approx(MIN_VOICE_MARGIN_DB)


def test_track_length_and_fade_to_silence():
    voice, _ = _speech_like(4)
    mix = BedtimeMix(voice, make_loop(SoftSound.RAIN, RATE), RATE, volume=0.7, then_minutes=2, fade_out=True)
    out = mix.render_all()
    expected = LEAD_IN_S + len(voice) / RATE + 120
    assert len(out) / RATE == pytest.approx(expected, abs=0.01)
    # the envelope of the last 30 s falls monotonically to exactly 0
    env = mix.envelope(mix.total_samples - int(FADE_OUT_S * RATE), int(FADE_OUT_S * RATE))
    assert np.all(np.diff(env) <= 1e-12) and env[0] == pytest.approx(1.0, abs=1e-3) and env[-1] == 0.0
    # and so does the loudness of the rendered end, second by second, down to silence
    tail = out[-int(FADE_OUT_S * RATE):].reshape(int(FADE_OUT_S), RATE)
    loudness = np.sqrt((tail.astype(np.float64) ** 2).mean(axis=1))
    assert np.all(np.diff(loudness) < 0.002), loudness
    assert loudness[-1] < 0.002 and abs(out[-1]) < 1e-6
    assert loudness[0] > 20 * loudness[-1]
    # before the fade the rain goes on at full level after the story
    before = out[mix.layout.voice_end + RATE:mix.layout.voice_end + 5 * RATE]
    assert rms(before) == pytest.approx(rms(make_loop(SoftSound.RAIN, RATE)) * mix.gain * mix.scale, rel=0.2)


def test_fade_needs_room_after_the_voice_and_without_fade_the_end_does_not_click():
    voice, _ = _speech_like(2)
    loop = make_loop(SoftSound.SEA, RATE)
    faded = BedtimeMix(voice, loop, RATE, volume=0.7, then_minutes=0, fade_out=True)
    assert faded.layout.tail == int(FADE_OUT_S * RATE)  # the fade never covers the last words
    plain = BedtimeMix(voice, loop, RATE, volume=0.7, then_minutes=0.25, fade_out=False)
    out = plain.render_all()
    assert len(out) == plain.layout.lead_in + len(voice) + int(15 * RATE)
    assert abs(out[-1]) < 1e-6 and rms(out[-int(0.05 * RATE):]) < rms(out[-int(2 * RATE):-RATE])


def test_fade_gain_is_monotonic_and_ends_at_zero():
    remaining = np.linspace(40, 0, 4001)
    gain = fade_gain(remaining, 30.0)
    assert np.all(np.diff(gain) <= 0) and gain[0] == 1.0 and gain[-1] == 0.0
    # the mixer's fade and the sleep timer's fade are one curve, heard at once (not a slow start)
    for left in (29.0, 20.0, 15.0, 5.0, 0.5):
        assert fade_gain(left, 30.0) == pytest.approx(fade_curve(left / 30.0)) == pytest.approx(fade_volume(left))
    assert 20 * np.log10(fade_curve(29 / 30)) < -0.5


def test_speech_rms_ignores_the_pauses():
    voice, spans = _speech_like(5)
    speaking = np.concatenate([voice[a:b] for a, b in spans])
    assert speech_rms(voice, RATE) == pytest.approx(rms(speaking), rel=0.1)
    assert speech_rms(np.zeros(RATE, np.float32), RATE) == 0.0


def test_bedtime_options():
    assert BedtimeOptions.parse(None) is None
    options = BedtimeOptions.parse("rain", 2, True)
    assert options == BedtimeOptions(SoftSound.RAIN, 2.0, True) and options.sound_volume == 0.7
    for bad in (lambda: BedtimeOptions.parse(None, 2), lambda: BedtimeOptions.parse(None, fade_out=True),
                lambda: BedtimeOptions.parse("thunder"), lambda: BedtimeOptions.parse("sea", -1),
                lambda: BedtimeOptions.parse("sea", volume=2)):
        with pytest.raises(ValidationError):
            bad()
