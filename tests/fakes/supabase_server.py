"""A loopback Supabase: PostgREST, Storage and Auth (GoTrue), enough for the real ``supabase`` SDK.

Speaks the wire protocol the SDK uses (paths, ``apikey``/``Authorization`` headers, ``Prefer``, ``Content-Range``,
multipart uploads, GoTrue sessions) and enforces what the migrations enforce: rows and objects belong to the JWT's
``sub`` (RLS), ``user_id`` defaults to it, updates older than the stored row are ignored (last-writer-wins, ties
keep the stored row unless the newcomer is a tombstone), every accepted write gets a new ``revision``.

Scriptable: ``fail_next(status, times, path=...)`` (e.g. 503), ``reset_next(times, path=...)`` (connection closed
with no answer), ``html_next(...)`` (a proxy's HTML page), ``schema_applied=False`` (tables missing),
``max_body`` (413 above it), ``token_ttl`` (short-lived access tokens). ``requests`` records every request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.fakes import loopback

SECRET = b"tale-fake-supabase-jwt-secret"

_JSON_COLUMNS = {"interests", "personality_traits", "strengths", "child_snapshot", "hero_snapshot", "stats",
                 "review", "timings"}
_COMMON = {"user_id": "uuid", "id": "uuid", "created_at": "ts", "updated_at": "ts", "deleted_at": "ts",
           "revision": "int", "synced_at": "ts", "clocks": "json", "origin": "text"}
SCHEMA: dict[str, dict[str, str]] = {
    "children": {**_COMMON, "name": "text", "age_band": "text", "gender": "text", "interests": "json"},
    "heroes": {**_COMMON, "name": "text", "gender": "text", "appearance": "text", "personality_traits": "json",
               "interests": "json", "strengths": "json", "language": "text", "builtin": "bool"},
    "stories": {**_COMMON, "title": "text", "content": "text", "summary": "text", "language": "text",
                "story_type": "text", "child_id": "uuid", "hero_id": "uuid", "child_snapshot": "json",
                "hero_snapshot": "json", "moral": "text", "theme": "text", "minutes": "int",
                "target_words": "int", "parent_id": "uuid", "status": "text", "rating": "int",
                "favourite": "bool", "model": "text", "stats": "json", "review": "json"},
    "narrations": {**_COMMON, "story_id": "uuid", "provider": "text", "voice_id": "text", "language": "text",
                   "format": "text", "duration_s": "float", "size": "int", "sha256": "text", "timings": "json",
                   "remote_path": "text", "fallback_reason": "text"},
    "illustrations": {**_COMMON, "story_id": "uuid", "paragraph": "int", "sha256": "text", "mime": "text",
                      "width": "int", "height": "int", "size": "int", "prompt": "text", "scene": "text",
                      "style": "text", "model": "text", "stats": "json", "remote_path": "text"},
}
_NOT_NULL_DEFAULTS = {"interests": [], "personality_traits": [], "strengths": [], "timings": [], "stats": {},
                      "title": "", "content": "", "summary": "", "voice_id": "", "sha256": "", "builtin": False,
                      "favourite": False, "duration_s": 0.0, "size": 0, "clocks": {}, "origin": "",
                      "paragraph": 0, "prompt": "", "scene": ""}
_REQUIRED = {"id", "created_at", "updated_at"}


class HttpError(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_jwt(claims: dict[str, Any]) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(SECRET, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def read_jwt(token: str) -> dict[str, Any]:
    try:
        header, payload, signature = token.split(".")
        expected = hmac.new(SECRET, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            raise ValueError("bad signature")
        return json.loads(_unb64(payload))
    except ValueError as exc:
        raise HttpError(401, {"code": "PGRST301", "details": None, "hint": None,
                              "message": "JWSError JWSInvalidSignature"}) from exc


def pg_timestamp(value: Any) -> str:
    """Parse like timestamptz input and print like PostgREST does (``+00:00``, trailing zeros trimmed)."""
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise HttpError(400, {"code": "22007", "details": None, "hint": None,
                              "message": f'invalid input syntax for type timestamp with time zone: "{value}"'}
                        ) from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone(UTC)
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond:
        text += f".{dt.microsecond:06d}".rstrip("0")
    return text + "+00:00"


def _ts_key(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass
class StoredObject:
    data: bytes
    content_type: str
    owner: str
    created_at: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass
class User:
    id: str
    email: str
    password: str
    created_at: str


@dataclass
class Scripted:
    kind: str  # "status" | "reset" | "html"
    times: int
    path: str
    status: int = 503
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    method: str = ""  # only requests with this method ("" = any)
    after: int = 0  # let this many matching requests through first


class FakeSupabase:
    def __init__(self, *, token_ttl: int = 3600, max_body: int = 50 * 1024 * 1024):
        self.token_ttl = token_ttl
        self.max_body = max_body
        self.schema_applied = True
        self.buckets: set[str] = {"tales"}
        self.users: dict[str, User] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.rows: dict[str, dict[tuple[str, str], dict[str, Any]]] = {t: {} for t in SCHEMA}
        self.objects: dict[tuple[str, str], StoredObject] = {}
        self.requests: list[tuple[str, str]] = []
        self.bytes_in = 0   # request bodies received
        self.bytes_out = 0  # response bodies sent
        self._revision = itertools.count(1)
        self._script: list[Scripted] = []
        self.lock = threading.RLock()
        self.anon_key = make_jwt({"iss": "supabase", "role": "anon", "iat": int(time.time()),
                                  "exp": int(time.time()) + 10 * 365 * 86400})
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle ------------------------------------------------------------------------------------------
    def start(self) -> FakeSupabase:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = loopback.serve(Handler, "fake-supabase")
        return self

    def stop(self) -> None:
        loopback.stop(self._server)
        self._server = None

    def __enter__(self) -> FakeSupabase:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- setup and scripting ------------------------------------------------------------------------------------
    def add_user(self, email: str, password: str) -> str:
        with self.lock:
            user = User(str(uuid.uuid4()), email, password, pg_timestamp(datetime.now(UTC).isoformat()))
            self.users[user.id] = user
            return user.id

    def fail_next(self, status: int = 503, times: int = 1, *, path: str = "", method: str = "", after: int = 0,
                  body: Any = None, headers: dict[str, str] | None = None) -> None:
        with self.lock:
            self._script.append(Scripted("status", times, path, status,
                                         body if body is not None else {"message": "Service Unavailable"},
                                         headers or {}, method, after))

    def reset_next(self, times: int = 1, *, path: str = "", method: str = "", after: int = 0) -> None:
        """Close the connection without answering (the client sees a dropped connection)."""
        with self.lock:
            self._script.append(Scripted("reset", times, path, method=method, after=after))

    def html_next(self, times: int = 1, *, path: str = "", method: str = "", status: int = 200) -> None:
        with self.lock:
            self._script.append(Scripted("html", times, path, status,
                                         "<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>",
                                         method=method))

    def clear_script(self) -> None:
        with self.lock:
            self._script.clear()

    def count(self, method: str | None = None, prefix: str = "") -> int:
        with self.lock:
            return sum(1 for m, p in self.requests if (method is None or m == method) and p.startswith(prefix))

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(f"{m} {p.split('?')[0]}" for m, p in self.requests)

    def table(self, name: str, user_id: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(r) for (uid, _), r in self.rows[name].items() if user_id is None or uid == user_id]

    def _take_script(self, method: str, path: str) -> Scripted | None:
        with self.lock:
            for item in self._script:
                if path.startswith(item.path) and item.times > 0 and item.method in ("", method):
                    if item.after > 0:
                        item.after -= 1
                        continue
                    item.times -= 1
                    if item.times == 0:
                        self._script.remove(item)
                    return item
        return None

    # -- sessions ---------------------------------------------------------------------------------------------
    def _user_json(self, user: User) -> dict[str, Any]:
        return {"id": user.id, "aud": "authenticated", "role": "authenticated", "email": user.email,
                "email_confirmed_at": user.created_at, "phone": "", "confirmed_at": user.created_at,
                "last_sign_in_at": pg_timestamp(datetime.now(UTC).isoformat()),
                "app_metadata": {"provider": "email", "providers": ["email"]}, "user_metadata": {},
                "identities": [], "created_at": user.created_at, "updated_at": user.created_at,
                "is_anonymous": False}

    def _session(self, user: User) -> dict[str, Any]:
        now = int(time.time())
        access = make_jwt({"sub": user.id, "email": user.email, "role": "authenticated", "aud": "authenticated",
                           "iat": now, "exp": now + self.token_ttl, "session_id": str(uuid.uuid4())})
        refresh = uuid.uuid4().hex
        self.refresh_tokens[refresh] = user.id
        return {"access_token": access, "token_type": "bearer", "expires_in": self.token_ttl,
                "expires_at": now + self.token_ttl, "refresh_token": refresh, "user": self._user_json(user)}


_AUTH_HEADERS = {"X-Supabase-Api-Version": "2024-01-01"}


def _auth_error(status: int, code: str, message: str) -> HttpError:
    return HttpError(status, {"code": code, "error_code": code, "msg": message}, _AUTH_HEADERS)


def _storage_error(status: str, error: str, message: str) -> HttpError:
    http_status = 400 if status in ("404", "409") else int(status)
    return HttpError(http_status, {"statusCode": status, "error": error, "message": message})


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeSupabase
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms delayed-ACK stalls
    wbufsize = 1 << 16

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the default stderr log
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # -- plumbing ---------------------------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None,
              content_type: str = "application/json; charset=utf-8") -> None:
        if isinstance(body, bytes):
            payload = body
        elif isinstance(body, str):
            payload = body.encode()
        elif body is None:
            payload = b""
        else:
            payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        self.send_response(status)
        if payload or status not in (204, 304):
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        head = sum(len(line) for line in getattr(self, "_headers_buffer", [])) + 2
        with self.server_fake.lock:
            self.server_fake.bytes_out += head + len(payload)  # on the wire: status line, headers, body
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()

    def _handle(self, method: str) -> None:
        fake = self.server_fake
        body = self._read_body()  # always drain the request body first
        with fake.lock:
            fake.requests.append((method, self.path))
            fake.bytes_in += len(self.requestline) + 2 + len(str(self.headers)) + len(body)
        scripted = fake._take_script(method, self.path)
        if scripted is not None:
            if scripted.kind == "reset":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if scripted.kind == "html":
                self._send(scripted.status, scripted.body, content_type="text/html")
                return
            self._send(scripted.status, scripted.body, scripted.headers)
            return
        if len(body) > fake.max_body:
            self._send(413, {"statusCode": "413", "error": "Payload too large",
                             "message": "The object exceeded the maximum allowed size"})
            return
        url = urlsplit(self.path)
        try:
            if url.path.startswith("/auth/v1/"):
                self._auth(method, url.path[len("/auth/v1/"):], dict(parse_qsl(url.query)), body)
            elif url.path.startswith("/rest/v1/"):
                self._rest(method, unquote(url.path[len("/rest/v1/"):]), parse_qsl(url.query), body)
            elif url.path.startswith("/storage/v1/"):
                self._storage(method, url.path[len("/storage/v1/"):], body)
            else:
                self._send(404, {"message": "no Route matched with those values"})
        except HttpError as exc:
            self._send(exc.status, exc.body, exc.headers)

    def _claims(self, *, api: str) -> dict[str, Any]:
        """The caller's JWT claims; the anon key gives role ``anon`` and no ``sub``."""
        fake = self.server_fake
        apikey = self.headers.get("apikey")
        if not apikey:
            raise HttpError(401, {"message": "No API key found in request",
                                  "hint": "No `apikey` request header or url param was found."})
        if apikey != fake.anon_key:
            raise HttpError(401, {"message": "Invalid API key", "hint": "Double check your Supabase `anon` "
                                                                       "or `service_role` API key."})
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else apikey
        claims = read_jwt(token)
        if claims.get("exp", 0) < time.time():
            if api == "storage":
                raise _storage_error("400", "InvalidJWT", '"exp" claim timestamp check failed')
            raise HttpError(401, {"code": "PGRST303", "details": None, "hint": None, "message": "JWT expired"})
        if claims.get("sub") and claims["sub"] not in fake.users:
            raise HttpError(401, {"code": "PGRST301", "details": None, "hint": None, "message": "User not found"})
        return claims

    # -- auth (GoTrue) -------------------------------------------------------------------------------------
    def _auth(self, method: str, path: str, query: dict[str, str], body: bytes) -> None:
        fake = self.server_fake
        if path == "health":
            self._send(200, {"version": "v2.170.0", "name": "GoTrue",
                             "description": "GoTrue is a user registration and authentication API"})
            return
        if not self.headers.get("apikey"):
            raise HttpError(401, {"message": "No API key found in request"})
        if self.headers.get("apikey") != fake.anon_key:
            raise HttpError(401, {"message": "Invalid API key"})
        data = json.loads(body or b"{}")
        with fake.lock:
            if method == "POST" and path == "token":
                grant = query.get("grant_type")
                if grant == "password":
                    user = next((u for u in fake.users.values() if u.email == data.get("email")), None)
                    if user is None or user.password != data.get("password"):
                        raise _auth_error(400, "invalid_credentials", "Invalid login credentials")
                    self._send(200, fake._session(user), _AUTH_HEADERS)
                    return
                if grant == "refresh_token":
                    user_id = fake.refresh_tokens.pop(data.get("refresh_token", ""), None)
                    if user_id is None or user_id not in fake.users:
                        raise _auth_error(400, "refresh_token_not_found",
                                          "Invalid Refresh Token: Refresh Token Not Found")
                    self._send(200, fake._session(fake.users[user_id]), _AUTH_HEADERS)
                    return
                raise _auth_error(400, "validation_failed", "unsupported_grant_type")
            claims = self._bearer_claims()
            user = fake.users.get(claims.get("sub", ""))
            if user is None:
                raise _auth_error(403, "user_not_found", "User from sub claim in JWT does not exist")
            if method == "GET" and path == "user":
                self._send(200, fake._user_json(user), _AUTH_HEADERS)
                return
            if method == "POST" and path == "logout":
                for token, owner in list(fake.refresh_tokens.items()):
                    if owner == user.id:
                        del fake.refresh_tokens[token]
                self._send(204, None, _AUTH_HEADERS)
                return
        raise HttpError(404, {"code": 404, "msg": "Not Found"})

    def _bearer_claims(self) -> dict[str, Any]:
        auth = self.headers.get("Authorization", "")
        if not auth.lower().startswith("bearer "):
            raise _auth_error(401, "no_authorization", "This endpoint requires a Bearer token")
        try:
            claims = read_jwt(auth[7:])
        except HttpError as exc:
            raise _auth_error(403, "bad_jwt", "invalid JWT: unable to parse or verify signature") from exc
        if claims.get("exp", 0) < time.time():
            raise _auth_error(403, "bad_jwt", "invalid JWT: token is expired")
        return claims

    # -- PostgREST ---------------------------------------------------------------------------------------------
    def _rest(self, method: str, table: str, query: list[tuple[str, str]], body: bytes) -> None:
        fake = self.server_fake
        claims = self._claims(api="rest")
        if table not in SCHEMA or not fake.schema_applied:
            raise HttpError(404, {"code": "PGRST205", "details": None, "hint": None,
                                  "message": f"Could not find the table 'public.{table}' in the schema cache"})
        if claims.get("role") != "authenticated":
            if method in ("GET", "HEAD"):
                raise HttpError(401, {"code": "42501", "details": None, "hint": None,
                                      "message": f"permission denied for table {table}"})
            raise HttpError(401, {"code": "42501", "details": None, "hint": None,
                                  "message": f"permission denied for table {table}"})
        user_id = claims["sub"]
        prefer = {p.strip().split("=", 1)[0]: (p.strip().split("=", 1) + [""])[1]
                  for p in ",".join(self.headers.get_all("Prefer") or []).split(",") if p.strip()}
        params = [(k, v) for k, v in query]
        select = next((v for k, v in params if k == "select"), "*")
        with fake.lock:
            if method in ("GET", "HEAD"):
                self._rest_select(method, table, user_id, params, prefer, select)
            elif method == "POST":
                self._rest_insert(table, user_id, params, prefer, select, body)
            elif method == "PATCH":
                self._rest_update(table, user_id, params, prefer, select, body)
            elif method == "DELETE":
                matched = self._filtered(table, user_id, params)
                for row in matched:
                    del fake.rows[table][(user_id, row["id"])]
                self._rest_reply(200 if prefer.get("return") == "representation" else 204, matched, prefer,
                                 select, len(matched))
            else:
                raise HttpError(405, {"message": "method not allowed"})

    def _filtered(self, table: str, user_id: str, params: list[tuple[str, str]]) -> list[dict[str, Any]]:
        rows = [r for (uid, _), r in self.server_fake.rows[table].items() if uid == user_id]
        for column, expression in params:
            if column in ("select", "order", "limit", "offset", "on_conflict", "columns"):
                continue
            if column not in SCHEMA[table]:
                raise HttpError(400, {"code": "42703", "details": None, "hint": None,
                                      "message": f"column {table}.{column} does not exist"})
            negate = expression.startswith("not.")
            if negate:
                expression = expression[4:]
            op, _, raw = expression.partition(".")
            kind = SCHEMA[table][column]
            test = _make_test(op, raw, kind)
            rows = [r for r in rows if test(r.get(column)) != negate]
        return rows

    def _rest_select(self, method: str, table: str, user_id: str, params: list[tuple[str, str]],
                     prefer: dict[str, str], select: str) -> None:
        rows = self._filtered(table, user_id, params)
        order = next((v for k, v in params if k == "order"), "")
        for term in reversed([t for t in order.split(",") if t]):
            parts = term.split(".")
            column, desc = parts[0], "desc" in parts[1:]
            kind = SCHEMA[table].get(column)
            if kind is None:
                raise HttpError(400, {"code": "42703", "message": f"column {table}.{column} does not exist"})
            rows.sort(key=lambda r, c=column, k=kind: _sort_key(r.get(c), k), reverse=desc)
        total = len(rows)
        offset = int(next((v for k, v in params if k == "offset"), 0))
        limit = next((v for k, v in params if k == "limit"), None)
        page = rows[offset: offset + int(limit)] if limit is not None else rows[offset:]
        self._rest_reply(200, page, prefer, select, total, offset=offset, always_range=True)

    def _rest_reply(self, status: int, rows: list[dict[str, Any]], prefer: dict[str, str], select: str,
                    total: int, *, offset: int = 0, always_range: bool = False) -> None:
        count = prefer.get("count")
        headers: dict[str, str] = {}
        if always_range or count:
            span = f"{offset}-{offset + len(rows) - 1}" if rows else "*"
            headers["Content-Range"] = f"{span}/{total if count else '*'}"
        if status == 204 or (status == 201 and prefer.get("return", "minimal") == "minimal"):
            self._send(status, None, headers)
            return
        self._send(status, [_project(r, select) for r in rows], headers)

    def _parse_rows(self, table: str, user_id: str, params: list[tuple[str, str]], body: bytes,
                    *, partial: bool = False) -> list[dict[str, Any]]:
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise HttpError(400, {"code": "PGRST102", "details": None, "hint": None,
                                  "message": "Empty or invalid json"}) from exc
        items = data if isinstance(data, list) else [data]
        columns_param = next((v for k, v in params if k == "columns"), None)
        columns = [c.strip('"') for c in columns_param.split(",")] if columns_param else None
        rows = []
        for item in items:
            if not isinstance(item, dict):
                raise HttpError(400, {"code": "PGRST102", "message": "All object keys must match"})
            row: dict[str, Any] = {}
            for key in (columns or list(item)):
                if key not in SCHEMA[table]:
                    raise HttpError(400, {"code": "PGRST204", "details": None, "hint": None,
                                          "message": f"Could not find the '{key}' column of '{table}' in the "
                                                     "schema cache"})
                row[key] = _coerce(item.get(key), SCHEMA[table][key], key)
            if not partial:
                row.setdefault("user_id", user_id)
                if row["user_id"] != user_id:
                    raise HttpError(403, {"code": "42501", "details": None, "hint": None,
                                          "message": f'new row violates row-level security policy for table '
                                                     f'"{table}"'})
                missing = [c for c in _REQUIRED if row.get(c) is None]
                if missing:
                    raise HttpError(400, {"code": "23502", "details": None, "hint": None,
                                          "message": f'null value in column "{missing[0]}" of relation '
                                                     f'"{table}" violates not-null constraint'})
                for name, default in _NOT_NULL_DEFAULTS.items():
                    if name in SCHEMA[table] and row.get(name) is None:
                        row[name] = default
            rows.append(row)
        return rows

    def _rest_insert(self, table: str, user_id: str, params: list[tuple[str, str]], prefer: dict[str, str],
                     select: str, body: bytes) -> None:
        fake = self.server_fake
        rows = self._parse_rows(table, user_id, params, body)
        resolution = prefer.get("resolution")
        on_conflict = next((v for k, v in params if k == "on_conflict"), "user_id,id")
        if resolution and set(on_conflict.split(",")) - {"user_id", "id"}:
            raise HttpError(400, {"code": "42P10", "details": None, "hint": None,
                                  "message": "there is no unique or exclusion constraint matching the ON "
                                             "CONFLICT specification"})
        store = fake.rows[table]
        written = []
        staged = dict(store)
        for row in rows:
            key = (user_id, row["id"])
            old = staged.get(key)
            if old is not None:
                if resolution == "merge-duplicates":
                    merged = {**old, **row}
                    if not _newer_wins(merged, old):
                        continue
                    row = merged
                elif resolution == "ignore-duplicates":
                    continue
                else:
                    raise HttpError(409, {"code": "23505", "details": f"Key (user_id, id)=({key[0]}, {key[1]}) "
                                                                     "already exists.", "hint": None,
                                          "message": f'duplicate key value violates unique constraint '
                                                     f'"{table}_pkey"'})
            row["revision"] = next(fake._revision)
            row["synced_at"] = pg_timestamp(datetime.now(UTC).isoformat())
            staged[key] = row
            written.append(row)
        store.clear()
        store.update(staged)  # the whole request is one transaction
        self._rest_reply(201, written, prefer, select, len(written))

    def _rest_update(self, table: str, user_id: str, params: list[tuple[str, str]], prefer: dict[str, str],
                     select: str, body: bytes) -> None:
        fake = self.server_fake
        changes = self._parse_rows(table, user_id, params, body, partial=True)[0]
        if changes.get("user_id", user_id) != user_id:
            raise HttpError(403, {"code": "42501", "message": f'new row violates row-level security policy for '
                                                              f'table "{table}"'})
        written = []
        for row in self._filtered(table, user_id, params):
            merged = {**row, **changes}
            if not _newer_wins(merged, row):
                continue
            merged["revision"] = next(fake._revision)
            fake.rows[table][(user_id, row["id"])] = merged
            written.append(merged)
        self._rest_reply(200 if prefer.get("return") == "representation" else 204, written, prefer, select,
                         len(written))

    # -- Storage ---------------------------------------------------------------------------------------------
    def _storage(self, method: str, path: str, body: bytes) -> None:
        fake = self.server_fake
        claims = self._claims(api="storage")
        user_id = claims.get("sub")
        parts = [unquote(p) for p in path.split("/")]
        if parts[0] != "object":
            raise HttpError(404, {"statusCode": "404", "error": "Not Found", "message": "Route not found"})
        rest = parts[1:]
        if rest and rest[0] == "list" and method == "POST":
            self._storage_list(rest[1], user_id, json.loads(body or b"{}"))
            return
        if method == "DELETE" and len(rest) == 1:
            removed = []
            with fake.lock:
                for name in json.loads(body or b"{}").get("prefixes") or []:
                    if user_id is not None and name.split("/")[0] == user_id and (rest[0], name) in fake.objects:
                        stored = fake.objects.pop((rest[0], name))
                        removed.append({"name": name, "bucket_id": rest[0], "id": stored.id})
            self._send(200, removed)
            return
        info = bool(rest) and rest[0] == "info"
        if info:
            rest = rest[1:]
        if len(rest) < 2:
            raise _storage_error("400", "InvalidRequest", "Object name is required")
        bucket, name = rest[0], "/".join(rest[1:])
        if bucket not in fake.buckets:
            raise _storage_error("404", "Bucket not found", "Bucket not found")
        allowed = user_id is not None and name.split("/")[0] == user_id and "/" in name
        with fake.lock:
            existing = fake.objects.get((bucket, name))
            if method in ("POST", "PUT"):
                if not allowed:
                    raise _storage_error("403", "Unauthorized", "new row violates row-level security policy")
                upsert = self.headers.get("x-upsert", "false").lower() == "true"
                if existing is not None and method == "POST" and not upsert:
                    raise _storage_error("409", "Duplicate", "The resource already exists")
                if existing is None and method == "PUT":
                    raise _storage_error("404", "not_found", "Object not found")
                data, content_type = self._upload_payload(body)
                fake.objects[(bucket, name)] = StoredObject(data, content_type, user_id,
                                                            pg_timestamp(datetime.now(UTC).isoformat()))
                self._send(200, {"Key": f"{bucket}/{name}", "Id": fake.objects[(bucket, name)].id})
                return
            if method in ("GET", "HEAD"):
                if existing is None or not allowed:
                    raise _storage_error("404", "not_found", "Object not found")
                if info:
                    self._send(200, {"id": existing.id, "name": name, "bucket_id": bucket,
                                     "size": len(existing.data), "content_type": existing.content_type,
                                     "created_at": existing.created_at})
                    return
                self._send(200, existing.data, {"ETag": f'"{hashlib.md5(existing.data).hexdigest()}"'},
                           content_type=existing.content_type)
                return
        raise HttpError(405, {"statusCode": "405", "error": "Method Not Allowed", "message": "not allowed"})

    def _upload_payload(self, body: bytes) -> tuple[bytes, str]:
        content_type = self.headers.get("Content-Type", "application/octet-stream")
        if not content_type.startswith("multipart/form-data"):
            return body, content_type
        match = re.search(r'boundary="?([^";]+)"?', content_type)
        if not match:
            raise _storage_error("400", "InvalidRequest", "Malformed multipart body")
        boundary = b"--" + match.group(1).encode()
        for chunk in body.split(boundary)[1:]:
            if chunk.startswith(b"--"):
                break
            head, _, payload = chunk.lstrip(b"\r\n").partition(b"\r\n\r\n")
            headers = dict(
                (k.strip().lower(), v.strip())
                for k, _, v in (line.decode().partition(":") for line in head.split(b"\r\n") if line)
            )
            if 'name="file"' in headers.get("content-disposition", ""):
                return payload[:-2] if payload.endswith(b"\r\n") else payload, headers.get(
                    "content-type", "application/octet-stream")
        raise _storage_error("400", "InvalidRequest", "No file in the upload")

    def _storage_list(self, bucket: str, user_id: str | None, options: dict[str, Any]) -> None:
        fake = self.server_fake
        if bucket not in fake.buckets:
            raise _storage_error("404", "Bucket not found", "Bucket not found")
        prefix = str(options.get("prefix") or "").strip("/")
        entries: dict[str, dict[str, Any]] = {}
        with fake.lock:
            for (b, name), obj in fake.objects.items():
                if b != bucket or user_id is None or name.split("/")[0] != user_id:
                    continue
                if prefix and not name.startswith(prefix + "/"):
                    continue
                tail = name[len(prefix) + 1:] if prefix else name
                head, _, more = tail.partition("/")
                if more:
                    entries.setdefault(head, {"name": head, "id": None, "updated_at": None, "created_at": None,
                                              "last_accessed_at": None, "metadata": None})
                else:
                    entries[head] = {"name": head, "id": obj.id, "updated_at": obj.created_at,
                                     "created_at": obj.created_at, "last_accessed_at": obj.created_at,
                                     "metadata": {"size": len(obj.data), "mimetype": obj.content_type}}
        items = sorted(entries.values(), key=lambda e: e["name"])
        offset, limit = int(options.get("offset", 0)), int(options.get("limit", 100))
        self._send(200, items[offset: offset + limit])


