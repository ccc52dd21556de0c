"""Drawing a trace as lanes with a QPainter: the one painter behind the window and exports.

Nothing here is a widget, so the same code paints the live timeline, the replay, and the
PNG/SVG/PDF exports. :class:`TimelineRows` turns a trace into rows (one per request, or one
per thread/loop) once; :func:`paint_timeline` draws a time range of them into a rectangle.
"""

from __future__ import annotations

import bisect
import copy
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from simulator.trace import HOLDS_THREAD, Lane, Segment, Trace

from .theme import KIND_LABELS, LEGEND_KINDS, Theme

__all__ = [
    "DRAW_ORDER",
    "TimelineGeometry",
    "TimelineRows",
    "draw_legend",
    "format_ms",
    "nice_ticks",
    "paint_timeline",
]

#: Later kinds are drawn over earlier ones where aggregated rows overlap.
DRAW_ORDER = ("queued", "cancelled", "io_wait", "thread_hop", "framework", "io_blocking", "cpu")
MAX_ROW_PX = 44.0


def format_ms(ms: float) -> str:
    """``0``, ``0.5 ms``, ``200 ms``, ``1.2 s``: short, for axis ticks and tooltips."""
    if ms == 0:
        return "0"
    if abs(ms) >= 1000:
        s = ms / 1000
        return f"{s:.3g} s" if abs(s) < 100 else f"{s:.0f} s"
    if abs(ms) >= 10:
        return f"{ms:.0f} ms"
    return f"{ms:.2g} ms"


def nice_ticks(span_ms: float, max_ticks: int) -> float:
    """A tick step of 1, 2 or 5 × 10^k ms giving at most ``max_ticks`` ticks over the span."""
    if span_ms <= 0 or max_ticks < 1:
        return 1.0
    raw = span_ms / max_ticks
    power = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 5, 10):
        if mult * power >= raw:
            return mult * power
    return 10 * power


def thread_label(thread: str, loop_thread: str | None) -> str:
    """A thread's name as a class reads it."""
    if thread == loop_thread:
        return "event loop"
    if thread.startswith("ThreadPoolExecutor-"):
        pool, _, worker = thread.removeprefix("ThreadPoolExecutor-").partition("_")
        return f"thread {pool}" if worker in ("", "0") else f"thread {pool}.{worker}"
    return thread


