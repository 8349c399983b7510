"""The story model: any OpenAI-compatible endpoint (OpenRouter by default, also Ollama or LM Studio by base URL).

Uses the ``openai`` SDK on our pooled ``httpx.AsyncClient``. The SDK retries 429/5xx/connection errors and
honours ``Retry-After``; everything that still fails becomes one of our typed :mod:`providers.errors` with the
parent's next step. A fallback list of models is tried in order when a model is unknown or unavailable before any
text arrived. OpenRouter extras: ``HTTP-Referer``/``X-Title`` headers, ``GET /generation?id=`` stats, ``GET /key``.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import httpx
    from openai import AsyncOpenAI

from tale_desktop import APP_TITLE
from tale_desktop.providers.errors import (
    BadResponse,
    NotConfigured,
    NotFoundError,
    ProviderError,
    QuotaError,
    RateLimited,
    TimedOut,
    Unavailable,
)
from tale_desktop.providers.http import (
    DEFAULT_POLICY,
    READ_PACE,
    NetPolicy,
    ServiceRef,
    detail_from_body,
    error_for_transport,
    retry_after_seconds,
)
from tale_desktop.providers.http import error_for_status as shared_status_error

log = logging.getLogger(__name__)


def _openai() -> ModuleType:
    """The ``openai`` SDK, imported on first use: it costs ~0.5 s and ~48 MB, which neither the CLI's listing
    commands nor the window's first paint should pay. Call :func:`load_sdk` first from async code, so the import
    runs in a worker thread rather than on the event loop thread."""
    return sys.modules.get("openai") or importlib.import_module("openai")


_sdk_ready = False  # set once an import of the SDK has finished (it is in sys.modules while it is being imported)


async def load_sdk() -> None:
    """Import the SDK in a worker thread (once); afterwards :func:`_openai` is a dictionary lookup.

    Two stories started together both wait for the one import (another thread's import of a module blocks
    ``import_module`` until it is done): seeing the module in ``sys.modules`` is not enough, it is there half made
    while the first thread imports it."""
    global _sdk_ready
    if not _sdk_ready:
        await asyncio.to_thread(importlib.import_module, "openai")
        _sdk_ready = True


SERVICE = "Story service"  # ProviderError.service (code prefix "llm")
SERVICE_NAME = "The story service"  # how sentences name it
APP_URL = "https://github.com/tale-desktop/tale-desktop"
NO_KEY_PLACEHOLDER = "no-key"  # local servers need no key, but the SDK wants a non-empty string


@dataclass(frozen=True, slots=True)
class LLMConfig:
    base_url: str
    api_key: str = ""
    model: str = "openai/gpt-4o-mini"
    fallback_models: tuple[str, ...] = ()
    max_retries: int | None = None  # None: the shared policy's (providers/http.py NetPolicy)
    policy: NetPolicy = DEFAULT_POLICY

    @property
    def retries(self) -> int:
        return self.policy.retries if self.max_retries is None else self.max_retries

    @property
    def is_openrouter(self) -> bool:
        host = (urlsplit(self.base_url).hostname or "").lower()
        return host == "openrouter.ai" or host.endswith(".openrouter.ai")

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc or self.base_url

    def models(self, first: str | None = None) -> list[str]:
        ordered = [first or self.model, *self.fallback_models]
        return list(dict.fromkeys(m for m in ordered if m))


@dataclass(slots=True)
class ChatResult:
    text: str = ""
    model: str = ""
    generation_id: str | None = None
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: float | None = None
    provider_name: str | None = None
    first_token_ms: int | None = None
    total_ms: int | None = None
    tried_models: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    name: str = ""
    context_length: int | None = None
    prompt_price: str | None = None
    completion_price: str | None = None


class StreamFailed(ProviderError):
    """A stream broke after text had arrived; ``partial`` holds what came (the caller keeps it as a draft)."""

    def __init__(self, cause: ProviderError, partial: str):
        super().__init__(cause.service, cause.user_message, status=cause.status, code=cause.code,
                         params=cause.params)
        self.cause = cause
        self.partial = partial


def service_ref(config: LLMConfig) -> ServiceRef:
    return ServiceRef("llm", SERVICE_NAME, config.base_url, "OpenRouter API key")


def suggested_base_url(base_url: str) -> str | None:
    """``http://host:8765`` -> ``http://host:8765/v1`` when the path has no ``/v1`` part (else ``None``)."""
    parts = urlsplit(base_url.strip())
    if not parts.scheme or not parts.netloc:
        return None
    segments = [p for p in parts.path.split("/") if p]
    if any(seg.lower() in ("v1", "v1beta", "v2", "v3") for seg in segments):
        return None
    path = "/".join([*segments, "v1"])
    return f"{parts.scheme}://{parts.netloc}/{path}"


