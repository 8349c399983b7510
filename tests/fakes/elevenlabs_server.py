"""A loopback ElevenLabs server speaking the wire protocol the `elevenlabs` SDK uses.

Endpoints (paths as in ``elevenlabs/text_to_speech/raw_client.py`` and ``voices/raw_client.py``):

- ``POST /v1/text-to-speech/{voice_id}``                      audio/mpeg body (Content-Length)
- ``POST /v1/text-to-speech/{voice_id}/stream``               audio/mpeg, chunked transfer encoding
- ``POST /v1/text-to-speech/{voice_id}/with-timestamps``      JSON: ``audio_base64`` + character ``alignment``
- ``POST /v1/text-to-speech/{voice_id}/stream/with-timestamps`` newline-delimited JSON of the same, in pieces
- ``GET  /v1/voices`` and ``GET /v2/voices``                  the voice list
- ``GET  /v1/user/subscription``                             character quota of the key
- ``POST /v1/forced-alignment``                  multipart ``file`` + ``text``: character and word timings
- ``POST /v1/voices/add``                        multipart ``name`` + ``files``: an instant voice clone
- ``DELETE /v1/voices/{voice_id}``               removes a voice

Multipart bodies are parsed and checked the way the API does (a missing or empty field is a 422 with FastAPI's
``detail`` list); uploads are kept in :attr:`FakeElevenLabs.uploads` so a test can check what left the machine.
Forced alignment spreads the text's characters over the speech it finds in the uploaded audio (decoded with
PyAV), so its timings are increasing and inside the audio, pauses included.

The audio is real MP3 (a soft tone, ~55 ms per character, encoded with lameenc), different for every text, so a
test can check that exactly the bytes sent were saved. Failures are scripted per request with :meth:`fail_next`
(status + body + headers, or a connection reset part-way through the audio). Every request is recorded.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import math
import socket
import struct
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
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


def missing_field(name: str) -> dict[str, Any]:
    """The 422 body FastAPI (the ElevenLabs API) sends for a missing form field."""
    return {"detail": [{"loc": ["body", name], "msg": "Field required", "type": "missing"}]}


@dataclass
class Upload:
    """One file part of a multipart request."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class Multipart:
    fields: dict[str, str]
    files: list[Upload]


def parse_multipart(content_type: str, raw: bytes) -> Multipart | None:
    """A multipart/form-data body split into text fields and file parts (None when it is not multipart)."""
    if not content_type.lower().startswith("multipart/form-data") or "boundary=" not in content_type:
        return None
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw)
    if not message.is_multipart():
        return None
    fields: dict[str, str] = {}
    files: list[Upload] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        if not name:
            continue
        if filename is not None:
            files.append(Upload(str(name), str(filename), part.get_content_type(), payload))
        else:
            fields[str(name)] = payload.decode("utf-8")
    return Multipart(fields, files)


def audio_seconds_and_speech(data: bytes) -> tuple[float, list[tuple[float, float]]]:
    """The length of encoded audio and the spans where it is not silent (20 ms frames, energy threshold)."""
    import av

    with av.open(io.BytesIO(data)) as container:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=16000)
        pieces = []
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                pieces.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            pieces.append(out.to_ndarray().reshape(-1))
    samples = np.concatenate(pieces).astype(np.float32) if pieces else np.zeros(0, np.float32)
    seconds = len(samples) / 16000
    hop = 320
    count = len(samples) // hop
    if count == 0:
        return seconds, []
    energy = np.sqrt((samples[:count * hop].reshape(count, hop) ** 2).mean(axis=1))
    voiced = energy > max(200.0, 0.1 * float(np.percentile(energy, 95)))
    spans: list[tuple[float, float]] = []
    start = None
    for index, on in enumerate(voiced):
        if on and start is None:
            start = index
        elif not on and start is not None:
            spans.append((start * hop / 16000, index * hop / 16000))
            start = None
    if start is not None:
        spans.append((start * hop / 16000, count * hop / 16000))
    return seconds, spans


