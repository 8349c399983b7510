"""One pooled ``httpx.AsyncClient`` per outside service, created once and closed at quit.

Creating a client builds an SSL context (~90 ms), so :meth:`HttpClients.prepare` builds them off the loop thread
before the window shows; anyio's asyncio backend is imported early for the same reason (DESIGN section 7).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import TYPE_CHECKING

from tale_desktop import APP_TITLE, __version__

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

SERVICES = ("llm", "elevenlabs", "supabase")


def _make_client(service: str) -> httpx.AsyncClient:
    import anyio._backends._asyncio  # noqa: F401  (first use costs ~80 ms; pay it off the loop)
    import httpx  # imported with the first client: commands that never go online do not pay for it

    return httpx.AsyncClient(
        timeout=httpx.Timeout(connect=10.0, read=120.0, write=60.0, pool=30.0),
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
        headers={"User-Agent": f"{APP_TITLE.replace(' ', '')}/{__version__}"},
        follow_redirects=True,
    )


class HttpClients:
    def __init__(self) -> None:
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._lock = threading.Lock()

    def get(self, service: str) -> httpx.AsyncClient:
        with self._lock:
            client = self._clients.get(service)
            if client is None or client.is_closed:
                client = self._clients[service] = _make_client(service)
            return client

    def prepare(self) -> None:
        """Build every client now (blocking; call from a worker thread or before the window shows)."""
        for service in SERVICES:
            self.get(service)

    async def prepare_async(self) -> None:
        await asyncio.to_thread(self.prepare)

    async def aclose(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            with contextlib.suppress(Exception):
                await client.aclose()
