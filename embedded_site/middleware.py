"""Middleware of the lesson site.

``lane_timing_middleware`` is first in ``MIDDLEWARE``: whatever happens outside it is Django's
handler (framework time), whatever happens inside it is the middleware chain and the view.
``SyncOnlyMiddleware`` is the ordinary, old-style middleware many projects still carry; the
``--middleware sync`` switch puts it in the stack to show what Django does to adapt it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import Token
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import sync_and_async_middleware

from .instrumentation import RequestProbe, current_probe, mark
from .server_timing import HEADER, server_timing_header

__all__ = ["SyncOnlyMiddleware", "lane_timing_middleware"]


GetResponse = Callable[[HttpRequest], Any]


@sync_and_async_middleware
def lane_timing_middleware(get_response: GetResponse) -> GetResponse:
    """Mark where the middleware chain starts and ends, in the mode Django runs it in.

    Being both sync and async capable, it costs no hand-off of its own under either handler.

    A request whose client has already gone (the host marked its probe abandoned, on Stop)
    is answered at once without running the view. Django would cancel it on the disconnect
    too, but only once the event loop is free to notice, which a view blocking the loop
    never lets happen: without this, Stop would wait for every queued blocking view.

    Served by a real server (uvicorn, gunicorn: no host hands it a probe), it makes the
    probe itself and answers with a ``Server-Timing`` header of what the views declared,
    which the client puts on its own clock (:mod:`.server_timing`).

    It asks for the request's host first, so ``ALLOWED_HOSTS`` is enforced (a request for
    another host is a 400 before any view runs), as ``CommonMiddleware`` would.
    """
    if iscoroutinefunction(get_response):

        async def async_middleware(request: HttpRequest) -> HttpResponse:
            probe, token = _enter(request)
            if probe.abandoned:
                return _gone()
            try:
                response: HttpResponse = await get_response(request)
                return _leave(response, probe, token)
            finally:
                probe.mark("middleware_out")
                _reset(token)

        return async_middleware

    def middleware(request: HttpRequest) -> HttpResponse:
        probe, token = _enter(request)
        if probe.abandoned:
            return _gone()
        try:
            response: HttpResponse = get_response(request)
            return _leave(response, probe, token)
        finally:
            probe.mark("middleware_out")
            _reset(token)

    return middleware


_Token = Token[RequestProbe | None] | None


def _enter(request: HttpRequest) -> tuple[RequestProbe, _Token]:
    request.get_host()  # raises DisallowedHost (a 400) for a host not in ALLOWED_HOSTS
    probe = current_probe.get()
    token: _Token = None
    if probe is None:  # served standalone: this request's probe is made here
        probe = RequestProbe(-1, request.path, sent_ns=time.perf_counter_ns())
        probe.picked_ns = probe.sent_ns
        token = current_probe.set(probe)
    # Kept on the request too, for code that runs in another context (error logging).
    setattr(request, "lane_probe", probe)  # noqa: B010 (HttpRequest declares no such field)
    probe.mark("middleware_in")  # (the probe in hand: the context's, no second lookup)
    return probe, token


def _leave(response: HttpResponse, probe: RequestProbe, token: _Token) -> HttpResponse:
    """A standalone request's answer carries its segments in a Server-Timing header."""
    if token is not None:
        segments = [(s.kind, s.start_ns, s.end_ns, s.thread) for s in probe.segments]
        response[HEADER] = server_timing_header(probe.sent_ns, time.perf_counter_ns(), segments)
    return response


def _reset(token: _Token) -> None:
    if token is not None:
        current_probe.reset(token)


def _gone() -> HttpResponse:
    mark("middleware_out")
    # 499: nginx's "client closed request"; nobody reads it, the trace shows "cancelled".
    return HttpResponse("client went away", status=499, content_type="text/plain")


class SyncOnlyMiddleware:
    """A sync-only middleware, as written before Django had async views.

    It declares no ``async_capable``, so under ASGI Django runs it in a thread
    (``sync_to_async``) and hands an async view back to the loop (``async_to_sync``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        mark("sync_middleware_in")
        try:
            return self.get_response(request)
        finally:
            mark("sync_middleware_out")
