"""Fixtures for the sync tests: one PostgreSQL cluster per test session, a fresh project database per test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.fakes.pg_supabase import PgSupabase, drop_project_database, start_pg_supabase
from tests.fakes.postgres_cluster import PostgresCluster, unavailable_reason

# As root (CI, .ci/run installs `postgresql`) the PostgreSQL-backed tests must run: a missing server fails them.
MUST_RUN_PG = os.geteuid() == 0 or bool(os.environ.get("CI"))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    reason = unavailable_reason()
    if reason is not None:
        if MUST_RUN_PG:
            pytest.fail(f"PostgreSQL is needed for the sync tests: {reason}")
        pytest.skip(reason)
    cluster = PostgresCluster()
    cluster.port = 54331  # beside test_supabase_schema's own cluster
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture()
def pg_fake(pg_cluster: PostgresCluster) -> Iterator[PgSupabase]:
    """A Supabase stand-in on real PostgreSQL with every migration applied."""
    server = start_pg_supabase(pg_cluster)
    try:
        yield server
    finally:
        server.stop()
        drop_project_database(pg_cluster, server.conninfo)
