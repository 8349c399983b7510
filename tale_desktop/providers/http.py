"""One pooled ``httpx.AsyncClient`` per outside service, created once and closed at quit.

Creating a client builds an SSL context (~90 ms), so :meth:`HttpClients.prepare` builds them off the loop thread
before the window shows; anyio's asyncio backend is imported early for the same reason (DESIGN section 7).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tale_desktop import APP_TITLE, __version__
from tale_desktop.providers.errors import (
    MESSAGES,
    AuthError,
    BadResponse,
    NotFoundError,
    ProviderError,
    QuotaError,
    RateLimited,
    TimedOut,
    Unavailable,
    render,
    wait_phrase,
)

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

SERVICES = ("llm", "elevenlabs", "supabase")

# Set by the code that reads a streamed answer, in its own task (an SDK sends the request and reads the answer
# there): how many seconds to wait after each read of the socket before the next one; ``None`` or 0 reads at once.
# Honoured by the story service's client (providers/paced_reading.py).
READ_PACE: ContextVar[Callable[[], float] | None] = ContextVar("tale_read_pace", default=None)


# -- how long a parent can be kept waiting: the one place these numbers live ------------------------------------
@dataclass(frozen=True, slots=True)
class NetPolicy:
    """Bounded waits for every outside service.

    ``connect_s`` to open a connection, ``read_s`` for the first byte of an answer and again for every gap
    between chunks of a body (a stall mid-body), ``attempts`` tries in all for a request that failed before any
    answer arrived (429/5xx/reset/timeout), with at most ``max_backoff_s`` between tries. The worst case of one
    request is :attr:`worst_case_s` (under 90 s with the defaults: 2 x (10 + 30) + 5).

    Tests and impatient parents set them through ``TALE_NET_CONNECT_TIMEOUT``, ``TALE_NET_READ_TIMEOUT`` and
    ``TALE_NET_ATTEMPTS`` (seconds, seconds, count), or by passing a policy to :class:`HttpClients`.
    """

    connect_s: float = 10.0
    read_s: float = 30.0
    write_s: float = 30.0
    attempts: int = 2
    max_backoff_s: float = 5.0

    @property
    def retries(self) -> int:
        return max(0, self.attempts - 1)

    @property
    def worst_case_s(self) -> float:
        return self.attempts * (self.connect_s + self.read_s) + self.retries * self.max_backoff_s

    def timeout(self) -> httpx.Timeout:
        import httpx  # imported with the first client or SDK that needs the waits

        return httpx.Timeout(connect=self.connect_s, read=self.read_s, write=self.write_s, pool=self.connect_s)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> NetPolicy:
        default = cls()

        def number(name: str, fallback: float) -> float:
            try:
                value = float(env.get(name) or fallback)
            except ValueError:
                return fallback
            return value if value > 0 else fallback

        return cls(connect_s=number("TALE_NET_CONNECT_TIMEOUT", default.connect_s),
                   read_s=number("TALE_NET_READ_TIMEOUT", default.read_s),
                   write_s=max(default.write_s, number("TALE_NET_READ_TIMEOUT", default.read_s)),
                   attempts=max(1, int(number("TALE_NET_ATTEMPTS", default.attempts))))


DEFAULT_POLICY = NetPolicy()


# -- one mapping from HTTP status and transport failures to the typed errors -------------------------------------
@dataclass(frozen=True, slots=True)
class ServiceRef:
    """Who failed, for the sentence: ``id`` prefixes the message codes (``llm``, ``elevenlabs``, ``supabase``)."""

    id: str
    name: str  # as the parent knows it: "The story service", "ElevenLabs", "Supabase"
    url: str = ""
    key_hint: str = "API key"

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc or self.url or "its address"

    @property
    def is_local(self) -> bool:
        host = (urlsplit(self.url).hostname or "").lower()
        return host in ("localhost", "127.0.0.1", "::1") or host.endswith(".local")

    def params(self, **extra: Any) -> dict[str, Any]:
        return {"service": self.name, "host": self.host, "key_hint": self.key_hint, **extra}


def retry_after_seconds(headers: Any) -> float | None:
    """``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date) from response headers."""
    if not headers:
        return None
    lowered = {str(k).lower(): str(v) for k, v in dict(headers).items()}
    if "retry-after-ms" in lowered:
        with contextlib.suppress(ValueError):
            return max(0.0, float(lowered["retry-after-ms"]) / 1000)
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


def _typed(cls: type[ProviderError], service: ServiceRef, code: str, status: int | None,
           params: dict[str, Any], overrides: Mapping[str, str] | None) -> ProviderError:
    """``code`` is the generic id (``http.auth``); a service's own id (``llm.auth``) wins when it has a sentence."""
    own = (overrides or {}).get(code) or f"{service.id}.{code.split('.', 1)[1]}"
    chosen = own if own in MESSAGES else code
    return cls(service.name, render(chosen, params), status=status, code=chosen, params=params)


