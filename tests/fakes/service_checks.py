"""Minimal loopback fakes for the Settings "Test" checks (LLM ``/key`` + ``/models``, ElevenLabs ``/v1/voices``,
Supabase ``/auth/v1/health``), speaking each service's real wire format.

One ``ThreadingHTTPServer`` on 127.0.0.1:0 serves all three under path prefixes (``/llm``, ``/el``, ``/sb``) so a
test needs only one server. Scriptable: ``fake.mode[service] = "ok" | "html" | "500"``; a request with a key other
than ``fake.keys[service]`` gets the service's real 401 body.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GOOD_KEYS = {"llm": "sk-or-good", "elevenlabs": "el-good", "supabase": "anon-good"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
        pass

    def _drain(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)

    def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self._drain()
        path = self.path.split("?", 1)[0]
        self.server.requests.append(path)
        if path.startswith("/llm/"):
            self._llm(path[len("/llm"):])
        elif path.startswith("/el/"):
            self._elevenlabs(path[len("/el"):])
        elif path.startswith("/sb/"):
            self._supabase(path[len("/sb"):])
        else:
            self._send(404, {"error": "not found"})

    def _scripted(self, service: str) -> bool:
        mode = self.server.mode.get(service, "ok")
        if mode == "html":
            self._send(200, "<html><body>Welcome to nginx!</body></html>", "text/html")
            return True
        if mode == "500":
            self._send(500, {"error": {"message": "internal error"}})
            return True
        return False

    def _llm(self, path: str) -> None:
        if self._scripted("llm"):
            return
        auth = self.headers.get("Authorization", "")
        if auth != f"Bearer {self.server.keys['llm']}":
            if path == "/models":  # some OpenAI-compatible servers echo the key they refused
                given = auth.removeprefix("Bearer ")
                self._send(401, {"error": {"message": f"Incorrect API key provided: {given}.", "code": 401}})
            else:
                self._send(401, {"error": {"message": "No auth credentials found", "code": 401}})
        elif path == "/key":
            self._send(200, {"data": {"label": "sk-or-v1-go...od", "usage": 0.5, "limit": 10.0,
                                      "limit_remaining": 9.5, "is_free_tier": False}})
        elif path == "/models":
            self._send(200, {"object": "list", "data": [
                {"id": "openai/gpt-4o-mini", "object": "model", "created": 1700000000, "owned_by": "openai"},
                {"id": "local/tiny", "object": "model", "created": 1700000000, "owned_by": "me"},
            ]})
        else:
            self._send(404, {"error": {"message": f"Not found: {path}", "code": 404}})

    def _elevenlabs(self, path: str) -> None:
        if self._scripted("elevenlabs"):
            return
        if self.headers.get("xi-api-key") != self.server.keys["elevenlabs"]:
            self._send(401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}})
        elif path == "/v1/voices":
            self._send(200, {"voices": [
                {"voice_id": "21m00Tcm4TlvDq8ikWAM", "name": "Rachel", "category": "premade"},
                {"voice_id": "AZnzlk1XvdvUeBnXmlld", "name": "Domi", "category": "premade"},
            ]})
        else:
            self._send(404, {"detail": {"status": "not_found", "message": "Not found"}})

    def _supabase(self, path: str) -> None:
        if self._scripted("supabase"):
            return
        if self.headers.get("apikey") != self.server.keys["supabase"]:
            self._send(401, {"message": "Invalid API key", "hint": "Double check your Supabase `anon` key."})
        elif path == "/auth/v1/health":
            self._send(200, {"version": "v2.170.0", "name": "GoTrue",
                             "description": "GoTrue is a user registration and authentication API"})
        else:
            self._send(404, {"message": "no Route matched with those values"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[str]
    mode: dict[str, str]
    keys: dict[str, str]


class ServiceChecksFake:
    """``with ServiceChecksFake() as fake:`` -> ``fake.llm_url``, ``fake.elevenlabs_url``, ``fake.supabase_url``."""

    def __init__(self) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.requests = []
        self.server.mode = {}
        self.server.keys = dict(GOOD_KEYS)
        self._thread = threading.Thread(target=self.server.serve_forever, name="fake-service-checks", daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def llm_url(self) -> str:
        return f"{self.base}/llm"

    @property
    def elevenlabs_url(self) -> str:
        return f"{self.base}/el"

    @property
    def supabase_url(self) -> str:
        return f"{self.base}/sb"

    @property
    def mode(self) -> dict[str, str]:
        return self.server.mode

    @property
    def requests(self) -> list[str]:
        return self.server.requests

    def __enter__(self) -> ServiceChecksFake:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


def closed_port_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
