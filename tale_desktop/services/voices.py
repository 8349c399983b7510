"""A family voice: ElevenLabs voices listed, cloned from a family member's own recordings (with consent), deleted.

A cloned voice is an ordinary ElevenLabs voice of the account, so it shows up in every voice list and narrates
with ``narrate ID --voice VOICE_ID`` like any other. No Qt here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.family_voice import CONSENT_TEXT, MAX_VOICE_NAME, MIN_CLONE_SECONDS
from tale_desktop.providers import elevenlabs as eleven
from tale_desktop.providers.elevenlabs_voices import ClonedVoice, ElevenLabsVoiceLab
from tale_desktop.providers.errors import NotConfigured
from tale_desktop.providers.http import HttpClients
from tale_desktop.settings import ELEVENLABS_API_KEY, ELEVENLABS_BASE_URL, Settings

log = logging.getLogger(__name__)

CLONED = "cloned"


class ConsentRequired(ValidationError):
    """Cloning was asked for without the speaker's consent being confirmed: nothing was uploaded."""

    def __init__(self) -> None:
        super().__init__({"consent": f"{CONSENT_TEXT} Confirm that you agree with --consent."})


class VoiceService:
    def __init__(self, settings: Settings, http: HttpClients):
        self.settings = settings
        self.http = http

    async def _account(self) -> eleven.ElevenLabsVoice:
        """The account's SDK client with the shared bounded waits, built in a worker thread (the first one imports
        the SDK, 0.2-0.5 s, which must not stall the event loop)."""
        if not self.settings.elevenlabs_configured:
            raise NotConfigured(eleven.SERVICE, "Family voices need an ElevenLabs API key: set ELEVENLABS_API_KEY "
                                                "or add the key in Settings.")
        return await asyncio.to_thread(self._build_account)

    def _build_account(self) -> eleven.ElevenLabsVoice:
        """Blocking (the SDK import, the pooled client's SSL context): call it in a worker thread."""
        return eleven.ElevenLabsVoice(self.settings.get(ELEVENLABS_API_KEY), self.settings.get(ELEVENLABS_BASE_URL),
                                      self.http.get("elevenlabs"), policy=self.http.policy)

    async def list(self) -> list[eleven.VoiceInfo]:
        """Every voice of the account (premade, cloned family voices...), as the voice pickers show them."""
        return await (await self._account()).list_voices()

    async def clone(self, name: str, files: Sequence[Path], *, consent: bool) -> ClonedVoice:
        """Make a family voice named ``name`` from at least a minute of one speaker's recordings. Without
        ``consent`` nothing is read or uploaded (:class:`ConsentRequired`)."""
        if not consent:
            raise ConsentRequired()
        from tale_desktop.providers import audio_files  # PyAV and numpy, only when cloning

        name = " ".join(name.split())
        if not name or len(name) > MAX_VOICE_NAME:
            raise ValidationError({"name": f"The voice needs a name of 1-{MAX_VOICE_NAME} characters, such as "
                                           "'Mum' or 'Grandpa'."})
        paths = [Path(f).expanduser() for f in files]
        if not paths:
            raise ValidationError({"files": "Give at least one recording of the speaker."})
        account = await self._account()
        total = 0.0
        for path in paths:
            if path.suffix.lower() not in audio_files.RECORDING_FORMATS:
                raise ValidationError({"files": f"{path.name} is not an audio recording (use m4a, mp3, wav, ogg "
                                                "or opus)."})
            total += await asyncio.to_thread(audio_files.duration_s, path)
        if total < MIN_CLONE_SECONDS:
            raise ValidationError({"files": f"A family voice needs at least a minute of the speaker's recordings; "
                                            f"these last {total:.0f} seconds. Add more recordings (reading a "
                                            "story aloud works well)."})
        log.info("Cloning a voice from %d recordings (%.0f s)", len(paths), total)
        return await ElevenLabsVoiceLab(account).clone(name, paths, description="A family voice for Tale Desktop")

    async def delete(self, voice_id: str) -> None:
        await ElevenLabsVoiceLab(await self._account()).delete(voice_id)