def _error_detail(exc: Any) -> str:
    body = exc.body
    if isinstance(body, dict):
        message = body.get("message") or body.get("error") or ""
        if isinstance(message, dict):
            message = message.get("message", "")
        return str(message)[:300]
    return str(exc.message or "")[:300]


def error_for_status(status: int, detail: str, retry_after_header: str | None, config: LLMConfig,
                     model: str) -> ProviderError:
    """The story service's HTTP errors: the shared mapping, plus the two cases only it has (a wrong base URL, an
    unknown model)."""
    service = service_ref(config)
    if status == 404 or (status in (400, 422) and "model" in detail.lower()):
        suggestion = suggested_base_url(config.base_url) if status == 404 else None
        if suggestion:
            return NotFoundError.of(SERVICE, "llm.base_url", status=status, base_url=config.base_url,
                                    suggested=suggestion, host=service.host)
        if model != "-":
            return NotFoundError.of(SERVICE, "llm.model_not_found", status=status, model=model, host=service.host)
    retry_after = retry_after_seconds({"retry-after": retry_after_header} if retry_after_header else None)
    return shared_status_error(service, status, detail=detail, retry_after=retry_after)


def translate_error(exc: BaseException, config: LLMConfig, model: str, *,
                    policy: NetPolicy | None = None) -> ProviderError:
    """Map an SDK exception to our typed error with the parent's next step."""
    service = service_ref(config)
    if isinstance(exc, ProviderError):
        return exc
    import httpx  # loaded with the client that failed

    openai = _openai()
    if isinstance(exc, openai.APITimeoutError):
        return error_for_transport(service, exc, policy=policy)
    if isinstance(exc, openai.APIConnectionError):
        return error_for_transport(service, exc.__cause__ or exc, policy=policy)
    if isinstance(exc, httpx.TransportError):
        return error_for_transport(service, exc, policy=policy)
    if isinstance(exc, openai.APIStatusError):
        return error_for_status(exc.status_code, _error_detail(exc), exc.response.headers.get("retry-after"),
                                config, model)
    if isinstance(exc, openai.APIError):  # an error event inside a 200 stream
        body = exc.body if isinstance(exc.body, dict) else {}
        code = body.get("code")
        detail = _error_detail(exc)
        if code == 402:
            return QuotaError.of(SERVICE, "llm.stream_quota", status=402)
        if code == 429:
            return RateLimited.of(SERVICE, "llm.stream_busy")
        return Unavailable.of(SERVICE, "llm.stream_error", status=code if isinstance(code, int) else None,
                              detail=detail or "no details")
    if isinstance(exc, json.JSONDecodeError | ValueError | TypeError | KeyError | AttributeError):
        return BadResponse.of(SERVICE, "llm.not_openai", host=service.host)
    return Unavailable(SERVICE, f"The story service failed unexpectedly ({type(exc).__name__}).",
                       code="llm.unexpected")


