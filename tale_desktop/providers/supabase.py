"""Supabase: sign-in, the library tables (PostgREST) and narration audio (Storage), through the official SDK.

The SDK runs on our pooled ``httpx.AsyncClient`` (``ctx.http.get("supabase")``, closed at quit). The session is
kept in the keyring (Settings ``SUPABASE_SESSION``), refreshed when it is about to expire, and every SDK failure
becomes one of our typed errors with a sentence that says what to do.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from tale_desktop.providers.errors import (
    AuthError,
    BadResponse,
    NotConfigured,
    NotFoundError,
    ProviderError,
    Unavailable,
)
from tale_desktop.providers.http import (
    HttpClients,
    ServiceRef,
    detail_from_body,
    error_for_status,
    error_for_transport,
)
from tale_desktop.settings import (
    SUPABASE_EMAIL,
    SUPABASE_KEY,
    SUPABASE_PASSWORD,
    SUPABASE_SESSION,
    SUPABASE_URL,
    Settings,
)

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)
SERVICE = "Supabase"
BUCKET = "tales"
T = TypeVar("T")
# The SDK's own refresh timer is off (it would run outside the task manager); we refresh before each use instead.
REFRESH_MARGIN_S = 300
# The HTTP status of the last response in this task: postgrest's APIError drops it for non-PostgREST bodies
# (a gateway's 503 page), and the status is what tells "try later" from "fix something".
_LAST_STATUS: ContextVar[int | None] = ContextVar("tale_supabase_last_status", default=None)


async def _remember_status(response: httpx.Response) -> None:
    _LAST_STATUS.set(response.status_code)
MIGRATIONS_HINT = ("apply the migrations in resources/supabase/migrations to your Supabase project "
                   "(see resources/supabase/README.md)")


class SchemaMissing(BadResponse):
    """The project has no Tale Desktop tables (the migrations were not applied)."""


class SchemaOutdated(SchemaMissing):
    """The project has Tale Desktop's tables but not the field clocks of migration 0002 (per-field merge)."""


# The columns migration 0002 adds; a project that lacks them is on the previous schema.
SYNC_COLUMNS = ("clocks", "origin")
OUTDATED_MESSAGE = ("Your Supabase project still has the previous Tale Desktop schema, which cannot merge edits "
                    "field by field. Apply resources/supabase/migrations/0002_field_clocks.sql to it (see "
                    "resources/supabase/README.md); sync waits until then, and nothing on this device is lost.")


# The table migration 0003 adds; a project that has the others but not this one is on the schema before it.
PICTURES_TABLE = "illustrations"
PICTURES_OUTDATED_MESSAGE = ("Your Supabase project does not have the picture-book table yet. Apply "
                             "resources/supabase/migrations/0003_illustrations.sql to it (see "
                             "resources/supabase/README.md); sync waits until then, and nothing on this device is "
                             "lost.")


def _missing_names(exc: ProviderError) -> str:
    cause = exc.__cause__
    return " ".join(str(getattr(cause, name, "") or "") for name in ("message", "details", "hint"))


def _outdated(exc: ProviderError) -> bool:
    """Whether a 'missing column' failure names one of migration 0002's columns."""
    text = _missing_names(exc)
    return isinstance(exc, SchemaMissing) and any(f"{c}" in text for c in SYNC_COLUMNS)


class NotSignedIn(AuthError):
    """No stored session and no email/password to sign in with."""


class PayloadTooLarge(BadResponse):
    """The server refused a request because it was too big."""


@dataclass(frozen=True, slots=True)
class Account:
    user_id: str
    email: str


