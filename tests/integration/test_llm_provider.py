"""The LLM provider: the real openai SDK on our httpx client against the loopback OpenRouter server."""

from __future__ import annotations

import time

import httpx
import pytest

from tale_desktop.providers.errors import (
    AuthError,
    BadResponse,
    NotConfigured,
    QuotaError,
    RateLimited,
    Unavailable,
)
from tale_desktop.providers.llm import LLMClient, LLMConfig, StreamFailed, stats_from_generation
from tests.fakes.openrouter import FakeOpenRouter, Reply

MESSAGES = [{"role": "system", "content": "be calm"}, {"role": "user", "content": "a story please"}]


@pytest.fixture
def fake():
    with FakeOpenRouter(story_words=60) as server:
        yield server


@pytest.fixture
async def http():
    async with httpx.AsyncClient() as client:
        yield client


def client_for(fake, http, **config) -> LLMClient:
    return LLMClient(http, LLMConfig(**{"base_url": fake.base_url, "api_key": "test-key", "max_retries": 2,
                                        **config}))


async def test_stream_with_usage_headers_and_comment_lines(fake, http):
    pieces: list[str] = []
    result = await client_for(fake, http, model="m/one").stream_chat(MESSAGES, pieces.append)
    assert len(pieces) > 50 and "".join(pieces) == result.text and result.text.startswith("# The Moon Garden")
    assert result.generation_id.startswith("gen-") and result.finish_reason == "stop"
    assert result.completion_tokens == len(pieces) and result.prompt_tokens > 0 and result.cost == 0.0001
    assert result.provider_name == "FakeProvider" and result.model == "m/one"
    [request] = fake.requests
    assert request.headers["authorization"] == "Bearer test-key"
    assert request.headers["x-title"] == "Tale Desktop" and request.headers["http-referer"].startswith("https://")
    assert request.body["stream"] is True and request.body["stream_options"] == {"include_usage": True}
    assert request.body["messages"] == MESSAGES and request.body["model"] == "m/one"


async def test_retry_after_is_honoured(fake, http):
    fake.script(Reply(status=429, retry_after=1))
    started = time.monotonic()
    result = await client_for(fake, http).stream_chat(MESSAGES, lambda d: None)
    assert result.text and time.monotonic() - started >= 0.9  # Qt timers may fire a few ms early
    first, second = fake.chat_requests()
    assert second.time - first.time >= 0.9


async def test_server_errors_are_retried_then_reported(fake, http):
    fake.script(Reply(status=503, retry_after_ms=10), Reply(status=500, retry_after_ms=10))
    assert (await client_for(fake, http).stream_chat(MESSAGES, lambda d: None)).text
    fake.script(*[Reply(status=503, retry_after_ms=10)] * 3)
    with pytest.raises(Unavailable) as caught:
        await client_for(fake, http).stream_chat(MESSAGES, lambda d: None)
    assert "having trouble" in caught.value.user_message and "503" in caught.value.user_message


async def test_rate_limit_that_does_not_clear(fake, http):
    fake.script(*[Reply(status=429, retry_after_ms=10)] * 3)
    with pytest.raises(RateLimited):
        await client_for(fake, http).stream_chat(MESSAGES, lambda d: None)


async def test_wrong_key_and_no_credits(fake, http):
    with pytest.raises(AuthError) as caught:
        await client_for(fake, http, api_key="wrong").stream_chat(MESSAGES, lambda d: None)
    assert "API key in Settings" in caught.value.user_message and "wrong" not in caught.value.user_message
    fake.script(Reply(status=402))
    with pytest.raises(QuotaError) as caught:
        await client_for(fake, http).stream_chat(MESSAGES, lambda d: None)
    assert "credits" in caught.value.user_message
    assert len(fake.chat_requests()) == 2  # neither is retried


async def test_no_key_for_openrouter_is_not_configured(http):
    client = LLMClient(http, LLMConfig(base_url="https://openrouter.ai/api/v1", api_key=""))
    with pytest.raises(NotConfigured) as caught:
        await client.stream_chat(MESSAGES, lambda d: None)
    assert "Settings" in caught.value.user_message


