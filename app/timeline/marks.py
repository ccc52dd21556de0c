"""What the painter writes on and beside the rows: the loop-blocked strip, the answer
marks, the numbers on bars and the errors beside failed lanes; and where a run ends.

A live frame of 1,000 requests draws hundreds of answer marks and loop blocks at a scale
that changes every frame: they are placed with numpy and drawn with one call each, not
with a Python step per mark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontInfo, QFontMetricsF, QPainter, QPen, QRegion

from app.theme import Theme
from app.timeline.bar_texts import text_spans
from app.timeline.geometry import RowsMemo, TimelineGeometry, in_clip, touching
from app.timeline.loop_numbers import WRITABLE_PX, LoopBars
from app.timeline.notes import place_errors
from app.timeline.plates import NOTHING, KindsAlong, plain_place, plate
from app.timeline.rows import TimelineRows
from simulator.trace import Trace

__all__ = [
    "answer_marks",
    "failed_marks",
    "loop_blocked_drawn",
    "shown_blocks",
    "paint_answers",
    "paint_bar_texts",
    "paint_blocked_strip",
    "paint_error_texts",
    "run_ends",
]

Int64s = npt.NDArray[np.int64]


_ENDS: RowsMemo[tuple[int, int, bool]] = RowsMemo()


def run_ends(rows: TimelineRows) -> tuple[int, int, bool]:
    """The last answer, the last segment's end, and whether every request is over: each a
    pass over every lane, so asked once per rows, not per frame."""
    ends = rows.known_ends or _ENDS.get(rows)
    if ends is None:
        trace = rows.trace
        finished = all(lane.status != "running" for lane in trace.lanes)
        ends = _ENDS.put(rows, (trace.end_ns, trace.last_ns, finished))
    return ends


def shown_blocks(
    trace: Trace, finished: bool | None = None, cutoff_ns: int | None = None
) -> tuple[Int64s, Int64s]:
    """The loop's blocks the strip draws for ``trace``, each ``(start, end)``: live, the
    block in progress as it grows; once every request is over (``finished``; ``None``: asked
    of its lanes), none past the last answer's end (a block while Django tidied up after
    them delayed no client: the figure leaves it out too); none past ``cutoff_ns`` (a
    replay's playhead). One rule for the strip, the key and the pointer."""
    start, end = _BLOCKED(trace.loop_blocked_shown)
    if finished is None:
        finished = not trace.lane_columns.is_status("running").any()
    if finished:
        end = np.minimum(end, trace.end_ns)
    if cutoff_ns is not None:
        end = np.minimum(end, cutoff_ns)
    drawn = end > start
    return start[drawn], end[drawn]


def loop_blocked_drawn(trace: Trace) -> bool:
    """Whether the loop-blocked strip draws a block for ``trace`` anywhere (the key names
    the strip's colour then)."""
    return bool(trace.loop_thread) and bool(len(shown_blocks(trace)[0]))


def paint_blocked_strip(
    painter: QPainter,
    geo: TimelineGeometry,
    rows: TimelineRows,
    theme: Theme,
    cutoff_ns: int | None,
) -> None:
    """The loop-blocked strip over the lanes: a red block where the event loop was blocked
    (a big run's loop is blocked hundreds of times: placed with numpy, drawn in one call),
    on a thin track: a track as tall as the blocks, filled grey, read as "blocked all
    along" in lessons whose loop was never blocked (teacher44, lesson 2). A run whose loop
    was never blocked has no track either, its label alone: the track still read as a bar
    of something (lessons 7, 8, 10, 13, 14, 17 and 19-21, teacher45)."""
    if not geo.strip_height:
        return
    # (Whether every request is over: the live frame's rows say, else the lanes' columns.)
    start, end = shown_blocks(rows.trace, rows.known_ends[2] if rows.known_ends else None)
    if not len(start):
        return
    thin = max(2.0, round(geo.strip_height / 4))
    track = QRectF(
        geo.lanes_left,
        geo.strip_top + (geo.strip_height - thin) / 2,
        geo.lanes_width,
        thin,
    )
    painter.fillRect(in_clip(painter, track), QColor(theme.grid))
    colour = QColor(theme.blocked)
    if cutoff_ns is not None:
        end = np.minimum(end, cutoff_ns)
    t_from, t_to = geo.t_from_ns, geo.t_to_ns
    shown = (end > t_from) & (start < t_to) & (end > start)
    span = max(1, t_to - t_from)  # as :meth:`~app.timeline.geometry.TimelineGeometry.x_of`
    x0 = geo.lanes_left + (np.maximum(start[shown], t_from) - t_from) * geo.lanes_width / span
    x1 = geo.lanes_left + (np.minimum(end[shown], t_to) - t_from) * geo.lanes_width / span
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    widths = np.maximum(1.0, x1 - x0)
    painter.drawRects(_rects(x0, geo.strip_top, widths, geo.strip_height))
    painter.restore()


def paint_answers(
    painter: QPainter,
    rows: TimelineRows,
    theme: Theme,
    t_from: int,
    limit: int,
    left: float,
    scale: float,
    top: float,
    row_px: float,
    height: float,
    region: QRegion | None = None,
) -> None:
    """A bar at the end of each answered lane, in the text colour: the moment the client
    got its answer, so answers coming in one by one read as a staircase. Placed with numpy
    (a live frame of 1,000 answers has no time for a Python step per answer); only those
    reaching into ``region`` (a live frame's changes) are drawn."""
    marked, xs, width = answer_marks(rows, t_from, limit, left, scale, height)
    ys = top + marked * row_px
    if region is not None:
        near = touching(region, xs, ys, width, row_px)
        xs, ys = xs[near], ys[near]
    if len(xs):
        painter.setBrush(QColor(theme.foreground))
        painter.drawRects(_rects(xs, ys, width, row_px))


def answer_marks(
    rows: TimelineRows, t_from: int, limit: int, left: float, scale: float, height: float
) -> tuple[Int64s, npt.NDArray[np.float64], float]:
    """Where :func:`paint_answers` draws: the rows of the marks in view, each mark's left
    x, and their width (a row tall, over the lane's last pixels)."""
    answered_rows, ends = _ANSWERED(rows.answered)
    shown = (ends > t_from) & (ends <= limit)
    width = max(2.0, min(4.0, height / 6))
    xs = left + (ends[shown] - t_from) * scale - width
    return answered_rows[shown], np.asarray(xs, np.float64), width


def failed_marks(
    rows: TimelineRows,
    t_from: int,
    limit: int,
    cutoff_ns: int | None,
    left: float,
    scale: float,
    height: float,
) -> tuple[Int64s, npt.NDArray[np.float64], float]:
    """Where a failed request's block closes its lane, big enough to see: the rows of the
    blocks in view, each block's left x, and their width (a bar tall)."""
    failed, ends = _FAILED(rows.failed_rows)
    shown = (ends > t_from) if cutoff_ns is None else (ends > t_from) & (ends <= cutoff_ns)
    block = max(4.0, min(height, 14.0))
    xs = left + (np.minimum(ends[shown], limit) - t_from) * scale - block
    return failed[shown], np.asarray(xs, np.float64), block


def _rects(
    x: npt.NDArray[Any], y: npt.NDArray[Any] | float, w: npt.NDArray[Any] | float, h: float
) -> list[QRectF]:
    """Rectangles at ``x``, ``y``, ``w`` wide, ``h`` tall (each a column, or one for all)."""
    return list(map(QRectF, x.tolist(), _each(y), _each(w), repeat(h)))


def _each(value: npt.NDArray[Any] | float) -> Iterable[float]:
    return value.tolist() if isinstance(value, np.ndarray) else repeat(value)


class _Columns:
    """Pairs (``(row, ns)``, ``(start, end)``) as two columns, the last ones kept: a live
    run hands the same list on while none changes."""

    def __init__(self) -> None:
        self._last: tuple[Sequence[tuple[int, int]], tuple[Int64s, Int64s]] | None = None

    def __call__(self, pairs: Sequence[tuple[int, int]]) -> tuple[Int64s, Int64s]:
        if self._last is not None and self._last[0] is pairs:
            return self._last[1]
        both = np.array(pairs, np.int64).reshape(-1, 2)
        columns = (both[:, 0].copy(), both[:, 1].copy())
        self._last = (pairs, columns)  # kept alive: its id is its own
        return columns


_ANSWERED, _BLOCKED, _FAILED = _Columns(), _Columns(), _Columns()


_BAR_TEXT_SPANS: RowsMemo[tuple[Int64s, Int64s, Int64s]] = RowsMemo()
_LOOP_BARS: RowsMemo[LoopBars] = RowsMemo()


def paint_bar_texts(
    painter: QPainter,
    rows: TimelineRows,
    theme: Theme,
    t_from: int,
    limit: int,
    left: float,
    scale: float,
    top: float,
    row_px: float,
    height: float,
) -> None:
    """The request's number on a worker's bar, "7 awaiting" on a band: where it fits (a
    band's count alone where its words do not), where its plate hides little of the bar
    (:func:`.plates.plain_place`), on a plate of the colour of the kind most under it, without
    its pattern (:func:`.plates.plate`); on the event loop's row, on every bar of a block or
    on none of it (:mod:`.loop_numbers`)."""
    if not rows.bar_texts:
        return
    font = painter.font()
    fm = QFontMetricsF(font)
    if height < fm.height() * 0.75:
        return  # rows too thin to write in
    if fm.height() > height:
        # Written a little smaller, inside its bar: slide 19's "16 queued" in 16 px rows lost
        # its descenders under the next row's plates (a teacher's walk).
        inside = QFont(font)
        inside.setPixelSize(max(1, int(QFontInfo(font).pixelSize() * height / fm.height())))
        painter.setFont(inside)
        fm = QFontMetricsF(inside)
    written: dict[int, list[tuple[float, float]]] = {}  # per row, the texts' x extents
    texts = rows.bar_texts
    starts, ends, on = _BAR_TEXT_SPANS.get(rows) or _BAR_TEXT_SPANS.put(rows, text_spans(texts))
    # Only bars in view and 12 px wide or more may hold a text: thousands of numbered bars
    # are sifted by numpy, not one by one.
    wide = (starts < limit) & (ends > t_from)
    wide &= (np.minimum(ends, limit) - np.maximum(starts, t_from)) * scale >= WRITABLE_PX
    fitting: list[_Fitting] = []
    for i in np.flatnonzero(wide).tolist():
        row, s, e, kind, text = texts[i]
        x0 = left + (max(s, t_from) - t_from) * scale
        x1 = left + (min(e, limit) - t_from) * scale
        if x1 - x0 < fm.horizontalAdvance(text) + 6:
            # "7 queued" too wide: the count alone, which the band's row label names.
            text = text.split(" ", 1)[0]
            if x1 - x0 < fm.horizontalAdvance(text) + 6:
                continue
        fitting.append((row, x0, x1, kind, text))
    near = fm.horizontalAdvance("00 queued")  # (two counts this close read as one)
    kinds_along = KindsAlong(rows, t_from, left, scale)

    def emptied(row: int, x_from: float, x_to: float) -> bool:
        """Whether the row draws nothing somewhere from ``x_from`` to ``x_to`` (a band
        emptied between two waves)."""
        xs = x_from + np.array([0.25, 0.5, 0.75]) * (x_to - x_from)
        return bool((kinds_along(row, xs) == NOTHING).any())

    plates: list[tuple[int, tuple[float, float], str, str]] = []
    for row, x0, x1, kind, text in _widest_of_each_run(fitting, near, emptied):
        half = fm.horizontalAdvance(text) / 2 + 2
        placed = plain_place(kinds_along, row, (x0, x1), half, kind)
        if placed is None:
            continue  # (the bar's mix is what was measured: the pointer names its request)
        mid, under = placed
        here = (mid - half, mid + half)
        # Two requests' bars may overlap on one thread (the loop): "#1" is not written
        # over "#2"; the second is left out.
        if any(a < here[1] and here[0] < b for a, b in written.get(row, ())):
            continue
        written.setdefault(row, []).append(here)
        plates.append((row, here, under, text))
    loop = rows.loop_row
    if loop in written:  # (:mod:`.loop_numbers`)
        bars = _LOOP_BARS.get(rows) or _LOOP_BARS.put(
            rows, LoopBars(starts[on == loop], ends[on == loop])
        )
        bare = bars.bare_blocks(written[loop], t_from, limit, left, scale)
        plates = [
            placed
            for placed in plates
            if placed[0] != loop
            or not any(a <= (placed[1][0] + placed[1][1]) / 2 <= b for a, b in bare)
        ]
    for row, here, under, text in plates:
        y = top + row * row_px + (row_px - height) / 2
        plate(painter, theme, under, here, y, height)
        box = QRectF(here[0], y, here[1] - here[0], height)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setFont(font)


#: A bar's text that fits on it: ``(row, x0, x1, kind, text)``, its bar's ends in pixels.
_Fitting = tuple[int, float, float, str, str]


def _widest_of_each_run(
    texts: list[_Fitting], near: float, emptied: Callable[[int, float, float], bool]
) -> list[_Fitting]:
    """Of texts in a row that say the same number one after another (nothing else written
    between them, their bars less than ``near`` pixels apart), the widest bar's alone:
    lesson 9's waiting band read "29 29 29 29 29 29 29 queued 29", its count 29 between
    slivers of 28 and 30 too thin to write on. (Far apart, each keeps its own: a second
    wave of 29 queued is counted again; and so does one after the band emptied, which
    ``emptied(row, x_from, x_to)`` says: lesson 17's five waves of "1 awaiting", 40 px
    apart, were written on the widest alone, and the other four read as something else,
    teacher45.)"""
    kept: list[_Fitting] = []
    before: _Fitting | None = None  # (the text before, kept or not)
    for text in sorted(texts, key=_ROW_AND_START):
        if (
            before is not None
            and before[0] == text[0]
            and _number(before) == _number(text)
            and text[1] - before[2] < near
            and not (text[1] - before[2] >= 1 and emptied(text[0], before[2], text[1]))
        ):
            if text[2] - text[1] > kept[-1][2] - kept[-1][1]:
                kept[-1] = text
        else:
            kept.append(text)
        before = text
    return kept


_ROW_AND_START = itemgetter(0, 1)


def _number(text: _Fitting) -> tuple[str, str]:
    """A text's kind and number: "29 queued" and "29" on one band say the same."""
    return text[3], text[4].split(" ", 1)[0]


def paint_error_texts(
    painter: QPainter,
    geo: TimelineGeometry,
    rows: TimelineRows,
    theme: Theme,
    limit: int,
    height: float,
) -> None:
    """Failed requests' errors on plates (so they read over grid lines and faint tails),
    where :func:`~app.timeline.notes.place_errors` puts them: clear of every bar."""
    fm = QFontMetricsF(painter.font())
    for note in place_errors(fm, geo, rows, limit, height):
        geo.notes.append(note)
        painter.fillRect(note.rect, QColor(theme.background))
        painter.setPen(QPen(theme.color("error"), 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(note.rect)
        painter.setPen(QColor(theme.foreground))
        painter.drawText(
            note.rect.adjusted(5, 0, -5, 0),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            note.text,
        )
    painter.setPen(Qt.PenStyle.NoPen)
