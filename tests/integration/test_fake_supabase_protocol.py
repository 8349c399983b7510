"""The loopback Supabase speaks the protocol the real SDK uses: PostgREST filters, Prefer, Content-Range, upsert
with merge-duplicates, per-user scoping, Storage uploads/downloads, Auth grants, scripted failures."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from postgrest.exceptions import APIError
from storage3.exceptions import StorageApiError
from supabase import AsyncClient, AsyncClientOptions, acreate_client
from supabase_auth.errors import AuthApiError

from tests.fakes.supabase_server import FakeSupabase


@pytest.fixture()
def fake() -> Iterator[FakeSupabase]:
    with FakeSupabase() as server:
        server.alice = server.add_user("alice@example.org", "pw-a")  # type: ignore[attr-defined]
        server.bob = server.add_user("bob@example.org", "pw-b")  # type: ignore[attr-defined]
        yield server


async def client_for(fake: FakeSupabase, http: httpx.AsyncClient, email: str, password: str) -> AsyncClient:
    client = await acreate_client(fake.url, fake.anon_key, options=AsyncClientOptions(
        httpx_client=http, auto_refresh_token=False))
    await client.auth.sign_in_with_password({"email": email, "password": password})
    return client


@pytest.fixture()
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def child(name: str, updated_at: str = "2026-01-01T10:00:00.000Z", **extra) -> dict:
    return {"id": str(uuid.uuid4()), "name": name, "age_band": "3-5", "gender": "female", "interests": ["cats"],
            "created_at": "2026-01-01T09:00:00Z", "updated_at": updated_at, "deleted_at": None, **extra}


async def test_filters_order_paging_and_counts(fake, http) -> None:
    alice = await client_for(fake, http, "alice@example.org", "pw-a")
    rows = [child(f"Kid {i:02d}", f"2026-01-01T10:00:{i:02d}.000Z") for i in range(12)]
    await alice.table("children").insert(rows).execute()

    page = await (alice.table("children").select("id,name", count="exact").gte("updated_at", "2026-01-01T10:00:03Z")
                  .lt("updated_at", "2026-01-01T10:00:09Z").order("name", desc=True).limit(2).offset(1).execute())
    assert [r["name"] for r in page.data] == ["Kid 07", "Kid 06"] and page.count == 6
    assert set(page.data[0]) == {"id", "name"}
    picked = await alice.table("children").select("name").in_("id", [rows[0]["id"], rows[5]["id"]]).execute()
    assert sorted(r["name"] for r in picked.data) == ["Kid 00", "Kid 05"]
    one = await alice.table("children").select("name").eq("id", rows[3]["id"]).execute()
    assert one.data == [{"name": "Kid 03"}]
    later = await alice.table("children").select("revision").gt("revision", 10).execute()
    assert len(later.data) == 2
    response = await http.get(f"{fake.url}/rest/v1/children", params={"select": "id", "limit": "5"},
                              headers={"apikey": fake.anon_key, "Authorization": alice.options.headers["Authorization"],
                                       "Prefer": "count=exact"})
    assert response.headers["Content-Range"] == "0-4/12"


async def test_upsert_merges_and_keeps_the_newer_row(fake, http) -> None:
    alice = await client_for(fake, http, "alice@example.org", "pw-a")
    row = child("Mia")
    created = await alice.table("children").upsert(row, on_conflict="user_id,id").execute()
    assert created.data[0]["user_id"] == fake.alice and created.data[0]["updated_at"] == "2026-01-01T10:00:00+00:00"
    newer = {**row, "name": "Mia B.", "updated_at": "2026-01-02T10:00:00Z"}
    await alice.table("children").upsert(newer, on_conflict="user_id,id").execute()
    older = {**row, "name": "stale", "updated_at": "2025-12-31T10:00:00Z"}
    ignored = await alice.table("children").upsert(older, on_conflict="user_id,id").execute()
    assert ignored.data == []
    [stored] = fake.table("children")
    assert stored["name"] == "Mia B."
    with pytest.raises(APIError) as duplicate:
        await alice.table("children").insert(row).execute()
    assert duplicate.value.code == "23505"
    with pytest.raises(APIError) as unknown:
        await alice.table("children").insert({**child("X"), "shoe_size": 3}).execute()
    assert unknown.value.code == "PGRST204"


async def test_rows_are_scoped_to_the_signed_in_user(fake, http) -> None:
    alice = await client_for(fake, http, "alice@example.org", "pw-a")
    row = child("Alice's")
    await alice.table("children").insert(row).execute()
    async with httpx.AsyncClient() as other_http:
        bob = await client_for(fake, other_http, "bob@example.org", "pw-b")
        assert (await bob.table("children").select("*").execute()).data == []
        assert (await bob.table("children").update({"name": "hacked"}).eq("id", row["id"]).execute()).data == []
        assert (await bob.table("children").delete().eq("id", row["id"]).execute()).data == []
        with pytest.raises(APIError) as foreign:
            await bob.table("children").insert({**child("x"), "user_id": fake.alice}).execute()
        assert foreign.value.code == "42501"
        with pytest.raises(StorageApiError):
            await bob.storage.from_("tales").upload(f"{fake.alice}/s/x.mp3", b"x", {"content-type": "audio/mpeg"})
    assert fake.table("children")[0]["name"] == "Alice's"
    anon = await acreate_client(fake.url, fake.anon_key, options=AsyncClientOptions(httpx_client=http))
    with pytest.raises(APIError) as denied:
        await anon.table("children").select("*").execute()
    assert denied.value.code == "42501"


async def test_storage_upload_download_list_and_upsert(fake, http) -> None:
    alice = await client_for(fake, http, "alice@example.org", "pw-a")
    bucket = alice.storage.from_("tales")
    path = f"{fake.alice}/story-1/abc.mp3"
    await bucket.upload(path, b"ID3 first", {"content-type": "audio/mpeg"})
    with pytest.raises(StorageApiError) as duplicate:
        await bucket.upload(path, b"ID3 again", {"content-type": "audio/mpeg"})
    assert str(duplicate.value.status) == "409"
    await bucket.upload(path, b"ID3 second", {"content-type": "audio/mpeg", "upsert": "true"})
    assert await bucket.download(path) == b"ID3 second"
    assert fake.objects[("tales", path)].content_type == "audio/mpeg"
    listing = await bucket.list(f"{fake.alice}/story-1")
    assert [(e["name"], e["metadata"]["mimetype"]) for e in listing] == [("abc.mp3", "audio/mpeg")]
    assert [e["name"] for e in await bucket.list(fake.alice)] == ["story-1"]
    assert await bucket.exists(path) and not await bucket.exists(f"{fake.alice}/nope.mp3")
    with pytest.raises(StorageApiError):
        await alice.storage.from_("missing").download(path)


async def test_auth_password_refresh_user_logout_health(fake, http) -> None:
    client = await acreate_client(fake.url, fake.anon_key, options=AsyncClientOptions(
        httpx_client=http, auto_refresh_token=False))
    with pytest.raises(AuthApiError) as wrong:
        await client.auth.sign_in_with_password({"email": "alice@example.org", "password": "nope"})
    assert wrong.value.code == "invalid_credentials"
    signed = await client.auth.sign_in_with_password({"email": "alice@example.org", "password": "pw-a"})
    assert signed.user.id == fake.alice
    refreshed = await client.auth.refresh_session()
    assert refreshed.session.access_token != signed.session.access_token
    with pytest.raises(AuthApiError):  # a refresh token is single-use
        await client.auth.refresh_session(signed.session.refresh_token)
    assert (await client.auth.get_user()).user.email == "alice@example.org"
    await client.auth.sign_out()
    assert await client.auth.get_session() is None
    assert (await http.get(f"{fake.url}/auth/v1/health")).json()["name"] == "GoTrue"


async def test_scripted_failures_and_request_counting(fake, http) -> None:
    alice = await client_for(fake, http, "alice@example.org", "pw-a")
    fake.fail_next(503, path="/rest/v1/children", method="GET")
    assert (await alice.table("children").select("*").execute()).data == []  # the SDK retried the read
    assert fake.count("GET", "/rest/v1/children") == 2
    fake.reset_next(path="/rest/v1/children", method="POST")
    with pytest.raises(httpx.RemoteProtocolError):
        await alice.table("children").insert(child("x")).execute()
    fake.html_next(path="/rest/v1/children", status=502)
    with pytest.raises(APIError) as html:
        await alice.table("children").select("*").retry(False).execute()
    assert "<html>" in str(html.value.details)
    fake.schema_applied = False
    with pytest.raises(APIError) as missing:
        await alice.table("children").select("*").execute()
    assert missing.value.code == "PGRST205"