# -- value helpers ---------------------------------------------------------------------------------------------
def _coerce(value: Any, kind: str, column: str) -> Any:
    if value is None:
        return None
    if kind == "uuid":
        try:
            return str(uuid.UUID(str(value)))
        except ValueError as exc:
            raise HttpError(400, {"code": "22P02", "details": None, "hint": None,
                                  "message": f'invalid input syntax for type uuid: "{value}"'}) from exc
    if kind == "ts":
        return pg_timestamp(value)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise HttpError(400, {"code": "22P02", "message": f'invalid input syntax for type integer: "{value}"'})
        try:
            number = int(value)
        except ValueError as exc:
            raise HttpError(400, {"code": "22P02",
                                  "message": f'invalid input syntax for type integer: "{value}"'}) from exc
        if column == "rating" and not 1 <= number <= 10:
            raise HttpError(400, {"code": "23514", "message": 'new row violates check constraint "stories_rating_check"'})
        return number
    if kind == "float":
        return float(value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise HttpError(400, {"code": "22P02", "message": f'invalid input syntax for type boolean: "{value}"'})
    if kind == "text":
        return value if isinstance(value, str) else json.dumps(value)
    return value  # jsonb


def _parse_literal(raw: str, kind: str) -> Any:
    if raw == "null":
        return None
    if kind == "ts":
        return _ts_key(pg_timestamp(raw))
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "bool":
        return raw == "true"
    if kind == "uuid":
        return str(uuid.UUID(raw.strip('"')))
    return raw.strip('"') if raw.startswith('"') else raw


def _comparable(value: Any, kind: str) -> Any:
    if value is None:
        return None
    return _ts_key(value) if kind == "ts" else value


def _make_test(op: str, raw: str, kind: str):
    if op == "is":
        wanted = {"null": None, "true": True, "false": False}.get(raw, raw)
        return lambda v: v is wanted if wanted is None else v == wanted
    if op == "in":
        values = {_parse_literal(x.strip(), kind) for x in _split_list(raw.strip("()"))}
        return lambda v: _comparable(v, kind) in values
    operand = _parse_literal(raw, kind)
    compare = {"eq": lambda a, b: a == b, "neq": lambda a, b: a != b, "gt": lambda a, b: a > b,
               "gte": lambda a, b: a >= b, "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b}.get(op)
    if compare is None:
        raise HttpError(400, {"code": "PGRST100", "details": f"unexpected operator {op}", "hint": None,
                              "message": f'"failed to parse filter ({op}.{raw})"'})

    def test(value: Any) -> bool:
        current = _comparable(value, kind)
        if current is None or operand is None:
            return False
        return compare(current, operand)

    return test


def _split_list(text: str) -> list[str]:
    items, buffer, quoted = [], "", False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            items.append(buffer)
            buffer = ""
        else:
            buffer += char
    if buffer:
        items.append(buffer)
    return items


def _sort_key(value: Any, kind: str) -> tuple[int, Any]:
    # PostgreSQL sorts NULLs last in ascending order.
    return (1, 0) if value is None else (0, _comparable(value, kind))


def _project(row: dict[str, Any], select: str) -> dict[str, Any]:
    if select.strip() in ("", "*"):
        return dict(row)
    return {c: row.get(c) for c in (s.strip() for s in select.split(",")) if c}


def _newer_wins(new: dict[str, Any], old: dict[str, Any]) -> bool:
    """The migrations' last-writer-wins guard: older loses; a tie keeps the stored row unless new is a tombstone."""
    new_at, old_at = _ts_key(new["updated_at"]), _ts_key(old["updated_at"])
    if new_at != old_at:
        return new_at > old_at
    return new.get("deleted_at") is not None and old.get("deleted_at") is None
