"""Soft sounds for bedtime (rain, sea, night crickets, a crackling fire, white / pink / brown noise), made in code.

Every sound is one loop of :data:`LOOP_SECONDS` that is seamless by construction: each layer is one period of a
periodic signal, so sample ``n - 1`` runs into sample ``0`` exactly as any sample runs into the next.
- noise layers are the inverse FFT of a shaped spectrum with random phases (a sum of harmonics of the loop
  length, hence periodic);
- slow swells (waves, a flickering fire, rain getting heavier) are band-limited noise below 1 Hz, made the same
  way, or cosines with a whole number of cycles per loop;
- events (rain drops, crackles, chirps) are impulses convolved *circularly* with a short sound, so an event
  near the end of the loop rings on into its beginning.

Pure numpy (no Qt, no I/O); generation takes a fraction of a second, so callers run it in a worker thread.
Loops are deterministic (a fixed seed per sound) and normalised to :data:`REFERENCE_RMS`, so one volume means
about the same loudness for every sound.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np

from tale_desktop.domain.bedtime import DEFAULT_VOLUME, SoftSound, sound_names  # noqa: F401 (re-exported)

LOOP_SECONDS = 24.0
REFERENCE_RMS = 0.1
PEAK_LIMIT = 0.95
Shape = Callable[[np.ndarray], np.ndarray]


_SEEDS = {sound: 1000 + number for number, sound in enumerate(SoftSound)}


# -- building blocks (all periodic over n samples) ----------------------------------------------------------------
def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) or 1.0


def _normalised(x: np.ndarray) -> np.ndarray:
    return x / _rms(x)


def _shaped_noise(n: int, rate: int, rng: np.random.Generator, shape: Shape) -> np.ndarray:
    """One period of noise whose amplitude spectrum is ``shape(frequency_hz)``, RMS 1."""
    freqs = np.fft.rfftfreq(n, 1.0 / rate)
    amplitude = shape(freqs).astype(np.float64)
    amplitude[0] = 0.0  # no DC
    phases = rng.uniform(0.0, 2.0 * np.pi, len(freqs))
    return _normalised(np.fft.irfft(amplitude * np.exp(1j * phases), n))


def _band(low: float, high: float, slope: float = 0.0) -> Shape:
    """Smooth band-pass (first-order-like edges), times f^-slope/2 (slope 1: pink, 2: brown)."""

    def shape(f: np.ndarray) -> np.ndarray:
        safe = np.maximum(f, 1.0)
        edges = 1.0 / np.sqrt(1.0 + (low / safe) ** 4) / np.sqrt(1.0 + (safe / high) ** 4)
        return edges * safe ** (-slope / 2.0)

    return shape


def _swell(n: int, rate: int, rng: np.random.Generator, below_hz: float) -> np.ndarray:
    """A slow random wobble (band-limited below ``below_hz``), RMS 1, periodic."""
    return _shaped_noise(n, rate, rng, lambda f: (f <= below_hz).astype(np.float64))


def _circular(impulses: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Circular convolution: events near the end wrap around into the start (seamless)."""
    n = len(impulses)
    padded = np.zeros(n)
    padded[: len(kernel)] = kernel[:n]
    return np.fft.irfft(np.fft.rfft(impulses) * np.fft.rfft(padded), n)


def _events(n: int, rng: np.random.Generator, count: int, amplitudes: np.ndarray | None = None) -> np.ndarray:
    impulses = np.zeros(n)
    where = rng.integers(0, n, count)
    np.add.at(impulses, where, np.ones(count) if amplitudes is None else amplitudes)
    return impulses


def _burst(rate: int, rng: np.random.Generator, seconds: float, decay_s: float) -> np.ndarray:
    """A short noise burst with an exponential decay (a drop, a crackle)."""
    t = np.arange(int(seconds * rate)) / rate
    noise = rng.standard_normal(len(t))
    noise = np.diff(noise, prepend=0.0)  # brighter: first difference is a gentle high-pass
    return noise * np.exp(-t / decay_s)


def _periodic_cos(n: int, cycles: int, phase: float = 0.0) -> np.ndarray:
    return np.cos(2.0 * np.pi * cycles * np.arange(n) / n + phase)


