"""The in-process client: what the site receives from it, and what it makes of the answer."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from embedded_site.instrumentation import RequestProbe
from simulator.hosting.driver import Driver, RequestRecord
from simulator.hosting.servers import AsgiServer
from simulator.hosting.servers.base import SITE_HOST
from simulator.hosting.transport import SiteTransport
from simulator.scenario import Scenario


class _Recording:
    """An ASGI app that keeps every scope and answers ``status`` with ``chunks`` of body."""

    def __init__(self, status: int, chunks: list[bytes], content_type: bytes) -> None:
        self.status, self.chunks, self.content_type = status, chunks, content_type
        self.scopes: list[dict[str, Any]] = []
        self.bodies: list[bytes] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.scopes.append(scope)
        self.bodies.append((await receive())["body"])
        headers = [(b"content-type", self.content_type)]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        for n, chunk in enumerate(self.chunks, 1):
            more = n < len(self.chunks)
            await send({"type": "http.response.body", "body": chunk, "more_body": more})


def _send(app: _Recording, url: str) -> RequestRecord:
    async def go() -> RequestRecord:
        with AsgiServer(app) as server:
            scenario = Scenario(view="async_io", mode="asgi", requests=1)
            driver = Driver(scenario, SiteTransport(server))
            record = RequestRecord(RequestProbe(7, "async_io", sent_ns=time.perf_counter_ns()))
            await driver.send(record, httpx.URL(url))
            return record

    return asyncio.run(go())


def test_the_site_gets_a_get_with_the_headers_an_http_client_sends():
    app = _Recording(200, [b"<p>ok</p>"], b"text/html; charset=utf-8")
    record = _send(app, f"http://{SITE_HOST}/async_io/?io_ms=5&cpu_ms=0")
    assert (record.status, record.status_code, record.error) == ("ok", 200, None)
    assert record.done_ns is not None and record.done_ns >= record.probe.sent_ns
    (scope,) = app.scopes
    assert (scope["method"], scope["path"], scope["query_string"]) == (
        "GET",
        "/async_io/",
        b"io_ms=5&cpu_ms=0",
    )
    # As httpx makes them for this URL (Host first), and as the socket client sends them.
    assert scope["headers"] == [
        (b"Host", SITE_HOST.encode()),
        (b"User-Agent", b"async-lanes"),
        (b"Accept", b"*/*"),
    ]
    assert app.bodies == [b""]


def test_a_url_with_a_port_names_it_in_the_host_header():
    app = _Recording(200, [b"ok"], b"text/plain")
    _send(app, f"http://{SITE_HOST}:8000/async_io/")
    assert app.scopes[0]["headers"][0] == (b"Host", f"{SITE_HOST}:8000".encode())


def test_an_error_answer_read_in_pieces_is_quoted_in_its_charset():
    app = _Recording(
        404, ["Pas trouvé: ".encode("latin-1"), b"/nowhere/"], b"text/plain; charset=latin-1"
    )
    record = _send(app, f"http://{SITE_HOST}/nowhere/")
    assert (record.status, record.status_code) == ("error", 404)
    assert record.error == "HTTP 404: Pas trouvé: /nowhere/"
