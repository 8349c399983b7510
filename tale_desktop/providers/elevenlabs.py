"""ElevenLabs text-to-speech through the official async SDK on our pooled ``httpx.AsyncClient``.

The SDK never retries streamed text-to-speech (and we switch its own retry off for the JSON endpoints), so this
module retries 429 and 5xx answers, resets and timeouts itself with tenacity, honouring ``Retry-After``. A 401 is
told apart: ``quota_exceeded`` becomes :class:`QuotaError`, anything else :class:`AuthError`.

Long stories are sent in chunks of whole sentences under the request limit, each with the text before and after
it for continuity; the first chunk is small so the first audio arrives quickly (fast start). The
``with-timestamps`` endpoint gives character timings, turned into per-sentence timings for read-along.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from tale_desktop.domain.speech import Sentence, chunk_text, group_chunks, timing
from tale_desktop.providers.errors import (
    AuthError,
    BadResponse,
    NotFoundError,
    ProviderError,
    QuotaError,
    RateLimited,
    Unavailable,
)

log = logging.getLogger(__name__)

SERVICE = "ElevenLabs"
MODEL_ID = "eleven_multilingual_v2"
OUTPUT_FORMAT = "mp3_44100_128"
# eleven_multilingual_v2 accepts 10,000 characters per request; smaller chunks keep each answer quick.
MAX_CHUNK_CHARS = 2500
FIRST_CHUNK_CHARS = 220
CONTEXT_CHARS = 300
# Calm, steady and warm: more stability, no added style, a little slower than normal speech.
# (A plain dict: the SDK, ~0.3 s to import, is loaded only when ElevenLabs is used.)
BEDTIME_SETTINGS: dict[str, Any] = {"stability": 0.7, "similarity_boost": 0.75, "style": 0.0,
                                    "use_speaker_boost": True, "speed": 0.9}
# Premade voices that speak both languages with eleven_multilingual_v2 (George: a warm storyteller; Rachel: calm).
DEFAULT_VOICES = {"en": "JBFqnCBsd6RMkjVDRZzb", "ru": "21m00Tcm4TlvDq8ikWAM"}
MAX_ATTEMPTS = 4
MAX_WAIT_S = 30.0
NO_SDK_RETRY: dict[str, Any] = {"max_retries": 0}


@dataclass(frozen=True, slots=True)
class VoiceInfo:
    voice_id: str
    name: str
    languages: tuple[str, ...] = ()
    category: str = ""


@dataclass(slots=True)
class SpeechChunk:
    """The audio for some consecutive sentences, and when each of them is spoken inside this audio."""

    index: int
    audio: bytes
    duration_s: float
    timings: list[dict[str, Any]] = field(default_factory=list)  # start/end relative to this chunk
    request_id: str | None = None


def mp3_duration(audio: bytes) -> float:
    """Length of MP3 data in seconds (0.0 when it cannot be parsed)."""
    from mutagen.mp3 import MP3

    try:
        return float(MP3(io.BytesIO(audio)).info.length)
    except Exception:  # noqa: BLE001 - mutagen raises several kinds for garbage
        return 0.0


def request_fingerprint() -> dict[str, Any]:
    """What, besides text and voice, changes the audio (for the audio cache key)."""
    return {"model": MODEL_ID, "format": OUTPUT_FORMAT, "settings": BEDTIME_SETTINGS}


def _retry_after(headers: Any) -> float | None:
    if not headers:
        return None
    lowered = {str(k).lower(): str(v) for k, v in dict(headers).items()}
    if "retry-after-ms" in lowered:
        try:
            return float(lowered["retry-after-ms"]) / 1000
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            return None


def _detail(body: Any) -> tuple[str, str]:
    """(status, message) from an ElevenLabs error body ``{"detail": {"status": ..., "message": ...}}``."""
    if isinstance(body, dict):
        detail = body.get("detail", body)
        if isinstance(detail, dict):
            return str(detail.get("status") or ""), str(detail.get("message") or "")
        if isinstance(detail, str):
            return "", detail
    return "", ""


def translate_error(exc: BaseException, *, voice_id: str | None = None) -> ProviderError:
    """SDK and transport errors -> our typed errors, each with a sentence a parent can act on."""
    if isinstance(exc, ProviderError):
        return exc
    from elevenlabs.core.api_error import ApiError

    if isinstance(exc, ApiError):
        status = exc.status_code or 0
        kind, message = _detail(exc.body)
        if status == 401 and kind == "quota_exceeded":
            return QuotaError(SERVICE, "ElevenLabs quota used up: no characters are left on this key this "
                                       "month.", status=status)
        if status in (401, 403):
            return AuthError(SERVICE, "ElevenLabs refused the API key. Check it in Settings.", status=status)
        if status == 404:
            what = f"The ElevenLabs voice '{voice_id}'" if voice_id else "The ElevenLabs voice"
            return NotFoundError(SERVICE, f"{what} no longer exists. Choose another voice in Settings.",
                                 status=status)
        if status == 429:
            return RateLimited(SERVICE, "ElevenLabs is busy (too many requests). Try again in a minute.",
                               retry_after=_retry_after(exc.headers))
        if status >= 500:
            return Unavailable(SERVICE, f"ElevenLabs had a server error ({status}). Try again later.",
                               status=status)
        if status in (400, 422):
            hint = f": {message}" if message else ""
            return BadResponse(SERVICE, f"ElevenLabs could not narrate this text{hint}", status=status)
        return BadResponse(SERVICE, f"ElevenLabs answered with an unexpected error ({status}).", status=status)
    if isinstance(exc, httpx.TimeoutException):
        return Unavailable(SERVICE, "ElevenLabs did not answer in time. Check the connection and try again.")
    if isinstance(exc, httpx.TransportError):
        return Unavailable(SERVICE, "ElevenLabs cannot be reached (the connection failed or was cut). "
                                    "Check the connection and try again.")
    if isinstance(exc, ValueError):
        return BadResponse(SERVICE, "ElevenLabs sent an answer that could not be read.")
    return Unavailable(SERVICE, f"ElevenLabs failed ({type(exc).__name__}).")


def _delay(exc: BaseException | None, attempt: int) -> float:
    """Retry-After when the server gave one (capped), otherwise 0.5 s, 1 s, 2 s..."""
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        return min(exc.retry_after, MAX_WAIT_S)
    return min(0.5 * 2 ** (attempt - 1), MAX_WAIT_S)


def _wait(retry_state: Any) -> float:
    exc = retry_state.outcome.exception() if retry_state.outcome else None
    return _delay(exc, retry_state.attempt_number)


class ElevenLabsVoice:
    """One configured ElevenLabs account: lists voices and turns sentences into MP3 audio with timings."""

    provider = "elevenlabs"

    def __init__(self, api_key: str, base_url: str, http_client: httpx.AsyncClient, *,
                 model_id: str = MODEL_ID, voice_settings: dict[str, Any] | None = None,
                 max_attempts: int = MAX_ATTEMPTS):
        from elevenlabs import AsyncElevenLabs, VoiceSettings

        if not api_key:
            raise AuthError(SERVICE, "No ElevenLabs API key is set. Add one in Settings.")
        # The key is passed explicitly: the SDK reads ELEVENLABS_API_KEY only once, at import time.
        self._client = AsyncElevenLabs(api_key=api_key, base_url=base_url.rstrip("/"), httpx_client=http_client)
        self.model_id = model_id
        self.voice_settings = VoiceSettings(**(voice_settings or BEDTIME_SETTINGS))
        self.max_attempts = max_attempts

    def _retrying(self) -> AsyncRetrying:
        return AsyncRetrying(stop=stop_after_attempt(self.max_attempts), wait=_wait, reraise=True,
                             retry=retry_if_exception_type((RateLimited, Unavailable)))

    async def _call(self, coro_factory: Any, voice_id: str | None = None) -> Any:
        async for attempt in self._retrying():
            with attempt:
                try:
                    return await coro_factory()
                except ProviderError:
                    raise
                except Exception as exc:  # noqa: BLE001 - translated into typed errors
                    raise translate_error(exc, voice_id=voice_id) from exc
        raise AssertionError("unreachable")

    # -- account -------------------------------------------------------------------------------------------------
    async def list_voices(self) -> list[VoiceInfo]:
        response = await self._call(lambda: self._client.voices.get_all(request_options=NO_SDK_RETRY))
        voices = []
        for voice in response.voices:
            languages = tuple(sorted({str(v.language) for v in (voice.verified_languages or []) if v.language}))
            voices.append(VoiceInfo(voice.voice_id, voice.name or voice.voice_id, languages,
                                    str(voice.category or "")))
        return voices

    async def pick_voice(self, language: str) -> str:
        """A voice from the account's live list that speaks ``language`` (any voice if none says so)."""
        voices = await self.list_voices()
        if not voices:
            raise NotFoundError(SERVICE, "This ElevenLabs account has no voices. Add one on elevenlabs.io.")
        for voice in voices:
            if language in voice.languages:
                return voice.voice_id
        return voices[0].voice_id

    # -- speech --------------------------------------------------------------------------------------------------
    async def convert(self, text: str, voice_id: str) -> bytes:
        """The whole audio of a short text in one answer (voice previews)."""

        async def once() -> bytes:
            pieces = [piece async for piece in self._client.text_to_speech.convert(
                voice_id, text=text, model_id=self.model_id, voice_settings=self.voice_settings,
                output_format=OUTPUT_FORMAT)]
            return b"".join(pieces)

        return await self._call(once, voice_id)

    async def stream(self, text: str, voice_id: str, *, previous_text: str | None = None,
                     next_text: str | None = None) -> AsyncIterator[bytes]:
        """Audio bytes as they arrive. A failure before the first byte is retried; a cut after that is raised
        (the caller decides whether to start the chunk again)."""
        kwargs: dict[str, Any] = {"text": text, "model_id": self.model_id, "voice_settings": self.voice_settings,
                                  "output_format": OUTPUT_FORMAT}
        if previous_text:
            kwargs["previous_text"] = previous_text
        if next_text:
            kwargs["next_text"] = next_text
        attempt = 0
        while True:
            attempt += 1
            received = False
            try:
                async for piece in self._client.text_to_speech.stream(voice_id, **kwargs):
                    received = True
                    yield piece
                return
            except Exception as exc:  # noqa: BLE001 - translated into typed errors
                error = translate_error(exc, voice_id=voice_id)
                if received:
                    raise Unavailable(SERVICE, "The ElevenLabs audio stream was cut off. Try again.") from exc
                if not isinstance(error, RateLimited | Unavailable) or attempt >= self.max_attempts:
                    raise error from exc
            # tenacity's context manager would swallow GeneratorExit inside a generator, so wait here by hand.
            await asyncio.sleep(_delay(error, attempt))

    async def _timed_chunk(self, text: str, voice_id: str, previous_text: str | None,
                           next_text: str | None, chunk: Sequence[Sentence]) -> tuple[bytes, float, Any]:
        """One ``with-timestamps`` request through the SDK's own request path (base URL, key header, timeouts),
        with its JSON answer (the audio as base64 plus timings for every character: 15-60 ms of parsing into SDK
        models) read in a worker thread instead of on the event loop."""
        from elevenlabs import VoiceSettings
        from elevenlabs.core.api_error import ApiError
        from elevenlabs.core.jsonable_encoder import jsonable_encoder
        from elevenlabs.core.serialization import convert_and_respect_annotation_metadata

        body: dict[str, Any] = {"text": text, "model_id": self.model_id,
                                "voice_settings": convert_and_respect_annotation_metadata(
                                    object_=self.voice_settings, annotation=VoiceSettings, direction="write")}
        if previous_text:
            body["previous_text"] = previous_text
        if next_text:
            body["next_text"] = next_text
        http = self._client._client_wrapper.httpx_client

        async def once() -> tuple[bytes, float, Any]:
            response = await http.request(f"v1/text-to-speech/{jsonable_encoder(voice_id)}/with-timestamps",
                                          method="POST", params={"output_format": OUTPUT_FORMAT}, json=body,
                                          headers={"content-type": "application/json"},
                                          request_options=NO_SDK_RETRY)
            if not 200 <= response.status_code < 300:
                try:
                    error_body: Any = response.json()
                except ValueError:
                    error_body = response.text
                raise ApiError(status_code=response.status_code, headers=dict(response.headers), body=error_body)
            return await asyncio.to_thread(_read_timed_answer, response.content, chunk)

        return await self._call(once, voice_id)

    async def speak(self, sentences: Sequence[Sentence], voice_id: str, *,
                    max_chars: int = MAX_CHUNK_CHARS, first_chars: int = FIRST_CHUNK_CHARS,
                    ) -> AsyncIterator[SpeechChunk]:
        """Narrate ``sentences`` chunk by chunk (yielding each as soon as it is ready), with sentence timings."""
        chunks = group_chunks(sentences, max_chars, first_chars)
        texts = [chunk_text(c) for c in chunks]
        for index, chunk in enumerate(chunks):
            previous_text = texts[index - 1][-CONTEXT_CHARS:] if index else None
            next_text = texts[index + 1][:CONTEXT_CHARS] if index + 1 < len(texts) else None
            audio, duration, timings = await self._timed_chunk(texts[index], voice_id, previous_text, next_text,
                                                               chunk)
            yield SpeechChunk(index, audio, duration, timings)