# -- the sounds --------------------------------------------------------------------------------------------------
def _white(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    return _shaped_noise(n, rate, rng, _band(20.0, rate / 2.0))


def _pink(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    return _shaped_noise(n, rate, rng, _band(20.0, rate / 2.0, slope=1.0))


def _brown(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    return _shaped_noise(n, rate, rng, _band(25.0, rate / 2.0, slope=2.0))


def _rain(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    hush = _shaped_noise(n, rate, rng, _band(300.0, 7000.0, slope=0.6))
    hush *= 1.0 + 0.1 * _swell(n, rate, rng, 0.15)  # the shower gets a little heavier and lighter
    drops_per_s = 60
    count = int(drops_per_s * n / rate)
    drops = _events(n, rng, count, rng.lognormal(0.0, 0.7, count))
    patter = _normalised(_circular(drops, _burst(rate, rng, 0.012, 0.0018)))
    return 0.85 * hush + 0.35 * patter


def _sea(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    seconds = n / rate
    waves = max(1, round(seconds / 8.0))  # a wave about every 8 s, a whole number per loop
    wave = 0.5 - 0.5 * _periodic_cos(n, waves)
    wave = np.clip(wave + 0.08 * _swell(n, rate, rng, 0.2), 0.0, None) ** 1.6
    rumble = _shaped_noise(n, rate, rng, _band(30.0, 500.0, slope=2.0))
    surf = _shaped_noise(n, rate, rng, _band(200.0, 3500.0, slope=1.0))
    return 0.45 * rumble * (0.5 + 0.5 * wave) + 0.9 * surf * (0.12 + wave)


def _crickets(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    night = 0.12 * _shaped_noise(n, rate, rng, _band(80.0, 2500.0, slope=1.0))
    song = np.zeros(n)
    seconds = n / rate
    for carrier, chirp_every_s, level in ((4400.0, 1.1, 1.0), (4750.0, 1.6, 0.6), (4100.0, 0.9, 0.35)):
        pulse_s, gap_s, pulses = 0.014, 0.022, 3
        t = np.arange(int((pulses * (pulse_s + gap_s)) * rate)) / rate
        envelope = np.zeros_like(t)
        for k in range(pulses):
            start = k * (pulse_s + gap_s)
            inside = (t >= start) & (t < start + pulse_s)
            envelope[inside] = np.sin(np.pi * (t[inside] - start) / pulse_s) ** 2
        chirp = envelope * np.sin(2.0 * np.pi * carrier * t)  # starts and ends at zero: no click
        chirps = max(1, round(seconds / chirp_every_s))
        times = (np.arange(chirps) * chirp_every_s + rng.uniform(-0.08, 0.08, chirps)) % seconds
        impulses = np.zeros(n)
        np.add.at(impulses, (times * rate).astype(int) % n, level * rng.uniform(0.8, 1.0, chirps))
        song += _circular(impulses, chirp)
    return night + _normalised(song)


def _fire(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    flicker = 1.0 + 0.25 * _swell(n, rate, rng, 0.6)
    roar = _shaped_noise(n, rate, rng, _band(30.0, 350.0, slope=2.0)) * flicker
    hiss = 0.2 * _shaped_noise(n, rate, rng, _band(1500.0, 6000.0, slope=1.0)) * flicker
    count = int(9 * n / rate)
    crackles = _normalised(_circular(_events(n, rng, count, rng.pareto(2.5, count) + 0.3),
                                     _burst(rate, rng, 0.01, 0.0012)))
    pops_count = max(1, int(0.4 * n / rate))
    pops = _normalised(_circular(_events(n, rng, pops_count, rng.uniform(0.6, 1.0, pops_count)),
                                 _burst(rate, rng, 0.04, 0.006)))
    return 0.9 * roar + hiss + 0.45 * crackles + 0.3 * pops


_MAKERS: dict[SoftSound, Callable[[int, int, np.random.Generator], np.ndarray]] = {
    SoftSound.WHITE: _white,
    SoftSound.PINK: _pink,
    SoftSound.BROWN: _brown,
    SoftSound.RAIN: _rain,
    SoftSound.SEA: _sea,
    SoftSound.CRICKETS: _crickets,
    SoftSound.FIRE: _fire,
}


def make_loop(sound: SoftSound | str, rate: int = 22050, seconds: float = LOOP_SECONDS) -> np.ndarray:
    """One seamless loop of ``sound`` as float32 mono at ``rate``, RMS :data:`REFERENCE_RMS` (peaks limited)."""
    sound = SoftSound(sound)
    n = int(round(seconds * rate))
    rng = np.random.default_rng(_SEEDS[sound])
    loop = _MAKERS[sound](n, rate, rng)
    for _ in range(3):  # limiting peaks lowers the RMS a little: settle in a few rounds
        loop = soft_limit(loop / _rms(loop) * REFERENCE_RMS)
    return loop.astype(np.float32)


def soft_limit(x: np.ndarray, knee: float = 0.5, ceiling: float = PEAK_LIMIT) -> np.ndarray:
    """Leave samples below ``knee`` alone and bend larger ones smoothly towards ``ceiling`` (sample by sample,
    so a periodic signal stays periodic): sparse sounds (crackles, chirps) keep their loudness without clipping."""
    magnitude = np.abs(x)
    over = magnitude > knee
    if not over.any():
        return x
    room = ceiling - knee
    bent = knee + room * np.tanh((magnitude[over] - knee) / room)
    out = x.copy()
    out[over] = np.sign(x[over]) * bent
    return out


@lru_cache(maxsize=8)
def cached_loop(sound: SoftSound | str, rate: int = 22050) -> np.ndarray:
    """:func:`make_loop` with the standard length, kept for reuse (read-only: copy before changing it)."""
    loop = make_loop(sound, rate)
    loop.setflags(write=False)
    return loop


def loop_rms(loop: np.ndarray) -> float:
    return _rms(loop)
