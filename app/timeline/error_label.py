"""A failed request's error, fitted to the room beside its lane without losing its point.

The start leads: which request, which exception, and the message's first words; then, where
the whole does not fit, " … " and the message's end, each part on whole words ("#1 failed:
ValueError: The view … coroutine instead. You may need to add an 'await' into your view.").
Django's messages often make their point last: cut at the end, lesson 12's stopped at "It
returned…", before the "coroutine" its answer names (a teacher's walk at 1280×720); cut only
in the middle, it read "ValueError: …object. It returned…", which named no request. Where
even that does not fit, the start alone, cut at a whole word; the hover tells the whole
message.

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

__all__ = ["error_room", "error_text", "fit_error", "two_lines"]


def error_text(lane: Lane) -> str:
    """A failed request's error as it is written beside its lane."""
    lines = (lane.error or "").strip().splitlines()
    first = printable(lines[0]) if lines else f"HTTP {lane.status_code}"
    # Whole: its point is often last ("an unawaited coroutine"); the painter fits it.
    return f"#{lane.request_id + 1} failed: {first}"


#: The least of the message written after "#3 failed: ".
_LEAST_CHARS = 12


#: Where an error is cut in the middle (spaces around it, so each part reads as words).
_MIDDLE = " … "
#: The share of the width the start keeps when an error is cut in the middle.
_START_SHARE = 0.4


def fit_error(fm: QFontMetricsF, text: str, width: float) -> str:
    """``text`` as it fits in ``width`` pixels: whole, or its start and its end on whole
    words with " … " between (a word cut in half reads as another word), or where its end
    does not fit beside a start that names the request and the exception ("#3 failed:
    ValueError:"), its start alone, cut with "…"."""
    if fm.horizontalAdvance(text) <= width:
        return text
    # The start names the request and the exception ("#1 failed: ValueError:"), at least.
    named = text.find(":", text.find(":") + 1) + 1 or len(text)
    start = _start(fm, text, max(_START_SHARE * width, fm.horizontalAdvance(text[:named])))
    if len(start) + 1 >= named:
        end = _end(fm, text[len(start) :], width - fm.horizontalAdvance(start + _MIDDLE))
        if end:
            return start + _MIDDLE + end
    return _start(fm, text, width - fm.horizontalAdvance("…")) + "…"


def two_lines(fm: QFontMetricsF, text: str, width: float) -> str:
    """``text`` in two lines of ``width`` pixels, broken at a word ("\\n" between): the
    first as many of its words as fit, the second the rest, cut with "…" at a word if it
    must be. Lesson 12's error under its lanes, cut in the middle to one line, dropped
    "didn't return an HttpResponse object", the part its answer's "where a response should
    be" echoes, with a screen of empty room under it (a teacher's walk)."""
    first = _start(fm, text, width)
    rest = text[len(first) :].lstrip()
    if not first or not rest:
        return fit_error(fm, text, width)
    if fm.horizontalAdvance(rest) > width:
        rest = _start(fm, rest, width - fm.horizontalAdvance("…")) + "…"
    return f"{first}\n{rest}"


def _start(fm: QFontMetricsF, text: str, width: float) -> str:
    """The most of ``text``'s first words that fits in ``width``, ending on a whole word."""
    elided = fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
    kept = elided.removesuffix("…")
    if kept == text:
        return text
    if kept and not kept.endswith(" ") and text[len(kept)] != " " and " " in kept:
        kept = kept[: kept.rindex(" ")]
    return kept.rstrip(" ,;:")


def _end(fm: QFontMetricsF, text: str, width: float) -> str:
    """The most of ``text``'s last words that fits in ``width``, starting on a whole word
    (none if not even its last word fits)."""
    if width <= 0:
        return ""
    elided = fm.elidedText(text, Qt.TextElideMode.ElideLeft, width)
    kept = elided.removeprefix("…")
    if kept == text:
        return text.lstrip()
    if kept and not kept.startswith(" ") and text[-len(kept) - 1] != " ":
        kept = kept[kept.index(" ") :] if " " in kept else ""
    return kept.lstrip()


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