async def test_local_server_without_key(fake, http):
    fake.api_key = None
    result = await client_for(fake, http, api_key="").stream_chat(MESSAGES, lambda d: None)
    assert result.text


async def test_mid_stream_error_event_keeps_partial_text(fake, http):
    fake.script(Reply(error_after_tokens=10, error_message="Upstream overloaded"))
    pieces: list[str] = []
    with pytest.raises(StreamFailed) as caught:
        await client_for(fake, http).stream_chat(MESSAGES, pieces.append)
    assert len(pieces) == 10 and caught.value.partial == "".join(pieces)
    assert "Upstream overloaded" in caught.value.user_message and "kept" in caught.value.user_message


async def test_connection_reset_mid_stream(fake, http):
    fake.script(Reply(reset_after_tokens=5))
    with pytest.raises(StreamFailed) as caught:
        await client_for(fake, http).stream_chat(MESSAGES, lambda d: None)
    assert caught.value.partial and "broke while it was writing" in caught.value.user_message


async def test_slow_first_byte_still_streams(fake, http):
    fake.script(Reply(first_byte_delay=0.6))
    started = time.monotonic()
    result = await client_for(fake, http).stream_chat(MESSAGES, lambda d: None)
    assert result.text and result.first_token_ms >= 550 and time.monotonic() - started >= 0.6


async def test_fallback_model_when_the_first_is_unknown(fake, http):
    fake.unknown_models.add("gone/model")
    client = client_for(fake, http, model="gone/model", fallback_models=("good/model",))
    result = await client.stream_chat(MESSAGES, lambda d: None)
    assert result.model == "good/model" and result.tried_models == ["gone/model", "good/model"]
    assert [r.body["model"] for r in fake.chat_requests()] == ["gone/model", "good/model"]


async def test_unknown_model_without_fallback(fake, http):
    fake.unknown_models.add("gone/model")
    with pytest.raises(Exception) as caught:
        await client_for(fake, http, model="gone/model").stream_chat(MESSAGES, lambda d: None)
    assert "gone/model" in caught.value.user_message and "Settings" in caught.value.user_message


@pytest.mark.parametrize("reply", [Reply(html=True), Reply(garbage=True)], ids=["html", "garbage"])
async def test_html_or_garbage_endpoint(fake, http, reply):
    fake.script(reply)
    with pytest.raises(BadResponse) as caught:
        await client_for(fake, http).stream_chat(MESSAGES, lambda d: None)
    assert "base URL" in caught.value.user_message
    fake.script(Reply(html=True))
    with pytest.raises(BadResponse):
        await client_for(fake, http).complete(MESSAGES)


async def test_connection_refused(http):
    client = LLMClient(http, LLMConfig(base_url="http://127.0.0.1:9/v1", api_key="k", max_retries=0))
    with pytest.raises(Unavailable) as caught:
        await client.stream_chat(MESSAGES, lambda d: None)
    assert "Could not connect" in caught.value.user_message


async def test_complete_json_mode(fake, http):
    result = await client_for(fake, http).complete(MESSAGES, json_mode=True)
    assert '"safe": true' in result.text
    assert fake.chat_requests()[0].body["response_format"] == {"type": "json_object"}


async def test_models_key_and_generation_stats(fake, http):
    client = client_for(fake, http)
    models = await client.list_models()
    assert [m.id for m in models] == sorted(fake.model_ids) and models[0].context_length == 128000
    key = await client.check_key()
    assert key["label"].startswith("sk-or") and key["usage"] == 0.25
    result = await client.stream_chat(MESSAGES, lambda d: None)
    fake.generation_404s = 2
    assert await client.generation_stats(result.generation_id) is None
    assert await client.generation_stats(result.generation_id) is None
    data = await client.generation_stats(result.generation_id)
    stats = stats_from_generation(data)
    assert stats["generation_id"] == result.generation_id and stats["cost"] == data["total_cost"]
    assert stats["provider_name"] == "FakeProvider" and stats["latency_ms"] == 412
    with pytest.raises(AuthError):
        await client_for(fake, http, api_key="wrong").check_key()
