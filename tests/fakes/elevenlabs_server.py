"""A loopback ElevenLabs server speaking the wire protocol the `elevenlabs` SDK uses.

Endpoints (paths as in ``elevenlabs/text_to_speech/raw_client.py`` and ``voices/raw_client.py``):

- ``POST /v1/text-to-speech/{voice_id}``                      audio/mpeg body (Content-Length)
- ``POST /v1/text-to-speech/{voice_id}/stream``               audio/mpeg, chunked transfer encoding
- ``POST /v1/text-to-speech/{voice_id}/with-timestamps``      JSON: ``audio_base64`` + character ``alignment``
- ``POST /v1/text-to-speech/{voice_id}/stream/with-timestamps`` newline-delimited JSON of the same, in pieces
- ``GET  /v1/voices`` and ``GET /v2/voices``                  the voice list
- ``GET  /v1/user/subscription``                             character quota of the key

The audio is real MP3 (a soft tone, ~55 ms per character, encoded with lameenc), different for every text, so a
test can check that exactly the bytes sent were saved. Failures are scripted per request with :meth:`fail_next`
(status + body + headers, or a connection reset part-way through the audio). Every request is recorded.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import math
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import lameenc
import numpy as np

from tests.fakes import loopback

SAMPLE_RATE = 22050
SECONDS_PER_CHAR = 0.055
MIN_SECONDS = 0.4

DEFAULT_VOICES = [
    {"voice_id": "voice-en-calm", "name": "Calm Storyteller", "category": "premade",
     "labels": {"accent": "american", "gender": "female", "use_case": "narration"},
     "verified_languages": [{"language": "en", "model_id": "eleven_multilingual_v2"}]},
    {"voice_id": "voice-ru-soft", "name": "Мягкий голос", "category": "premade",
     "labels": {"accent": "russian", "gender": "male", "use_case": "narration"},
     "verified_languages": [{"language": "ru", "model_id": "eleven_multilingual_v2"}]},
]

INVALID_KEY = {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}
QUOTA_EXCEEDED = {"detail": {"status": "quota_exceeded",
                             "message": "This request exceeds your quota of 10000. You have 0 credits remaining, "
                                        "while 180 credits are required for this request."}}


def speech_seconds(text: str, seconds_per_char: float = SECONDS_PER_CHAR) -> float:
    return max(MIN_SECONDS, len(text) * seconds_per_char)


def tone_mp3(text: str, seconds: float | None = None) -> bytes:
    """A real MP3 of a soft tone whose pitch depends on the text (so every text gets different bytes)."""
    seconds = seconds if seconds is not None else speech_seconds(text)
    pitch = 180 + int(hashlib.sha256(text.encode()).hexdigest()[:4], 16) % 200
    count = int(seconds * SAMPLE_RATE)
    samples = (6000 * np.sin(2 * np.pi * pitch * np.arange(count) / SAMPLE_RATE)).astype("<i2").tobytes()
    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_bit_rate(32)
    encoder.set_quality(7)
    return bytes(encoder.encode(samples) + encoder.flush())


def alignment_for(text: str, seconds: float) -> dict[str, list[Any]]:
    step = seconds / max(1, len(text))
    return {
        "characters": list(text),
        "character_start_times_seconds": [round(i * step, 3) for i in range(len(text))],
        "character_end_times_seconds": [round((i + 1) * step, 3) for i in range(len(text))],
    }


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class Failure:
    status: int = 500
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    reset_after: int | None = None  # bytes of audio to send before resetting the connection
    delay: float = 0.0
    reset_before: bool = False      # reset the connection before sending anything
    stall_after: int | None = None  # bytes of the body to send, then stop sending (for stall_s) and reset
    stall_s: float = 3600.0
    junk_audio: bool = False        # 200 with well-formed JSON whose audio is not MP3
    html: bool = False              # 200 with an HTML page (a captive portal, a wrong address)
    malformed: bool = False         # 200 application/json whose body is not JSON


class FakeElevenLabs:
    def __init__(self, api_key: str = "test-eleven-key", voices: list[dict[str, Any]] | None = None,
                 chunk_delay: float = 0.0, response_delay: float = 0.0,
                 seconds_per_char: float = SECONDS_PER_CHAR):
        self.api_key = api_key
        self.voices = list(DEFAULT_VOICES if voices is None else voices)
        self.chunk_delay = chunk_delay
        self.response_delay = response_delay
        self.seconds_per_char = seconds_per_char
        self.requests: list[Recorded] = []
        self.sent_audio: list[bytes] = []
        self._failures: deque[Failure | None] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- scripting -----------------------------------------------------------------------------------------------
    def fail_next(self, status: int = 500, body: Any = None, *, headers: dict[str, str] | None = None,
                  times: int = 1, reset_after: int | None = None, delay: float = 0.0, after: int = 0,
                  **fault: Any) -> None:
        """The next ``times`` text-to-speech requests fail this way (a reset sends 200 and part of the audio);
        with ``after=N`` the next N requests succeed first. ``fault``: the other :class:`Failure` fields
        (``reset_before``, ``stall_after``, ``junk_audio``, ``html``, ``malformed``)."""
        with self._lock:
            self._failures.extend([None] * after)
            for _ in range(times):
                self._failures.append(Failure(status, body, dict(headers or {}), reset_after, delay, **fault))

    def quota_exceeded(self, times: int = 1, after: int = 0) -> None:
        self.fail_next(401, QUOTA_EXCEEDED, times=times, after=after)

    def rate_limited(self, retry_after: float = 1, times: int = 1) -> None:
        self.fail_next(429, {"detail": {"status": "too_many_concurrent_requests",
                                        "message": "Too many concurrent requests."}},
                       headers={"Retry-After": f"{retry_after:g}"}, times=times)

    def reset_mid_stream(self, after_bytes: int = 600, times: int = 1) -> None:
        self.fail_next(200, reset_after=after_bytes, times=times)

    def tts_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith("/v1/text-to-speech/")]

    def _next_failure(self) -> Failure | None:
        with self._lock:
            return self._failures.popleft() if self._failures else None

    # -- lifecycle -----------------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeElevenLabs:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = loopback.serve(Handler, "fake-elevenlabs")
        return self

    def stop(self) -> None:
        loopback.stop(self._server)
        self._server = None

    def __enter__(self) -> FakeElevenLabs:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_fake: FakeElevenLabs

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    # -- helpers -------------------------------------------------------------------------------------------------
    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return raw.decode("utf-8", "replace")

    def _send_json(self, status: int, document: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(document, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _record(self, body: Any) -> tuple[str, dict[str, list[str]]]:
        parts = urlsplit(self.path)
        fake = self.server_fake
        with fake._lock:
            fake.requests.append(Recorded(self.command, parts.path, parse_qs(parts.query),
                                          {k.lower(): v for k, v in self.headers.items()}, body))
        return parts.path, parse_qs(parts.query)

    def _authorised(self) -> bool:
        if self.headers.get("xi-api-key") != self.server_fake.api_key:
            self._send_json(401, INVALID_KEY)
            return False
        return True

    def _reset(self) -> None:
        """Abort the connection with a TCP reset (SO_LINGER 0) instead of a clean close."""
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.close()

    # -- routes --------------------------------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path, _query = self._record(None)
        if not self._authorised():
            return
        fake = self.server_fake
        if path == "/v1/voices":
            self._send_json(200, {"voices": fake.voices})
        elif path == "/v2/voices":
            self._send_json(200, {"voices": fake.voices, "has_more": False, "total_count": len(fake.voices),
                                  "next_page_token": None})
        elif path == "/v1/user/subscription":
            self._send_json(200, {"tier": "starter", "character_count": 1200, "character_limit": 30000,
                                  "status": "active"})
        else:
            self._send_json(404, {"detail": {"status": "not_found", "message": f"No route {path}"}})

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        body = self._read_body()
        path, _query = self._record(body)
        if not self._authorised():
            return
        fake = self.server_fake
        parts = path.strip("/").split("/")
        if len(parts) < 3 or parts[:2] != ["v1", "text-to-speech"]:
            self._send_json(404, {"detail": {"status": "not_found", "message": f"No route {path}"}})
            return
        voice_id, mode = parts[2], "/".join(parts[3:])
        failure = fake._next_failure()
        if failure and failure.reset_before:
            self._reset()
            return
        if failure and failure.delay:
            time.sleep(failure.delay)
        if fake.response_delay:
            time.sleep(fake.response_delay)
        if failure and (failure.html or failure.malformed):
            page = b"<html><body>Welcome to nginx!</body></html>" if failure.html else b'{"audio_base64": "AAA'
            self.send_response(200)
            self.send_header("Content-Type", "text/html" if failure.html else "application/json")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            return
        if failure and failure.reset_after is None and failure.stall_after is None and not failure.junk_audio:
            self._send_json(failure.status, failure.body if failure.body is not None else
                            {"detail": {"status": "error", "message": "Scripted failure"}}, failure.headers)
            return
        if voice_id not in {v["voice_id"] for v in fake.voices}:
            self._send_json(404, {"detail": {"status": "voice_not_found",
                                             "message": f"A voice with voice_id {voice_id} was not found."}})
            return
        text = body.get("text", "") if isinstance(body, dict) else ""
        if not text.strip():
            self._send_json(400, {"detail": {"status": "invalid_text", "message": "Text must not be empty."}})
            return
        seconds = speech_seconds(text, fake.seconds_per_char)
        audio = tone_mp3(text, seconds)
        if failure and failure.junk_audio:
            audio = hashlib.sha512(text.encode()).digest() * 64  # bytes, not MP3
        if failure and failure.stall_after is not None and mode == "with-timestamps":
            payload = json.dumps({"audio_base64": base64.b64encode(audio).decode(),
                                  "alignment": alignment_for(text, seconds)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[:max(1, min(failure.stall_after, len(payload) - 1))])
            self.wfile.flush()
            time.sleep(failure.stall_s)
            self._reset()
            return
        reset_after = failure.reset_after if failure else None
        if mode in ("", "stream"):
            self._send_audio(audio, chunked=mode == "stream", reset_after=reset_after)
        elif mode == "with-timestamps":
            if reset_after is not None:
                self._send_partial_json(audio, reset_after)
                return
            alignment = alignment_for(text, seconds)
            with fake._lock:
                fake.sent_audio.append(audio)
            self._send_json(200, {"audio_base64": base64.b64encode(audio).decode(), "alignment": alignment,
                                  "normalized_alignment": alignment})
        elif mode == "stream/with-timestamps":
            self._send_timestamp_stream(text, audio, seconds, reset_after)
        else:
            self._send_json(404, {"detail": {"status": "not_found", "message": f"No route {path}"}})

    def _send_audio(self, audio: bytes, *, chunked: bool, reset_after: int | None) -> None:
        fake = self.server_fake
        self.send_response(200)
        self.send_header("Content-Type", "audio/mpeg")
        self.send_header("request-id", hashlib.sha1(audio).hexdigest()[:16])
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(audio)))
        self.end_headers()
        limit = len(audio) if reset_after is None else min(reset_after, len(audio) - 1)
        if reset_after is None:
            with fake._lock:  # recorded before sending, so a client that has read it all sees it here
                fake.sent_audio.append(audio)
        step = 1024
        for start in range(0, limit, step):
            piece = audio[start:min(start + step, limit)]
            if chunked:
                self.wfile.write(f"{len(piece):X}\r\n".encode() + piece + b"\r\n")
            else:
                self.wfile.write(piece)
            self.wfile.flush()
            if fake.chunk_delay:
                time.sleep(fake.chunk_delay)
        if reset_after is not None:
            self._reset()
            return
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _send_partial_json(self, audio: bytes, reset_after: int) -> None:
        payload = json.dumps({"audio_base64": base64.b64encode(audio).decode()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload[:max(1, min(reset_after, len(payload) - 1))])
        self._reset()

    def _send_timestamp_stream(self, text: str, audio: bytes, seconds: float, reset_after: int | None) -> None:
        fake = self.server_fake
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if reset_after is None:
            with fake._lock:
                fake.sent_audio.append(audio)
        pieces = [audio[i:i + 2048] for i in range(0, len(audio), 2048)]
        per_piece = max(1, math.ceil(len(text) / len(pieces)))
        sent = 0
        for index, piece in enumerate(pieces):
            part_text = text[index * per_piece:(index + 1) * per_piece]
            offset = index * per_piece
            step = seconds / max(1, len(text))
            line = json.dumps({
                "audio_base64": base64.b64encode(piece).decode(),
                "alignment": {
                    "characters": list(part_text),
                    "character_start_times_seconds": [round((offset + i) * step, 3) for i in range(len(part_text))],
                    "character_end_times_seconds": [round((offset + i + 1) * step, 3)
                                                    for i in range(len(part_text))],
                },
            }).encode() + b"\n"
            self.wfile.write(f"{len(line):X}\r\n".encode() + line + b"\r\n")
            self.wfile.flush()
            sent += len(piece)
            if reset_after is not None and sent >= reset_after:
                self._reset()
                return
            if fake.chunk_delay:
                time.sleep(fake.chunk_delay)
        self.wfile.write(b"0\r\n\r\n")


def main() -> None:
    """Run standalone (for manual checks): prints the base URL and serves until interrupted."""
    with FakeElevenLabs() as fake:
        print(fake.base_url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
