"""The httpx transport that carries the client's requests into an in-process server."""

from __future__ import annotations

import asyncio

import httpx

from embedded_site.instrumentation import RequestProbe

from .servers.base import Server, SiteRequest

__all__ = ["PROBE_EXTENSION", "SiteTransport"]

#: The httpx request extension that carries a request's probe to the server.
PROBE_EXTENSION = "lanes.probe"


class SiteTransport(httpx.AsyncBaseTransport):
    """Like ``httpx.ASGITransport``, but the app runs on the server's threads, not ours.

    The caller's loop only hands the request over and awaits the server's future, so a view
    that blocks the site's loop never blocks the caller (the window). No connection pool:
    nothing caps how many requests are in flight.
    """

    def __init__(self, server: Server) -> None:
        self._server = server

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        probe = request.extensions.get(PROBE_EXTENSION)
        if not isinstance(probe, RequestProbe):
            raise TypeError(f"every request needs a RequestProbe in extensions[{PROBE_EXTENSION!r}]")
        site_request = SiteRequest(
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            headers=list(request.headers.raw),
            body=await request.aread(),
            probe=probe,
        )
        future = self._server.submit(site_request)
        try:
            response = await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            self._server.cancel(site_request, future)
            raise
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            content=response.body,
            request=request,
        )
