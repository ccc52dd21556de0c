"""Where the parts of a painted timeline go, for drawing and for hit-testing."""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar, cast

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QRegion

from app.timeline.rows import TimelineRows

__all__ = [
    "MAX_ROW_PX",
    "WIDE_PX",
    "PlacedLabel",
    "RowsMemo",
    "TimelineGeometry",
    "label_width",
    "lanes_clip",
    "layout",
    "live_rows_room",
    "pixel_rects",
    "region_rects",
    "round_half_up",
    "touching",
]

T = TypeVar("T")

#: A kind drawn this many pixel columns wide somewhere reads as a bar; only narrower, as
#: thin lines (:meth:`~app.timeline.drawn.DrawnKinds.hairlines`): on a projector a class
#: could not find kinds drawn 3-4 px wide either (teacher45). (A part of a live frame's
#: picture is read alone: a bar across two parts may read as narrower than it is, until
#: painted whole.)
WIDE_PX = 5

#: The tallest a row gets: a handful of requests do not fill the screen with colour.
MAX_ROW_PX = 44.0
#: ... in lines of the text: 44 px is 2.3 lines of 720p's 16 px text, and a row is as tall
#: a share of the screen at 1080p and 4K (at 1.6 lines, 1080p's rows were a third thinner
#: on the same projector than 720p's).
MAX_ROW_LINES = MAX_ROW_PX / 19.0


@dataclass(frozen=True, slots=True)
class PlacedLabel:
    """A label as painted: its text and where (``row``: the row it names; ``None`` for the
    loop-blocked strip's). No two overlap (:mod:`app.timeline.labels`)."""

    text: str
    rect: QRectF
    row: int | None


@dataclass(frozen=True)
class TimelineGeometry:
    """Where things go inside the painted rectangle, for drawing and for hit-testing."""

    rect: QRectF
    gutter: float
    axis_top: float
    axis_height: float
    strip_top: float
    strip_height: float
    lanes_top: float
    lanes_height: float
    rows: int
    row_px: float  # may be < 1: then ``group`` rows share one pixel row
    group: int
    t_from_ns: int
    t_to_ns: int
    #: The labels as painted (set by the painter): rows' and the strip's.
    labels: tuple[PlacedLabel, ...] = ()
    #: The texts the painter wrote over the lanes (errors, the clean-up note), as painted:
    #: each placed clear of those before it, or left out (row ``None``: not a row's).
    notes: list[PlacedLabel] = field(default_factory=list, compare=False)

    @cached_property
    def lanes_left(self) -> float:  # (cached: a frame asks hundreds of times)
        return self.rect.left() + self.gutter

    @cached_property
    def lanes_width(self) -> float:
        return max(1.0, self.rect.right() - self.lanes_left - 8)

    def x_of(self, ns: int) -> float:
        span = max(1, self.t_to_ns - self.t_from_ns)
        return self.lanes_left + (ns - self.t_from_ns) * self.lanes_width / span

    def ns_at(self, x: float) -> int:
        span = max(1, self.t_to_ns - self.t_from_ns)
        return int(self.t_from_ns + (x - self.lanes_left) * span / self.lanes_width)

    def row_top(self, row: int) -> float:
        return self.lanes_top + row * self.row_px

    def row_at(self, y: float) -> int | None:
        if y < self.lanes_top or self.rows == 0:
            return None
        row = int((y - self.lanes_top) / self.row_px)
        return row if row < self.rows else None


def round_half_up(v: float) -> int:
    """The pixel edge Qt puts a clip's edge ``v`` on (a pixel is in if its middle is)."""
    return math.floor(v + 0.5)


def lanes_clip(geo: TimelineGeometry) -> QRect:
    """The lanes' area (a pixel to the right included: a bar ending at the view's end) in
    whole pixels, as Qt clips to it alone: what bars and what goes over them are clipped to.
    Whole: a rectangle with fractional edges clips alone by the pixels' middles, but
    intersected with a live frame's region (:mod:`app.timeline.live_frame`) is widened to
    whole pixels, a column more than a frame painted whole (a bar's pattern drawn into the
    column right of the lanes while the view ended before "now")."""
    x0, y0 = round_half_up(geo.lanes_left), round_half_up(geo.lanes_top)
    x1 = round_half_up(geo.lanes_left + geo.lanes_width + 1)
    y1 = round_half_up(geo.lanes_top + geo.lanes_height)
    return QRect(x0, y0, x1 - x0, y1 - y0)


