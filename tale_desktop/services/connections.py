"""Live checks behind the Settings "Test" buttons: one small real request per outside service.

Each check uses the service's real SDK on the shared pooled ``httpx.AsyncClient`` and either returns a short
success sentence or raises a typed :mod:`tale_desktop.providers.errors` error whose ``user_message`` says what
went wrong and what to do next. No Qt here; keys never appear in messages or logs.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import sys
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from tale_desktop.providers.errors import (
    AuthError,
    BadResponse,
    NotConfigured,
    NotFoundError,
    ProviderError,
    QuotaError,
    RateLimited,
    Unavailable,
)

log = logging.getLogger(__name__)


async def _sdk_module(name: str) -> Any:
    """Import an SDK in a worker thread (its first import takes 0.3-0.5 s), not on the event loop thread."""
    return sys.modules.get(name) or await asyncio.to_thread(importlib.import_module, name)

CHECK_TIMEOUT_S = 15.0
LLM, ELEVENLABS, SUPABASE = "LLM", "ElevenLabs", "Supabase"


@dataclass(frozen=True, slots=True)
class CheckResult:
    service: str
    message: str


def is_openrouter(base_url: str) -> bool:
    host = (urlsplit(base_url).hostname or "").lower()
    return host == "openrouter.ai" or host.endswith(".openrouter.ai")


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _unreachable(service: str, url: str, exc: BaseException) -> Unavailable:
    return Unavailable(
        service,
        f"{service}: cannot reach {_host(url)} ({type(exc).__name__}). Check the URL in Settings or your network.",
    )


def _status_error(service: str, status: int, detail: str, *, key_hint: str) -> ProviderError:
    """Map an HTTP status from a check to the typed error with the parent's next step."""
    detail = f" ({detail})" if detail else ""
    if status == 401:
        return AuthError(service, f"{service} refused the key{detail}: check the {key_hint} in Settings.",
                         status=status)
    if status == 402:
        return QuotaError(service, f"{service} says the credits are used up{detail}: top up the account.",
                          status=status)
    if status == 403:
        return AuthError(service, f"{service} refused access{detail}: check the {key_hint} and its permissions "
                                  "in Settings.", status=status)
    if status == 404:
        return NotFoundError(service, f"{service} answered 404 Not Found{detail}: check the base URL in Settings.",
                             status=status)
    if status == 429:
        return RateLimited(service, f"{service} is limiting requests right now{detail}: try again in a minute.")
    if status >= 500:
        return Unavailable(service, f"{service} has a server problem (HTTP {status}){detail}: try again later.",
                           status=status)
    return BadResponse(service, f"{service} answered HTTP {status}{detail}: check the URL in Settings.",
                       status=status)


def _detail_from_body(body: Any, secret: str = "") -> str:
    """A short explanation from an error body (JSON dicts of the usual shapes), with the key blanked out."""
    if isinstance(body, dict):
        for path in (("error", "message"), ("detail", "message"), ("message",), ("msg",), ("error",),
                     ("detail",)):
            value: Any = body
            for part in path:
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, str) and value.strip():
                text = value.strip()
                if secret and len(secret) >= 4:
                    text = text.replace(secret, "…")
                return text[:160]
    return ""


def _looks_like_json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        return None


# -- LLM (OpenAI-compatible) ----------------------------------------------------------------------------------------
async def check_llm(http: httpx.AsyncClient, base_url: str, api_key: str, *,
                    openrouter: bool | None = None) -> CheckResult:
    """OpenRouter: ``GET /key`` (needs a valid key); other OpenAI-compatible servers: list the models."""
    openai = await _sdk_module("openai")

    base_url = base_url.strip().rstrip("/")
    if not base_url:
        raise NotConfigured(LLM, "LLM: no base URL is set. Enter one in Settings.")
    use_key_endpoint = is_openrouter(base_url) if openrouter is None else openrouter
    if use_key_endpoint and not api_key:
        raise NotConfigured(LLM, "LLM: no API key is set. Paste your OpenRouter key in Settings.")
    client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key or "no-key", http_client=http,
                                max_retries=1, timeout=CHECK_TIMEOUT_S)
    try:
        if use_key_endpoint:
            data = await client.get("/key", cast_to=object)
            info = data.get("data") if isinstance(data, dict) else None
            if not isinstance(info, dict):
                raise BadResponse(LLM, f"LLM: {_host(base_url)} did not answer like OpenRouter: "
                                       "check the base URL in Settings.")
            label = info.get("label") or "your key"
            remaining = info.get("limit_remaining")
            extra = f", {remaining:.2f} credits left" if isinstance(remaining, int | float) else ""
            return CheckResult(LLM, f"Connected to OpenRouter: {label} works{extra}.")
        page = await client.models.list()
        models = [m.id for m in page.data if getattr(m, "id", None)]
        if not models:
            return CheckResult(LLM, f"Connected to {_host(base_url)}, but it offers no models.")
        return CheckResult(LLM, f"Connected to {_host(base_url)}: {len(models)} model"
                                f"{'s' if len(models) != 1 else ''} available.")
    except ProviderError:
        raise
    except openai.APIStatusError as exc:
        body = exc.body if exc.body is not None else _looks_like_json(exc.response.text)
        raise _status_error(LLM, exc.status_code, _detail_from_body(body, api_key),
                            key_hint="LLM API key") from exc
    except (openai.APIConnectionError, httpx.TransportError) as exc:
        raise _unreachable(LLM, base_url, exc) from exc
    except (openai.APIResponseValidationError, ValueError, TypeError, AttributeError) as exc:
        raise BadResponse(LLM, f"LLM: {_host(base_url)} answered with something that is not an OpenAI-compatible "
                               "API: check the base URL in Settings.") from exc


