"""A failed request's error, fitted to the room beside its lane without losing its point.

Python's and Django's messages put the point last: "The view … didn't return an
HttpResponse object. It returned an unawaited coroutine instead." Cut at the right, lesson
12's label read "It returned an unawaite…", the very words the lesson is about. So the head
(which request, which exception) stays, the end stays, and the middle gives way.

Where it goes: in room no bar takes. Moved left to fit the lanes, the plate covered the very
lanes it labelled (lesson 12's four short lanes vanished under four boxes), and in the thread
view it covered the loop's later requests. So it goes just after its lane ends, up to the
row's next bar; where that is too narrow for its point, in the row's widest room clear of
every bar; and nowhere when a row has no such room (the red block still ends the lane, and
the hover tells the error).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF

from app.text_clean import printable
from simulator.trace import Lane

__all__ = ["error_room", "error_text", "fit_error"]


def error_text(lane: Lane) -> str:
    """A failed request's error as it is written beside its lane."""
    lines = (lane.error or "").strip().splitlines()
    first = printable(lines[0]) if lines else f"HTTP {lane.status_code}"
    # Whole: its point is often last ("an unawaited coroutine"); the painter fits it.
    return f"#{lane.request_id + 1} failed: {first}"


#: Where a label's head ends: "#3 failed: ValueError: " (the request, then the exception),
#: or where there is less room, "#3 failed: ".
_HEAD_COLONS = (2, 1)
#: The least of the message's end written after the head.
_END_CHARS = 12


def _head(text: str, colons: int) -> str:
    """``text`` up to and with its ``colons``-th ": " (as many as it has)."""
    cut = 0
    for _ in range(colons):
        found = text.find(": ", cut)
        if found < 0:
            break
        cut = found + 2
    return text[:cut]


def fit_error(fm: QFontMetricsF, text: str, width: float) -> str:
    """``text`` as it fits in ``width`` pixels: whole, or its head and as much of its end as
    fits, with "…" in between (a shorter head where the longer leaves too little of the end;
    only the text's own end when even that does not fit)."""
    if fm.horizontalAdvance(text) <= width:
        return text
    for colons in _HEAD_COLONS:
        head = _head(text, colons)
        rest = text[len(head) :]
        room = width - fm.horizontalAdvance(head)
        if head and room >= fm.horizontalAdvance("…" + rest[-_END_CHARS:]):
            return head + _from_a_word(rest, fm.elidedText(rest, Qt.TextElideMode.ElideLeft, room))
    return fm.elidedText(text, Qt.TextElideMode.ElideLeft, width)


def _from_a_word(rest: str, elided: str) -> str:
    """``elided`` ("…d. You may need…", the end of ``rest``) from its first whole word:
    "…You may need…"."""
    kept = elided.removeprefix("…")
    if kept == rest or not kept:
        return elided
    cut = len(rest) - len(kept)
    if rest[cut - 1] != " " and " " in kept[:-1]:
        kept = kept[kept.index(" ") + 1 :]
    return "…" + kept


#: The least an error is written in: the request's number, "failed" and a few words.
NARROWEST = "#00 failed: …" + "x" * _END_CHARS


def error_room(
    fm: QFontMetricsF,
    bars: Iterable[tuple[float, float]],
    left: float,
    right: float,
    end_x: float,
) -> tuple[float, float] | None:
    """Where on its row a failed request's error goes, as ``(x0, x1)`` clear of ``bars``
    (their ``(x0, x1)`` on that row, tails left out: faint, no one waits for them): just
    after ``end_x`` (its lane's end) up to the next bar, else the row's widest room, else
    ``None`` when no room holds :data:`NARROWEST`."""
    least = fm.horizontalAdvance(NARROWEST) + 10
    rooms, at = [], left
    for x0, x1 in sorted(bars):
        if x0 - 1 > at:
            rooms.append((at, x0 - 1))
        at = max(at, x1 + 1)
    if at < right:
        rooms.append((at, right))
    after = [(max(x0, end_x + 2), x1) for x0, x1 in rooms if x1 > end_x + 2 and x0 <= end_x + 4]
    rooms = [room for room in after + rooms if room[1] - room[0] >= least]
    if not rooms:
        return None
    if after and rooms[0] == after[0]:
        return rooms[0]
    return max(rooms, key=lambda room: room[1] - room[0])
