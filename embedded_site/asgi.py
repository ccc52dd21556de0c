"""ASGI entry point of the lesson site, as ``startproject`` makes it, plus a stack chooser."""

from __future__ import annotations

from django.core.asgi import get_asgi_application
from django.core.handlers.asgi import ASGIHandler

from . import boot, middleware_stack

boot()

application = get_asgi_application()


def application_with(middleware: str = "async") -> ASGIHandler:
    """A fresh ASGI application whose middleware stack is ``LANES_MIDDLEWARE_STACKS[middleware]``.

    Django reads ``MIDDLEWARE`` once, when the handler is built, so each stack gets its own.
    """
    with middleware_stack(middleware):
        return get_asgi_application()
