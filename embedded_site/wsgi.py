"""WSGI entry point of the lesson site, as ``startproject`` makes it, plus a stack chooser."""

from __future__ import annotations

from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

from . import boot, middleware_stack

boot()

application = get_wsgi_application()


def application_with(middleware: str = "async") -> WSGIHandler:
    """A fresh WSGI application whose middleware stack is
    ``LANES_MIDDLEWARE_STACKS[middleware]``."""
    with middleware_stack(middleware):
        return get_wsgi_application()
