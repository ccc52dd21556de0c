"""A failed request's error, fitted to the room beside its lane without losing its point.

The start leads: which request, which exception, and the message's first words, cut at the
end from a whole word ("#1 failed: ValueError: The view … didn't return an HttpResponse
object…"). Cut in the middle to keep its end, lesson 12's read "ValueError: …object. It
returned an unawaited coroutine instead…", a sentence begun in the middle; the hover tells
the whole message.

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


#: The least of the message written after "#3 failed: ".
_LEAST_CHARS = 12


def fit_error(fm: QFontMetricsF, text: str, width: float) -> str:
    """``text`` as it fits in ``width`` pixels: whole, or its start up to a whole word, cut
    with "…" (a word cut in half reads as another word)."""
    if fm.horizontalAdvance(text) <= width:
        return text
    elided = fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
    kept = elided.removesuffix("…")
    if kept and not kept.endswith(" ") and text[len(kept)] != " " and " " in kept:
        kept = kept[: kept.rindex(" ")]
    return kept.rstrip(" ,;:") + "…"


#: The least an error is written in: the request's number, "failed" and a few words.
NARROWEST = "#00 failed: " + "x" * _LEAST_CHARS + "…"


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
