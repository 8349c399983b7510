"""Reading streamed answers in gulps (providers/paced_reading.py): one wait per read of the socket, never one per
piece, and none at all unless the reader asks for a pace."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time

import httpx
import pytest

from tale_desktop.providers.http import READ_PACE
from tale_desktop.providers.paced_reading import PacedTransport

PIECES = 40
GAP_S = 0.01


class ChunkedServer:
    """A loopback HTTP server answering with PIECES chunks, GAP_S apart (as a model streams its text)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, contextlib.suppress(OSError):  # a reader that stops early closes the connection
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                for number in range(PIECES):
                    piece = f"piece {number};".encode()
                    conn.sendall(f"{len(piece):X}\r\n".encode() + piece + b"\r\n")
                    time.sleep(GAP_S)
                conn.sendall(b"0\r\n\r\n")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def server():
    running = ChunkedServer()
    yield running
    running.close()


async def read(url: str, pace: float | None) -> tuple[list[bytes], int]:
    """The pieces, and how many times the reader was given a batch after a pause of more than 50 ms."""
    asked: list[float] = []
    async with httpx.AsyncClient(transport=PacedTransport(httpx.AsyncHTTPTransport())) as client:
        token = READ_PACE.set((lambda: asked.append(time.monotonic()) or pace) if pace is not None else None)
        try:
            pieces, pauses, last = [], 0, time.monotonic()
            async with client.stream("GET", url) as response:
                async for piece in response.aiter_raw():
                    now = time.monotonic()
                    pauses += now - last > 0.05
                    last = now
                    pieces.append(piece)
        finally:
            READ_PACE.reset(token)
    return pieces, pauses


@pytest.mark.asyncio
async def test_a_paced_answer_is_read_in_gulps_and_arrives_whole(server):
    pieces, pauses = await read(server.url, 0.1)
    body = b"".join(pieces)
    assert body == b"".join(f"piece {n};".encode() for n in range(PIECES))
    # ~0.4 s of answer read every 0.1 s: a few gulps, where unpaced reading makes a read per piece.
    assert 2 <= pauses <= 8, pauses


@pytest.mark.asyncio
async def test_an_answer_without_a_pace_is_read_as_it_comes(server):
    pieces, pauses = await read(server.url, None)
    assert b"".join(pieces).count(b"piece") == PIECES
    assert pauses <= 1  # (a busy machine may stall once)


@pytest.mark.asyncio
async def test_a_pace_of_zero_reads_at_once(server):
    pieces, pauses = await read(server.url, 0.0)
    assert b"".join(pieces).count(b"piece") == PIECES and pauses <= 1


@pytest.mark.asyncio
async def test_closing_a_paced_answer_early_closes_the_connection(server):
    async with httpx.AsyncClient(transport=PacedTransport(httpx.AsyncHTTPTransport())) as client:
        token = READ_PACE.set(lambda: 0.05)
        try:
            async with client.stream("GET", server.url) as response:
                async for _piece in response.aiter_raw():
                    break
            assert response.is_closed
        finally:
            READ_PACE.reset(token)
    await asyncio.sleep(0)
