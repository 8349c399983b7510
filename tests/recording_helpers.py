"""Test recordings whose sentence times are known: the story's sentences spoken by espeak-ng (a different voice
and speed than the offline voice the aligner uses), joined with pauses of known lengths, with a little noise, and
written as a phone would (m4a, mp3, wav, ogg, opus) with PyAV."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tale_desktop.domain import alignment
from tale_desktop.domain.speech import sentences_of
from tale_desktop.providers import offline_voice

RATE = 24000
PAUSES_S = (1.2, 0.4, 1.6, 0.25, 0.9, 2.1, 0.6, 1.3)
CODECS = {".m4a": ("mp4", "aac"), ".mp3": ("mp3", "libmp3lame"), ".wav": ("wav", "pcm_s16le"),
          ".ogg": ("ogg", "libopus"), ".opus": ("opus", "libopus")}

EN_STORY = ("Once upon a time, a small fox lived at the edge of a quiet forest. Every evening she watched the stars "
            "come out one by one. One night a bright star fell behind the hill. The fox ran through the tall grass "
            "to find it. There, in a ring of mushrooms, sat a tiny glowing girl. The girl smiled and thanked her "
            "for coming. Together they walked home under the silver moon, and the fox fell asleep happy.")
RU_STORY = ("Жила-была маленькая лиса на краю тихого леса. Каждый вечер она смотрела, как зажигаются звёзды. "
            "Однажды ночью яркая звезда упала за холм. Лиса побежала через высокую траву, чтобы найти её. Там, в "
            "кольце грибов, сидела крошечная светящаяся девочка. Девочка улыбнулась и сказала спасибо. Вместе они "
            "пошли домой под серебряной луной, и лиса уснула счастливой.")


@dataclass
class Recording:
    samples: np.ndarray  # mono int16 at RATE
    starts: list[float]  # when each sentence's speech begins
    ends: list[float]

    @property
    def seconds(self) -> float:
        return len(self.samples) / RATE


def _resample(pcm: np.ndarray, rate_in: int) -> np.ndarray:
    from tale_desktop.providers.audio_files import resample

    return resample(pcm, rate_in, RATE)


def make_recording(text: str, language: str, *, words_per_minute: int = 185,
                   pauses: tuple[float, ...] = PAUSES_S, repeat: int = 1, noise: float = 25.0) -> Recording:
    """The text read ``repeat`` times by espeak-ng at ``words_per_minute`` with the given pauses (the first one
    before the first sentence), over background noise of standard deviation ``noise`` (16-bit units)."""
    reader = offline_voice.EspeakVoice(offline_voice.ESPEAK_VOICES[language], rate=words_per_minute)
    rng = np.random.default_rng(7)
    pieces = [np.zeros(int(pauses[0] * RATE), np.int16)]
    position = pauses[0]
    starts, ends = [], []
    for number, sentence in enumerate(sentences_of(text) * repeat):
        pcm = _resample(np.frombuffer(reader.synthesize(sentence.text), np.int16), reader.sample_rate)
        begin, end = alignment.speech_bounds(pcm, RATE)
        starts.append(position + begin)
        ends.append(position + end)
        pause = pauses[(number + 1) % len(pauses)]
        pieces += [pcm, np.zeros(int(pause * RATE), np.int16)]
        position += len(pcm) / RATE + pause
    samples = np.concatenate(pieces).astype(np.int32) + rng.normal(0, noise, int(position * RATE) + 1)[
        :sum(len(p) for p in pieces)].astype(np.int32)
    return Recording(np.clip(samples, -32768, 32767).astype(np.int16), starts, ends)


def write_recording(recording: Recording, path: Path) -> Path:
    """Encode the recording into ``path``; the container and codec follow the file's extension."""
    import av

    container_format, codec = CODECS[path.suffix.lower()]
    rate = 48000 if codec == "libopus" else RATE
    samples = recording.samples if rate == RATE else _resample_to(recording.samples, rate)
    with av.open(str(path), "w", format=container_format) as container:
        stream = container.add_stream(codec, rate=rate, layout="mono")
        frame_size = 960 if codec == "libopus" else 1024
        for start in range(0, len(samples), frame_size):
            block = samples[start:start + frame_size]
            if len(block) < frame_size:
                block = np.pad(block, (0, frame_size - len(block)))
            frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def _resample_to(samples: np.ndarray, rate: int) -> np.ndarray:
    from tale_desktop.providers.audio_files import resample

    return resample(samples, RATE, rate)
