"""A loopback OpenRouter (OpenAI-compatible) server for tests and benchmarks.

Speaks the real wire protocol the ``openai`` SDK uses: ``POST /api/v1/chat/completions`` (JSON, or SSE when
``"stream": true`` with ``: OPENROUTER PROCESSING`` comment lines, a usage chunk and ``data: [DONE]``),
``GET /api/v1/models``, ``GET /api/v1/key`` and ``GET /api/v1/generation?id=`` (404 a scripted number of times,
then ``{"data": {...}}``). Every request is recorded (path, headers, JSON body) for assertions.

Scripting: ``server.script(Reply(...), Reply(...))`` queues replies for the next chat calls (one is consumed per
call; when the queue is empty the default reply is used). A :class:`Reply` can fail with a status (+Retry-After),
send a mid-stream ``error`` event, reset the connection mid-stream, send HTML, delay the first byte or every token.

Images: a request with ``"modalities": [..., "image"]`` is answered like OpenRouter's image models: a real PNG made
here (zlib + struct) in ``choices[0].message.images[]`` as a base64 data URL, with usage and cost. A Reply can
refuse it (``image_refusal``: finish_reason ``content_filter``, no image) or answer with text only (``no_image``);
failures by status work as for text. :meth:`FakeOpenRouter.image_requests` and :func:`input_images` let tests check
the modalities and the reference image of each request. A planning request for illustrations (JSON mode, "Choose
exactly N scenes") gets a scene plan for the paragraphs it lists.

Run by hand: ``python -m tests.fakes.openrouter`` prints the base URL and serves until Ctrl-C.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import re
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes import loopback

API_PREFIX = "/api/v1"
DEFAULT_STORY_EN = (
    "# The Moon Garden\n\n"
    "Once upon a time, a little girl named Mia found a tiny silver door at the bottom of her garden. "
    "Behind it, soft moonflowers were opening one by one, and each of them hummed a quiet song. "
    "Mia listened, and she felt brave and calm at the same time. "
)
_WHO = ("a sleepy owl", "a little hedgehog", "a silver moth", "a kind old tortoise", "a tiny field mouse",
        "a gentle firefly", "a soft grey rabbit", "a humming bumblebee", "a quiet snail", "a friendly frog",
        "a small brown sparrow")
_DID = ("hummed a lullaby", "shared a warm blanket", "pointed at a falling star", "counted the glowing petals",
        "told a funny little joke", "found a shiny pebble", "waved from a lily pad")
ENDING_EN = "Mia yawned a big, sleepy yawn, snuggled under her blanket, and drifted off to dream. The end."


def default_story(words: int = 300) -> str:
    """A calm English story of about ``words`` words with a Markdown title line."""
    text = DEFAULT_STORY_EN
    for n in range(len(_WHO) * len(_DID)):
        if len((text + ENDING_EN).split()) >= words:
            break
        who, did = _WHO[n % len(_WHO)], _DID[n % len(_DID)]
        text += f"Then {who} {did}, and Mia smiled at the {n + 1} stars above. "
        if n % 4 == 3:
            text += "\n\n"
    return text + ENDING_EN


def tokens_of(text: str) -> list[str]:
    """Split like a tokenizer would roughly do: a word with its following whitespace per token."""
    out: list[str] = []
    current = ""
    for ch in text:
        if ch.isspace() and current and not current[-1].isspace():
            current += ch
            continue
        if not ch.isspace() and current and current[-1].isspace():
            out.append(current)
            current = ""
        current += ch
    if current:
        out.append(current)
    return out


@dataclass
class Reply:
    """One scripted answer to a chat completion call."""

    text: str | None = None                 # story / answer text (default: the server's responder decides)
    status: int = 200                       # non-200: an OpenAI-style error body with this status
    error_message: str = ""
    retry_after: float | None = None        # Retry-After header (seconds) on an error status
    retry_after_ms: int | None = None       # retry-after-ms header (OpenAI SDK extension; keeps tests fast)
    error_after_tokens: int | None = None   # send a mid-stream `data: {"error": ...}` after N tokens
    error_code: int = 502
    reset_after_tokens: int | None = None   # reset the TCP connection after N tokens
    first_byte_delay: float = 0.0           # seconds before the status line
    token_delay: float | None = None        # seconds between tokens (default: server.token_delay)
    html: bool = False                      # answer 200 with an HTML page instead of JSON / SSE
    garbage: bool = False                   # answer 200 with SSE `data:` lines that are not JSON
    finish_reason: str = "stop"
    hang_after_tokens: int | None = None    # stop sending (keep the connection open) after N tokens
    image_refusal: bool = False             # image request: refused by the model's safety filter, no image
    no_image: bool = False                  # image request: a text answer without any image
    hang_s: float = 3600.0                  # how long a hang lasts
    reset_before: bool = False              # reset the TCP connection before sending anything


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    time: float = field(default_factory=time.monotonic)

    @property
    def messages_text(self) -> str:
        """All message contents of a chat request joined (for "does the prompt carry X" assertions)."""
        if not isinstance(self.body, dict):
            return ""
        out = []
        for message in self.body.get("messages", []):
            content = message.get("content", "")
            if isinstance(content, list):
                content = "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            out.append(str(content))
        return "\n".join(out)


def input_images(record: Recorded) -> list[str]:
    """The data URLs of every image a chat request sent (reference pictures in user content parts)."""
    if not isinstance(record.body, dict):
        return []
    urls = []
    for message in record.body.get("messages", []):
        content = message.get("content")
        if isinstance(content, list):
            urls += [str((p.get("image_url") or {}).get("url", "")) for p in content
                     if isinstance(p, dict) and p.get("type") == "image_url"]
    return urls


def make_png(width: int, height: int, index: int = 0, *, noise: bool = False) -> bytes:
    """A real RGB PNG: a soft gradient with a coloured disc whose colour and place follow ``index`` (so every
    picture differs); ``noise`` adds an incompressible band (for realistic file sizes in benchmarks)."""
    hue = (index * 67) % 256
    disc = (hue, 255 - hue, (hue * 3) % 256)
    cx, cy, r2 = (index * 37) % max(1, width), height // 2, (min(width, height) // 4) ** 2
    rows = []
    for y in range(height):
        base = bytes(((x * 255 // max(1, width - 1)) if c == 0 else (y * 255 // max(1, height - 1)) if c == 1
                      else 180) for x in range(width) for c in range(3))
        dy = (y - cy) ** 2
        if dy <= r2:
            half = int((r2 - dy) ** 0.5)
            left, right = max(0, cx - half), min(width, cx + half)
            base = base[:left * 3] + bytes(disc) * (right - left) + base[right * 3:]
        if noise and y % 2 == 0:
            base = os.urandom(width * 3)
        rows.append(b"\x00" + base)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 1))
            + chunk(b"IEND", b""))


Responder = Callable[[dict[str, Any]], str]


class FakeOpenRouter:
    def __init__(self, *, api_key: str | None = "test-key", story_words: int = 300, token_delay: float = 0.0,
                 tokens_per_chunk: int = 1, generation_404s: int = 2, models: list[str] | None = None,
                 image_size: tuple[int, int] = (96, 72), image_noise: bool = False, image_delay: float = 0.0,
                 image_pool: int = 0, openrouter_extras: bool = True):
        self.api_key = api_key
        # False: a plain local OpenAI-compatible server (no `provider` in chunks, no /generation)
        self.openrouter_extras = openrouter_extras
        self.story_words = story_words
        self.token_delay = token_delay
        self.tokens_per_chunk = tokens_per_chunk
        self.generation_404s = generation_404s
        self.model_ids = models or ["openai/gpt-4o-mini", "anthropic/claude-3.5-haiku", "meta-llama/llama-3-8b"]
        self.unknown_models: set[str] = set()
        self.requests: list[Recorded] = []
        self.responder: Responder | None = None
        self.review_json: dict[str, Any] = {
            "safe": True, "safety_issues": [],
            "scores": {"age_fit": 9, "moral_clarity": 9, "coherence": 9, "character_consistency": 9,
                       "engagement": 8, "language": 9},
            "feedback": "A calm, kind story.",
        }
        self.summary_text = "Mia found a moon garden and listened to the flowers sing. She felt brave and calm."
        self.generations: dict[str, dict[str, Any]] = {}
        self._generation_hits: dict[str, int] = {}
        self._queue: list[Reply] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self.first_token_sent: dict[str, float] = {}   # generation id -> monotonic time of first content byte
        self.token_times: dict[str, list[tuple[float, str]]] = {}
        self.image_size = image_size
        self.image_noise = image_noise
        self.image_delay = image_delay      # seconds before an image answer (drawing takes time)
        self.image_cost = 0.039
        self.image_reply: Reply | None = None  # when set: the answer to every image request (queue untouched)
        self.images_made: list[bytes] = []
        # image_pool > 0: that many pictures are drawn up front and handed out in turn (benchmarks: the server's
        # own drawing then does not compete with the app for the CPU)
        self._pool = [make_png(*image_size, n, noise=image_noise) for n in range(image_pool)]

    # -- lifecycle ----------------------------------------------------------------------------------------------
    def start(self) -> FakeOpenRouter:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = loopback.serve(handler, "fake-openrouter")
        return self

    def stop(self) -> None:
        loopback.stop(self._server)
        self._server = None

    def __enter__(self) -> FakeOpenRouter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    # -- scripting ----------------------------------------------------------------------------------------------
    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._queue.pop(0) if self._queue else Reply()

    def chat_requests(self, *, stream: bool | None = None) -> list[Recorded]:
        out = [r for r in self.requests if r.path.endswith("/chat/completions")]
        if stream is not None:
            out = [r for r in out if bool(isinstance(r.body, dict) and r.body.get("stream")) == stream]
        return out

    def image_requests(self) -> list[Recorded]:
        """Chat requests that asked for an image (``"image"`` in ``modalities``), in order."""
        return [r for r in self.chat_requests() if isinstance(r.body, dict)
                and "image" in (r.body.get("modalities") or [])]

    def scene_plan(self, body: dict[str, Any]) -> str:
        text = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        count = int(re.search(r"Choose exactly (\d+) scenes", text).group(1))  # type: ignore[union-attr]
        numbers = [int(n) for n in re.findall(r"^\[P(\d+)\]", text, re.MULTILINE)]
        step = max(1, len(numbers) // max(1, count))
        picks = numbers[::step][:count]
        return json.dumps({"cover": "Mia and a sleepy owl in a moonlit garden full of glowing flowers",
                           "scenes": [{"paragraph": n, "description": f"Mia in the moon garden, moment {n}: the "
                                       "flowers glow softly and a friendly owl watches"} for n in picks]})

    def answer_for(self, body: dict[str, Any]) -> str:
        """Default content: the story when streaming, review JSON for json_object calls, else a summary."""
        if self.responder is not None:
            return self.responder(body)
        if body.get("stream"):
            return default_story(self.story_words)
        if (body.get("response_format") or {}).get("type") == "json_object":
            if "Choose exactly" in json.dumps(body.get("messages")):
                return self.scene_plan(body)
            return json.dumps(self.review_json)
        return self.summary_text

    def new_generation_id(self) -> str:
        return f"gen-{next(self._ids)}-{int(time.time())}"

    def record_generation(self, gen_id: str, model: str, prompt_tokens: int, completion_tokens: int,
                          finish_reason: str) -> None:
        cost = round(prompt_tokens * 1.5e-7 + completion_tokens * 6e-7, 8)
        with self._lock:
            self.generations[gen_id] = {
                "id": gen_id, "model": model, "total_cost": cost, "tokens_prompt": prompt_tokens,
                "tokens_completion": completion_tokens, "native_tokens_prompt": prompt_tokens,
                "native_tokens_completion": completion_tokens, "latency": 412, "generation_time": 1834,
                "provider_name": "FakeProvider", "finish_reason": finish_reason, "streamed": True,
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cancelled": False,
            }


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenRouter
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as a real server: each token leaves when written, no 40 ms delayed-ACK stalls

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence stderr logging
        pass

    # -- plumbing -----------------------------------------------------------------------------------------------
    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return raw.decode("utf-8", "replace")

    def _record(self, body: Any) -> Recorded:
        parts = urlsplit(self.path)
        rec = Recorded(self.command, parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()},
                       body)
        with self.fake._lock:
            self.fake.requests.append(rec)
        return rec

    def _send_json(self, status: int, document: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send_json(status, {"error": {"code": status, "message": message}}, headers)

    def _authorized(self) -> bool:
        if self.fake.api_key is None:
            return True
        if self.headers.get("Authorization") == f"Bearer {self.fake.api_key}":
            return True
        self._send_error(401, "No auth credentials found" if not self.headers.get("Authorization")
                         else "User not found.")
        return False

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _reset(self) -> None:
        """Abort the TCP connection with an RST (SO_LINGER 0) so the client sees a reset mid-stream."""
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.close()

    # -- routes -------------------------------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802
        rec = self._record(None)
        path = rec.path
        if path == f"{API_PREFIX}/models":
            self._send_json(200, {"data": [
                {"id": m, "name": m.split("/")[-1], "context_length": 128000,
                 "pricing": {"prompt": "0.00000015", "completion": "0.0000006"}} for m in self.fake.model_ids
            ]})
        elif path == f"{API_PREFIX}/_timings":  # benchmarks: when each token left the server (monotonic clock)
            with self.fake._lock:
                self._send_json(200, {"data": self.fake.token_times})
        elif path == f"{API_PREFIX}/key":
            if self._authorized():
                self._send_json(200, {"data": {"label": "sk-or-v1-tes...", "usage": 0.25, "limit": None,
                                               "is_free_tier": False}})
        elif path == f"{API_PREFIX}/generation" and not self.fake.openrouter_extras:
            self._send_error(404, f"No route {path}")
        elif path == f"{API_PREFIX}/generation":
            if not self._authorized():
                return
            gen_id = (rec.query.get("id") or [""])[0]
            with self.fake._lock:
                hits = self.fake._generation_hits[gen_id] = self.fake._generation_hits.get(gen_id, 0) + 1
                data = self.fake.generations.get(gen_id)
            if data is None or hits <= self.fake.generation_404s:
                self._send_error(404, f"Generation {gen_id} not found")
            else:
                self._send_json(200, {"data": data})
        else:
            self._send_error(404, f"No route {path}")

    def do_POST(self) -> None:  # noqa: N802
        body = self._read_body()
        rec = self._record(body)
        if rec.path != f"{API_PREFIX}/chat/completions":
            self._send_error(404, f"No route {rec.path}")
            return
        wants_image = isinstance(body, dict) and "image" in (body.get("modalities") or [])
        reply = self.fake.image_reply if wants_image and self.fake.image_reply else self.fake._next_reply()
        if reply.reset_before:
            self._reset()
            return
        if reply.first_byte_delay:
            time.sleep(reply.first_byte_delay)
        if not self._authorized():
            return
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            self._send_error(400, "Invalid request: messages are required")
            return
        model = str(body.get("model") or "")
        if model in self.fake.unknown_models:
            self._send_error(400, f"{model} is not a valid model ID")
            return
        if reply.status != 200:
            headers = {"Retry-After": f"{reply.retry_after:g}"} if reply.retry_after is not None else {}
            if reply.retry_after_ms is not None:
                headers["retry-after-ms"] = str(reply.retry_after_ms)
            self._send_error(reply.status, reply.error_message or _REASONS.get(reply.status, "Error"), headers)
            return
        if reply.html:
            page = b"<html><body><h1>Welcome to nginx!</h1></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            return
        if "image" in (body.get("modalities") or []):
            self._image(body, model, reply)
            return
        text = reply.text if reply.text is not None else self.fake.answer_for(body)
        if body.get("stream"):
            self._stream(body, model, text, reply)
        else:
            self._complete(body, model, text, reply)

    def _complete(self, body: dict[str, Any], model: str, text: str, reply: Reply) -> None:
        gen_id = self.fake.new_generation_id()
        prompt_tokens = len(json.dumps(body.get("messages")).split())
        completion_tokens = len(tokens_of(text))
        self.fake.record_generation(gen_id, model, prompt_tokens, completion_tokens, reply.finish_reason)
        self._send_json(200, {
            "id": gen_id, "object": "chat.completion", "created": int(time.time()), "model": model,
            "provider": "FakeProvider",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": reply.finish_reason}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        })

    def _image(self, body: dict[str, Any], model: str, reply: Reply) -> None:
        fake = self.fake
        if fake.image_delay:
            time.sleep(fake.image_delay)
        gen_id = fake.new_generation_id()
        message: dict[str, Any] = {"role": "assistant", "content": reply.text or ""}
        finish, native = "stop", "STOP"
        if reply.image_refusal:
            message["content"] = reply.text or "I can't draw that picture."
            finish, native = "content_filter", "IMAGE_SAFETY"
        elif reply.no_image:
            message["content"] = reply.text or "Here is a description of the picture: a moonlit garden."
        else:
            with fake._lock:
                index = len(fake.images_made)
            png = (fake._pool[index % len(fake._pool)] if fake._pool
                   else make_png(*fake.image_size, index, noise=fake.image_noise))
            with fake._lock:
                fake.images_made.append(png)
            message["images"] = [{"type": "image_url", "image_url": {
                "url": "data:image/png;base64," + base64.b64encode(png).decode("ascii")}}]
        prompt_tokens = len(json.dumps(body.get("messages")).split())
        completion_tokens = 1290 if "images" in message else 12
        fake.record_generation(gen_id, model, prompt_tokens, completion_tokens, finish)
        self._send_json(200, {
            "id": gen_id, "object": "chat.completion", "created": int(time.time()), "model": model,
            "provider": "FakeProvider",
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "native_finish_reason": native}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens,
                      "cost": fake.image_cost if "images" in message else 0.0001},
        })

    def _stream(self, body: dict[str, Any], model: str, text: str, reply: Reply) -> None:
        fake = self.fake
        gen_id = fake.new_generation_id()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        created = int(time.time())
        delay = fake.token_delay if reply.token_delay is None else reply.token_delay

        def event(payload: dict[str, Any]) -> None:
            self._chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            out = {"id": gen_id, "provider": "FakeProvider", "model": model, "object": "chat.completion.chunk",
                   "created": created, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            if not fake.openrouter_extras:
                del out["provider"]
            return out

        try:
            self._chunk(b": OPENROUTER PROCESSING\n\n")
            if reply.garbage:
                self._chunk(b"data: <html>not json</html>\n\n")
                self.wfile.write(b"0\r\n\r\n")
                return
            tokens = tokens_of(text)
            groups = [
                "".join(tokens[i:i + fake.tokens_per_chunk]) for i in range(0, len(tokens), fake.tokens_per_chunk)
            ]
            for index, piece in enumerate(groups):
                if reply.reset_after_tokens is not None and index >= reply.reset_after_tokens:
                    self._reset()
                    return
                if reply.hang_after_tokens is not None and index >= reply.hang_after_tokens:
                    time.sleep(reply.hang_s)
                    self._reset()
                    return
                if reply.error_after_tokens is not None and index >= reply.error_after_tokens:
                    payload = chunk({"content": ""}, "error")
                    payload["error"] = {"code": reply.error_code,
                                        "message": reply.error_message or "Provider returned error"}
                    event(payload)
                    self.wfile.write(b"0\r\n\r\n")
                    return
                if index == 0:
                    fake.first_token_sent[gen_id] = time.monotonic()
                    event(chunk({"role": "assistant", "content": piece}))
                    fake.token_times[gen_id] = []
                else:
                    if delay:
                        time.sleep(delay)
                        if index % 20 == 0:
                            self._chunk(b": OPENROUTER PROCESSING\n\n")
                    event(chunk({"content": piece}))
                fake.token_times[gen_id].append((time.monotonic(), piece))
            event(chunk({}, reply.finish_reason))
            prompt_tokens = len(json.dumps(body.get("messages")).split())
            completion_tokens = len(tokens)
            usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                     "total_tokens": prompt_tokens + completion_tokens, "cost": 0.0001}
            fake.record_generation(gen_id, model, prompt_tokens, completion_tokens, reply.finish_reason)
            payload = chunk({}, None)
            payload["choices"] = []
            payload["usage"] = usage
            event(payload)
            self._chunk(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


_REASONS = {
    401: "User not found.", 402: "Insufficient credits. Add more using https://openrouter.ai/settings/credits",
    403: "Forbidden", 429: "Rate limit exceeded", 500: "Internal Server Error", 502: "Bad gateway",
    503: "Service Unavailable",
}


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Serve the fake OpenRouter on 127.0.0.1 until Ctrl-C.")
    parser.add_argument("--token-delay", type=float, default=0.02)
    parser.add_argument("--story-words", type=int, default=300)
    parser.add_argument("--generation-404s", type=int, default=2)
    parser.add_argument("--key", default=None, help="require this API key (default: any)")
    parser.add_argument("--image-size", default="96x72", help="pictures drawn, WIDTHxHEIGHT")
    parser.add_argument("--image-noise", action="store_true", help="incompressible pictures (realistic sizes)")
    parser.add_argument("--image-delay", type=float, default=0.0, help="seconds before each picture answer")
    parser.add_argument("--image-pool", type=int, default=0, help="draw this many pictures up front, then reuse")
    args = parser.parse_args()
    width, height = (int(v) for v in args.image_size.lower().split("x"))
    server = FakeOpenRouter(api_key=args.key, token_delay=args.token_delay, story_words=args.story_words,
                            generation_404s=args.generation_404s, image_size=(width, height),
                            image_noise=args.image_noise, image_delay=args.image_delay,
                            image_pool=args.image_pool).start()
    print(server.base_url, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()


if __name__ == "__main__":
    main()