@dataclass
class TimelineRows:
    """A trace laid out as rows: per request (``by="requests"``) or per thread (``"workers"``).

    ``per_kind[kind]`` holds ``(row, start_ns, end_ns)`` for every segment drawn in that
    kind's colour; the by-worker layout keeps only segments that hold their thread.
    ``tail_per_kind`` holds what Django did for a request after its answer was sent
    (``response.close()``): drawn thin, because the client no longer waits for it.
    """

    trace: Trace
    by: str = "requests"
    labels: list[str] = field(default_factory=list)
    per_kind: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)
    tail_per_kind: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)
    failed_rows: list[tuple[int, int]] = field(default_factory=list)  # (row, end_ns)
    row_segments: list[list[Segment]] = field(default_factory=list)
    row_lanes: list[Lane | None] = field(default_factory=list)
    _grouped: dict[tuple[int, bool], dict[str, list[tuple[int, int, int]]]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        self.per_kind = {kind: [] for kind in DRAW_ORDER}
        self.tail_per_kind = {kind: [] for kind in DRAW_ORDER}
        if self.by == "workers":
            self._by_worker()
        else:
            self._by_request()

    def _by_request(self) -> None:
        for row, lane in enumerate(self.trace.lanes):
            self.labels.append(f"#{lane.request_id}")
            self.row_segments.append(list(lane.segments))
            self.row_lanes.append(lane)
            answered = lane.done_ns
            for seg in lane.segments:
                if seg.end_ns <= answered:
                    self.per_kind[seg.kind].append((row, seg.start_ns, seg.end_ns))
                elif seg.start_ns >= answered:
                    self.tail_per_kind[seg.kind].append((row, seg.start_ns, seg.end_ns))
                else:
                    self.per_kind[seg.kind].append((row, seg.start_ns, answered))
                    self.tail_per_kind[seg.kind].append((row, answered, seg.end_ns))
            if lane.status == "error":
                self.failed_rows.append((row, answered))

    def _by_worker(self) -> None:
        threads = self.trace.threads()
        if self.trace.loop_thread in threads:  # the loop first: it is the star of the show
            threads.remove(self.trace.loop_thread)
            threads.insert(0, self.trace.loop_thread)
        index = {thread: row for row, thread in enumerate(threads)}
        self.labels = [thread_label(t, self.trace.loop_thread) for t in threads]
        self.row_segments = [[] for _ in threads]
        self.row_lanes = [None for _ in threads]
        for lane in self.trace.lanes:
            for seg in lane.segments:
                if seg.kind in HOLDS_THREAD and seg.thread in index:
                    row = index[seg.thread]
                    self.per_kind[seg.kind].append((row, seg.start_ns, seg.end_ns))
                    self.row_segments[row].append(seg)
        for segs in self.row_segments:
            segs.sort(key=lambda s: s.start_ns)

    def __len__(self) -> int:
        return len(self.labels)

    def grouped(self, group: int, tail: bool = False) -> dict[str, list[tuple[int, int, int]]]:
        """Segments with ``group`` rows sharing one pixel row: ``(pixel_row, start, end)``,
        overlapping ones of a kind merged. Computed once per group size and kept, since it
        does not depend on the time range shown: zooming and panning reuse it.
        """
        source = self.tail_per_kind if tail else self.per_kind
        if group <= 1:
            return source
        key = (group, tail)
        cached = self._grouped.get(key)
        if cached is not None:
            return cached
        # Gaps narrower than ~1/8000 of the run vanish: below a pixel even on a 4K screen
        # when the whole run is shown (zooming in shows fewer lanes per pixel anyway).
        slack = max(1, (self.trace.last_ns - self.trace.t0_ns) // 8000)
        if tail:
            # Several lanes to a pixel row: what follows the answers is one thing there,
            # Django still at work for those requests (its clean-up, and its waits for the
            # loop to do it), drawn as framework rather than as thousands of specks.
            source = {"framework": [item for items in source.values() for item in items]}
        merged: dict[str, list[tuple[int, int, int]]] = {}
        for kind, items in source.items():
            out: list[tuple[int, int, int]] = []
            for band, s, e in sorted((r // group, s, e) for r, s, e in items):
                if out and out[-1][0] == band and s <= out[-1][2] + slack:
                    if e > out[-1][2]:
                        out[-1] = (band, out[-1][1], e)
                else:
                    out.append((band, s, e))
            merged[kind] = out
        self._grouped[key] = merged
        return merged

    def segment_at(self, row: int, ns: int) -> Segment | None:
        """The segment drawn at ``ns`` in ``row``."""
        if not 0 <= row < len(self.row_segments):
            return None
        segs = self.row_segments[row]
        i = bisect.bisect_right([s.start_ns for s in segs], ns) - 1
        if i >= 0 and segs[i].end_ns >= ns:
            return segs[i]
        return None


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

    @property
    def lanes_left(self) -> float:
        return self.rect.left() + self.gutter

    @property
    def lanes_width(self) -> float:
        return max(1.0, self.rect.right() - self.lanes_left - 8)

    def x_of(self, ns: int) -> float:
        span = max(1, self.t_to_ns - self.t_from_ns)
        return self.lanes_left + (ns - self.t_from_ns) * self.lanes_width / span

    def ns_at(self, x: float) -> int:
        span = max(1, self.t_to_ns - self.t_from_ns)
        return int(self.t_from_ns + (x - self.lanes_left) * span / self.lanes_width)

    def row_top(self, row: int) -> float:
        if self.group > 1:
            return self.lanes_top + row // self.group
        return self.lanes_top + row * self.row_px

    def row_at(self, y: float) -> int | None:
        if y < self.lanes_top or self.rows == 0:
            return None
        if self.group > 1:
            row = int(y - self.lanes_top) * self.group
        else:
            row = int((y - self.lanes_top) / self.row_px)
        return row if row < self.rows else None


def layout(
    rect: QRectF, rows: TimelineRows, font: QFont, t_from_ns: int, t_to_ns: int
) -> TimelineGeometry:
    fm = QFontMetricsF(font)
    # Measuring thousands of labels costs more than drawing the lanes: measure the longest.
    most = max(map(len, rows.labels), default=0)
    widest = [label for label in rows.labels if len(label) == most][:8]
    longest = max((fm.horizontalAdvance(label) for label in widest), default=0.0)
    gutter = min(max(longest, fm.horizontalAdvance("loop blocked")) + 16, rect.width() * 0.3)
    axis_height = fm.height() * 1.5
    strip_height = max(8.0, fm.height() * 0.6) if rows.trace.loop_thread else 0.0
    axis_top = rect.top()
    strip_top = axis_top + axis_height + 2
    lanes_top = strip_top + strip_height + (6 if strip_height else 2)
    lanes_height = max(1.0, rect.bottom() - lanes_top)
    n = len(rows)
    row_px = min(MAX_ROW_PX, lanes_height / n) if n else MAX_ROW_PX
    group = 1
    if row_px < 1:
        group = math.ceil(n / lanes_height)
        row_px = 1 / group
    return TimelineGeometry(
        rect,
        gutter,
        axis_top,
        axis_height,
        strip_top,
        strip_height,
        lanes_top,
        lanes_height,
        n,
        row_px,
        group,
        t_from_ns,
        t_to_ns,
    )


def paint_timeline(
    painter: QPainter,
    rect: QRectF,
    rows: TimelineRows,
    theme: Theme,
    *,
    t_from_ns: int,
    t_to_ns: int,
    cutoff_ns: int | None = None,
    font: QFont | None = None,
    before_lane: Callable[[int], None] | None = None,
) -> TimelineGeometry:
    """Paint axis, loop-blocked strip, row labels and lanes; returns the geometry used.

    ``cutoff_ns`` (live runs and replays) hides everything after that moment and draws a
    "now" line there. With ``before_lane``, each row is painted on its own, between
    ``painter.save()`` and ``painter.restore()`` and after ``before_lane(row)`` has had its
    say on the painter's state; the pixels are the same. Exports use it where each request
    lane must stay a unit (one group per lane in an SVG); it costs a few painter calls per
    row, so the window does not.
    """
    font = font or painter.font()
    painter.save()
    painter.setFont(font)
    geo = layout(rect, rows, font, t_from_ns, t_to_ns)
    painter.fillRect(rect, QColor(theme.background))
    _paint_axis(painter, geo, rows.trace, theme, font)
    _paint_blocked_strip(painter, geo, rows.trace, theme, cutoff_ns)
    if before_lane is None:
        _paint_rows(painter, geo, rows, theme, cutoff_ns)
    else:
        for row, one in enumerate(_rows_apart(rows)):
            painter.save()
            before_lane(row)
            _paint_rows(painter, geo, one, theme, cutoff_ns)
            painter.restore()
    _paint_labels(painter, geo, rows, theme, font)
    if cutoff_ns is not None and t_from_ns <= cutoff_ns <= t_to_ns:
        x = geo.x_of(cutoff_ns)
        painter.setPen(QPen(QColor(theme.foreground), 1.5, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(x, geo.strip_top), QPointF(x, rect.bottom()))
    painter.restore()
    return geo


def _rows_apart(rows: TimelineRows) -> Iterator[TimelineRows]:
    """Row by row, a copy of ``rows`` that draws only that row (in its place)."""
    per_kind: list[dict[str, list[tuple[int, int, int]]]] = [{} for _ in range(len(rows))]
    tails: list[dict[str, list[tuple[int, int, int]]]] = [{} for _ in range(len(rows))]
    failed: list[list[tuple[int, int]]] = [[] for _ in range(len(rows))]
    for source, target in ((rows.per_kind, per_kind), (rows.tail_per_kind, tails)):
        for kind, items in source.items():
            for item in items:
                target[item[0]].setdefault(kind, []).append(item)
    for item in rows.failed_rows:
        failed[item[0]].append(item)
    # The copies' trace: same start and end as the run (what a row's drawing may ask of
    # it), but one lane, so asking costs nothing.
    last = max(rows.trace.lanes, key=lambda lane: lane.end_ns, default=None)
    span_only = Trace(rows.trace.t0_ns, (last,) if last else (), rows.trace.loop_thread)
    for row in range(len(rows)):
        one = copy.copy(rows)
        one.trace = span_only
        one.per_kind = {kind: per_kind[row].get(kind, []) for kind in DRAW_ORDER}
        one.tail_per_kind = {kind: tails[row].get(kind, []) for kind in DRAW_ORDER}
        one.failed_rows = failed[row]
        one._grouped = {}  # the copy's own cache: the shared one holds every row
        yield one


def _paint_axis(
    painter: QPainter, geo: TimelineGeometry, trace: Trace, theme: Theme, font: QFont
) -> None:
    fm = QFontMetricsF(font)
    span_ms = (geo.t_to_ns - geo.t_from_ns) / 1e6
    max_ticks = max(2, int(geo.lanes_width / (fm.horizontalAdvance("00000 ms") * 1.4)))
    step = nice_ticks(span_ms, max_ticks)
    first_ms = (geo.t_from_ns - trace.t0_ns) / 1e6
    tick = math.ceil(first_ms / step) * step
    grid_pen = QPen(QColor(theme.grid), 1)
    text_colour = QColor(theme.foreground)
    baseline = geo.axis_top + fm.ascent() + 2
    while tick <= first_ms + span_ms + 1e-9:
        x = geo.x_of(trace.t0_ns + int(tick * 1e6))
        painter.setPen(grid_pen)
        painter.drawLine(
            QPointF(x, geo.axis_top + geo.axis_height - 4), QPointF(x, geo.rect.bottom())
        )
        label = format_ms(round(tick, 6))
        width = fm.horizontalAdvance(label)
        painter.setPen(text_colour)
        painter.drawText(QPointF(min(x - width / 2, geo.rect.right() - width), baseline), label)
        tick += step


def _paint_blocked_strip(
    painter: QPainter, geo: TimelineGeometry, trace: Trace, theme: Theme, cutoff_ns: int | None
) -> None:
    if not geo.strip_height:
        return
    painter.setPen(QColor(theme.muted))
    fm = QFontMetricsF(painter.font())
    painter.drawText(
        QRectF(geo.rect.left() + 4, geo.strip_top - 4, geo.gutter - 8, geo.strip_height + 8),
        Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
        "loop blocked" if fm.horizontalAdvance("loop blocked") <= geo.gutter - 8 else "blocked",
    )
    painter.fillRect(
        QRectF(geo.lanes_left, geo.strip_top, geo.lanes_width, geo.strip_height),
        QColor(theme.grid),
    )
    colour = QColor(theme.blocked)
    for start, end in trace.loop_blocked:
        if cutoff_ns is not None:
            end = min(end, cutoff_ns)
        if end <= geo.t_from_ns or start >= geo.t_to_ns or end <= start:
            continue
        x0 = geo.x_of(max(start, geo.t_from_ns))
        x1 = geo.x_of(min(end, geo.t_to_ns))
        painter.fillRect(QRectF(x0, geo.strip_top, max(1.0, x1 - x0), geo.strip_height), colour)


def _paint_rows(
    painter: QPainter,
    geo: TimelineGeometry,
    rows: TimelineRows,
    theme: Theme,
    cutoff_ns: int | None,
) -> None:
    painter.save()
    painter.setClipRect(
        QRectF(geo.lanes_left, geo.lanes_top, geo.lanes_width + 1, geo.lanes_height)
    )
    painter.setPen(Qt.PenStyle.NoPen)
    separators: list[QLineF] = []
    t_from, t_to = geo.t_from_ns, geo.t_to_ns
    limit = t_to if cutoff_ns is None else min(t_to, cutoff_ns)
    scale = geo.lanes_width / max(1, t_to - t_from)
    left = geo.lanes_left
    row_px = geo.row_px
    if geo.group > 1:
        height, gap = 1.0, 0.0
    else:
        gap = 2.0 if row_px >= 8 else (1.0 if row_px >= 4 else 0.0)
        height = max(1.0, row_px - gap)
    group = geo.group
    top = geo.lanes_top
    thin = max(1.0, round(height * 0.3))
    # One pass per kind over precomputed (row, start, end) triples: building QRectFs is the
    # cost here, so segments entirely outside the range are skipped and the rest are
    # clipped by the painter, not by arithmetic per segment.
    step = 1.0 if group > 1 else row_px
    for tail, h, inset in ((False, height, 0.0), (True, thin, (height - thin) / 2)):
        per_kind = rows.grouped(group, tail)
        y0 = top + (0.0 if group > 1 else gap / 2) + inset
        for kind in DRAW_ORDER:
            items = per_kind.get(kind)
            if not items:
                continue
            if cutoff_ns is None:
                rects = [
                    QRectF(left + (s - t_from) * scale, y0 + r * step, (e - s) * scale + 0.5, h)
                    for r, s, e in items
                    if s < limit and e > t_from
                ]
            else:  # live or replay: nothing drawn past "now"
                rects = [
                    QRectF(
                        left + (s - t_from) * scale,
                        y0 + r * step,
                        ((e if e < limit else limit) - s) * scale + 0.5,
                        h,
                    )
                    for r, s, e in items
                    if s < limit and e > t_from
                ]
            if not rects:
                continue
            painter.setBrush(theme.brush(kind))
            painter.drawRects(rects)
            hatch = theme.hatch(kind)
            if hatch is not None and h >= 4:
                painter.setBrush(hatch)
                painter.drawRects(rects)
            if rows.by == "workers" and group == 1 and h >= 8:
                # One worker serves request after request: a hairline at each start keeps
                # back-to-back requests apart.
                separators += [QLineF(r.topLeft(), r.bottomLeft()) for r in rects if r.width() >= 4]
    if separators:
        painter.setPen(QPen(QColor(theme.background), 1))
        painter.drawLines(separators)
        painter.setPen(Qt.PenStyle.NoPen)
    # Failed requests: an error block closes the lane, big enough to see.
    if rows.failed_rows:
        painter.setBrush(theme.color("error"))
        block = max(4.0, min(height, 14.0))
        fails = [
            QRectF(
                left + (min(end, limit) - t_from) * scale - block,
                top + (r // group if group > 1 else r * row_px + gap / 2),
                block,
                height,
            )
            for r, end in rows.failed_rows
            if t_from < end and (cutoff_ns is None or end <= cutoff_ns)
        ]
        if fails:
            painter.drawRects(fails)
    painter.restore()


def _paint_labels(
    painter: QPainter, geo: TimelineGeometry, rows: TimelineRows, theme: Theme, font: QFont
) -> None:
    if not rows.labels:
        painter.setPen(QColor(theme.muted))
        painter.drawText(
            QRectF(
                geo.lanes_left, geo.lanes_top, geo.lanes_width, 3 * QFontMetricsF(font).height()
            ),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            "Press Run (F5) to send the requests.",
        )
        return
    fm = QFontMetricsF(font)
    line = fm.height()
    pixels_per_row = geo.row_px if geo.group == 1 else 1 / geo.group
    every = max(1, math.ceil(line / max(pixels_per_row, 1e-9)))
    if every > 1:  # only some labels fit: use round numbers
        every = _round_step(every)
    painter.setPen(QColor(theme.foreground))
    right = geo.rect.left() + geo.gutter - 8
    for row in range(0, len(rows), every):
        y = geo.row_top(row)
        centre = y + (pixels_per_row if every == 1 else 0) / 2
        text = fm.elidedText(rows.labels[row], Qt.TextElideMode.ElideLeft, geo.gutter - 12)
        painter.drawText(
            QRectF(geo.rect.left() + 2, centre - line / 2, right - geo.rect.left() - 2, line),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            text,
        )


def _round_step(step: int) -> int:
    for nice in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if nice >= step:
            return nice
    return step


def draw_legend(
    painter: QPainter,
    rect: QRectF,
    theme: Theme,
    font: QFont,
    kinds: Sequence[str] = LEGEND_KINDS,
) -> float:
    """Swatches and names, flowing over lines; returns the height used."""
    fm = QFontMetricsF(font)
    painter.save()
    painter.setFont(font)
    swatch = fm.height() * 0.9
    x, y = rect.left(), rect.top()
    for kind in kinds:
        label = KIND_LABELS[kind]
        width = swatch + 6 + fm.horizontalAdvance(label) + fm.height()
        if x + width > rect.right() and x > rect.left():
            x, y = rect.left(), y + fm.height() * 1.4
        box = QRectF(x, y + (fm.height() - swatch) / 2, swatch * 1.6, swatch)
        painter.setPen(QPen(QColor(theme.muted), 1))
        painter.setBrush(theme.brush(kind))
        painter.drawRect(box)
        hatch = theme.hatch(kind)
        if hatch is not None:
            painter.setBrush(hatch)
            painter.drawRect(box)
        painter.setPen(QColor(theme.foreground))
        painter.drawText(QPointF(box.right() + 6, y + fm.ascent()), label)
        x = box.right() + 6 + fm.horizontalAdvance(label) + fm.height()
    painter.restore()
    return y + fm.height() * 1.4 - rect.top()
