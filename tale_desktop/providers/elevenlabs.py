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
import json
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from tale_desktop.domain.speech import Sentence, chunk_text, group_chunks, timing
from tale_desktop.providers.audio_check import checked_mp3, mp3_seconds
from tale_desktop.providers.errors import (
    AuthError,
    BadResponse,
    NotFoundError,
    ProviderError,
    QuotaError,
    RateLimited,
    TimedOut,
    Unavailable,
)
from tale_desktop.providers.http import (
    DEFAULT_POLICY,
    NetPolicy,
    ServiceRef,
    detail_from_body,
    error_for_status,
    error_for_transport,
    retry_after_seconds,
    unexpected_answer,
)

if TYPE_CHECKING:
    import httpx

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
MAX_ATTEMPTS = DEFAULT_POLICY.attempts
MAX_WAIT_S = DEFAULT_POLICY.max_backoff_s
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
    """Length of MP3 data in seconds, from its frames (0.0 when it holds none)."""
    return mp3_seconds(audio)


def request_fingerprint() -> dict[str, Any]:
    """What, besides text and voice, changes the audio (for the audio cache key)."""
    return {"model": MODEL_ID, "format": OUTPUT_FORMAT, "settings": BEDTIME_SETTINGS}


def _detail(body: Any) -> tuple[str, str]:
    """(status, message) from an ElevenLabs error body ``{"detail": {"status": ..., "message": ...}}``."""
    if isinstance(body, dict):
        detail = body.get("detail", body)
        if isinstance(detail, dict):
            return str(detail.get("status") or ""), str(detail.get("message") or "")
        if isinstance(detail, str):
            return "", detail
    return "", ""


def service_ref(base_url: str = "") -> ServiceRef:
    return ServiceRef("elevenlabs", SERVICE, base_url, "ElevenLabs API key")


def translate_error(exc: BaseException, *, voice_id: str | None = None, base_url: str = "",
                    policy: NetPolicy | None = None, secret: str = "") -> ProviderError:
    """SDK and transport errors -> our typed errors (the shared mapping of providers/http.py), each with a
    sentence a parent can act on. A 401 is told apart: ``quota_exceeded`` is :class:`QuotaError`."""
    if isinstance(exc, ProviderError):
        return exc
    import httpx  # loaded with the client that failed
    from elevenlabs.core.api_error import ApiError

    service = service_ref(base_url)
    if isinstance(exc, ApiError):
        status = exc.status_code or 0
        kind, message = _detail(exc.body)
        if status < 400:  # a 2xx body that is not the JSON the SDK expected: some other web server
            return unexpected_answer(service)
        if status == 401 and kind == "quota_exceeded":
            return QuotaError.of(SERVICE, "elevenlabs.quota", status=status)
        what = f"The ElevenLabs voice '{voice_id}'" if voice_id else "The ElevenLabs voice"
        detail = detail_from_body(exc.body, secret) if status in (401, 403, 400, 422) else ""
        return error_for_status(service, status, detail=detail, retry_after=retry_after_seconds(exc.headers),
                                what=what, overrides=_OVERRIDES)
    if isinstance(exc, httpx.TransportError | TimeoutError):
        return error_for_transport(service, exc, policy=policy)
    if isinstance(exc, ValueError | TypeError | KeyError | AttributeError):
        return unexpected_answer(service)
    return Unavailable(SERVICE, f"ElevenLabs failed ({type(exc).__name__}).", code="elevenlabs.unexpected")


# ElevenLabs' own sentences for some of the shared codes.
_OVERRIDES = {"http.not_found": "elevenlabs.voice_not_found", "http.rejected": "elevenlabs.rejected_text"}


def _delay(exc: BaseException | None, attempt: int, cap: float = MAX_WAIT_S) -> float:
    """Retry-After when the server gave one (capped), otherwise 0.5 s, 1 s, 2 s..."""
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        return min(exc.retry_after, cap)
    return min(0.5 * 2 ** (attempt - 1), cap)