class KeyringSessionStorage:
    """Keeps the SDK's session JSON under ``SUPABASE_SESSION``, tagged with the project URL it belongs to.

    It has the SDK's ``AsyncSupportedStorage`` interface (the SDK only calls these three methods); it is made a
    registered subclass lazily so that importing this module does not import the SDK.
    """

    def __init__(self, settings: Settings, project_url: str):
        self.settings = settings
        self.project_url = project_url

    async def get_item(self, key: str) -> str | None:
        raw = await asyncio.to_thread(self.settings.get, SUPABASE_SESSION)
        if not raw:
            return None
        try:
            stored = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(stored, dict) or stored.get("url") != self.project_url:
            return None
        return stored.get("session")

    async def set_item(self, key: str, value: str) -> None:
        await asyncio.to_thread(self.settings.set, SUPABASE_SESSION,
                                json.dumps({"url": self.project_url, "session": value}))

    async def remove_item(self, key: str) -> None:
        await asyncio.to_thread(self.settings.set, SUPABASE_SESSION, None)


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def translate(exc: BaseException, url: str = "", status: int | None = None) -> ProviderError:
    """Any SDK / network failure -> a typed error with a plain sentence (never a secret)."""
    import httpx  # loaded with the client that failed
    from postgrest.exceptions import APIError
    from pydantic import ValidationError as PydanticValidationError
    from storage3.exceptions import StorageApiError
    from supabase_auth.errors import AuthApiError, AuthRetryableError, AuthUnknownError
    from supabase_auth.errors import AuthError as SdkAuthError

    where = f" at {_host(url)}" if url else ""
    unreachable = Unavailable(SERVICE, f"Cannot reach the Supabase project{where}. Check the project URL and "
                                       "your internet connection; nothing was changed and sync will retry later.")
    not_supabase = BadResponse(SERVICE, f"The address{where} did not answer like a Supabase project (it sent "
                                        "a web page or garbage). Check the project URL in Settings → Account.")
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, httpx.TransportError):  # the shared mapping (type, code, params), Supabase's own sentence
        error = error_for_transport(ServiceRef("supabase", SERVICE, url, "Supabase anon key"), exc)
        return type(error)(SERVICE, unreachable.user_message, code=error.code, params=error.params)
    if isinstance(exc, AuthApiError):
        if exc.code in ("invalid_credentials", "invalid_grant") or exc.status == 400 and "credentials" in str(
                exc.message).lower():
            return AuthError(SERVICE, "Supabase refused the email or password. Check them in Settings → Account "
                                      "(or TALE_SUPABASE_EMAIL / TALE_SUPABASE_PASSWORD).", status=exc.status)
        if exc.code in ("refresh_token_not_found", "refresh_token_already_used", "session_not_found",
                        "bad_jwt", "user_not_found", "session_expired"):
            return AuthError(SERVICE, "Your Supabase sign-in has expired. Sign in again in Settings → Account.",
                             status=exc.status)
        if exc.code == "email_not_confirmed":
            return AuthError(SERVICE, "Confirm your email address first (see the message Supabase sent you), "
                                      "then sign in again.", status=exc.status)
        if exc.status == 401 or "api key" in str(exc.message).lower():
            return AuthError(SERVICE, "Supabase refused the anon key. Copy it again from the project's API "
                                      "settings into Settings → Account.", status=exc.status)
        if exc.status >= 500:
            return error_for_status(ServiceRef("supabase", SERVICE, url, "Supabase anon key"), exc.status)
        return BadResponse(SERVICE, f"Supabase refused the sign-in ({exc.message}).", status=exc.status)
    if isinstance(exc, AuthRetryableError):
        if exc.status:
            return Unavailable(SERVICE, f"Supabase{where} is temporarily unavailable ({exc.status}); sync will "
                                        "retry later.", status=exc.status)
        return unreachable
    if isinstance(exc, AuthUnknownError | PydanticValidationError):
        return not_supabase
    if isinstance(exc, SdkAuthError):
        return AuthError(SERVICE, f"Supabase sign-in failed ({exc.message}). Sign in again in Settings → Account.")
    if isinstance(exc, APIError):
        return _translate_api_error(exc, where, not_supabase, status)
    if isinstance(exc, StorageApiError):
        status = str(exc.status)
        if status in ("401", "403") or exc.code in ("InvalidJWT", "Unauthorized"):
            return AuthError(SERVICE, "Supabase Storage refused access to the audio. Sign in again; if it "
                                      f"persists, {MIGRATIONS_HINT}.", status=_int(status))
        if exc.code == "Bucket not found" or "bucket" in str(exc.message).lower() and status == "404":
            return SchemaMissing(SERVICE, f"The Supabase project has no 'tales' storage bucket: {MIGRATIONS_HINT}.")
        if status == "404":
            return NotFoundError(SERVICE, "That narration's audio is not in Supabase Storage (yet).", status=404)
        if status == "413":
            return PayloadTooLarge(SERVICE, "The audio file is larger than your Supabase project accepts.",
                                   status=413)
        if status.startswith("5"):
            return Unavailable(SERVICE, f"Supabase Storage{where} had a server error ({status}); sync will "
                                        "retry later.", status=_int(status))
        if "Unable to parse" in str(exc.message):
            return not_supabase
        return BadResponse(SERVICE, f"Supabase Storage refused the request ({exc.message}).", status=_int(status))
    return BadResponse(SERVICE, f"Supabase failed unexpectedly ({type(exc).__name__}). Details are in the log.")


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _translate_api_error(exc: Any, where: str, not_supabase: ProviderError, status: int | None) -> ProviderError:
    code = str(exc.code or "") or (str(status) if status else "")
    message = str(exc.message or "")
    details = str(exc.details or "")
    if code in ("PGRST205", "PGRST202", "42P01", "PGRST204", "42703"):
        return SchemaMissing(SERVICE, f"The Supabase project is missing Tale Desktop's tables or columns: "
                                      f"{MIGRATIONS_HINT}.")
    if code in ("PGRST301", "PGRST302", "PGRST303"):
        return AuthError(SERVICE, "Your Supabase sign-in has expired. Sign in again in Settings → Account.",
                         status=401)
    if code == "42501":
        return AuthError(SERVICE, "Supabase refused access to your library (row level security). Sign in "
                                  f"again; if it persists, {MIGRATIONS_HINT}.", status=403)
    if "api key" in message.lower():
        return AuthError(SERVICE, "Supabase refused the anon key. Copy it again from the project's API settings "
                                  "into Settings → Account.", status=401)
    if code == "413" or "too large" in message.lower():
        return PayloadTooLarge(SERVICE, "Supabase refused a request as too large.", status=413)
    if code.isdigit() and code.startswith("5"):
        return Unavailable(SERVICE, f"Supabase{where} had a server error ({code}); sync will retry later.",
                           status=int(code))
    if "<html" in details.lower() or "<!doctype" in details.lower():
        return not_supabase
    return BadResponse(SERVICE, f"Supabase refused the request ({message or code}).")


