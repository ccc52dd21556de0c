"""A failed request's error, fitted to the room beside its lane without losing its point.

Python's and Django's messages put the point last: "The view … didn't return an
HttpResponse object. It returned an unawaited coroutine instead." Cut at the right, lesson
12's label read "It returned an unawaite…", the very words the lesson is about. So the head
(which request, which exception) stays, the end stays, and the middle gives way.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF

from app.text_clean import printable
from simulator.trace import Lane

__all__ = ["error_text", "fit_error"]


def error_text(lane: Lane) -> str:
    """A failed request's error as it is written beside its lane."""
    lines = (lane.error or "").strip().splitlines()
    first = printable(lines[0]) if lines else f"HTTP {lane.status_code}"
    # Whole: its point is often last ("an unawaited coroutine"); the painter fits it.
    return f"#{lane.request_id + 1} failed: {first}"


#: Where a label's head ends: "#3 failed: ValueError: " (the request, then the exception).
_HEAD_COLONS = 2


def fit_error(fm: QFontMetricsF, text: str, width: float) -> str:
    """``text`` as it fits in ``width`` pixels: whole, or its head and as much of its end as
    fits, with "…" in between (only the head's own end when even that does not fit)."""
    if fm.horizontalAdvance(text) <= width:
        return text
    cut = 0
    for _ in range(_HEAD_COLONS):
        found = text.find(": ", cut)
        if found < 0:
            break
        cut = found + 2
    head, rest = text[:cut], text[cut:]
    room = width - fm.horizontalAdvance(head)
    if not head or room < fm.horizontalAdvance("…" + rest[-12:]):
        return fm.elidedText(text, Qt.TextElideMode.ElideLeft, width)
    return head + fm.elidedText(rest, Qt.TextElideMode.ElideLeft, room)