def pixel_rects(
    x: npt.NDArray[Any], y: npt.NDArray[Any] | float, w: npt.NDArray[Any] | float, h: float
) -> list[QRect]:
    """Rectangles at ``x``, ``y``, ``w`` wide, ``h`` tall (each a column, or one for all),
    on whole pixels (each edge as :func:`round_half_up` puts it): what a live frame paints
    over the last is then what a frame painted whole has. Qt fills a rectangle of fractional
    edges to pixels that depend on the clip it is drawn in (a pattern ending at x.5 took
    the pixel under a live frame's region, not under the lanes' clip alone)."""
    x0 = np.floor(np.asarray(x, np.float64) + 0.5).astype(np.int64)
    x1 = np.floor(np.asarray(x, np.float64) + w + 0.5).astype(np.int64)
    y0 = np.floor(np.asarray(y, np.float64) + 0.5).astype(np.int64)
    y1 = np.floor(np.asarray(y, np.float64) + h + 0.5).astype(np.int64)
    x0, x1, y0, y1 = np.broadcast_arrays(x0, x1, y0, y1)
    return list(map(QRect, x0.tolist(), y0.tolist(), (x1 - x0).tolist(), (y1 - y0).tolist()))


def in_clip(painter: QPainter, rect: QRectF) -> QRectF:
    """The part of ``rect`` inside ``painter``'s clip's bounds (all of it without a clip):
    what to fill or draw over, the clip doing the rest. Qt fills a big rectangle clipped to
    a region of many parts (a live frame's changes) in about 1 ms, its part in the clip's
    bounds in a few hundredths, to the same pixels."""
    if not painter.hasClipping():
        return rect
    return rect.intersected(painter.clipBoundingRect())


def region_rects(region: QRegion) -> list[QRect]:
    """The rectangles ``region`` is made of (none overlapping)."""
    return list(cast(Iterable[QRect], region))


def touching(
    region: QRegion | None,
    x: npt.NDArray[Any],
    y: npt.NDArray[Any] | float,
    w: npt.NDArray[Any] | float,
    h: float,
) -> npt.NDArray[np.bool_]:
    """Which of the rectangles (``x``, ``y``, ``w``, ``h``: a column each, or one for all)
    reach into ``region`` (``None``: everywhere), a pixel's margin around: the few a frame
    painted again within a region draws of thousands."""
    if region is None:
        return np.ones(len(x), np.bool_)
    boxes = np.array([r.getRect() for r in region_rects(region)], np.float64).reshape(-1, 4)
    x0, y0 = np.asarray(x, np.float64)[:, None], np.asarray(y, np.float64)
    y0 = y0[:, None] if y0.ndim else y0
    w0 = np.asarray(w, np.float64)
    w0 = w0[:, None] if w0.ndim else w0
    left, top, width, height = boxes.T
    across = (x0 - 1 < left + width) & (x0 + w0 + 1 > left)
    return np.asarray((across & (y0 - 1 < top + height) & (y0 + h + 1 > top)).any(1), np.bool_)


class RowsMemo(Generic[T]):
    """A value kept per :class:`TimelineRows` object for as long as it lives (the rows are
    a mutable dataclass, so not a dictionary key): what a frame would otherwise recompute
    from every lane."""

    def __init__(self) -> None:
        self._items: dict[int, tuple[weakref.ref[TimelineRows], T]] = {}

    def get(self, rows: TimelineRows) -> T | None:
        item = self._items.get(id(rows))
        return item[1] if item is not None and item[0]() is rows else None

    def put(self, rows: TimelineRows, value: T) -> T:
        key = id(rows)
        self._items[key] = (weakref.ref(rows, lambda _: self._items.pop(key, None)), value)
        return value


_WIDTHS: RowsMemo[tuple[str, float]] = RowsMemo()