def forced_alignment_for(text: str, spans: list[tuple[float, float]], seconds: float) -> dict[str, Any]:
    """Characters spread evenly over the speech spans (spaces take no time); words from their characters."""
    spans = spans or [(0.0, seconds)]
    total = sum(end - start for start, end in spans)
    spoken = [c for c in text if not c.isspace()]
    step = total / max(1, len(spoken))

    def at(offset: float) -> float:  # speech time -> audio time
        for start, end in spans:
            if offset <= end - start:
                return start + offset
            offset -= end - start
        return spans[-1][1]

    characters = []
    position = 0.0
    for char in text:
        if char.isspace():
            moment = at(position)
            characters.append({"text": char, "start": round(moment, 3), "end": round(moment, 3)})
            continue
        characters.append({"text": char, "start": round(at(position), 3), "end": round(at(position + step), 3)})
        position += step
    words = []
    index = 0
    for token in text.split(" "):
        if token:
            first, last = characters[index], characters[index + len(token) - 1]
            words.append({"text": token, "start": first["start"], "end": last["end"], "loss": 0.4})
        index += len(token) + 1
    return {"characters": characters, "words": words, "loss": 0.4}


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
        self.uploads: list[Upload] = []  # every file part received (forced alignment and voice clones)
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

    def clone_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path == "/v1/voices/add"]

    def alignment_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/v1/forced-alignment"]

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
    disable_nagle_algorithm = True  # as a real server: a response's body leaves with its headers, no delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    # -- helpers -------------------------------------------------------------------------------------------------
    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        form = parse_multipart(self.headers.get("Content-Type") or "", raw)
        if form is not None:
            return form
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
        if path in ("/v1/forced-alignment", "/v1/voices/add"):
            self._multipart_route(path, body)
            return
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

    def do_DELETE(self) -> None:  # noqa: N802 - stdlib name
        self._read_body()
        path, _query = self._record(None)
        if not self._authorised():
            return
        fake = self.server_fake
        parts = path.strip("/").split("/")
        if len(parts) != 3 or parts[:2] != ["v1", "voices"]:
            self._send_json(404, {"detail": {"status": "not_found", "message": f"No route {path}"}})
            return
        if self._scripted_failure():
            return
        with fake._lock:
            kept = [v for v in fake.voices if v["voice_id"] != parts[2]]
            found = len(kept) != len(fake.voices)
            fake.voices = kept
        if not found:
            self._send_json(400, {"detail": {"status": "voice_does_not_exist",
                                             "message": f"A voice with the voice_id {parts[2]} does not exist."}})
            return
        self._send_json(200, {"status": "ok"})

    def _scripted_failure(self) -> bool:
        """Answer with the next scripted failure, if any (True when one was sent)."""
        failure = self.server_fake._next_failure()
        if failure is None:
            return False
        if failure.delay:
            time.sleep(failure.delay)
        if failure.reset_after is not None:
            self._reset()
            return True
        self._send_json(failure.status, failure.body if failure.body is not None else
                        {"detail": {"status": "error", "message": "Scripted failure"}}, failure.headers)
        return True

    def _multipart_route(self, path: str, form: Any) -> None:
        fake = self.server_fake
        if not isinstance(form, Multipart):
            self._send_json(422, missing_field("file" if path.endswith("alignment") else "files"))
            return
        with fake._lock:
            fake.uploads.extend(form.files)
        if self._scripted_failure():
            return
        if path == "/v1/forced-alignment":
            audio = [f for f in form.files if f.field == "file"]
            text = form.fields.get("text", "")
            if not audio or not audio[0].data:
                self._send_json(422, missing_field("file"))
                return
            if not text.strip():
                self._send_json(422, missing_field("text"))
                return
            try:
                seconds, spans = audio_seconds_and_speech(audio[0].data)
            except Exception:  # noqa: BLE001 - any decoder failure is the client's bad file
                self._send_json(400, {"detail": {"status": "invalid_audio",
                                                 "message": "The audio file could not be decoded."}})
                return
            self._send_json(200, forced_alignment_for(text, spans, seconds))
            return
        samples = [f for f in form.files if f.field == "files" and f.data]
        name = form.fields.get("name", "").strip()
        if not name:
            self._send_json(422, missing_field("name"))
            return
        if not samples:
            self._send_json(422, missing_field("files"))
            return
        voice_id = uuid.uuid4().hex[:20]
        with fake._lock:
            fake.voices.append({"voice_id": voice_id, "name": name, "category": "cloned",
                                "labels": {}, "verified_languages": []})
        self._send_json(200, {"voice_id": voice_id, "requires_verification": False})

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
