"""ElevenLabs for a family's own voice: forced alignment of a recording to its text (read-along timings) and
Instant Voice Cloning (add, delete), through the official SDK on the account's pooled client.

Separate from :mod:`tale_desktop.providers.elevenlabs` (text-to-speech) but sharing its account object, its retry
policy and its error mapping: ``forced_alignment.create`` (``POST /v1/forced-alignment``, multipart ``file`` +
``text``), ``voices.ivc.create`` (``POST /v1/voices/add``, multipart ``name`` + ``files``) and ``voices.delete``
(``DELETE /v1/voices/{voice_id}``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tale_desktop.providers.elevenlabs import SERVICE, ElevenLabsVoice
from tale_desktop.providers.errors import BadResponse, NotFoundError, ProviderError

log = logging.getLogger(__name__)

# Uploads of long recordings take a while to process; the SDK's default timeout is too short for them.
UPLOAD_OPTIONS: dict[str, Any] = {"max_retries": 0, "timeout_in_seconds": 600}
CONTENT_TYPES = {".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".wav": "audio/wav", ".ogg": "audio/ogg",
                 ".opus": "audio/ogg", ".flac": "audio/flac", ".webm": "audio/webm"}


@dataclass(frozen=True, slots=True)
class CharacterTime:
    text: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Alignment:
    """What forced alignment answered: one entry per character of the text sent, and the overall loss."""

    characters: list[CharacterTime]
    words: list[CharacterTime]
    loss: float


@dataclass(frozen=True, slots=True)
class ClonedVoice:
    voice_id: str
    name: str
    requires_verification: bool = False


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def _reworded(error: ProviderError, what: str) -> ProviderError:
    """The shared mapping speaks of narrating; an upload's 400/422 gets a sentence about the upload."""
    if isinstance(error, BadResponse) and error.status in (400, 422):
        return BadResponse(SERVICE, f"ElevenLabs could not {what}: {error.user_message.partition(': ')[2]}"
                           if ": " in error.user_message else f"ElevenLabs could not {what}.", status=error.status)
    return error


class ElevenLabsVoiceLab:
    """Forced alignment and voice cloning for one configured ElevenLabs account."""

    def __init__(self, account: ElevenLabsVoice):
        self.account = account
        self._client = account._client  # the same SDK client, pooled httpx client and retry policy

    async def align(self, audio: bytes, text: str, *, filename: str = "recording.mp3",
                    mime: str = "audio/mpeg") -> Alignment:
        """Character and word timings of ``text`` as spoken in ``audio`` (English, Russian and more)."""

        async def once() -> Any:
            return await self._client.forced_alignment.create(file=(filename, audio, mime), text=text,
                                                              request_options=UPLOAD_OPTIONS)

        try:
            result = await self.account._call(once)
        except ProviderError as exc:
            raise _reworded(exc, "line the recording up with the text") from exc
        characters = [CharacterTime(c.text, float(c.start), float(c.end)) for c in (result.characters or [])]
        words = [CharacterTime(w.text, float(w.start), float(w.end)) for w in (result.words or [])]
        if not characters and not words:
            raise BadResponse(SERVICE, "ElevenLabs sent no timings for the recording.")
        return Alignment(characters, words, float(result.loss or 0.0))

    async def clone(self, name: str, samples: Sequence[Path], *, description: str | None = None) -> ClonedVoice:
        """Upload the recordings of one speaker and make an instant voice clone named ``name``."""
        files = [(path.name, path.read_bytes(), content_type(path)) for path in samples]
        kwargs: dict[str, Any] = {"name": name, "files": files, "request_options": UPLOAD_OPTIONS}
        if description:
            kwargs["description"] = description

        async def once() -> Any:
            return await self._client.voices.ivc.create(**kwargs)

        try:
            result = await self.account._call(once)
        except ProviderError as exc:
            raise _reworded(exc, "make a voice from these recordings") from exc
        log.info("ElevenLabs made the cloned voice %s", result.voice_id)
        return ClonedVoice(str(result.voice_id), name, bool(getattr(result, "requires_verification", False)))

    async def delete(self, voice_id: str) -> None:
        async def once() -> Any:
            return await self._client.voices.delete(voice_id, request_options={"max_retries": 0})

        try:
            await self.account._call(once, voice_id)
        except ProviderError as exc:
            if exc.status in (400, 404):
                raise NotFoundError(SERVICE, f"ElevenLabs has no voice '{voice_id}' on this account "
                                             "(see 'tale-desktop voices list').", status=exc.status) from exc
            raise
