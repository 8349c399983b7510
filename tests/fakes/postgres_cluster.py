"""A throwaway PostgreSQL cluster for schema tests, plus the small part of Supabase the migrations rely on.

Debian's ``postgresql`` package installs the server under ``/usr/lib/postgresql/<major>/bin``; it must run as the
``postgres`` user, so the cluster lives in a temp dir owned by ``postgres`` and listens only on a unix socket there.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

SUPABASE_STAND_IN = r"""
-- Roles Supabase creates; the API connects as `authenticator` and switches to one of these.
do $$ begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then create role anon nologin; end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin;
  end if;
end $$;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated;
-- Supabase's auth.uid(): the `sub` claim of the request's JWT, which PostgREST puts in request.jwt.claims.
create or replace function auth.uid() returns uuid language sql stable as $$
  select nullif(
    coalesce(current_setting('request.jwt.claim.sub', true),
             (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')),
    '')::uuid
$$;

grant usage on schema public to anon, authenticated;

create schema if not exists storage;
grant usage on schema storage to anon, authenticated;
create table if not exists storage.buckets (
  id text primary key,
  name text not null unique,
  owner uuid,
  public boolean default false,
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);
create table if not exists storage.objects (
  id uuid primary key default gen_random_uuid(),
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid default auth.uid(),
  metadata jsonb,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  unique (bucket_id, name)
);
alter table storage.objects enable row level security;
alter table storage.buckets enable row level security;
grant select, insert, update, delete on storage.objects to anon, authenticated;
grant select on storage.buckets to anon, authenticated;
-- Supabase's storage.foldername(): the folders of an object name, without the file name.
create or replace function storage.foldername(name text) returns text[] language plpgsql immutable as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[1:array_length(_parts, 1) - 1];
end
$$;
"""


def find_pg_bin() -> Path | None:
    override = os.environ.get("TALE_PG_BIN")
    candidates = [override] if override else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def unavailable_reason() -> str | None:
    """Why a cluster cannot be started here, or ``None`` when it can."""
    if find_pg_bin() is None:
        return "PostgreSQL server binaries not found (install Debian's 'postgresql' package)"
    if os.geteuid() != 0 and _whoami() != "postgres":
        return "starting PostgreSQL needs root (to run as the 'postgres' user) or the 'postgres' user itself"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "runuser is missing"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[dev]')"
    return None


def _whoami() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


class PostgresCluster:
    def __init__(self) -> None:
        self.bin = find_pg_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL not installed")
        # The postgres user must reach the folder: use /tmp when TMPDIR is private to root.
        parent = Path(tempfile.gettempdir())
        if os.geteuid() == 0 and not (parent.stat().st_mode & 0o001):
            parent = Path("/tmp")
        self.root = Path(tempfile.mkdtemp(prefix="tale-pg-", dir=parent))
        self.data = self.root / "data"
        self.sockets = self.root / "sock"
        self.port = 54329

    def _as_postgres(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60)

    def start(self) -> None:
        self.sockets.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.sockets, "postgres", "postgres")
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                          "--no-sync", "-E", "UTF8", "--locale=C")
        options = f"-c listen_addresses='' -k {self.sockets} -p {self.port} -c fsync=off"
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-t", "30",
                          "-l", str(self.root / "server.log"), "start")

    def conninfo(self, dbname: str = "postgres") -> str:
        return f"host={self.sockets} port={self.port} user=postgres dbname={dbname}"

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
