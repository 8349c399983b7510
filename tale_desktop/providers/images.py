"""Pictures from an image-capable model on the same OpenAI-compatible endpoint as the stories (OpenRouter).

OpenRouter draws from ``POST /chat/completions`` with ``"modalities": ["image", "text"]`` and answers with the
pictures in ``choices[0].message.images[]`` as ``{"type": "image_url", "image_url": {"url": "data:image/png;base64,
..."}}``; a reference picture goes in as a user content part of the same shape. The ``openai`` SDK's typed
``chat.completions.create`` knows neither field (it would need ``extra_body`` and ``model_extra``) and would encode
and parse megabytes of base64 on the event loop (measured: 40-70 ms stalls per picture), so the request goes
through the SDK's own ``post`` with the body encoded in a worker thread, and the raw answer is parsed there too. The SDK retries 429/5xx and honours ``Retry-After``; what still fails becomes one of our typed
errors through the story model's mapping (one mapping per HTTP status), plus two of its own: the model refused
the picture (:class:`PictureRefused`) or answered without one (:class:`NoPicture`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tale_desktop.domain.image_bytes import (
    ImageDataError,
    ImageInfo,
    data_url,
    data_url_bytes,
    decode_data_url,
    image_info,
)
from tale_desktop.providers.errors import BadResponse, NotConfigured
from tale_desktop.providers.llm import LLMClient, LLMConfig, load_sdk, translate_error

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

SERVICE = "Picture service"
MODALITIES = ["image", "text"]
_REFUSALS = {"content_filter", "image_safety", "prohibited_content", "safety", "blocklist", "recitation"}


class PictureRefused(BadResponse):
    """The model's safety filter declined this picture (trying another scene usually works)."""


class NoPicture(BadResponse):
    """The model answered with text only: most likely not an image model."""


@dataclass(frozen=True, slots=True)
class ImageRequest:
    prompt: str
    reference: tuple[bytes, str] | None = None  # (image bytes, mime) sent with the prompt
    aspect_ratio: str = "4:3"