# -- ElevenLabs -----------------------------------------------------------------------------------------------------
async def check_elevenlabs(http: httpx.AsyncClient, base_url: str, api_key: str) -> CheckResult:
    """List the voices the key can use."""
    await _sdk_module("elevenlabs.client")
    from elevenlabs.client import AsyncElevenLabs
    from elevenlabs.core.api_error import ApiError

    base_url = base_url.strip().rstrip("/")
    if not api_key:
        raise NotConfigured(ELEVENLABS, "ElevenLabs: no API key is set. Paste your key in Settings.")
    client = AsyncElevenLabs(api_key=api_key, base_url=base_url, httpx_client=http, timeout=CHECK_TIMEOUT_S)
    try:
        response = await client.voices.get_all(request_options={"max_retries": 1})
    except ApiError as exc:
        status = exc.status_code or 0
        body = exc.body
        if status < 400:  # a 2xx body that is not JSON: some other web server
            raise BadResponse(ELEVENLABS, f"ElevenLabs: {_host(base_url)} answered with something that is not "
                                          "the ElevenLabs API: check the base URL in Settings.") from exc
        detail = body.get("detail") if isinstance(body, dict) else None
        if status == 401 and isinstance(detail, dict) and detail.get("status") == "quota_exceeded":
            raise QuotaError(ELEVENLABS, "ElevenLabs: the character quota is used up. Top up the plan, or use "
                                         "the offline voice meanwhile.", status=status) from exc
        raise _status_error(ELEVENLABS, status, _detail_from_body(body, api_key),
                            key_hint="ElevenLabs API key") from exc
    except httpx.TransportError as exc:
        raise _unreachable(ELEVENLABS, base_url, exc) from exc
    except (ValueError, TypeError) as exc:
        raise BadResponse(ELEVENLABS, f"ElevenLabs: {_host(base_url)} sent an answer that could not be read: "
                                      "check the base URL in Settings.") from exc
    voices = list(getattr(response, "voices", None) or [])
    return CheckResult(ELEVENLABS, f"Connected to ElevenLabs: {len(voices)} voice{'s' if len(voices) != 1 else ''} "
                                   "available.")


# -- Supabase -------------------------------------------------------------------------------------------------------
async def check_supabase(http: httpx.AsyncClient, url: str, anon_key: str) -> CheckResult:
    """``GET {url}/auth/v1/health`` with the anon key: proves the project URL and the key."""
    url = url.strip().rstrip("/")
    if not url or not anon_key:
        raise NotConfigured(SUPABASE, "Supabase: enter the project URL and the anon key in Settings.")
    if urlsplit(url).scheme not in ("http", "https"):
        raise NotConfigured(SUPABASE, "Supabase: the project URL must start with https:// "
                                      "(e.g. https://abcd.supabase.co).")
    try:
        response = await http.get(f"{url}/auth/v1/health", timeout=CHECK_TIMEOUT_S,
                                  headers={"apikey": anon_key, "Authorization": f"Bearer {anon_key}"})
    except httpx.TransportError as exc:
        raise _unreachable(SUPABASE, url, exc) from exc
    body = _looks_like_json(response.text)
    if response.status_code != 200:
        raise _status_error(SUPABASE, response.status_code, _detail_from_body(body, anon_key),
                            key_hint="Supabase anon key")
    if not isinstance(body, dict) or not any(k in body for k in ("version", "name", "description")):
        raise BadResponse(SUPABASE, f"Supabase: {_host(url)} did not answer like a Supabase project: "
                                    "check the project URL in Settings.")
    version = body.get("version")
    return CheckResult(SUPABASE, f"Connected to Supabase at {_host(url)}"
                                 f"{f' (auth {version})' if version else ''}.")
