"""A loopback Supabase whose PostgREST and Storage run every request on a real PostgreSQL.

Auth (GoTrue sessions and JWTs), request recording and the scriptable faults come from ``FakeSupabase``; what the
SDK asks of PostgREST (select with filters / order / limit, insert and upsert with ``on_conflict``, ``columns``
and ``Prefer``) and of Storage (upload, download, info, list, remove) is translated into SQL and executed in one
transaction per request as the JWT's role (``authenticated`` or ``anon``) with ``request.jwt.claims`` set, like
PostgREST does. So the project's migrations (triggers, RLS, storage policies) decide every outcome, not Python.
Object bytes live in memory beside their ``storage.objects`` rows (Supabase keeps them in S3 the same way).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import queue
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from tale_desktop.resources_path import resource
from tests.fakes.postgres_cluster import SUPABASE_STAND_IN, PostgresCluster
from tests.fakes.supabase_server import FakeSupabase, HttpError, _Handler, _storage_error

RESERVED = {"select", "order", "limit", "offset", "on_conflict", "columns"}
OPERATORS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def migration_files(upto: str | None = None) -> list[str]:
    """The project's Supabase migrations in order (only those up to and including ``upto``, a file prefix)."""
    files = sorted(resource("supabase", "migrations").glob("*.sql"))
    if upto is not None:
        files = [f for f in files if f.name[: len(upto)] <= upto]
    return [f.read_text(encoding="utf-8") for f in files]


def create_project_database(cluster: PostgresCluster, *, upto: str | None = None) -> str:
    """A fresh database with the Supabase stand-in schema and the migrations applied; returns its conninfo."""
    import psycopg

    name = f"p_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(cluster.conninfo(), autocommit=True) as admin:
        admin.execute(f"create database {name}")
    with psycopg.connect(cluster.conninfo(name), autocommit=True) as conn:
        conn.execute(SUPABASE_STAND_IN)
        for text in migration_files(upto):
            conn.execute(text)
    return cluster.conninfo(name)


def drop_project_database(cluster: PostgresCluster, conninfo: str) -> None:
    import psycopg

    name = conninfo.rsplit("dbname=", 1)[1]
    with psycopg.connect(cluster.conninfo(), autocommit=True) as admin:
        admin.execute(f"drop database if exists {name} with (force)")


def start_pg_supabase(cluster: PostgresCluster, *, upto: str | None = None, realtime: bool = True) -> PgSupabase:
    """A started stand-in on a fresh project database (migrations up to ``upto``)."""
    return PgSupabase(create_project_database(cluster, upto=upto), realtime=realtime).start()


@dataclass
class PgObject:
    data: bytes
    content_type: str