class LLMClient:
    """One configured endpoint. Cheap to create: it reuses the shared ``httpx.AsyncClient``."""

    def __init__(self, http: httpx.AsyncClient, config: LLMConfig):
        self.http = http
        self.config = config
        self._sdk: AsyncOpenAI | None = None  # made on first use (see load_sdk), with the shared waits

    @property
    def sdk(self) -> AsyncOpenAI:
        if self.config.is_openrouter and not self.config.api_key:
            raise NotConfigured.of(SERVICE, "llm.not_configured")
        if self._sdk is None:
            config = self.config
            self._sdk = _openai().AsyncOpenAI(
                api_key=config.api_key or NO_KEY_PLACEHOLDER, base_url=config.base_url, http_client=self.http,
                max_retries=config.retries, timeout=config.policy.timeout(),
                default_headers={"HTTP-Referer": APP_URL, "X-Title": APP_TITLE},
            )
        return self._sdk

    def _headers(self) -> dict[str, str]:
        headers = {"HTTP-Referer": APP_URL, "X-Title": APP_TITLE}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        return headers

    # -- chat ---------------------------------------------------------------------------------------------------
    async def stream_chat(self, messages: list[dict[str, str]], on_text: Callable[[str], None], *,
                          model: str | None = None, temperature: float = 0.8,
                          max_tokens: int | None = None) -> ChatResult:
        """Stream an answer, calling ``on_text(delta)`` for each piece; falls back through the model list. A story
        read in gulps (``READ_PACE``) gets the pieces of each read in one call.

        A model that is unknown or unavailable before any text arrived is skipped for the next one; an error after
        text arrived raises :class:`StreamFailed` carrying the partial text.
        """
        await load_sdk()
        sdk = self.sdk
        last_error: ProviderError | None = None
        tried: list[str] = []
        loop = asyncio.get_running_loop()
        pace = READ_PACE.get()
        held: list[str] = []  # pieces of a story read in gulps, handed on together (see below)

        def hand_on() -> None:
            if held:
                text = "".join(held)
                held.clear()
                on_text(text)

        for candidate in self.config.models(model):
            tried.append(candidate)
            result = ChatResult(model=candidate, tried_models=tried)
            started = time.monotonic()
            parts: list[str] = []
            try:
                # The SDK's own request path (auth, headers, retries honouring Retry-After, SSE decoding, error
                # events, status errors) with chunks left as plain dicts: building a pydantic model per token
                # costs ~0.1-0.3 ms, which adds up to a busy event loop when ten stories stream at once.
                body: dict[str, Any] = {"model": candidate, "messages": messages, "stream": True,
                                        "stream_options": {"include_usage": True}, "temperature": temperature}
                if max_tokens:
                    body["max_tokens"] = max_tokens
                stream = await sdk.post("/chat/completions", body=body, cast_to=object, stream=True,
                                        stream_cls=_openai().AsyncStream[object])
                try:
                    async for chunk in stream:
                        if not isinstance(chunk, dict):
                            raise BadResponse.of(SERVICE, "llm.not_openai", host=self.config.host)
                        self._absorb(chunk, result)
                        for choice in chunk.get("choices") or ():
                            delta = (choice.get("delta") or {}).get("content")
                            if delta:
                                if result.first_token_ms is None:
                                    result.first_token_ms = int((time.monotonic() - started) * 1000)
                                parts.append(delta)
                                if pace is not None and pace() > 0:
                                    # Read in gulps (nobody watches this story): the pieces of one read are
                                    # handed on as one, once the read is used up and the task waits again.
                                    if not held:
                                        loop.call_soon(hand_on)
                                    held.append(delta)
                                else:
                                    hand_on()
                                    on_text(delta)
                            if choice.get("finish_reason"):
                                result.finish_reason = choice["finish_reason"]
                finally:
                    hand_on()  # nothing held back: the text so far reaches the story (its draft) whatever happens
                    await stream.close()
            except Exception as exc:  # noqa: BLE001 - every failure becomes a typed error
                error = translate_error(exc, self.config, candidate, policy=self.config.policy)
                if parts:
                    import httpx  # loaded with the shared client

                    if isinstance(exc, _openai().APIConnectionError | httpx.TransportError) and not isinstance(
                            error, TimedOut):
                        error = Unavailable.of(SERVICE, "llm.stream_cut", host=self.config.host)
                    raise StreamFailed(error, "".join(parts)) from exc
                log.info("Model %s failed: %s", candidate, error.user_message)
                last_error = error
                if _worth_next_model(error):
                    continue
                raise error from exc
            result.text = "".join(parts)
            result.total_ms = int((time.monotonic() - started) * 1000)
            if not result.text.strip():
                last_error = BadResponse.of(SERVICE, "llm.no_text", host=self.config.host)
                continue
            return result
        assert last_error is not None
        raise last_error

    @staticmethod
    def _absorb(chunk: dict[str, Any], result: ChatResult) -> None:
        if chunk.get("id") and not result.generation_id:
            result.generation_id = str(chunk["id"])
        if chunk.get("provider") and not result.provider_name:
            result.provider_name = str(chunk["provider"])
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            result.prompt_tokens = usage.get("prompt_tokens")
            result.completion_tokens = usage.get("completion_tokens")
            if isinstance(usage.get("cost"), int | float):
                result.cost = float(usage["cost"])

    async def complete(self, messages: list[dict[str, str]], *, model: str | None = None,
                       json_mode: bool = False, temperature: float = 0.3, max_tokens: int = 600) -> ChatResult:
        """A short non-streaming answer (review, summary), with the same fallback list."""
        await load_sdk()
        sdk = self.sdk
        last_error: ProviderError | None = None
        for candidate in self.config.models(model):
            started = time.monotonic()
            try:
                response = await sdk.chat.completions.create(
                    model=candidate, messages=messages, temperature=temperature, max_tokens=max_tokens,
                    **({"response_format": {"type": "json_object"}} if json_mode else {}),
                )
                if isinstance(response, str) or not response.choices:
                    raise BadResponse.of(SERVICE, "llm.not_openai", host=self.config.host)
                text = response.choices[0].message.content or ""
            except Exception as exc:  # noqa: BLE001
                error = translate_error(exc, self.config, candidate, policy=self.config.policy)
                last_error = error
                if _worth_next_model(error):
                    continue
                raise error from exc
            result = ChatResult(text=text, model=candidate, generation_id=response.id,
                                finish_reason=response.choices[0].finish_reason,
                                total_ms=int((time.monotonic() - started) * 1000))
            if response.usage is not None:
                result.prompt_tokens = response.usage.prompt_tokens
                result.completion_tokens = response.usage.completion_tokens
            return result
        assert last_error is not None
        raise last_error

    # -- models, key, generation stats ---------------------------------------------------------------------------
    async def list_models(self) -> list[ModelInfo]:
        """Models for the Settings picker (``GET /models``); typing an id by hand still works."""
        await load_sdk()
        try:
            page = await self.sdk.models.list()
            out = []
            async for item in page:
                extra = item.model_extra or {}
                pricing = extra.get("pricing") or {}
                out.append(ModelInfo(id=item.id, name=str(extra.get("name") or ""),
                                     context_length=extra.get("context_length"),
                                     prompt_price=pricing.get("prompt"), completion_price=pricing.get("completion")))
        except Exception as exc:  # noqa: BLE001
            raise translate_error(exc, self.config, "-", policy=self.config.policy) from exc
        return sorted(out, key=lambda m: m.id)

    async def check_key(self) -> dict[str, Any]:
        """OpenRouter ``GET /key`` (label, usage, limit); servers without it: listing the models is the check."""
        await load_sdk()
        self.sdk  # noqa: B018 - raises NotConfigured without a key
        response = await self._get("/key")
        if response.status_code == 404 and not self.config.is_openrouter:
            models = await self.list_models()
            return {"label": f"{len(models)} models at {self.config.host}"}
        if response.status_code != 200:
            raise self._status_error(response)
        return dict(self._json(response).get("data") or {})

    async def check(self, *, openrouter: bool | None = None) -> str:
        """The Settings "Test": OpenRouter ``GET /key`` (needs a valid key); other OpenAI-compatible servers list
        their models. Returns a short success sentence; failures raise the typed errors."""
        use_key_endpoint = self.config.is_openrouter if openrouter is None else openrouter
        if use_key_endpoint and not self.config.api_key:
            raise NotConfigured.of(SERVICE, "llm.not_configured")
        await load_sdk()
        openai = _openai()
        sdk = self._sdk or openai.AsyncOpenAI(api_key=self.config.api_key or NO_KEY_PLACEHOLDER,
                                              base_url=self.config.base_url, http_client=self.http,
                                              max_retries=self.config.retries,
                                              timeout=self.config.policy.timeout())
        try:
            if use_key_endpoint:
                data = await sdk.get("/key", cast_to=object)
                info = data.get("data") if isinstance(data, dict) else None
                if not isinstance(info, dict):
                    raise BadResponse.of(SERVICE, "llm.not_openai", host=self.config.host)
                label = info.get("label") or "your key"
                remaining = info.get("limit_remaining")
                extra = f", {remaining:.2f} credits left" if isinstance(remaining, int | float) else ""
                return f"Connected to OpenRouter: {label} works{extra}."
            page = await sdk.models.list()
            models = [m.id for m in page.data if getattr(m, "id", None)]
        except openai.APIStatusError as exc:
            body = exc.body if exc.body is not None else _json_or_none(exc.response.text)
            detail = detail_from_body(body, self.config.api_key)
            raise error_for_status(exc.status_code, detail, exc.response.headers.get("retry-after"),
                                   self.config, "-") from exc
        except (openai.APIResponseValidationError, ValueError, TypeError, AttributeError) as exc:
            raise BadResponse.of(SERVICE, "llm.not_openai", host=self.config.host) from exc
        except Exception as exc:  # noqa: BLE001 - every failure becomes a typed error
            raise translate_error(exc, self.config, "-", policy=self.config.policy) from exc
        if not models:
            return f"Connected to {self.config.host}, but it offers no models."
        return f"Connected to {self.config.host}: {len(models)} model{'s' if len(models) != 1 else ''} available."

    async def generation_stats(self, generation_id: str) -> dict[str, Any] | None:
        """OpenRouter ``GET /generation?id=``: the data, or ``None`` while it answers 404 (not ready yet)."""
        response = await self._get("/generation", params={"id": generation_id})
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._status_error(response)
        data = self._json(response).get("data")
        if not isinstance(data, dict):
            raise BadResponse.of(SERVICE, "llm.not_openai", host=self.config.host)
        return data

    async def _get(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        import httpx  # loaded with the shared client

        url = self.config.base_url.rstrip("/") + path
        try:
            return await self.http.get(url, params=params, headers=self._headers(),
                                       timeout=self.config.policy.timeout())
        except httpx.HTTPError as exc:
            raise error_for_transport(service_ref(self.config), exc, policy=self.config.policy) from exc

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError as exc:
            raise BadResponse.of(SERVICE, "llm.not_openai", host=self.config.host) from exc
        if not isinstance(data, dict):
            raise BadResponse.of(SERVICE, "llm.not_openai", host=self.config.host)
        return data

    def _status_error(self, response: httpx.Response) -> ProviderError:
        error = (self._safe_json(response) or {}).get("error")
        detail = str(error.get("message", "")) if isinstance(error, dict) else ""
        return error_for_status(response.status_code, detail, response.headers.get("retry-after"), self.config, "-")

    @staticmethod
    def _safe_json(response: httpx.Response) -> dict[str, Any] | None:
        try:
            data = response.json()
        except ValueError:
            return None
        return data if isinstance(data, dict) else None


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        return None


def _worth_next_model(error: ProviderError) -> bool:
    """Try the next model in the fallback list? Not when the server itself is silent or unreachable: another
    model on the same server would only make the parent wait again."""
    if isinstance(error, TimedOut) or (isinstance(error, Unavailable) and error.status is None):
        return False
    if isinstance(error, NotFoundError) and error.code == "llm.base_url":
        return False
    return isinstance(error, NotFoundError | Unavailable | BadResponse)


def stats_from_generation(data: dict[str, Any]) -> dict[str, Any]:
    """OpenRouter generation data -> our :class:`GenerationStats` fields."""
    def as_int(value: Any) -> int | None:
        return int(value) if isinstance(value, int | float) else None

    cost = data.get("total_cost")
    return {
        "generation_id": data.get("id"),
        "prompt_tokens": as_int(data.get("tokens_prompt") if data.get("tokens_prompt") is not None
                                else data.get("native_tokens_prompt")),
        "completion_tokens": as_int(data.get("tokens_completion") if data.get("tokens_completion") is not None
                                    else data.get("native_tokens_completion")),
        "cost": float(cost) if isinstance(cost, int | float) else None,
        "latency_ms": as_int(data.get("latency")),
        "generation_time_ms": as_int(data.get("generation_time")),
        "provider_name": data.get("provider_name"),
        "finish_reason": data.get("finish_reason"),
    }
