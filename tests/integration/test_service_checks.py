"""Settings "Test" checks end to end: real SDKs (openai, elevenlabs) and httpx against loopback fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tale_desktop.providers.errors import AuthError, BadResponse, NotConfigured, Unavailable
from tale_desktop.providers.http import HttpClients
from tale_desktop.services.connections import check_elevenlabs, check_llm, check_supabase, is_openrouter
from tests.fakes.service_checks import GOOD_KEYS, ServiceChecksFake, closed_port_url


@pytest.fixture
def fake() -> Iterator[ServiceChecksFake]:
    with ServiceChecksFake() as server:
        yield server


@pytest.fixture
async def clients() -> AsyncIterator[HttpClients]:
    http = HttpClients()
    yield http
    await http.aclose()


def test_openrouter_detection() -> None:
    assert is_openrouter("https://openrouter.ai/api/v1")
    assert not is_openrouter("http://localhost:11434/v1")
    assert not is_openrouter("https://openrouter.ai.evil.example/v1")


async def test_llm_key_endpoint(fake: ServiceChecksFake, clients: HttpClients) -> None:
    result = await check_llm(clients.get("llm"), fake.llm_url, GOOD_KEYS["llm"], openrouter=True)
    assert "OpenRouter" in result.message and "9.50 credits left" in result.message
    assert fake.requests[-1] == "/llm/key"
    with pytest.raises(AuthError) as err:
        await check_llm(clients.get("llm"), fake.llm_url, "sk-or-wrong", openrouter=True)
    assert "Check the OpenRouter API key in Settings" in err.value.user_message
    assert "sk-or-wrong" not in err.value.user_message
    with pytest.raises(NotConfigured):
        await check_llm(clients.get("llm"), fake.llm_url, "", openrouter=True)


async def test_llm_models_endpoint(fake: ServiceChecksFake, clients: HttpClients) -> None:
    result = await check_llm(clients.get("llm"), fake.llm_url, GOOD_KEYS["llm"])
    assert "2 models available" in result.message
    assert fake.requests[-1] == "/llm/models"
    with pytest.raises(AuthError) as err:
        await check_llm(clients.get("llm"), fake.llm_url, "sk-wrong-123")
    assert "Incorrect API key provided" in err.value.user_message
    assert "sk-wrong-123" not in err.value.user_message  # the refused key is blanked out


async def test_llm_html_and_refused(fake: ServiceChecksFake, clients: HttpClients) -> None:
    fake.mode["llm"] = "html"
    with pytest.raises(BadResponse) as err:
        await check_llm(clients.get("llm"), fake.llm_url, GOOD_KEYS["llm"])
    assert "not an OpenAI-compatible response" in err.value.user_message
    with pytest.raises(BadResponse):
        await check_llm(clients.get("llm"), fake.llm_url, GOOD_KEYS["llm"], openrouter=True)
    with pytest.raises(Unavailable) as err:
        await check_llm(clients.get("llm"), closed_port_url() + "/v1", "k")
    assert "Could not connect" in err.value.user_message


async def test_llm_dns_failure(clients: HttpClients) -> None:
    with pytest.raises(Unavailable):
        await check_llm(clients.get("llm"), "http://no-such-host.invalid/v1", "k")


async def test_elevenlabs(fake: ServiceChecksFake, clients: HttpClients) -> None:
    result = await check_elevenlabs(clients.get("elevenlabs"), fake.elevenlabs_url, GOOD_KEYS["elevenlabs"])
    assert "2 voices available" in result.message
    with pytest.raises(AuthError) as err:
        await check_elevenlabs(clients.get("elevenlabs"), fake.elevenlabs_url, "el-wrong")
    assert "Invalid API key" in err.value.user_message and "Check the ElevenLabs API key" in err.value.user_message
    fake.mode["elevenlabs"] = "html"
    with pytest.raises(BadResponse):
        await check_elevenlabs(clients.get("elevenlabs"), fake.elevenlabs_url, GOOD_KEYS["elevenlabs"])
    fake.mode["elevenlabs"] = "500"
    with pytest.raises(Unavailable):
        await check_elevenlabs(clients.get("elevenlabs"), fake.elevenlabs_url, GOOD_KEYS["elevenlabs"])
    with pytest.raises(Unavailable):
        await check_elevenlabs(clients.get("elevenlabs"), closed_port_url(), "k")


async def test_supabase(fake: ServiceChecksFake, clients: HttpClients) -> None:
    result = await check_supabase(clients.get("supabase"), fake.supabase_url, GOOD_KEYS["supabase"])
    assert "Connected to Supabase" in result.message and "v2.170.0" in result.message
    with pytest.raises(AuthError) as err:
        await check_supabase(clients.get("supabase"), fake.supabase_url, "anon-wrong")
    assert "Check the Supabase anon key in Settings" in err.value.user_message
    fake.mode["supabase"] = "html"
    with pytest.raises(BadResponse):
        await check_supabase(clients.get("supabase"), fake.supabase_url, GOOD_KEYS["supabase"])
    with pytest.raises(Unavailable):
        await check_supabase(clients.get("supabase"), closed_port_url(), "k")
    with pytest.raises(NotConfigured):
        await check_supabase(clients.get("supabase"), "abcd.supabase.co", "k")
