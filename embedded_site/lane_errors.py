"""The error behind a 500, kept with the request's lane: a logging handler Django's
``django.request`` logger hands each unhandled view error to (``settings.LOGGING``)."""

from __future__ import annotations

import logging

from .instrumentation import current_probe

__all__ = ["LaneErrorHandler"]


class LaneErrorHandler(logging.Handler):
    """Keeps the error behind a 500 with the request's trace.

    Django logs every unhandled view error to ``django.request`` with the exception attached;
    this handler is wired there in ``settings.LOGGING``. The probe is found through the
    context variable, or, where Django logged from another context, through ``record.request``.
    """

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info is None or record.exc_info[1] is None:
            return
        probe = current_probe.get()
        request = getattr(record, "request", None)
        if probe is None and request is not None:
            probe = getattr(request, "lane_probe", None)
        if probe is None or probe.error is not None:
            return
        exc = record.exc_info[1]
        probe.error = f"{type(exc).__name__}: {_said(exc)}"
        probe.touch()


def _said(exc: BaseException) -> str:
    """What ``exc`` says, or else its class's docstring's first line (httpx's ``ReadError()``
    says nothing): a failed lane never ends in a bare colon."""
    said = str(exc)
    if said:
        return said
    doc = (type(exc).__doc__ or "").strip()
    return doc.splitlines()[0] if doc else "(no message)"