def error_for_status(service: ServiceRef, status: int, *, detail: str = "", retry_after: float | None = None,
                     overrides: Mapping[str, str] | None = None, **extra: Any) -> ProviderError:
    """An HTTP error status -> the typed error. ``overrides`` maps a generic code to the service's own."""
    detail = " ".join(detail.split())[:160]
    params = service.params(status=status, detail=detail, detail_suffix=f" ({detail})" if detail else "",
                            detail_colon=f": {detail}" if detail else "", **extra)
    if status == 401:
        return _typed(AuthError, service, "http.auth", status, params, overrides)
    if status == 402:
        return _typed(QuotaError, service, "http.quota", status, params, overrides)
    if status == 403:
        return _typed(AuthError, service, "http.forbidden", status, params, overrides)
    if status == 404:
        return _typed(NotFoundError, service, "http.not_found", status, params, overrides)
    if status == 429:
        params["wait"] = wait_phrase(retry_after)
        params["retry_after"] = retry_after
        error = _typed(RateLimited, service, "http.rate_limited", status, params, overrides)
        assert isinstance(error, RateLimited)
        error.retry_after = retry_after
        return error
    if status >= 500:
        return _typed(Unavailable, service, "http.server", status, params, overrides)
    if 200 <= status < 300:
        return _typed(BadResponse, service, "http.unexpected", status, params, overrides)
    return _typed(BadResponse, service, "http.rejected", status, params, overrides)


def error_for_transport(service: ServiceRef, exc: BaseException, *, policy: NetPolicy | None = None,
                        mid_answer: bool = False) -> ProviderError:
    """A transport failure (httpx, or an SDK's wrapper around one) -> the typed error."""
    import httpx  # already loaded by whichever client failed

    cause: BaseException | None = exc
    seen = 0
    while cause is not None and not isinstance(cause, httpx.TransportError) and seen < 5:
        cause = cause.__cause__ or cause.__context__
        seen += 1
    if isinstance(cause, httpx.TransportError):
        exc = cause
    policy = policy or DEFAULT_POLICY
    if isinstance(exc, httpx.TimeoutException) or _is_timeout(exc):
        seconds = policy.connect_s if isinstance(exc, httpx.ConnectTimeout) else policy.read_s
        params = service.params(seconds=seconds)
        return TimedOut(service.name, render("net.timeout", params), code="net.timeout", params=params)
    if mid_answer or (isinstance(exc, httpx.RemoteProtocolError) and "complete message body" in str(exc)):
        params = service.params()
        return Unavailable(service.name, render("net.cut_mid_answer", params), code="net.cut_mid_answer",
                           params=params)
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        if not any(dns in text for dns in ("name or service", "getaddrinfo", "nodename", "name resolution",
                                           "no address")):
            hint = " (is your local server running?)" if service.is_local else ""
            params = service.params(local_hint=hint)
            return Unavailable(service.name, render("net.refused", params), code="net.refused", params=params)
        params = service.params()
        return Unavailable(service.name, render("net.unreachable", params), code="net.unreachable",
                           params=params)
    params = service.params()
    return Unavailable(service.name, render("net.reset", params), code="net.reset", params=params)


def detail_from_body(body: Any, secret: str = "") -> str:
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


def _is_timeout(exc: BaseException) -> bool:
    return type(exc).__name__ in ("APITimeoutError", "TimeoutError", "ReadTimeout")


def unexpected_answer(service: ServiceRef, reason: str = "") -> BadResponse:
    """A 2xx answer whose body cannot be understood (HTML page, garbage, wrong shape)."""
    error = error_for_status(service, 200, detail=reason)
    assert isinstance(error, BadResponse)
    return error


def _make_client(service: str, policy: NetPolicy = DEFAULT_POLICY) -> httpx.AsyncClient:
    import anyio._backends._asyncio  # noqa: F401  (first use costs ~80 ms; pay it off the loop)
    import httpx  # imported with the first client: commands that never go online do not pay for it

    limits = httpx.Limits(max_connections=50, max_keepalive_connections=20)
    transport = None
    if service == "llm":  # stories stream: the ones nobody watches are read in gulps (paced_reading.py)
        from tale_desktop.providers.paced_reading import PacedTransport

        transport = PacedTransport(httpx.AsyncHTTPTransport(limits=limits))
    return httpx.AsyncClient(
        timeout=policy.timeout(),
        limits=limits,
        transport=transport,
        headers={"User-Agent": f"{APP_TITLE.replace(' ', '')}/{__version__}"},
        follow_redirects=True,
    )


class HttpClients:
    def __init__(self, policy: NetPolicy | None = None) -> None:
        self.policy = policy or DEFAULT_POLICY
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._lock = threading.Lock()

    def get(self, service: str) -> httpx.AsyncClient:
        with self._lock:
            client = self._clients.get(service)
            if client is None or client.is_closed:
                client = self._clients[service] = _make_client(service, self.policy)
            return client

    def prepare(self) -> None:
        """Build every client now (blocking; call from a worker thread or before the window shows)."""
        for service in SERVICES:
            self.get(service)

    async def prepare_async(self) -> None:
        await asyncio.to_thread(self.prepare)

    async def aclose(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            with contextlib.suppress(Exception):
                await client.aclose()
