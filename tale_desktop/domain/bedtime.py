"""Bedtime listening vocabulary (no numpy, no Qt): the soft sounds, their default volumes, the sleep timer's
choices, and the options of a bedtime track. The sample work lives in :mod:`soft_sounds` and :mod:`bedtime_mix`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tale_desktop.domain.errors import ValidationError

MIN_VOICE_MARGIN_DB = 12.0  # a soft sound always sits at least this far (RMS) below the voice
FADE_OUT_S = 30.0  # the sleep timer's and the bedtime track's final fade
MAX_THEN_MINUTES = 180.0
SLEEP_MINUTES = (5, 10, 15, 20, 30, 45, 60)  # the sleep timer's choices (any whole minute 5..60 is accepted)
SLEEP_MIN_MINUTES, SLEEP_MAX_MINUTES = 5, 60
SLEEP_EXTEND_S = 300.0  # "+5 min"
QUEUE_GAP_S = 3.0  # the short pause between two stories of tonight's queue


def fade_curve(x: float) -> float:
    """The fade's gain at ``x`` = the fraction of the fade still to go (1 at its start, 0 at the end): a cubic,
    which sounds close to an even fade in decibels (-0.8 dB after the first second of 30, -18 dB half-way), so
    the fade is heard at once over a sound's own swells, yet reaches exact silence. A linear gain multiplier."""
    x = min(1.0, max(0.0, x))
    return x * x * x


class SoftSound(StrEnum):
    RAIN = "rain"
    SEA = "sea"
    CRICKETS = "crickets"
    FIRE = "fire"
    WHITE = "white"
    PINK = "pink"
    BROWN = "brown"


# Each sound's own default volume (0..1 of the loudest the mixer allows under a voice): the bright noises sound
# louder than their RMS says, so they start lower.
DEFAULT_VOLUME: dict[SoftSound, float] = {
    SoftSound.RAIN: 0.7,
    SoftSound.SEA: 0.7,
    SoftSound.CRICKETS: 0.5,
    SoftSound.FIRE: 0.7,
    SoftSound.WHITE: 0.4,
    SoftSound.PINK: 0.5,
    SoftSound.BROWN: 0.7,
}


def sound_names() -> list[str]:
    return [s.value for s in SoftSound]


@dataclass(frozen=True, slots=True)
class BedtimeOptions:
    """A bedtime track: which sound, how many minutes of it after the story, whether everything fades out."""

    sound: SoftSound
    then_minutes: float = 0.0
    fade_out: bool = False
    volume: float | None = None  # 0..1; None: the sound's own default

    @classmethod
    def parse(cls, sound: str | None, then_minutes: float | None = None, fade_out: bool = False,
              volume: float | None = None) -> BedtimeOptions | None:
        """From CLI-style values; ``None`` when no bedtime option is given. Raises ValidationError."""
        if sound is None:
            if then_minutes or fade_out:
                raise ValidationError({"sound": "--then-minutes and --fade-out go with a sound: add --sound "
                                                f"{'|'.join(sound_names())}."})
            return None
        try:
            kind = SoftSound(sound)
        except ValueError:
            raise ValidationError({"sound": f"Unknown sound '{sound}': use one of {', '.join(sound_names())}."}
                                  ) from None
        minutes = float(then_minutes or 0.0)
        if not 0 <= minutes <= MAX_THEN_MINUTES:
            raise ValidationError({"then_minutes": f"--then-minutes must be between 0 and {MAX_THEN_MINUTES:g}."})
        if volume is not None and not 0 <= volume <= 1:
            raise ValidationError({"volume": "The sound's volume must be between 0 and 1."})
        return cls(kind, minutes, bool(fade_out), volume)

    @property
    def sound_volume(self) -> float:
        return DEFAULT_VOLUME[self.sound] if self.volume is None else self.volume
