"""Starting and stopping a loopback fake server in a daemon thread (shared by every fake in this folder)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve(handler: type[BaseHTTPRequestHandler], name: str, poll_interval: float = 0.05) -> ThreadingHTTPServer:
    """Serve ``handler`` on 127.0.0.1 at a free port, in a daemon thread named ``name`` (stopping waits up to one
    ``poll_interval``: short, as hundreds of tests each start and stop a fake)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.timeout = poll_interval
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(poll_interval,), name=name, daemon=True).start()
    return server


def stop(server: ThreadingHTTPServer | None) -> None:
    if server is not None:
        server.shutdown()
        server.server_close()