class PgSupabase(FakeSupabase):
    def __init__(self, conninfo: str, *, realtime: bool = True, **kwargs: Any):
        super().__init__(**kwargs)
        self.conninfo = conninfo
        self.realtime_enabled = realtime  # False: the websocket is refused, as when Realtime is unavailable
        self.stopping = threading.Event()
        self.realtime = RealtimeFeed(self)
        self.blobs: dict[tuple[str, str], PgObject] = {}
        self._idle: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._all: list[Any] = []
        self._columns: dict[str, dict[str, str]] | None = None
        self._columns_lock = threading.Lock()

    def start(self) -> PgSupabase:
        fake = self

        class Handler(_PgHandler):
            server_fake = fake

        from tests.fakes import loopback

        self._server = loopback.serve(Handler, "pg-supabase")
        if self.realtime_enabled:
            self.realtime.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.realtime.stop()
        super().stop()
        for conn in self._all:
            with contextlib.suppress(Exception):
                conn.close()

    # -- connections ------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def connection(self) -> Iterator[Any]:
        import psycopg

        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = psycopg.connect(self.conninfo)
            self._all.append(conn)
        try:
            yield conn
        finally:
            if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                conn.rollback()
            self._idle.put(conn)

    @contextlib.contextmanager
    def as_request(self, claims: dict[str, Any]) -> Iterator[Any]:
        """One transaction as PostgREST runs a request: the JWT's role, its claims in request.jwt.claims."""
        role = "authenticated" if claims.get("role") == "authenticated" else "anon"
        with self.connection() as conn, conn.transaction():
            conn.execute(f"set local role {role}")
            conn.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))
            yield conn

    def columns(self) -> dict[str, dict[str, str]]:
        with self._columns_lock:
            if self._columns is None:
                with self.connection() as conn:
                    rows = conn.execute("select table_name, column_name, data_type from information_schema.columns "
                                        "where table_schema = 'public'").fetchall()
                    conn.rollback()
                found: dict[str, dict[str, str]] = {}
                for table, column, kind in rows:
                    found.setdefault(table, {})[column] = kind
                self._columns = found
            return self._columns

    # -- inspection (as the database owner, past RLS) ----------------------------------------------------------
    def table(self, name: str, user_id: str | None = None) -> list[dict[str, Any]]:
        with self.connection() as conn:
            sql = f"select to_jsonb(t) from public.{name} t"
            args: tuple[Any, ...] = ()
            if user_id is not None:
                sql += " where user_id = %s"
                args = (user_id,)
            rows = [r[0] for r in conn.execute(sql, args).fetchall()]
            conn.rollback()
        return rows

    def sql(self, statement: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.connection() as conn:
            cur = conn.execute(statement, args or None)
            rows = cur.fetchall() if cur.description else []
            conn.commit()
        return rows

    def object_names(self, bucket: str = "tales") -> set[str]:
        return {r[0] for r in self.sql("select name from storage.objects where bucket_id = %s", (bucket,))}


def _pg_error(exc: Any, role: str) -> HttpError:
    diag = exc.diag
    code = exc.sqlstate or "XX000"
    status = {"42501": 403 if role == "authenticated" else 401, "23505": 409, "23503": 409, "42P01": 404,
              "42883": 404}.get(code)
    if status is None:
        status = 400 if code[:2] in ("22", "23", "42", "P0") else 500
    return HttpError(status, {"code": code, "message": diag.message_primary or str(exc),
                              "details": diag.message_detail, "hint": diag.message_hint})


class _PgHandler(_Handler):
    server_fake: PgSupabase

    def do_GET(self) -> None:
        if self.path.startswith("/realtime/v1/websocket"):
            with self.server_fake.lock:
                self.server_fake.requests.append(("GET", self.path.split("?")[0]))
            if self.server_fake.realtime_enabled and "websocket" in self.headers.get("Upgrade", "").lower():
                _serve_realtime(self)
            else:
                self._read_body()
                self._send(404, {"message": "no Route matched with those values"})
            return
        super().do_GET()

    # -- PostgREST -------------------------------------------------------------------------------------------
    def _rest(self, method: str, table: str, query: list[tuple[str, str]], body: bytes) -> None:
        import psycopg
        from psycopg import sql

        fake = self.server_fake
        claims = self._claims(api="rest")
        role = "authenticated" if claims.get("role") == "authenticated" else "anon"
        columns = fake.columns().get(table)
        if columns is None:
            raise HttpError(404, {"code": "PGRST205", "details": None, "hint": None,
                                  "message": f"Could not find the table 'public.{table}' in the schema cache"})
        prefer = {p.strip().split("=", 1)[0]: (p.strip().split("=", 1) + [""])[1]
                  for p in ",".join(self.headers.get_all("Prefer") or []).split(",") if p.strip()}
        params = dict(query)
        target = sql.SQL("public.{}").format(sql.Identifier(table))
        try:
            # Answer only after the transaction committed: a client must never read a reply before its effect.
            with fake.as_request(claims) as conn:
                reply = self._rest_in(conn, method, table, columns, target, params, prefer, query, body)
        except psycopg.Error as exc:
            raise _pg_error(exc, role) from exc
        self._send(*reply)

    def _rest_in(self, conn: Any, method: str, table: str, columns: dict[str, str], target: Any,
                 params: dict[str, str], prefer: dict[str, str], query: list[tuple[str, str]],
                 body: bytes) -> tuple[int, Any, dict[str, str]]:
        from psycopg import sql

        if method in ("GET", "HEAD"):
            statement = sql.SQL("select coalesce(json_agg(to_jsonb(t)), '[]'::json)::text from "
                                "(select {} from {} {} {} {} {}) t").format(
                self._select(params.get("select", "*")), target, self._where(query),
                self._order(params.get("order", "")),
                sql.SQL("limit {}").format(sql.Literal(int(params["limit"]))) if "limit" in params
                else sql.SQL(""),
                sql.SQL("offset {}").format(sql.Literal(int(params["offset"]))) if "offset" in params
                else sql.SQL(""))
            text = conn.execute(statement).fetchone()[0]
            count = len(json.loads(text))
            offset = int(params.get("offset", 0))
            span = f"{offset}-{offset + count - 1}" if count else "*"
            return 200, text.encode(), {"Content-Range": f"{span}/*"}
        if method == "POST":
            return self._insert(conn, table, columns, target, params, prefer, body)
        raise HttpError(405, {"message": "method not allowed"})

    def _insert(self, conn: Any, table: str, columns: dict[str, str], target: Any, params: dict[str, str],
                prefer: dict[str, str], body: bytes) -> tuple[int, Any, dict[str, str]]:
        from psycopg import sql

        try:
            data = json.loads(body)
        except ValueError as exc:
            raise HttpError(400, {"code": "PGRST102", "details": None, "hint": None,
                                  "message": "Empty or invalid json"}) from exc
        rows = data if isinstance(data, list) else [data]
        if "columns" in params:
            names = [c.strip().strip('"') for c in params["columns"].split(",")]
        else:
            names = list(rows[0]) if rows else []
        for name in names:
            if name not in columns:
                raise HttpError(400, {"code": "PGRST204", "details": None, "hint": None,
                                      "message": f"Could not find the '{name}' column of '{table}' in the schema "
                                                 "cache"})
        column_list = sql.SQL(", ").join(sql.Identifier(n) for n in names)
        statement = sql.SQL("insert into {} ({}) select {} from json_populate_recordset(null::{}, %s::json)").format(
            target, column_list, column_list, target)
        resolution = prefer.get("resolution")
        if resolution:
            conflict = [c.strip() for c in params.get("on_conflict", "user_id,id").split(",")]
            action = sql.SQL("do nothing")
            if resolution == "merge-duplicates":
                action = sql.SQL("do update set {}").format(sql.SQL(", ").join(
                    sql.SQL("{} = excluded.{}").format(sql.Identifier(n), sql.Identifier(n))
                    for n in names if n not in conflict))
            statement = sql.SQL("{} on conflict ({}) {}").format(
                statement, sql.SQL(", ").join(sql.Identifier(c) for c in conflict), action)
        representation = prefer.get("return") == "representation"
        if representation:
            statement = sql.SQL("with w as ({} returning *) select coalesce(json_agg(to_jsonb(w)), '[]')::text "
                                "from w").format(statement)
        cur = conn.execute(statement, (json.dumps(rows),))
        if representation:
            return 201, cur.fetchone()[0].encode(), {}
        return 201, None, {"Content-Range": "*/*"}

    @staticmethod
    def _select(select: str) -> Any:
        from psycopg import sql

        if select.strip() in ("", "*"):
            return sql.SQL("*")
        return sql.SQL(", ").join(sql.Identifier(c.strip()) for c in select.split(",") if c.strip())

    @staticmethod
    def _where(query: list[tuple[str, str]]) -> Any:
        from psycopg import sql

        terms = []
        for column, expression in query:
            if column in RESERVED:
                continue
            negate = expression.startswith("not.")
            if negate:
                expression = expression[4:]
            op, _, raw = expression.partition(".")
            ident = sql.Identifier(column)
            if op == "is":
                word = {"null": "null", "true": "true", "false": "false"}.get(raw)
                if word is None:
                    raise HttpError(400, {"code": "PGRST100", "message": f'"failed to parse filter (is.{raw})"'})
                term = sql.SQL("{} is {}").format(ident, sql.SQL(word))
            elif op == "in":
                items = [x.strip().strip('"') for x in raw.strip("()").split(",") if x.strip()]
                term = sql.SQL("{} in ({})").format(ident, sql.SQL(", ").join(sql.Literal(x) for x in items)) \
                    if items else sql.SQL("false")
            elif op in OPERATORS:
                term = sql.SQL("{} {} {}").format(ident, sql.SQL(OPERATORS[op]), sql.Literal(raw))
            else:
                raise HttpError(400, {"code": "PGRST100", "details": f"unexpected operator {op}", "hint": None,
                                      "message": f'"failed to parse filter ({op}.{raw})"'})
            terms.append(sql.SQL("not ({})").format(term) if negate else term)
        if not terms:
            return sql.SQL("")
        return sql.SQL("where ") + sql.SQL(" and ").join(terms)

    @staticmethod
    def _order(order: str) -> Any:
        from psycopg import sql

        parts = []
        for term in (t for t in order.split(",") if t):
            column, *mods = term.split(".")
            text = " desc" if "desc" in mods else " asc"
            if "nullsfirst" in mods:
                text += " nulls first"
            elif "nullslast" in mods:
                text += " nulls last"
            parts.append(sql.Identifier(column) + sql.SQL(text))
        return sql.SQL("order by ") + sql.SQL(", ").join(parts) if parts else sql.SQL("")

    # -- Storage ---------------------------------------------------------------------------------------------
    def _storage(self, method: str, path: str, body: bytes) -> None:
        import psycopg

        fake = self.server_fake
        claims = self._claims(api="storage")
        role = "authenticated" if claims.get("role") == "authenticated" else "anon"
        parts = [unquote(p) for p in path.split("/")]
        if parts[0] != "object":
            raise HttpError(404, {"statusCode": "404", "error": "Not Found", "message": "Route not found"})
        rest = parts[1:]
        try:
            if rest and rest[0] == "list" and method == "POST":
                self._bucket_exists(rest[1])
                self._list(claims, rest[1], json.loads(body or b"{}"))
                return
            if method == "DELETE" and len(rest) == 1:
                self._bucket_exists(rest[0])
                self._remove(claims, rest[0], json.loads(body or b"{}").get("prefixes") or [])
                return
            info = bool(rest) and rest[0] == "info"
            if info or (rest and rest[0] == "authenticated"):
                rest = rest[1:]
            if len(rest) < 2:
                raise _storage_error("400", "InvalidRequest", "Object name is required")
            bucket, name = rest[0], "/".join(rest[1:])
            self._bucket_exists(bucket)
            if method in ("POST", "PUT"):
                self._upload(claims, method, bucket, name, body)
                return
            if method in ("GET", "HEAD"):
                with fake.as_request(claims) as conn:
                    row = conn.execute("select id::text, created_at from storage.objects where bucket_id = %s "
                                       "and name = %s", (bucket, name)).fetchone()
                blob = fake.blobs.get((bucket, name))
                if row is None or blob is None:
                    raise _storage_error("404", "not_found", "Object not found")
                if info:
                    self._send(200, {"id": row[0], "name": name, "bucket_id": bucket, "size": len(blob.data),
                                     "content_type": blob.content_type, "created_at": row[1].isoformat()})
                    return
                self._send(200, blob.data, content_type=blob.content_type)
                return
        except psycopg.Error as exc:
            if exc.sqlstate == "42501":
                raise _storage_error("403", "Unauthorized", "new row violates row-level security policy") from exc
            raise _pg_error(exc, role) from exc
        raise HttpError(405, {"statusCode": "405", "error": "Method Not Allowed", "message": "not allowed"})

    def _bucket_exists(self, bucket: str) -> None:
        if not self.server_fake.sql("select 1 from storage.buckets where id = %s", (bucket,)):
            raise _storage_error("404", "Bucket not found", "Bucket not found")

    def _upload(self, claims: dict[str, Any], method: str, bucket: str, name: str, body: bytes) -> None:
        fake = self.server_fake
        data, content_type = self._upload_payload(body)
        upsert = method == "PUT" or self.headers.get("x-upsert", "false").lower() == "true"
        metadata = json.dumps({"size": len(data), "mimetype": content_type})
        statement = ("insert into storage.objects (bucket_id, name, owner, metadata) values (%s, %s, auth.uid(), "
                     "%s::jsonb)")
        if upsert:
            statement += (" on conflict (bucket_id, name) do update set metadata = excluded.metadata, "
                          "updated_at = now()")
        statement += " returning id::text"
        import psycopg

        try:
            with fake.as_request(claims) as conn:
                fake.blobs[(bucket, name)] = PgObject(data, content_type)  # before the row is visible
                object_id = conn.execute(statement, (bucket, name, metadata)).fetchone()[0]
        except psycopg.errors.UniqueViolation as exc:
            raise _storage_error("409", "Duplicate", "The resource already exists") from exc
        self._send(200, {"Key": f"{bucket}/{name}", "Id": object_id})

    def _remove(self, claims: dict[str, Any], bucket: str, names: list[str]) -> None:
        fake = self.server_fake
        with fake.as_request(claims) as conn:
            text = conn.execute(
                "with gone as (delete from storage.objects where bucket_id = %s and name = any(%s) returning *) "
                "select coalesce(json_agg(to_jsonb(gone)), '[]')::text from gone", (bucket, list(names))
            ).fetchone()[0]
        removed = json.loads(text)
        for item in removed:
            fake.blobs.pop((bucket, item["name"]), None)
        self._send(200, removed)

    def _list(self, claims: dict[str, Any], bucket: str, options: dict[str, Any]) -> None:
        fake = self.server_fake
        prefix = str(options.get("prefix") or "").strip("/")
        pattern = (prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%") if prefix else "%"
        with fake.as_request(claims) as conn:
            rows = conn.execute("select name, id::text, created_at, updated_at, metadata from storage.objects "
                                "where bucket_id = %s and name like %s order by name", (bucket, pattern)).fetchall()
        entries: dict[str, dict[str, Any]] = {}
        for name, object_id, created, updated, metadata in rows:
            tail = name[len(prefix) + 1:] if prefix else name
            head, _, more = tail.partition("/")
            if more:
                entries.setdefault(head, {"name": head, "id": None, "updated_at": None, "created_at": None,
                                          "last_accessed_at": None, "metadata": None})
            else:
                entries[head] = {"name": head, "id": object_id, "updated_at": updated.isoformat(),
                                 "created_at": created.isoformat(), "last_accessed_at": updated.isoformat(),
                                 "metadata": metadata}
        items = sorted(entries.values(), key=lambda e: e["name"])
        offset, limit = int(options.get("offset", 0)), int(options.get("limit", 100))
        self._send(200, items[offset: offset + limit])


# -- Realtime (Phoenix channels over a websocket, fed by LISTEN/NOTIFY) -----------------------------------------
# Supabase Realtime reads the write-ahead log; the stand-in has each table notify its changes instead, and sends
# them, like Realtime, only to subscribers whose JWT owns the row.
REALTIME_FEED = """
create or replace function public.tale_standin_realtime() returns trigger language plpgsql as $$
begin
  perform pg_notify('tale_realtime', json_build_object(
    'table', tg_table_name, 'type', tg_op, 'user_id', new.user_id,
    'record', json_build_object('id', new.id, 'user_id', new.user_id, 'origin', new.origin,
                                'revision', new.revision, 'updated_at', new.updated_at))::text);
  return null;
end $$;
do $$
declare t text;
begin
  foreach t in array array['children', 'heroes', 'stories', 'narrations', 'illustrations'] loop
    continue when to_regclass('public.' || t) is null;  -- a project on an older schema
    execute format('drop trigger if exists tale_standin_realtime on public.%I', t);
    execute format('create trigger tale_standin_realtime after insert or update on public.%I '
                   'for each row execute function public.tale_standin_realtime()', t);
  end loop;
end $$;
"""


@dataclass
class _Subscription:
    send: Any
    topic: str
    user_id: str | None
    bindings: list[dict[str, Any]]


class RealtimeFeed:
    """Forwards the database's change notifications to the joined channels."""

    def __init__(self, fake: PgSupabase):
        self.fake = fake
        self.subscriptions: list[_Subscription] = []
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._ids = itertools.count(1)
        self.delivered = 0
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.fake.sql(REALTIME_FEED)
        self._thread = threading.Thread(target=self._listen, name="pg-realtime", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def next_id(self) -> int:
        return next(self._ids)

    def _listen(self) -> None:
        import psycopg

        with psycopg.connect(self.fake.conninfo, autocommit=True) as conn:
            conn.execute("listen tale_realtime")
            while not self._stop.is_set():
                for note in conn.notifies(timeout=0.2):
                    self._deliver(json.loads(note.payload))

    def _deliver(self, change: dict[str, Any]) -> None:
        with self.lock:
            targets = [s for s in self.subscriptions if s.user_id and s.user_id == str(change["user_id"])]
        for sub in targets:
            ids = [b["id"] for b in sub.bindings if b.get("table") in (change["table"], "*")
                   and b.get("event") in ("*", change["type"])]
            if not ids:
                continue
            with contextlib.suppress(Exception):
                sub.send({"event": "postgres_changes", "topic": sub.topic, "ref": None, "payload": {
                    "ids": ids, "data": {"schema": "public", "table": change["table"], "type": change["type"],
                                         "commit_timestamp": change["record"].get("updated_at"), "errors": None,
                                         "columns": [], "record": change["record"]}}})
                self.delivered += 1


def _serve_realtime(handler: _PgHandler) -> None:
    """Speak the Phoenix channel protocol (vsn 1.0.0 JSON) on this connection until the client leaves."""

    from websockets.frames import Opcode
    from websockets.server import ServerProtocol

    from tests.fakes.supabase_server import read_jwt

    fake = handler.server_fake
    feed = fake.realtime
    raw = (handler.requestline + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in handler.headers.items())
           + "\r\n").encode()
    proto = ServerProtocol()
    proto.receive_data(raw)
    response = proto.accept(proto.events_received()[0])
    proto.send_response(response)
    sock = handler.connection
    lock = threading.RLock()
    closed = threading.Event()

    def flush() -> None:
        with lock:
            for data in proto.data_to_send():
                if data:
                    sock.sendall(data)
                else:
                    closed.set()

    def send(message: dict[str, Any]) -> None:
        with lock:
            if closed.is_set():
                return
            proto.send_text(json.dumps(message).encode())
            flush()

    def user_of(token: str | None) -> str | None:
        try:
            return read_jwt(token).get("sub") if token else None
        except HttpError:
            return None

    mine: list[_Subscription] = []

    def handle(message: dict[str, Any]) -> None:
        event, topic, ref = message.get("event"), message.get("topic"), message.get("ref")
        payload = message.get("payload") or {}

        def reply(response: dict[str, Any], status: str = "ok") -> None:
            send({"event": "phx_reply", "topic": topic, "ref": ref, "join_ref": message.get("join_ref"),
                  "payload": {"status": status, "response": response}})

        if event == "heartbeat":
            reply({})
        elif event == "phx_join":
            config = payload.get("config") or {}
            bindings = [{"id": feed.next_id(), **b} for b in config.get("postgres_changes") or []]
            sub = _Subscription(send, topic, user_of(payload.get("access_token")), bindings)
            with feed.lock:
                feed.subscriptions.append(sub)
            mine.append(sub)
            reply({"postgres_changes": [{"filter": None, **b} for b in bindings]})
        elif event == "access_token":
            for sub in mine:
                if sub.topic == topic:
                    sub.user_id = user_of(payload.get("access_token"))
        elif event == "phx_leave":
            with feed.lock:
                feed.subscriptions[:] = [s for s in feed.subscriptions if not (s in mine and s.topic == topic)]
            reply({})

    flush()
    sock.settimeout(0.2)
    try:
        while not closed.is_set() and not fake.stopping.is_set():
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            with lock:
                if not data:
                    proto.receive_eof()
                else:
                    proto.receive_data(data)
                events = proto.events_received()
            for frame in events:
                if frame.opcode == Opcode.TEXT:
                    handle(json.loads(frame.data))
            flush()
            if not data:
                break
    finally:
        with feed.lock:
            feed.subscriptions[:] = [s for s in feed.subscriptions if s not in mine]
        handler.close_connection = True