async def check(http: httpx.AsyncClient, url: str, anon_key: str) -> str:
    """The Settings "Test": ``GET {url}/auth/v1/health`` with the anon key proves the project URL and the key."""
    import httpx  # loaded with the shared client

    url = url.strip().rstrip("/")
    if not url or not anon_key:
        raise NotConfigured.of(SERVICE, "supabase.not_configured")
    if urlsplit(url).scheme not in ("http", "https"):
        raise NotConfigured(SERVICE, "Supabase: the project URL must start with https:// "
                                     "(e.g. https://abcd.supabase.co).", code="supabase.url_scheme")
    service = ServiceRef("supabase", SERVICE, url, "Supabase anon key")
    try:
        response = await http.get(f"{url}/auth/v1/health",
                                  headers={"apikey": anon_key, "Authorization": f"Bearer {anon_key}"})
    except httpx.TransportError as exc:
        raise error_for_transport(service, exc) from exc
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200:
        raise error_for_status(service, response.status_code, detail=detail_from_body(body, anon_key))
    if not isinstance(body, dict) or not any(k in body for k in ("version", "name", "description")):
        raise BadResponse(SERVICE, f"Supabase: {_host(url)} did not answer like a Supabase project: check the "
                                   "project URL in Settings.", code="supabase.not_supabase")
    version = body.get("version")
    return f"Connected to Supabase at {_host(url)}{f' (auth {version})' if version else ''}."