@dataclass(slots=True)
class GeneratedImage:
    data: bytes
    info: ImageInfo
    model: str
    text: str = ""
    generation_id: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: float | None = None
    total_ms: int = 0

    def stats(self) -> dict[str, Any]:
        return {"generation_id": self.generation_id, "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens, "cost": self.cost, "total_ms": self.total_ms}


def image_messages(request: ImageRequest) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = [{"type": "text", "text": request.prompt}]
    if request.reference is not None:
        data, mime = request.reference
        content.append({"type": "image_url", "image_url": {"url": data_url(data, mime)}})
    return [{"role": "user", "content": content}]


_REFERENCE_MARK = "<tale:reference-picture>"  # prompts never hold "<" (domain.illustrations._clean)


def request_body(model: str, request: ImageRequest) -> bytes:
    """The chat request asking for a picture, as JSON bytes (blocking). The reference picture's base64 needs no
    JSON escaping, so it is spliced in as bytes instead of going through ``json.dumps`` (13 ms for 2 MB)."""
    plain = ImageRequest(request.prompt, None, request.aspect_ratio)
    messages = image_messages(plain)
    if request.reference is not None:
        messages[0]["content"].append({"type": "image_url", "image_url": {"url": _REFERENCE_MARK}})
    text = json.dumps({"model": model, "messages": messages, "modalities": MODALITIES,
                       "image_config": {"aspect_ratio": request.aspect_ratio}})
    if request.reference is None:
        return text.encode("utf-8")
    head, tail = text.split(_REFERENCE_MARK, 1)
    return head.encode("utf-8") + data_url_bytes(*request.reference) + tail.encode("utf-8")


def _first_image_url(message_extra: dict[str, Any]) -> str | None:
    for item in message_extra.get("images") or ():
        if isinstance(item, dict):
            url = (item.get("image_url") or {}).get("url") if isinstance(item.get("image_url"), dict) else None
            if isinstance(url, str) and url:
                return url
    return None


def _decode(url: str) -> tuple[bytes, ImageInfo]:
    data = decode_data_url(url)
    return data, image_info(data)


class ImageClient:
    """One image model on the configured endpoint; shares the story model's SDK setup and HTTP pool."""

    def __init__(self, http: httpx.AsyncClient, config: LLMConfig):
        self.config = config
        self._llm = LLMClient(http, config)

    @property
    def model(self) -> str:
        return self.config.model

    async def generate(self, request: ImageRequest) -> GeneratedImage:
        if not self.config.model:
            raise NotConfigured(SERVICE, "No image model is set, so stories have no pictures. Set TALE_IMAGE_MODEL "
                                         "(or the image model in Settings) to an image model such as "
                                         "google/gemini-2.5-flash-image.")
        import httpx  # loaded with the shared client

        await load_sdk()  # the openai import (the first time) in a worker thread, not on the loop
        sdk = self._llm.sdk
        started = time.monotonic()
        # A request with a reference picture is ~2 MB of JSON: it is encoded in a worker thread and handed to the
        # SDK's request path as ready bytes (auth, headers, retries honouring Retry-After, status errors stay the
        # SDK's), and the answer's JSON is parsed and decoded in a worker thread too, never on the event loop.
        body = await asyncio.to_thread(request_body, self.config.model, request)
        try:
            response = await sdk.post("/chat/completions", cast_to=httpx.Response, content=body,
                                      options={"headers": {"Content-Type": "application/json"}})
            answer_bytes = await response.aread()
        except Exception as exc:  # noqa: BLE001 - every failure becomes a typed error
            raise translate_error(exc, self.config, self.config.model) from exc
        answer = await asyncio.to_thread(self._parse, answer_bytes)
        answer.total_ms = int((time.monotonic() - started) * 1000)
        return answer

    def _parse(self, body: bytes) -> GeneratedImage:
        """Blocking: the answer's JSON -> the decoded, checked picture (or a typed error)."""
        not_compatible = BadResponse(SERVICE, f"The server at {self.config.host} answered the picture request "
                                              "with something that is not an OpenAI-compatible response.")
        try:
            doc = json.loads(body)
        except ValueError:
            raise not_compatible from None
        choices = doc.get("choices") if isinstance(doc, dict) else None
        if not choices or not isinstance(choices[0], dict):
            raise not_compatible
        choice = choices[0]
        message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
        url = _first_image_url(message)
        finish = str(choice.get("finish_reason") or "").lower()
        native = str(choice.get("native_finish_reason") or "").lower()
        if url is None:
            if finish in _REFUSALS or native in _REFUSALS:
                raise PictureRefused(SERVICE, "The picture model declined to draw this scene (its safety filter). "
                                              "The story is fine; other pictures can still be drawn.")
            raise NoPicture(SERVICE, f"The model '{self.config.model}' answered without a picture. Choose an image "
                                     "model (for example google/gemini-2.5-flash-image) as the image model in "
                                     "Settings or TALE_IMAGE_MODEL.")
        try:
            data, info = _decode(url)
        except ImageDataError as exc:
            raise BadResponse(SERVICE, f"The picture model sent a picture that cannot be used ({exc}).") from exc
        usage = doc.get("usage") if isinstance(doc.get("usage"), dict) else {}

        def number(value: Any) -> int | None:
            return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

        cost = usage.get("cost")
        return GeneratedImage(
            data=data, info=info, model=str(doc.get("model") or self.config.model),
            text=str(message.get("content") or ""), generation_id=doc.get("id"),
            prompt_tokens=number(usage.get("prompt_tokens")), completion_tokens=number(usage.get("completion_tokens")),
            cost=float(cost) if isinstance(cost, int | float) and not isinstance(cost, bool) else None,
        )
