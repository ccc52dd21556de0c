"""Where the texts written over the lanes go (a failed request's error, the note on Django's
clean-up): on room no bar takes, and clear of each other.

A plate moved to fit hid what it was about: lesson 12's four short lanes vanished under
their own error boxes, the thread view's first error covered the loop's later requests, and
the clean-up note sat on lesson 11's lanes. One rule for both: a note goes where no bar of
work is drawn (a faint tail may be written over: no one waits for it), else lower down, else
not at all (the lane's red block and the hover still tell it).

An error goes beside its lane (:func:`~app.timeline.error_label.error_room`) where it fits
whole; the others are written under the last lane, one line per message ("#1, #2, #3 and #4
failed: SynchronousOnlyOperation: …"), the lanes' width to themselves, as far as the lanes'
room goes; where there is none, cut to fit beside their lanes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetricsF

from app.timeline.error_label import error_room, fit_error, two_lines
from app.timeline.geometry import PlacedLabel, TimelineGeometry
from app.timeline.rows import TimelineRows

__all__ = ["clear_top", "errors_fit_under", "errors_under_height", "place_errors"]

#: How many requests a line under the lanes names before "and N more".
_NAMED = 3


def _bars_at(
    geo: TimelineGeometry, rows: TimelineRows, wanted: npt.NDArray[np.int64], limit: int
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The work bars (not the faint tails) of rows ``wanted``, as drawn: row, ``x0``, ``x1``;
    found with numpy among the rows' spans (the thread view of 10,000 requests has 200,000
    bars, its loop's row tens of thousands: a Python step each cost a second a note)."""
    spans, t_from = rows.spans, geo.t_from_ns
    at = np.flatnonzero(
        ~spans.tail & (spans.start < limit) & (spans.end > t_from) & np.isin(spans.row, wanted)
    )
    # As :meth:`~app.timeline.geometry.TimelineGeometry.x_of` computes each, in numpy.
    span = max(1, geo.t_to_ns - t_from)
    x0 = geo.lanes_left + (np.maximum(spans.start[at], t_from) - t_from) * geo.lanes_width / span
    x1 = geo.lanes_left + (np.minimum(spans.end[at], limit) - t_from) * geo.lanes_width / span
    return spans.row[at], x0, x1


def _bars_x(
    geo: TimelineGeometry, rows: TimelineRows, wanted: set[int], limit: int
) -> dict[int, list[tuple[float, float]]]:
    """The work bars of rows ``wanted`` (:func:`_bars_at`), row by row: ``(x0, x1)``."""
    bars: dict[int, list[tuple[float, float]]] = {row: [] for row in wanted}
    if wanted:
        at = _bars_at(geo, rows, np.fromiter(wanted, np.int64, len(wanted)), limit)
        for row, a, b in zip(*(column.tolist() for column in at), strict=True):
            bars[row].append((a, b))
    return bars


