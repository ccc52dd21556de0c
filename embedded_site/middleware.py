"""Middleware of the lesson site.

``lane_timing_middleware`` is first in ``MIDDLEWARE``: whatever happens outside it is Django's
handler (framework time), whatever happens inside it is the middleware chain and the view.
``SyncOnlyMiddleware`` is the ordinary, old-style middleware many projects still carry; the
``--middleware sync`` switch puts it in the stack to show what Django does to adapt it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import sync_and_async_middleware

from .instrumentation import RequestProbe, current_probe, mark

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
    """
    if iscoroutinefunction(get_response):

        async def async_middleware(request: HttpRequest) -> HttpResponse:
            probe = _enter(request)
            if probe is not None and probe.abandoned:
                return _gone()
            try:
                response: HttpResponse = await get_response(request)
                return response
            finally:
                mark("middleware_out")

        return async_middleware

    def middleware(request: HttpRequest) -> HttpResponse:
        probe = _enter(request)
        if probe is not None and probe.abandoned:
            return _gone()
        try:
            response: HttpResponse = get_response(request)
            return response
        finally:
            mark("middleware_out")

    return middleware


def _enter(request: HttpRequest) -> RequestProbe | None:
    # Kept on the request too, for code that runs in another context (error logging).
    probe = current_probe.get()
    setattr(request, "lane_probe", probe)  # noqa: B010 (HttpRequest declares no such field)
    mark("middleware_in")
    return probe


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