def _read_timed_answer(content: bytes, chunk: Sequence[Sentence]) -> tuple[bytes, float, list[dict[str, Any]]]:
    """Worker thread: the ``with-timestamps`` JSON -> (MP3 bytes, duration, sentence timings)."""
    from elevenlabs.core.unchecked_base_model import construct_type
    from elevenlabs.types import AudioWithTimestampsResponse

    try:
        result = construct_type(type_=AudioWithTimestampsResponse, object_=json.loads(content))
        audio = base64.b64decode(result.audio_base_64, validate=True)
    except (ValueError, TypeError, AttributeError) as exc:
        raise BadResponse(SERVICE, "ElevenLabs sent audio that could not be read.") from exc
    if not audio:
        raise BadResponse(SERVICE, "ElevenLabs sent no audio.")
    duration = mp3_duration(audio)
    timings = _sentence_timings(chunk, result.alignment, duration)
    if not duration:
        duration = timings[-1]["end"] if timings else 0.0
    return audio, duration, timings


def _sentence_timings(chunk: Sequence[Sentence], alignment: Any, duration: float) -> list[dict[str, Any]]:
    """Per-sentence start/end inside one chunk, from character timings (or spread by length without them)."""
    starts = list(getattr(alignment, "character_start_times_seconds", None) or [])
    ends = list(getattr(alignment, "character_end_times_seconds", None) or [])
    result = []
    offset = 0
    total_chars = max(1, len(chunk_text(chunk)))
    for sentence in chunk:
        first, last = offset, offset + len(sentence.text) - 1
        if starts and ends and last < len(starts) and last < len(ends):
            start_s, end_s = float(starts[first]), float(ends[last])
        else:
            start_s = duration * first / total_chars
            end_s = duration * (last + 1) / total_chars
        result.append(timing(sentence, start_s, end_s))
        offset += len(sentence.text) + 1
    return result
