"""The narrator: turns a story into an MP3 in the audio cache, with sentence timings for read-along.

Provider chain: ElevenLabs when a key is set (or asked for), otherwise, and as the fallback when ElevenLabs
fails, the offline voice (piper for English or the parent's own piper voice, espeak-ng for other languages). The
provider used and the reason for a fallback are recorded on the Narration and told to the listener.

Fast start: a listener with ``on_part`` receives playable pieces as they are made (the first sentence offline, the
first small chunk from ElevenLabs), so the player can start long before the whole file is done.
No Qt here; blocking work (synthesis, encoding, file I/O) runs in worker threads.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tale_desktop.domain.enums import NarrationProvider
from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.messages import msg
from tale_desktop.domain.models import Narration, Story, utc_now
from tale_desktop.domain.speech import Sentence, quick_start, sentences_of, timing
from tale_desktop.providers import audio_check
from tale_desktop.providers import elevenlabs as eleven
from tale_desktop.providers import offline_voice as offline
from tale_desktop.providers.errors import (
    AuthError,
    BadResponse,
    NotFoundError,
    ProviderError,
    QuotaError,
    RateLimited,
    Unavailable,
)
from tale_desktop.providers.http import HttpClients
from tale_desktop.services.export import public_mode, tag_mp3
from tale_desktop.services.library import LibraryService
from tale_desktop.services.workers import background_pool
from tale_desktop.settings import (
    ELEVENLABS_API_KEY,
    ELEVENLABS_BASE_URL,
    ELEVENLABS_VOICE_EN,
    ELEVENLABS_VOICE_RU,
    PIPER_VOICE_PATH,
    Settings,
)
from tale_desktop.storage.audio_cache import AudioCache, AudioCacheError, cache_key, file_sha256

log = logging.getLogger(__name__)

MP3_BITRATE_KBPS = 64
# Offline pieces for fast start: the first sentence alone, then pieces of at least this many seconds.
PART_MIN_SECONDS = 12.0
CLOSE_TIMEOUT_S = 10.0
RECORDING = NarrationProvider.RECORDING.value
PROVIDERS = [p.value for p in NarrationProvider]
OFFLINE = "offline"
_SERVICE_NAMES = {NarrationProvider.ELEVENLABS.value: "ElevenLabs", NarrationProvider.PIPER.value: "The offline voice",
                  NarrationProvider.ESPEAK.value: "The offline voice"}


@dataclass(slots=True)
class NarrationPart:
    """A playable piece made while the narration is still being written (fast start)."""

    index: int
    path: Path
    start_s: float  # where the piece begins in the whole narration
    duration_s: float
    timings: list[dict[str, Any]]  # absolute times, story character spans
    attempt: int = 0  # grows when a fallback starts the narration again: drop earlier pieces


@dataclass
class NarrationListener:
    """Callbacks (all optional) called on the loop thread while a narration is made."""

    on_started: Callable[[str, str], None] | None = None  # provider, voice id
    on_part: Callable[[NarrationPart], None] | None = None
    on_notice: Callable[[str], None] | None = None  # e.g. why the offline voice is used
    on_progress: Callable[[int, int], None] | None = None  # sentences done, total

    def started(self, provider: str, voice: str) -> None:
        if self.on_started:
            self.on_started(provider, voice)

    def part(self, part: NarrationPart) -> None:
        if self.on_part:
            self.on_part(part)

    def notice(self, message: str) -> None:
        if self.on_notice:
            self.on_notice(message)

    def progress(self, done: int, total: int) -> None:
        if self.on_progress:
            self.on_progress(done, total)


@dataclass
class _Plan:
    provider: str  # "elevenlabs" or OFFLINE
    voice: str | None = None
    strict: bool = False  # asked for by name: fail instead of falling back
    voice_from: str = "default"  # "argument", "settings" or "default"


@dataclass
class _Made:
    audio: bytes
    provider: str
    voice_id: str
    duration_s: float
    timings: list[dict[str, Any]] = field(default_factory=list)


def fallback_reason(exc: ProviderError) -> str:
    """What the parent is told when ElevenLabs could not narrate and the offline voice did."""
    if isinstance(exc, QuotaError):
        why = "ElevenLabs quota used up"
    elif isinstance(exc, AuthError):
        why = "ElevenLabs refused the API key"
    elif isinstance(exc, RateLimited):
        why = "ElevenLabs was too busy"
    elif isinstance(exc, NotFoundError):
        why = "the ElevenLabs voice was not found"
    elif isinstance(exc, Unavailable):
        why = "ElevenLabs could not be reached"
    elif isinstance(exc, BadResponse):
        why = "ElevenLabs sent audio that cannot be played"
    else:
        why = "ElevenLabs failed"
    return f"{why[0].upper()}{why[1:]}, narrated with the offline voice."


class Narrator:
    def __init__(self, settings: Settings, library: LibraryService, http: HttpClients,
                 cache: AudioCache | None = None):
        self.settings = settings
        self.library = library
        self.http = http
        self.cache = cache or AudioCache(settings.audio_dir)
        self._unsubscribe = library.subscribe(self.on_library_change)
        self._purges: set[concurrent.futures.Future[Any]] = set()
        # Our own worker threads for synthesis, encoding and file I/O (not the loop's default executor, which
        # on qasync is a pool of QThreads): voices run one sentence at a time, so two workers are plenty. They run
        # below the loop thread's priority, so synthesis never takes the window's core.
        self._executor = background_pool("narrator", 2)
        self._jobs: set[concurrent.futures.Future[Any]] = set()
        # Set by the composition root when sync exists: downloads a narration another device uploaded.
        self.fetch_remote: Callable[[str], Awaitable[Path]] | None = None

    async def _blocking(self, fn: Callable[..., Any], *args: Any) -> Any:
        job = self._executor.submit(fn, *args)
        self._jobs.add(job)
        job.add_done_callback(self._jobs.discard)
        return await asyncio.wrap_future(job)

    # -- library events ------------------------------------------------------------------------------------------
    def on_library_change(self, kind: str, ids: list[str]) -> None:
        if kind != "stories_purged" or not ids:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self._remove_audio(ids)
            return
        job = self._executor.submit(self._remove_audio, list(ids))
        self._purges.add(job)
        job.add_done_callback(self._purges.discard)

    def _remove_audio(self, story_ids: list[str]) -> None:
        for story_id in story_ids:
            with contextlib.suppress(AudioCacheError):
                self.cache.remove_story(story_id)
        log.info("Removed the audio of %d purged stories", len(story_ids))

    async def aclose(self) -> None:
        """Stop taking work and wait (bounded) for the sentence being synthesized, so no worker thread reports
        back to a loop that is gone."""
        self._unsubscribe()
        deadline = time.monotonic() + CLOSE_TIMEOUT_S
        await _until_done(list(self._purges), deadline)  # audio of purged stories is still removed
        self._executor.shutdown(wait=False, cancel_futures=True)
        await _until_done(list(self._jobs), deadline)

    # -- choosing providers --------------------------------------------------------------------------------------
    def _plans(self, language: str, provider: str | None, voice: str | None) -> list[_Plan]:
        if provider == RECORDING:
            raise ValidationError({"provider": "A recording is made by reading the story aloud, not by a voice "
                                               "service: attach one with --from-recording."})
        if provider is not None and provider not in (*PROVIDERS, OFFLINE):
            raise ValidationError({"provider": f"Narration provider must be one of {', '.join(PROVIDERS)}"})
        if provider == OFFLINE:  # the best offline voice for the language, whichever it is
            return [_Plan(OFFLINE, voice, strict=True, voice_from="argument" if voice else "default")]
        if provider == NarrationProvider.ELEVENLABS:
            return [self._eleven_plan(language, voice, strict=True)]
        if provider in (NarrationProvider.PIPER, NarrationProvider.ESPEAK):
            return [_Plan(provider, voice, strict=True, voice_from="argument" if voice else "default")]
        plans = []
        if self.settings.elevenlabs_configured:
            plans.append(self._eleven_plan(language, voice, strict=False))
        plans.append(_Plan(OFFLINE))
        return plans

    def _eleven_plan(self, language: str, voice: str | None, strict: bool) -> _Plan:
        if voice:
            return _Plan(NarrationProvider.ELEVENLABS, voice, strict, "argument")
        key = ELEVENLABS_VOICE_RU if language == "ru" else ELEVENLABS_VOICE_EN
        configured = self.settings.get(key)
        if configured:
            return _Plan(NarrationProvider.ELEVENLABS, configured, strict, "settings")
        return _Plan(NarrationProvider.ELEVENLABS, eleven.DEFAULT_VOICES.get(language, eleven.DEFAULT_VOICES["en"]),
                     strict, "default")

    def _eleven(self) -> eleven.ElevenLabsVoice:
        """Blocking (imports the SDK the first time): call it in a worker thread."""
        return eleven.ElevenLabsVoice(self.settings.get(ELEVENLABS_API_KEY), self.settings.get(ELEVENLABS_BASE_URL),
                                      self.http.get("elevenlabs"), policy=self.http.policy)

    def _offline_voice(self, language: str, plan: _Plan) -> offline.OfflineVoice:
        provider = None if plan.provider == OFFLINE else plan.provider
        return offline.offline_voice_for(language, provider=provider, voice=plan.voice,
                                         own_piper_path=self.settings.get(PIPER_VOICE_PATH) or None)

    def _key(self, story: Story, plan: _Plan, engine: offline.OfflineVoice | None) -> str:
        if engine is not None:
            return cache_key(story.content, engine.provider, engine.voice_id, engine.fingerprint())
        return cache_key(story.content, NarrationProvider.ELEVENLABS, plan.voice or "",
                         eleven.request_fingerprint())

    async def elevenlabs_voices(self) -> list[eleven.VoiceInfo]:
        """The account's live voice list (for choosing a voice per language in Settings)."""
        return await (await asyncio.to_thread(self._eleven)).list_voices()

    async def prepare(self, language: str) -> None:
        """Load what the first Play will need (the offline voice model, the ElevenLabs SDK and client) in a
        worker thread, so Play starts in well under a second. Safe to call often; failures are only logged."""

        def warm() -> None:
            try:
                if self.settings.elevenlabs_configured:
                    import elevenlabs  # noqa: F401  (~0.3 s import)

                    self.http.get("elevenlabs")
                self._offline_voice(language, _Plan(OFFLINE)).load()
            except ProviderError as exc:
                log.info("Narration warm-up: %s", exc.user_message)

        await self._blocking(warm)

    # -- cache ---------------------------------------------------------------------------------------------------
    async def latest(self, story_id: str) -> Narration | None:
        """The narration the parent chose for the story, else the newest one whose file is present and intact
        (any provider), else ``None``."""
        narrations = _play_order(await self.library.store.narrations_for(story_id), await self.preferred(story_id))
        for narration in narrations:
            if await self._blocking(self.cache.verified, narration.local_file, narration.sha256):
                return narration
        for narration in narrations:  # made on another device: fetch its audio on demand
            if narration.remote_path and self.fetch_remote is not None:
                try:
                    path = await self.fetch_remote(narration.id)
                except ProviderError as exc:
                    log.info("Synced narration %s not downloaded: %s", narration.id, exc.user_message)
                    continue
                narration.local_file = str(path)
                return narration
        return None

    async def _cached(self, story_id: str, key: str, chars: int | None = None) -> Narration | None:
        for narration in await self.library.store.narrations_for(story_id):
            if narration.local_file and Path(narration.local_file).stem == key and await self._blocking(
                    self.cache.verified, narration.local_file, narration.sha256):
                problem = await self._blocking(audio_check.file_problem, narration.local_file, chars)
                if problem is None:
                    return narration
                # Junk saved before audio was checked (or damaged since): never served again; made anew.
                log.warning("Cached narration of %s is not usable audio (%s); making it again", story_id, problem)
                await self._blocking(_unlink, Path(narration.local_file))
        return None

    # -- narrating -----------------------------------------------------------------------------------------------
    async def narrate(self, story_id: str, *, provider: str | None = None, voice: str | None = None,
                      listener: NarrationListener | None = None, reuse: bool = True) -> Narration:
        """Make (or reuse) the narration of a story and return its record; the file is ``local_file``.

        ``provider``: None (ElevenLabs when configured, falling back to the offline voice), "elevenlabs",
        "piper", "espeak", or "offline" (the best offline voice for the story's language)."""
        listener = listener or NarrationListener()
        story = await self.library.get_story(story_id)
        if provider == RECORDING or (provider is None and voice is None and reuse):
            chosen = await self._playable_recording(story.id, required=provider == RECORDING)
            if chosen is not None:
                listener.started(chosen.provider, chosen.voice_id)
                listener.part(NarrationPart(0, Path(str(chosen.local_file)), 0.0, chosen.duration_s,
                                            chosen.timings, 0))
                return chosen
            if provider is None:  # the parent picked a synthesized narration: play that one (from the cache)
                provider, voice = await self._chosen_synthesized(story.id, provider, voice)
        sentences = await asyncio.to_thread(sentences_of, story.content)  # milliseconds for a long story
        if not sentences:
            raise ValidationError({"content": msg("narration.no_text")})
        plans = self._plans(story.language, provider, voice)

        fallback: str | None = None
        attempt = 0
        last_error: ProviderError | None = None
        for plan in plans:
            engine = None
            if plan.provider != NarrationProvider.ELEVENLABS:
                engine = await self._blocking(self._offline_voice, story.language, plan)
            key = self._key(story, plan, engine)
            if reuse:
                cached = await self._cached(story.id, key, len(story.content))
                if cached is not None:
                    log.info("Reusing the cached narration of %s", story.id)
                    listener.started(cached.provider, cached.voice_id)
                    if cached.fallback_reason and fallback is None:
                        listener.notice(cached.fallback_reason)
                    listener.part(NarrationPart(0, Path(str(cached.local_file)), 0.0, cached.duration_s,
                                                cached.timings, attempt))
                    return cached
            try:
                if engine is None:
                    made = await self._narrate_elevenlabs(story, sentences, plan, key, listener, attempt)
                else:
                    made = await self._narrate_offline(story, quick_start(story.content, sentences), engine, key,
                                                       listener, attempt)
            except ProviderError as exc:
                if plan.strict or plan is plans[-1]:
                    raise
                last_error = exc
                fallback = fallback_reason(exc)
                log.warning("ElevenLabs failed (%s); falling back to the offline voice", exc.user_message)
                listener.notice(fallback)
                attempt += 1
                continue
            problem = await self._blocking(audio_check.mp3_problem, made.audio, len(story.content))
            if problem is not None:  # never cache audio that does not play or cannot be this story
                error = BadResponse.of(_SERVICE_NAMES.get(made.provider, "The voice"), "narration.bad_audio",
                                       reason=problem, voice=_SERVICE_NAMES.get(made.provider, "The voice"))
                if plan.strict or plan is plans[-1]:
                    raise error
                last_error = error
                fallback = fallback_reason(error)
                listener.notice(fallback)
                attempt += 1
                continue
            return await self._save(story, key, made, fallback)
        assert last_error is not None
        raise last_error

    async def _narrate_elevenlabs(self, story: Story, sentences: list[Sentence], plan: _Plan, key: str,
                                  listener: NarrationListener, attempt: int) -> _Made:
        client = await asyncio.to_thread(self._eleven)  # the SDK import (0.2-0.5 s the first time) off the loop
        voice_id = plan.voice or ""
        try:
            return await self._eleven_chunks(client, story, sentences, voice_id, key, listener, attempt)
        except NotFoundError:
            if plan.voice_from == "argument":
                raise
            replacement = await client.pick_voice(story.language)
            if plan.voice_from == "settings":
                listener.notice(f"The ElevenLabs voice chosen in Settings no longer exists; used '{replacement}' "
                                "instead. Choose another voice in Settings.")
            log.info("ElevenLabs voice %s not found; using %s from the live list", voice_id, replacement)
            return await self._eleven_chunks(client, story, sentences, replacement, key, listener, attempt)

    async def _eleven_chunks(self, client: eleven.ElevenLabsVoice, story: Story, sentences: list[Sentence],
                             voice_id: str, key: str, listener: NarrationListener, attempt: int) -> _Made:
        listener.started(NarrationProvider.ELEVENLABS, voice_id)
        parts_dir = await self._parts_dir(story.id, key) if listener.on_part else None
        pieces: list[bytes] = []
        timings: list[dict[str, Any]] = []
        offset = 0.0
        done = 0
        async for chunk in client.speak(sentences, voice_id):
            pieces.append(chunk.audio)
            absolute = [{**t, "start": round(t["start"] + offset, 3), "end": round(t["end"] + offset, 3)}
                        for t in chunk.timings]
            timings.extend(absolute)
            if parts_dir is not None:
                path = await self._blocking(self.cache.write_part, parts_dir, f"{chunk.index:04d}.mp3",
                                               chunk.audio)
                listener.part(NarrationPart(chunk.index, path, offset, chunk.duration_s, absolute, attempt))
            offset += chunk.duration_s
            done += len(chunk.timings)
            listener.progress(done, len(sentences))
        return _Made(b"".join(pieces), NarrationProvider.ELEVENLABS, voice_id, offset, timings)

    async def _narrate_offline(self, story: Story, sentences: list[Sentence], engine: offline.OfflineVoice,
                               key: str, listener: NarrationListener, attempt: int) -> _Made:
        await self._blocking(engine.load)
        listener.started(engine.provider, engine.voice_id)
        parts_dir = await self._parts_dir(story.id, key) if listener.on_part else None
        encoder = _Mp3Encoder(engine.sample_rate)
        pause = offline.silence(offline.SENTENCE_PAUSE_S, engine.sample_rate)
        timings: list[dict[str, Any]] = []
        position = 0.0
        part_pcm: list[bytes] = []
        part_start = 0.0
        part_timings: list[dict[str, Any]] = []
        part_index = 0
        for number, sentence in enumerate(sentences):
            pcm = await self._blocking(engine.synthesize, sentence.text)
            seconds = len(pcm) / 2 / engine.sample_rate
            entry = timing(sentence, position, position + seconds)
            timings.append(entry)
            part_timings.append(entry)
            block = pcm + pause
            position += seconds + offline.SENTENCE_PAUSE_S
            await self._blocking(encoder.add, block)
            part_pcm.append(block)
            listener.progress(number + 1, len(sentences))
            last = number + 1 == len(sentences)
            if parts_dir is not None and (part_index == 0 or last or position - part_start >= PART_MIN_SECONDS):
                data = b"".join(part_pcm)
                wav = offline.wav_bytes(data, engine.sample_rate)
                path = await self._blocking(self.cache.write_part, parts_dir, f"{part_index:04d}.wav", wav)
                listener.part(NarrationPart(part_index, path, part_start, position - part_start, part_timings,
                                            attempt))
                part_index += 1
                part_pcm, part_timings, part_start = [], [], position
        audio = await self._blocking(encoder.finish)
        return _Made(audio, engine.provider, engine.voice_id, position, timings)

    async def _parts_dir(self, story_id: str, key: str) -> Path:
        return await self._blocking(self.cache.parts_dir, story_id, key)

    async def _save(self, story: Story, key: str, made: _Made, fallback: str | None) -> Narration:
        path = self.cache.path_for(story.id, key, "mp3")
        path, sha256, size = await self._blocking(self.cache.write, path, made.audio)
        narration = Narration(story_id=story.id, provider=made.provider, voice_id=made.voice_id,
                              language=story.language, format="mp3", local_file=str(path),
                              duration_s=round(made.duration_s, 3), size=size, sha256=sha256,
                              timings=made.timings, fallback_reason=fallback).validate()
        # One live synthesized narration per story; recordings are kept beside it (and beside each other).
        kept: list[Path] = [path]
        for old in await self.library.store.narrations_for(story.id):
            same_file = bool(old.local_file) and Path(str(old.local_file)) == path  # the same audio made again
            if not same_file and (old.provider == RECORDING or made.provider == RECORDING):
                if old.local_file:
                    kept.append(Path(old.local_file))
                continue
            await self.library.store.save_narration(old.touched(deleted_at=utc_now()))
        saved = await self.library.store.save_narration(narration)
        await self._blocking(self.cache.remove_except, story.id, kept)
        if made.provider == RECORDING:  # what the parent just recorded is what plays next
            await self.library.store.set_preferred_narration(story.id, saved.id)
        self.library.notify("narrations", [story.id])
        return saved

    # -- recordings and the parent's choice -------------------------------------------------------------------
    async def narrations(self, story_id: str) -> list[Narration]:
        """Every live narration of a story (synthesized and recorded), in the order they are tried for playing:
        the parent's choice, then recordings, then the rest, newest first."""
        return _play_order(await self.library.store.narrations_for(story_id), await self.preferred(story_id))

    async def preferred(self, story_id: str) -> str | None:
        """The id of the narration the parent chose to play for the story (None: the newest plays)."""
        return await self.library.store.preferred_narration(story_id)

    async def set_preferred(self, story_id: str, narration_id: str | None) -> None:
        """Choose which narration of the story plays (``None``: back to the newest one)."""
        if narration_id is not None and narration_id not in {
                n.id for n in await self.library.store.narrations_for(story_id)}:
            raise ValidationError({"narration": "This story has no such narration."})
        await self.library.store.set_preferred_narration(story_id, narration_id)
        self.library.notify("narrations", [story_id])

    async def recordings(self) -> list[tuple[Narration, str]]:
        """The family's recordings in the library whose audio is on this computer, with their story's title
        (samples for a family voice)."""
        found = []
        for narration, title in await self.library.store.recordings():
            if await self._blocking(self.cache.verified, narration.local_file, narration.sha256):
                found.append((narration, title))
        return found

    async def _chosen_synthesized(self, story_id: str, provider: str | None,
                                  voice: str | None) -> tuple[str | None, str | None]:
        """(provider, voice) that make the narration the parent chose again from the cache, when the choice is
        a synthesized narration whose file is here; else the arguments unchanged."""
        preferred = await self.preferred(story_id)
        chosen = next((n for n in await self.library.store.narrations_for(story_id) if n.id == preferred), None)
        if chosen is None or chosen.provider == RECORDING or not await self._blocking(
                self.cache.verified, chosen.local_file, chosen.sha256):
            return provider, voice
        if chosen.provider == NarrationProvider.ELEVENLABS:
            return chosen.provider, chosen.voice_id or None
        if chosen.provider == NarrationProvider.ESPEAK:
            return chosen.provider, chosen.voice_id or None
        return OFFLINE, None

    async def _playable_recording(self, story_id: str, *, required: bool) -> Narration | None:
        """The recording that plays: the chosen narration when it is a recording, or with no (live) choice the
        newest recording whose file is here or can be downloaded (a grandparent's recording synced from their
        computer plays on the child's). With ``required`` a recording even when another narration was chosen,
        or a clear error when there is none. ``None``: play a synthesized narration."""
        live = await self.library.store.narrations_for(story_id)
        preferred = await self.preferred(story_id)
        chosen = preferred if preferred in {n.id for n in live} else None
        recordings = [n for n in _play_order(live, chosen) if n.provider == RECORDING]
        if not required and chosen is not None:
            recordings = [n for n in recordings if n.id == chosen]
        for narration in recordings:
            if await self._blocking(self.cache.verified, narration.local_file, narration.sha256):
                return narration
            if narration.remote_path and self.fetch_remote is not None:
                try:
                    narration.local_file = str(await self.fetch_remote(narration.id))
                except ProviderError as exc:
                    log.info("Synced recording %s not downloaded: %s", narration.id, exc.user_message)
                    continue
                return narration
        if required:
            raise ValidationError({"provider": "This story has no recording yet: attach one with "
                                               "--from-recording."})
        return None

    async def narrate_recording(self, story_id: str, source: Path | str, *, speaker: str = "",
                                listener: NarrationListener | None = None) -> Narration:
        """A family member's recording (m4a, mp3, wav, ogg, opus...) becomes a narration of the story (provider
        ``recording``) in the cache's format (MP3), with read-along timings from forced alignment: ElevenLabs'
        when a key is set, otherwise offline on this machine. It is kept beside the other narrations and
        becomes the one that plays."""
        from tale_desktop.providers import audio_files  # numpy and PyAV: only when a recording is imported

        listener = listener or NarrationListener()
        story = await self.library.get_story(story_id)
        sentences = await asyncio.to_thread(sentences_of, story.content)  # milliseconds for a long story
        if not sentences:
            raise ValidationError({"content": "This story has no text to line the recording up with."})
        source = Path(source).expanduser()
        listener.started(RECORDING, speaker)
        rate = audio_files.CACHE_SAMPLE_RATE
        samples = await self._blocking(audio_files.decode, source, rate)
        samples = await self._blocking(audio_files.peak_normalised, samples)
        audio = await self._blocking(audio_files.encode_mp3, samples, rate)
        duration = await self._blocking(eleven.mp3_duration, audio) or len(samples) / rate
        timings = await self._recording_timings(story, sentences, audio, samples, rate, duration, listener)
        key = cache_key(story.content, RECORDING, speaker, {"sha256": hashlib.sha256(audio).hexdigest()})
        made = _Made(audio, RECORDING, speaker, duration, timings)
        return await self._save(story, key, made, None)

    async def _recording_timings(self, story: Story, sentences: list[Sentence], audio: bytes, samples: Any,
                                 rate: int, duration: float, listener: NarrationListener) -> list[dict[str, Any]]:
        from tale_desktop.services import recording_alignment

        if self.settings.elevenlabs_configured:
            from tale_desktop.providers.elevenlabs_voices import ElevenLabsVoiceLab

            try:
                lab = ElevenLabsVoiceLab(await asyncio.to_thread(self._eleven))  # the SDK import off the loop
                result = await lab.align(audio, recording_alignment.alignment_text(sentences))
                return await self._blocking(recording_alignment.timings_from_characters, sentences, result,
                                            duration)
            except ProviderError as exc:
                log.warning("ElevenLabs forced alignment failed (%s); aligning offline", exc.user_message)
                listener.notice(f"{exc.user_message} The recording was lined up with the text on this computer "
                                "instead.")
        engine = await self._blocking(self._offline_voice, story.language, _Plan(OFFLINE))
        if isinstance(engine, offline.PiperVoice):  # the normal pace synthesizes ~1.3x faster and aligns as well
            engine = offline.PiperVoice(engine.model_path, length_scale=recording_alignment.PIPER_LENGTH_SCALE)
        return await self._blocking(recording_alignment.offline_timings, samples, rate, sentences, engine)

    # -- export --------------------------------------------------------------------------------------------------
    async def current_narration(self, story_id: str) -> Narration:
        """The narration of the story's current text, narrating it first when there is none (or it is stale)."""
        narration = await self.latest(story_id)
        story = await self.library.get_story(story_id)
        if narration is None or not await self._matches_text(story, narration):
            narration = await self.narrate(story_id)
        return narration

    async def export_mp3(self, story_id: str, out_path: Path, *, cover: bytes | None = None) -> Path:
        """Write the story's narration as an MP3 at ``out_path`` (narrating it first when needed), with ID3 tags
        (title, the child's name, "Tale Desktop", language, ``cover`` as the picture when given)."""
        narration = await self.current_narration(story_id)
        story = await self.library.get_story(story_id)
        source = Path(str(narration.local_file))
        out_path = Path(out_path).expanduser()

        def tag(temp: Path) -> None:
            tag_mp3(temp, title=story.title, child_name=story.child_name, language=story.language, cover=cover)

        await self._blocking(_copy_atomically, source, out_path, narration.sha256, tag)
        return out_path

    async def _matches_text(self, story: Story, narration: Narration) -> bool:
        """The narration was made from the story's current text (its cache key is one of today's keys)."""
        if narration.provider == RECORDING:  # a family member's reading is the story, whatever its cache key
            return True
        stem = Path(str(narration.local_file)).stem
        for plan in self._plans(story.language, None, None) + [_Plan(NarrationProvider.PIPER),
                                                                _Plan(NarrationProvider.ESPEAK)]:
            try:
                engine = (None if plan.provider == NarrationProvider.ELEVENLABS
                          else await self._blocking(self._offline_voice, story.language, plan))
            except ProviderError:
                continue
            if self._key(story, plan, engine) == stem:
                return True
        return False