def label_width(rows: TimelineRows, font: QFont) -> float:
    """How wide ``rows``' labels want their column (before a rectangle's cap): two timelines
    compared share the wider, so the same instant sits at the same x in both. Measured once
    per rows and font: a frame must not scan 10,000 labels."""
    known = _WIDTHS.get(rows)
    if known is not None and known[0] == font.key():
        return known[1]
    last = _LAST_WIDTH[0] if _LAST_WIDTH else None
    if last is not None and last[0] is rows.labels and last[1] == font.key():
        width = last[2]  # a live run's next rows, with the same labels (the same list)
    else:
        width = _measure(rows, font)
        _LAST_WIDTH[:] = [(rows.labels, font.key(), width)]
    return _WIDTHS.put(rows, (font.key(), width))[1]


#: The last labels measured (the list itself: a live run's rows hand the same one on while
#: no row comes or changes), their font and width.
_LAST_WIDTH: list[tuple[list[str], str, float]] = []


def _measure(rows: TimelineRows, font: QFont) -> float:
    fm = QFontMetricsF(font)
    # Measuring thousands of labels costs more than drawing the lanes: measure the longest.
    most = max(map(len, rows.labels), default=0)
    widest = [label for label in rows.labels if len(label) == most][:8]
    longest = max((fm.horizontalAdvance(label) for label in widest), default=0.0)
    return max(longest, fm.horizontalAdvance("loop blocked")) + 16


#: A live run's row count without a known total steps up by these, × 10^k rows.
_ROOM_STEPS = (1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0)


def live_rows_room(rows: int, expected: int, room: int) -> int:
    """How many rows a live run's lanes are laid out for (:func:`layout`'s ``room``), having
    ``rows`` now and been laid out for ``room``: all ``expected`` (the requests the run
    sends) if known, else ``room`` while the rows fit in it, and past it a round count a
    quarter more than there are. Rows laid out for their number so far were thinner every
    frame as requests came: every bar moved, and nothing drawn could be kept."""
    if expected:
        return max(rows, expected)
    if rows <= room:
        return room
    want = rows * 1.25
    power = 10 ** math.floor(math.log10(want))
    return math.ceil(next(step * power for step in _ROOM_STEPS if step * power >= want))


def layout(
    rect: QRectF,
    rows: TimelineRows,
    font: QFont,
    t_from_ns: int,
    t_to_ns: int,
    *,
    label_px: float = 0.0,
    room: int = 0,
) -> TimelineGeometry:
    """Where the axis, the loop-blocked strip, the labels and the rows of ``rows`` go in
    ``rect``: rows as tall as :data:`MAX_ROW_PX` at most, sharing pixel rows if they must.
    ``label_px`` widens the label column to at least that (a compared timeline's width).
    ``room``: lay the rows out as if there were that many (a live run's rows to come: the
    rows there are keep their place as more come, under them)."""
    fm = QFontMetricsF(font)
    gutter = min(max(label_width(rows, font), label_px), rect.width() * 0.3)
    axis_height = fm.height() * 1.5
    strip_height = max(8.0, fm.height() * 0.6) if rows.trace.loop_thread else 0.0
    axis_top = rect.top()
    strip_top = axis_top + axis_height + 2
    lanes_top = strip_top + strip_height + (6 if strip_height else 2)
    lanes_height = max(1.0, rect.bottom() - lanes_top)
    n = max(len(rows), room)
    # Presentation's text grows with the screen: rows grow with it, as many lines tall.
    tallest = max(MAX_ROW_PX, fm.height() * MAX_ROW_LINES)
    row_px = min(tallest, lanes_height / n) if n else tallest
    # More rows than pixel rows: they share pixel rows, but still fill the height they
    # were given (1,000 rows in 880 px are 0.88 px each, not 0.5 px in the top half).
    group = math.ceil(n / lanes_height) if row_px < 1 else 1
    return TimelineGeometry(
        rect,
        gutter,
        axis_top,
        axis_height,
        strip_top,
        strip_height,
        lanes_top,
        lanes_height,
        len(rows),
        row_px,
        group,
        t_from_ns,
        t_to_ns,
    )