class SupabaseProvider:
    """One signed-in SDK client per (project URL, anon key); all calls raise typed errors."""

    def __init__(self, settings: Settings, http: HttpClients, *, auto_refresh_token: bool = False):
        self.settings = settings
        self.http = http
        self.auto_refresh_token = auto_refresh_token
        self._client: Any = None
        self._client_for: tuple[str, str] | None = None
        self._lock = asyncio.Lock()

    # -- configuration ------------------------------------------------------------------------------------------
    @property
    def configured(self) -> bool:
        return self.settings.supabase_configured

    @property
    def url(self) -> str:
        return self.settings.get(SUPABASE_URL).strip().rstrip("/")

    def _require_config(self) -> tuple[str, str]:
        url, key = self.url, self.settings.get(SUPABASE_KEY).strip()
        if not url or not key:
            raise NotConfigured(SERVICE, "Supabase is not set up: enter the project URL and anon key in Settings → "
                                         "Account (or set SUPABASE_URL and SUPABASE_KEY).")
        if not url.startswith(("https://", "http://")):
            raise NotConfigured(SERVICE, f"The Supabase project URL must start with https:// (got {url[:60]!r}).")
        return url, key

    async def client(self) -> Any:
        """The SDK client for the current URL and key (re-created when they change)."""
        url, key = self._require_config()
        async with self._lock:
            if self._client is None or self._client_for != (url, key):
                if "supabase" not in sys.modules:  # the SDK's first import (~0.3 s) runs in a worker thread
                    await asyncio.to_thread(importlib.import_module, "supabase")
                from supabase import AsyncClientOptions, acreate_client
                from supabase_auth import AsyncSupportedStorage

                AsyncSupportedStorage.register(KeyringSessionStorage)

                http_client = self.http.get("supabase")
                if _remember_status not in http_client.event_hooks["response"]:
                    http_client.event_hooks["response"].append(_remember_status)
                options = AsyncClientOptions(
                    httpx_client=http_client,
                    auto_refresh_token=self.auto_refresh_token,
                    persist_session=True,
                    storage=KeyringSessionStorage(self.settings, url),
                )
                try:
                    self._client = await acreate_client(url, key, options=options)
                except Exception as exc:
                    raise translate(exc, url) from exc
                self._client_for = (url, key)
            return self._client

    async def call(self, work: Callable[[Any], Awaitable[T]]) -> T:
        client = await self.client()
        _LAST_STATUS.set(None)
        try:
            return await work(client)
        except ProviderError:
            raise
        except Exception as exc:
            log.debug("Supabase call failed", exc_info=True)
            raise translate(exc, self.url, _LAST_STATUS.get()) from exc

    # -- account --------------------------------------------------------------------------------------------
    async def sign_in(self, email: str, password: str) -> Account:
        if not email or not password:
            raise AuthError(SERVICE, "Enter the email and password of your Supabase account.")

        async def work(client: Any) -> Account:
            response = await client.auth.sign_in_with_password({"email": email, "password": password})
            if response.session is None or response.user is None:
                raise AuthError(SERVICE, "Supabase did not start a session: confirm your email address, then "
                                         "sign in again.")
            return Account(response.user.id, response.user.email or email)

        account = await self.call(work)
        log.info("Signed in to Supabase as %s", account.email)
        return account

    async def account(self) -> Account | None:
        """The signed-in account from the stored session (refreshed when near expiry), or ``None``."""
        async def work(client: Any) -> Account | None:
            session = await client.auth.get_session()
            if session is None:
                return None
            if session.expires_at and session.expires_at - time.time() < REFRESH_MARGIN_S:
                # Refresh early so a long sync does not run out of token half-way.
                session = (await client.auth.refresh_session(session.refresh_token)).session or session
            return Account(session.user.id, session.user.email or "")

        return await self.call(work)

    async def ensure_signed_in(self) -> Account:
        """The stored session, else a sign-in with the stored / environment email and password."""
        account = await self.account()
        if account is not None:
            return account
        email, password = self.settings.get(SUPABASE_EMAIL), self.settings.get(SUPABASE_PASSWORD)
        if not email or not password:
            raise NotSignedIn(SERVICE, "Not signed in to Supabase: sign in in Settings → Account (or set "
                                       "TALE_SUPABASE_EMAIL and TALE_SUPABASE_PASSWORD).")
        return await self.sign_in(email, password)

    async def sign_out(self) -> None:
        """Forget the session here (and revoke it at the server when reachable)."""
        try:
            await self.call(lambda client: client.auth.sign_out({"scope": "local"}))
        except Unavailable:
            log.info("Signed out locally; the server could not be told")
        finally:
            await asyncio.to_thread(self.settings.set, SUPABASE_SESSION, None)

    async def health(self) -> bool:
        """Whether the project answers at all (auth health endpoint)."""
        url, key = self._require_config()
        try:
            response = await self.http.get("supabase").get(f"{url}/auth/v1/health", headers={"apikey": key})
        except Exception as exc:
            raise translate(exc, url) from exc
        return response.status_code == 200

    # -- tables ---------------------------------------------------------------------------------------------
    async def upsert(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Insert or merge rows (one request); the server keeps the newer of two versions of a row."""
        if not rows:
            return

        async def work(client: Any) -> None:
            from postgrest.types import ReturnMethod

            await client.table(table).upsert(rows, on_conflict="user_id,id",
                                             returning=ReturnMethod.minimal).execute()

        await self._sync_call(work, table)

    async def changes_since(self, table: str, revision: int, limit: int, *,
                            exclude_origin: str | None = None) -> list[dict[str, Any]]:
        """Rows with a server revision above ``revision``, oldest first (one page); without the rows whose last
        accepted write came unchanged from ``exclude_origin`` (this device: it has them already)."""
        async def work(client: Any) -> list[dict[str, Any]]:
            query = client.table(table).select("*").gt("revision", revision)
            if exclude_origin:
                query = query.neq("origin", exclude_origin)
            response = await query.order("revision").limit(limit).execute()
            if not isinstance(response.data, list):
                raise BadResponse(SERVICE, "Supabase answered a query with something that is not rows. Check "
                                           "the project URL in Settings → Account.")
            return response.data

        return await self._sync_call(work, table)

    async def _sync_call(self, work: Callable[[Any], Awaitable[T]], table: str) -> T:
        """``call`` for the sync tables: a project without migration 0002's columns, or without 0003's table,
        says which migration it lacks (SchemaOutdated)."""
        try:
            return await self.call(work)
        except SchemaMissing as exc:
            if _outdated(exc):
                raise SchemaOutdated(SERVICE, OUTDATED_MESSAGE) from exc
            if table == PICTURES_TABLE and PICTURES_TABLE in _missing_names(exc):
                raise SchemaOutdated(SERVICE, PICTURES_OUTDATED_MESSAGE) from exc
            raise

    # -- live changes (Realtime) ----------------------------------------------------------------------------
    async def watch_changes(self, tables: tuple[str, ...], on_change: Callable[[str, dict[str, Any]], None],
                            on_lost: Callable[[str], None], *, timeout_s: float = 5.0) -> Callable[[], Awaitable[None]]:
        """Subscribe to ``postgres_changes`` of the tables through Supabase Realtime.

        ``on_change(table, record)`` runs on the loop for every change the parent's RLS lets through;
        ``on_lost(reason)`` when the subscription stops working later. Returns a coroutine function that
        unsubscribes. Raises ``Unavailable`` when Realtime cannot be reached or refuses the subscription.
        """
        client = await self.client()
        session = await self.call(lambda c: c.auth.get_session())
        if session is None:
            raise NotSignedIn(SERVICE, "Not signed in to Supabase: sign in in Settings → Account.")
        from realtime import RealtimeSubscribeStates

        subscribed = asyncio.get_running_loop().create_future()

        def on_state(state: Any, error: Exception | None) -> None:
            if state == RealtimeSubscribeStates.SUBSCRIBED:
                if not subscribed.done():
                    subscribed.set_result(True)
                return
            reason = f"{getattr(state, 'value', state)}" + (f": {error}" if error else "")
            if not subscribed.done():
                subscribed.set_exception(Unavailable(SERVICE, f"Supabase Realtime refused live updates ({reason})."))
            else:
                on_lost(reason)

        def callback_for(table: str) -> Callable[[dict[str, Any]], None]:
            return lambda payload: on_change(table, dict((payload.get("data") or {}).get("record") or {}))

        channel = None
        try:
            await client.realtime.set_auth(session.access_token)
            channel = client.channel("tale-library")
            for table in tables:
                channel.on_postgres_changes("*", schema="public", table=table, callback=callback_for(table))
            await asyncio.wait_for(channel.subscribe(on_state), timeout_s)
            await asyncio.wait_for(asyncio.shield(subscribed), timeout_s)
        except ProviderError:
            await self._drop_channel(client, channel)
            raise
        except Exception as exc:  # no websocket, a refused join, a timeout
            await self._drop_channel(client, channel)
            log.debug("Realtime subscription failed", exc_info=True)
            raise Unavailable(SERVICE, "Supabase Realtime cannot be reached; changes are checked every few "
                                       "seconds instead.") from exc

        async def unsubscribe() -> None:
            await self._drop_channel(client, channel)

        return unsubscribe

    @staticmethod
    async def _drop_channel(client: Any, channel: Any) -> None:
        try:
            if channel is not None:
                await client.remove_channel(channel)
            await client.realtime.close()
        except Exception:
            log.debug("Closing the Realtime channel failed", exc_info=True)

    # -- storage --------------------------------------------------------------------------------------------
    async def upload(self, path: str, data: bytes, content_type: str) -> None:
        async def work(client: Any) -> None:
            await client.storage.from_(BUCKET).upload(
                path, data, {"content-type": content_type, "upsert": "true", "cache-control": "31536000"})

        await self.call(work)

    async def download(self, path: str) -> bytes:
        return await self.call(lambda client: client.storage.from_(BUCKET).download(path))

    async def exists(self, path: str) -> bool:
        return await self.call(lambda client: client.storage.from_(BUCKET).exists(path))

    async def list_folder(self, folder: str) -> list[str]:
        """The paths of the objects directly in ``folder`` (one request of up to 1,000 names)."""
        async def work(client: Any) -> list[str]:
            entries = await client.storage.from_(BUCKET).list(folder, {"limit": 1000})
            # Folders come back with no id; only objects are returned.
            return [f"{folder}/{e['name']}" for e in entries or [] if isinstance(e, dict) and e.get("id")]

        return await self.call(work)

    async def remove(self, paths: list[str]) -> list[str]:
        """Remove objects (Storage's remove call, under the parent's own RLS policies); returns the removed paths."""
        if not paths:
            return []

        async def work(client: Any) -> list[str]:
            removed = await client.storage.from_(BUCKET).remove(list(paths))
            return [str(o.get("name")) for o in removed or [] if isinstance(o, dict)]

        return await self.call(work)