def _play_order(narrations: list[Narration], preferred: str | None) -> list[Narration]:
    """The parent's choice first, then recordings, then the others; newest first within each (stable sort)."""
    return sorted(narrations, key=lambda n: (n.id != preferred, n.provider != RECORDING))


async def _until_done(jobs: list[concurrent.futures.Future[Any]], deadline: float) -> None:
    while any(not job.done() for job in jobs) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _copy_atomically(source: Path, target: Path, sha256: str,
                     finish: Callable[[Path], None] | None = None) -> None:
    if not target.parent.is_dir():
        raise AudioCacheError(f"The folder {target.parent} does not exist.")
    handle, temp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".mp3", dir=target.parent)
    temp = Path(temp_name)
    try:
        with open(handle, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out)
        if sha256 and file_sha256(temp) != sha256:
            raise AudioCacheError("The narration changed while it was being exported. Try again.")
        if finish is not None:
            finish(temp)
        os.chmod(temp, public_mode())  # an export is an ordinary file (mkstemp made it private)
        temp.replace(target)
    except OSError as exc:
        raise AudioCacheError(f"The MP3 could not be written to {target} "
                              f"({exc.strerror or type(exc).__name__}).") from exc
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


class _Mp3Encoder:
    """Incremental MP3 encoding with LAME (lameenc), fed sentence by sentence."""

    def __init__(self, sample_rate: int):
        import lameenc

        self._encoder = lameenc.Encoder()
        self._encoder.set_channels(1)
        self._encoder.set_in_sample_rate(sample_rate)
        self._encoder.set_bit_rate(MP3_BITRATE_KBPS)
        self._encoder.set_quality(5)
        self._out: list[bytes] = []

    def add(self, pcm: bytes) -> None:
        self._out.append(bytes(self._encoder.encode(pcm)))

    def finish(self) -> bytes:
        self._out.append(bytes(self._encoder.flush()))
        return b"".join(self._out)
