"""Reading a streamed answer in gulps when nobody is watching it.

Ten stories writing at once deliver about a thousand pieces of text a second. Reading each piece as it arrives
costs a full trip through the event loop, asyncio's transport, anyio, httpcore, h11 and httpx, for a few bytes,
and most of those stories are only a row in the tasks panel. A stream whose reader asks for a pace (see
:data:`tale_desktop.providers.http.READ_PACE`) waits that long after each read of the socket before the next:
meanwhile the pieces pile up in the socket and the next read takes them all in one trip. The story the parent
is watching asks for no pace and is read as its text arrives.

The pace is asked again after every read, so a stream the parent starts watching is read at once from its next
piece on. Sleeping between reads does not count against the read timeout, which covers each read alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx

from tale_desktop.providers.http import READ_PACE


class _PacedStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, pace: Callable[[], float]) -> None:
        self._inner = inner
        self._pace = pace

    async def __aiter__(self) -> AsyncIterator[bytes]:
        # httpx hands on one piece per HTTP chunk, several of them from one read of the socket. Only a piece that
        # had to wait for the socket (the task was suspended for it) ends what that read brought: the wait goes
        # there, so the pieces already read go on at once and the next read takes everything that came meanwhile.
        loop = asyncio.get_running_loop()
        pieces = self._inner.__aiter__()
        while True:
            suspended = [False]
            marker = loop.call_soon(suspended.__setitem__, 0, True)  # runs only if the read gives way to the loop
            try:
                chunk = await pieces.__anext__()
            except StopAsyncIteration:
                return
            finally:
                marker.cancel()
            yield chunk
            if suspended[0]:
                delay = self._pace()
                if delay > 0:
                    await asyncio.sleep(delay)

    async def aclose(self) -> None:
        await self._inner.aclose()


class PacedTransport(httpx.AsyncBaseTransport):
    """httpx's own transport, whose answers are read at the pace their reader asks for (none by default)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        pace = READ_PACE.get()
        if pace is not None and isinstance(response.stream, httpx.AsyncByteStream):
            response.stream = _PacedStream(response.stream, pace)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