def clear_top(
    left: float, right: float, height: float, geo: TimelineGeometry, rows: TimelineRows, limit: int
) -> float | None:
    """The highest top, from the lanes' top down a line (``height``) at a time, at which a
    plate from ``left`` to ``right`` covers no bar of work (nor a note placed before it);
    ``None`` if there is none. Rows thinner than a pixel (``geo.group`` > 1) are each looked
    at: the bars of all of them at once, found with numpy (a clean-up note on 10,000 lanes
    was never written, every grouped row taken for taken, though only faint tails were
    there)."""
    if geo.lanes_width <= 0:
        return None
    spans, t_from = rows.spans, geo.t_from_ns
    t_left, t_right = geo.ns_at(left), geo.ns_at(right) + 1
    under = ~spans.tail & (spans.start < min(limit, t_right)) & (spans.end > max(t_from, t_left))
    busy = np.unique(spans.row[under])  # the rows with a bar under the plate's width
    top, bottom = geo.lanes_top, geo.lanes_top + geo.lanes_height
    row_px = max(geo.row_px, 1e-9)
    while top + height <= bottom:
        plate = QRectF(left, top, right - left, height)
        first = max(0, int((top - geo.lanes_top) // row_px))
        last = min(len(rows) - 1, int((top + height - geo.lanes_top) // row_px))
        at = int(np.searchsorted(busy, first))
        if not any(plate.intersects(note.rect) for note in geo.notes) and (
            last < first or at == len(busy) or busy[at] > last
        ):
            return top
        top += height
    return None


def _who(heads: list[str]) -> str:
    """Who failed: "#1", "#1 and #2", "#1, #2, #3 and #4", "#1, #2, #3 and 9 more" (a
    request more is named, not "and 1 more")."""
    if len(heads) <= _NAMED + 1:
        return heads[0] if len(heads) == 1 else f"{', '.join(heads[:-1])} and {heads[-1]}"
    return f"{', '.join(heads[:_NAMED])} and {len(heads) - _NAMED} more"


def _messages(texts: list[str]) -> dict[str, list[str]]:
    """Errors by message, each with who failed so ("#1 failed: X" → {"X": ["#1"]})."""
    messages: dict[str, list[str]] = {}
    for text in texts:
        head, _, message = text.partition(" failed: ")
        messages.setdefault(message, []).append(head)
    return messages


def errors_under_height(
    fm: QFontMetricsF, rows: TimelineRows, row_px: float, width: float | None = None
) -> float:
    """How tall every failed request's error is written under the last lane of rows
    ``row_px`` tall: one line per message, a bar's height at most each, two for one wider
    than lanes ``width`` wide, as :func:`_under_lanes` writes it (what a slide makes room
    for: lesson 12's lanes filled their slide's rect, and none of its errors, the answer,
    was written; lesson 11's lost "SynchronousOnlyOperation", cut to fit beside its lanes;
    lesson 12's, given one line, dropped "didn't return" over half a slide of empty room)."""
    messages = _messages([text for _, _, text in rows.error_texts])
    lines = sum(
        2 if width is not None and _too_wide(fm, _line(message, heads), width) else 1
        for message, heads in messages.items()
    )
    return 4 + lines * (max(row_px, fm.height()) + 4) if lines else 0.0


def errors_fit_under(fm: QFontMetricsF, geo: TimelineGeometry, rows: TimelineRows) -> bool:
    """Whether :func:`errors_under_height` fits under the last lane of ``geo``."""
    under = errors_under_height(fm, rows, geo.row_px, geo.lanes_width)
    return geo.row_top(len(rows)) + under <= geo.lanes_top + geo.lanes_height


def _line(message: str, heads: list[str]) -> str:
    """A message's line under the lanes: "#1, #2 and #3 failed: …"."""
    return f"{_who(heads)} failed: {message}"


def _too_wide(fm: QFontMetricsF, text: str, lanes_width: float) -> bool:
    """Whether ``text`` under lanes ``lanes_width`` wide needs a second line (its plate's
    10 px of margin taken off): the one rule of the room made for it and of its writing."""
    return fm.horizontalAdvance(text) > lanes_width - 10


def _under_lanes(
    fm: QFontMetricsF, geo: TimelineGeometry, rows: TimelineRows, left_out: list[str], h: float
) -> list[PlacedLabel]:
    """The errors with no room beside their lanes, one line per message under the last lane;
    a message too long for its line takes two where the room under the lanes holds them and
    a line for each message after it (:func:`~app.timeline.error_label.two_lines`)."""
    messages = _messages(left_out)
    placed: list[PlacedLabel] = []
    y = geo.row_top(len(rows)) + 4
    bottom = geo.lanes_top + geo.lanes_height
    for k, (message, heads) in enumerate(messages.items()):
        if y + h > bottom:
            break
        text = _line(message, heads)
        width = min(fm.horizontalAdvance(text) + 10, geo.lanes_width)
        after = (len(messages) - k - 1) * (h + 4)  # a line for each message after it
        if _too_wide(fm, text, geo.lanes_width) and y + 2 * h + after <= bottom:
            shown, tall = two_lines(fm, text, width - 10), 2 * h
        else:
            shown, tall = fit_error(fm, text, width - 10), h
        placed.append(PlacedLabel(shown, QRectF(geo.lanes_left, y, width, tall), None))
        y += tall + 4
    return placed


def place_errors(
    fm: QFontMetricsF, geo: TimelineGeometry, rows: TimelineRows, limit: int, height: float
) -> list[PlacedLabel]:
    """Each failed request's error as it is written (its text fitted), clear of the bars,
    of the notes already placed and of each other; those with no room beside their lanes
    under the last lane."""
    h = max(height, fm.height())
    shown = [e for e in rows.error_texts if geo.t_from_ns <= e[1] <= limit]
    bars = _bars_x(geo, rows, {row for row, _, _ in shown}, limit)
    right = geo.lanes_left + geo.lanes_width
    # Room under the last lane: an error that does not fit whole beside its lane goes there,
    # the width of the lanes to itself (lesson 11's "#1 failed: …sync_to_async." lost the
    # very name, lesson 12's "…into your view." the unawaited coroutine).
    under = geo.row_top(len(rows)) + 4 + h <= geo.lanes_top + geo.lanes_height
    placed: list[PlacedLabel] = []
    left_out: list[str] = []
    for row, end, text in shown:
        room = error_room(fm, bars[row], geo.lanes_left, right, geo.x_of(end))
        if room is not None:
            width = min(fm.horizontalAdvance(text) + 10, room[1] - room[0])
            plate = QRectF(room[0], geo.row_top(row) + (geo.row_px - h) / 2, width, h)
            fitted = fit_error(fm, text, width - 10)
            taken = [*geo.notes, *placed]
            clear = not any(plate.intersects(note.rect) for note in taken)
            if clear and (fitted == text or not under):
                placed.append(PlacedLabel(fitted, plate, row))
                continue
        left_out.append(text)
    return placed + _under_lanes(fm, geo, rows, left_out, h)
