"""A real HTTP server on 127.0.0.1 (a thread) serving fixtures written in the tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .ingest_fixtures import LocalServer


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    server_state: dict[str, LocalServer] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            state = server_state["s"]
            state.hits.append(self.path)
            route = state.routes.get(self.path)
            body: bytes | list[bytes]
            if route is None:
                status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
            else:
                status, headers, body = route(self)
            pieces = body if isinstance(body, list) else [body]  # a list: sent slowly
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(sum(len(p) for p in pieces)))
            self.end_headers()
            for i, piece in enumerate(pieces):
                if i:
                    time.sleep(0.15)
                try:
                    self.wfile.write(piece)
                    self.wfile.flush()
                except OSError:  # the client gave up
                    return

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    state = LocalServer(base=f"http://127.0.0.1:{port}", port=port)
    state.serve("/robots.txt", "User-agent: *\nDisallow: /private\n", "text/plain")
    server_state["s"] = state
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
        time.sleep(0)