class ElevenLabsVoice:
    """One configured ElevenLabs account: lists voices and turns sentences into MP3 audio with timings."""

    provider = "elevenlabs"

    def __init__(self, api_key: str, base_url: str, http_client: httpx.AsyncClient, *,
                 model_id: str = MODEL_ID, voice_settings: dict[str, Any] | None = None,
                 max_attempts: int | None = None, policy: NetPolicy | None = None):
        from elevenlabs import AsyncElevenLabs, VoiceSettings

        if not api_key:
            raise AuthError.of(SERVICE, "elevenlabs.not_configured")
        self.policy = policy or DEFAULT_POLICY
        self.base_url = base_url.rstrip("/")
        self._secret = api_key
        # The key is passed explicitly: the SDK reads ELEVENLABS_API_KEY only once, at import time. The SDK's
        # default wait (240 s a request) is replaced by the shared bounded one (providers/http.py NetPolicy).
        self._client = AsyncElevenLabs(api_key=api_key, base_url=self.base_url, httpx_client=http_client,
                                       timeout=self.policy.timeout())  # type: ignore[arg-type]
        self.model_id = model_id
        self.voice_settings = VoiceSettings(**(voice_settings or BEDTIME_SETTINGS))
        self.max_attempts = max_attempts or self.policy.attempts

    def _translate(self, exc: BaseException, voice_id: str | None = None) -> ProviderError:
        return translate_error(exc, voice_id=voice_id, base_url=self.base_url, policy=self.policy,
                               secret=self._secret)

    def _wait(self, retry_state: Any) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        return _delay(exc, retry_state.attempt_number, self.policy.max_backoff_s)

    def _retrying(self) -> AsyncRetrying:
        return AsyncRetrying(stop=stop_after_attempt(self.max_attempts), wait=self._wait, reraise=True,
                             retry=retry_if_exception_type((RateLimited, Unavailable)))

    async def _call(self, coro_factory: Any, voice_id: str | None = None) -> Any:
        async for attempt in self._retrying():
            with attempt:
                try:
                    return await coro_factory()
                except ProviderError:
                    raise
                except Exception as exc:  # noqa: BLE001 - translated into typed errors
                    raise self._translate(exc, voice_id) from exc
        raise AssertionError("unreachable")

    async def check(self) -> str:
        """The Settings "Test": list the voices the key can use (one try; a short success sentence)."""
        try:
            response = await self._client.voices.get_all(request_options=NO_SDK_RETRY)
        except Exception as exc:  # noqa: BLE001 - translated into typed errors
            raise self._translate(exc) from exc
        voices = list(getattr(response, "voices", None) or [])
        return f"Connected to ElevenLabs: {len(voices)} voice{'s' if len(voices) != 1 else ''} available."

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
            raise NotFoundError.of(SERVICE, "elevenlabs.no_voices")
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
                error = self._translate(exc, voice_id)
                if received:
                    if isinstance(error, TimedOut):
                        raise error from exc
                    raise Unavailable.of(SERVICE, "elevenlabs.stream_cut") from exc
                if not isinstance(error, RateLimited | Unavailable) or attempt >= self.max_attempts:
                    raise error from exc
            # tenacity's context manager would swallow GeneratorExit inside a generator, so wait here by hand.
            await asyncio.sleep(_delay(error, attempt, self.policy.max_backoff_s))

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
            return await asyncio.to_thread(_read_timed_answer, response.content, chunk, len(text), self.base_url)

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


def _read_timed_answer(content: bytes, chunk: Sequence[Sentence], text_chars: int,
                       base_url: str = "") -> tuple[bytes, float, list[dict[str, Any]]]:
    """Worker thread: the ``with-timestamps`` JSON -> (MP3 bytes, duration, sentence timings).

    The answer is read as the plain JSON the API documents (``audio_base64`` and ``alignment`` with its
    per-character start and end times). The SDK's typed model converts each of the thousands of alignment entries
    one by one: 30 ms of pure Python per chunk here, holding the interpreter lock the window needs.

    A body that is not that JSON (an HTML page, garbage) is an unexpected answer; audio that does not decode or
    is implausibly short for the text is refused before anything caches it (providers/audio_check.py)."""
    try:
        answer = json.loads(content)
    except ValueError as exc:
        raise unexpected_answer(service_ref(base_url)) from exc
    encoded = answer.get("audio_base64") if isinstance(answer, dict) else None
    if not isinstance(encoded, str | None):
        raise unexpected_answer(service_ref(base_url))
    try:
        audio = base64.b64decode(encoded or "", validate=True)
    except (ValueError, TypeError):
        audio = b""
    problem, duration = checked_mp3(audio, text_chars)
    if problem:
        raise BadResponse.of(SERVICE, "elevenlabs.bad_audio", reason=problem)
    timings = _sentence_timings(chunk, answer.get("alignment"), duration)
    if not duration:
        duration = timings[-1]["end"] if timings else 0.0
    return audio, duration, timings


def _times(alignment: Any, name: str) -> list[float]:
    """One list of character times from an ``alignment`` object ([] when it is missing or not numbers)."""
    values = alignment.get(name) if isinstance(alignment, dict) else None
    if not isinstance(values, list) or not all(type(v) in (int, float) for v in values):
        return []
    return values


def _sentence_timings(chunk: Sequence[Sentence], alignment: Any, duration: float) -> list[dict[str, Any]]:
    """Per-sentence start/end inside one chunk, from character timings (or spread by length without them)."""
    starts = _times(alignment, "character_start_times_seconds")
    ends = _times(alignment, "character_end_times_seconds")
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
