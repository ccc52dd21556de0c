"""``startproject``'s seven middleware, marked: the ``"django"`` stack's
(``settings.LANES_MIDDLEWARE_STACKS``).

Each class is Django's own, unchanged but for its hooks (``process_request``,
``process_view``, ``process_response``), which mark where they start and end on the thread
they run on. Under ASGI Django runs every hook of a ``MiddlewareMixin`` through
``sync_to_async`` on the request's thread: without the marks, nothing of ours ran there
between the request's loop steps, and the lanes drew the middleware's Python and the
hand-offs to it and back alike, as waiting for the loop. With them, the lane builder draws
the Python as Django's (``framework`` on that thread, its clocks telling the waits to run
apart) and the rest as ``thread_hop``: a hook's end is its thread handing back
(``Mark.where``: ``"hook_in"``, ``"hook_out"``).

Imported by Django itself when it builds the stack (the import needs the apps loaded).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.security import SecurityMiddleware

from .instrumentation import mark

__all__ = [
    "MarkedAuthenticationMiddleware",
    "MarkedCommonMiddleware",
    "MarkedCsrfViewMiddleware",
    "MarkedMessageMiddleware",
    "MarkedSecurityMiddleware",
    "MarkedSessionMiddleware",
    "MarkedXFrameOptionsMiddleware",
]

#: The hooks a ``MiddlewareMixin`` may have that Django runs on every request.
HOOKS = ("process_request", "process_view", "process_response")

_M = TypeVar("_M", bound=type)


def _marking(hook: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(hook)
    def marked(self: object, *args: Any, **kwargs: Any) -> Any:
        mark("hook_in")
        try:
            return hook(self, *args, **kwargs)
        finally:
            mark("hook_out")

    return marked


def _marked(cls: _M) -> _M:
    """A subclass of ``cls`` whose hooks (those it has: Django looks for them by name) mark
    where they start and end."""
    hooks = {name: _marking(getattr(cls, name)) for name in HOOKS if hasattr(cls, name)}
    return cast(_M, type(f"Marked{cls.__name__}", (cls,), {**hooks, "__module__": __name__}))


MarkedSecurityMiddleware = _marked(SecurityMiddleware)
MarkedSessionMiddleware = _marked(SessionMiddleware)
MarkedCommonMiddleware = _marked(CommonMiddleware)
MarkedCsrfViewMiddleware = _marked(CsrfViewMiddleware)
MarkedAuthenticationMiddleware = _marked(AuthenticationMiddleware)
MarkedMessageMiddleware = _marked(MessageMiddleware)
MarkedXFrameOptionsMiddleware = _marked(XFrameOptionsMiddleware)
