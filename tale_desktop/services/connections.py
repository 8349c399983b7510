"""Live checks behind the Settings "Test" buttons: one small real request per outside service.

Each check is the provider's own ``check()`` (the real SDK on the shared pooled ``httpx.AsyncClient``, the shared
error mapping of ``providers/http.py``) with the values typed in the dialog, not yet saved. It returns a short
success sentence or raises a typed :mod:`tale_desktop.providers.errors` error whose ``user_message`` says what
went wrong and what to do next. No Qt here (the dialog calls these services only); keys never appear in messages
or logs.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tale_desktop.providers.errors import NotConfigured
from tale_desktop.providers.http import DEFAULT_POLICY, NetPolicy

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

LLM, ELEVENLABS, SUPABASE = "Story service", "ElevenLabs", "Supabase"
# A Test button answers quickly: one try, the usual connect wait, a shorter read wait.
CHECK_POLICY = NetPolicy(connect_s=DEFAULT_POLICY.connect_s, read_s=15.0, attempts=1)


@dataclass(frozen=True, slots=True)
class CheckResult:
    service: str
    message: str


def is_openrouter(base_url: str) -> bool:
    host = (urlsplit(base_url).hostname or "").lower()
    return host == "openrouter.ai" or host.endswith(".openrouter.ai")


async def check_llm(http: httpx.AsyncClient, base_url: str, api_key: str, *,
                    openrouter: bool | None = None) -> CheckResult:
    """OpenRouter: ``GET /key`` (needs a valid key); other OpenAI-compatible servers: list the models."""
    from tale_desktop.providers.llm import LLMClient, LLMConfig  # check() imports openai in a worker thread

    base_url = base_url.strip().rstrip("/")
    if not base_url:
        raise NotConfigured(LLM, "The story service has no base URL. Enter one in Settings.",
                            code="llm.no_base_url")
    client = LLMClient(http, LLMConfig(base_url=base_url, api_key=api_key, policy=CHECK_POLICY))
    return CheckResult(LLM, await client.check(openrouter=openrouter))


async def check_elevenlabs(http: httpx.AsyncClient, base_url: str, api_key: str) -> CheckResult:
    """List the voices the key can use."""
    from tale_desktop.providers.elevenlabs import ElevenLabsVoice

    if not api_key:
        raise NotConfigured(ELEVENLABS, "ElevenLabs: no API key is set. Paste your key in Settings.",
                            code="elevenlabs.not_configured")
    # Built in a worker thread: the first one imports the SDK (0.3-0.5 s), which must not stall the loop.
    voice = await asyncio.to_thread(ElevenLabsVoice, api_key, base_url.strip(), http, policy=CHECK_POLICY)
    return CheckResult(ELEVENLABS, await voice.check())


async def check_supabase(http: httpx.AsyncClient, url: str, anon_key: str) -> CheckResult:
    """``GET {url}/auth/v1/health`` with the anon key: proves the project URL and the key."""
    from tale_desktop.providers import supabase

    return CheckResult(SUPABASE, await supabase.check(http, url, anon_key))
