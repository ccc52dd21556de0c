"""Drawing a trace as lanes with a QPainter: the one painter behind the window and exports.

Nothing here is a widget, so the same code paints the live timeline, the replay, and the
PNG/SVG/PDF exports. :class:`TimelineRows` (:mod:`app.timeline.rows`) turns a trace into
rows (one per request, or one per thread/loop) once; :func:`paint_timeline` draws a time
range of them into a rectangle, placed by :func:`layout` (:mod:`app.timeline.geometry`),
under the time axis of :mod:`app.timeline.axis`. The colour key is
:func:`draw_legend` (:mod:`app.timeline.legend`). All of these are importable from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from app.theme import Theme
from app.timeline.apart import rows_apart
from app.timeline.axis import format_ms, nice_ticks, paint_axis
from app.timeline.bar_texts import text_spans
from app.timeline.error_label import fit_error
from app.timeline.geometry import MAX_ROW_PX, PlacedLabel, RowsMemo, TimelineGeometry, layout
from app.timeline.labels import label_font, labels_of
from app.timeline.legend import TAIL_OPACITY, draw_legend
from app.timeline.overlay import (
    HATCH_PX,
    LINE_PX,
    SEPARATE_CALLS,
    bar_sizes,
    call_boundaries,
    paint_over_bars,
)
from app.timeline.rows import DRAW_ORDER, TimelineRows, thread_label
from simulator.trace import Trace

__all__ = [
    "DRAW_ORDER",
    "MAX_ROW_PX",
    "TimelineGeometry",
    "TimelineRows",
    "draw_legend",
    "format_ms",
    "layout",
    "nice_ticks",
    "paint_timeline",
    "thread_label",
]


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
    tails: bool = True,
    label_px: float = 0.0,
    empty_text: str | None = None,
    lanes: Callable[[QPainter, TimelineGeometry], None] | None = None,
) -> TimelineGeometry:
    """Paint axis, loop-blocked strip, row labels and lanes; returns the geometry used.

    ``cutoff_ns`` (live runs and replays) hides everything after that moment and draws a
    "now" line there. With ``before_lane``, each row is painted on its own, between
    ``painter.save()`` and ``painter.restore()`` and after ``before_lane(row)`` has had its
    say on the painter's state; the pixels are the same. Exports use it where each request
    lane must stay a unit (one group per lane in an SVG); it costs a few painter calls per
    row, so the window does not. ``tails=False`` leaves out the thin after-answer bars.
    ``label_px``: the label column's least width (compared timelines share one).
    ``empty_text``: what a timeline without lanes says (by default, how to start a run).
    ``lanes``: fills the bars instead of a rectangle per segment (the window's per-pixel
    image, :class:`~app.timeline.image_paint.LanesImage`); what is drawn over the bars
    (patterns, marks, numbers, errors) is painted here either way.
    """
    font = font or painter.font()
    painter.save()
    painter.setFont(font)
    geo = layout(rect, rows, font, t_from_ns, t_to_ns, label_px=label_px)
    geo = replace(geo, labels=labels_of(geo, rows, font))
    painter.fillRect(rect, QColor(theme.background))
    paint_axis(painter, geo, rows.trace, theme, font)
    _paint_blocked_strip(painter, geo, rows, theme, cutoff_ns)
    if lanes is not None:
        lanes(painter, geo)
        paint_over_bars(painter, geo, rows, theme, cutoff_ns, tails)
    if before_lane is None:
        _paint_rows(painter, geo, rows, theme, cutoff_ns, tails, fills=lanes is None)
    else:
        for row, one in enumerate(rows_apart(rows)):
            painter.save()
            before_lane(row)
            _paint_rows(painter, geo, one, theme, cutoff_ns, tails)
            painter.restore()
    _paint_labels(painter, geo, rows, theme, font, empty_text or EMPTY_TEXT)
    trace = rows.trace
    if cutoff_ns is None and t_from_ns <= trace.t0_ns:
        answered, last, _ = run_ends(rows)
        if answered <= t_to_ns < last:
            _paint_cut_note(painter, geo, trace, theme)
    if cutoff_ns is not None and t_from_ns <= cutoff_ns <= t_to_ns:
        x = geo.x_of(cutoff_ns)
        painter.setPen(QPen(QColor(theme.foreground), 1.5, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(x, geo.strip_top), QPointF(x, rect.bottom()))
    painter.restore()
    return geo


def _paint_cut_note(painter: QPainter, geo: TimelineGeometry, trace: Trace, theme: Theme) -> None:
    """Every answer is in view, but not Django's clean-up after the last one (see
    :func:`~app.timeline.rows.picture_end_ns`): say how long it went on, at the right edge."""
    to = format_ms(trace.ms(trace.last_ns))
    fm = QFontMetricsF(painter.font())
    # The short wording where the long one does not fit (compare mode, a projector's font).
    wordings = (f"Django's clean-up after the answers went on to {to} →", f"clean-up to {to} →")
    text = next((t for t in wordings if fm.horizontalAdvance(t) + 10 <= geo.lanes_width), None)
    if text is None:
        return
    width = fm.horizontalAdvance(text) + 10
    right = geo.lanes_left + geo.lanes_width
    # At the top right of the lanes, or lower down clear of the errors written there.
    top = geo.lanes_top
    while top + fm.height() <= geo.lanes_top + geo.lanes_height:
        plate = QRectF(right - width, top, width, fm.height())
        if not any(plate.intersects(note.rect) for note in geo.notes):
            break
        top += fm.height()
    else:
        return  # no room clear of the errors: they matter more
    geo.notes.append(PlacedLabel(text, plate, None))
    painter.fillRect(plate, QColor(theme.background))
    painter.setPen(QColor(theme.muted))
    painter.drawText(plate, Qt.AlignmentFlag.AlignCenter, text)


_ENDS: RowsMemo[tuple[int, int, bool]] = RowsMemo()
_FINISHED: RowsMemo[bool] = RowsMemo()  # whether every request of the rows is over


def run_ends(rows: TimelineRows) -> tuple[int, int, bool]:
    """The last answer, the last segment's end, and whether every request is over: each a
    pass over every lane, so asked once per rows, not per frame."""
    ends = rows.known_ends or _ENDS.get(rows)
    if ends is None:
        trace = rows.trace
        finished = all(lane.status != "running" for lane in trace.lanes)
        ends = _ENDS.put(rows, (trace.end_ns, trace.last_ns, finished))
    return ends


def _paint_blocked_strip(
    painter: QPainter,
    geo: TimelineGeometry,
    rows: TimelineRows,
    theme: Theme,
    cutoff_ns: int | None,
) -> None:
    if not geo.strip_height:
        return
    trace = rows.trace
    painter.fillRect(
        QRectF(geo.lanes_left, geo.strip_top, geo.lanes_width, geo.strip_height),
        QColor(theme.grid),
    )
    colour = QColor(theme.blocked)
    # Live, the block in progress is drawn as it grows. Once every request has its answer,
    # a block while Django tidied up after the last one delayed no client: the figure leaves
    # it out, and so does the strip.
    # Asked only once every request is over: live, a run's ends cost a pass over its lanes.
    finished = rows.known_ends[2] if rows.known_ends else _FINISHED.get(rows)
    if finished is None:
        finished = _FINISHED.put(rows, all(lane.status != "running" for lane in trace.lanes))
    answered = run_ends(rows)[0] if finished else 0
    rects = []  # drawn in one call: a big run's loop is blocked hundreds of times
    for start, end in trace.loop_blocked_shown:
        if finished:
            end = min(end, answered)
        if cutoff_ns is not None:
            end = min(end, cutoff_ns)
        if end <= geo.t_from_ns or start >= geo.t_to_ns or end <= start:
            continue
        x0 = geo.x_of(max(start, geo.t_from_ns))
        x1 = geo.x_of(min(end, geo.t_to_ns))
        rects.append(QRectF(x0, geo.strip_top, max(1.0, x1 - x0), geo.strip_height))
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRects(rects)
    painter.restore()


def _paint_rows(
    painter: QPainter,
    geo: TimelineGeometry,
    rows: TimelineRows,
    theme: Theme,
    cutoff_ns: int | None,
    tails: bool = True,
    fills: bool = True,
) -> None:
    """The bars (unless ``fills`` is off: an image drew them) and what goes over them."""
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
    gap, height, thin = bar_sizes(row_px, geo.group)
    group = geo.group
    top = geo.lanes_top
    # One pass per kind over precomputed (row, start, end) triples: building QRectFs is the
    # cost here, so segments entirely outside the range are skipped and the rest are
    # clipped by the painter, not by arithmetic per segment.
    step = group * row_px if group > 1 else row_px
    passes = [(False, height, 0.0)] + ([(True, thin, (height - thin) / 2)] if tails else [])
    # Over an image of the bars, :func:`paint_over_bars` drew patterns and lines.
    for tail, h, inset in passes if fills else ():
        per_kind = rows.grouped(group, tail)
        y0 = top + (0.0 if group > 1 else gap / 2) + inset
        # Django's work after an answer is faint: nobody waits for it.
        painter.setOpacity(TAIL_OPACITY if tail else 1.0)
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
            if hatch is not None and h >= HATCH_PX:
                painter.setBrush(hatch)
                painter.drawRects(rects)
            if rows.by == "workers" and group == 1 and h >= LINE_PX:
                # One worker serves request after request: a hairline at each start keeps
                # back-to-back requests apart.
                separators += [QLineF(r.topLeft(), r.bottomLeft()) for r in rects if r.width() >= 4]
            elif not tail and group == 1 and h >= LINE_PX and kind in SEPARATE_CALLS:
                separators += call_boundaries(items, t_from, limit, left, scale, y0, step, h)
    painter.setOpacity(1.0)
    if separators:
        painter.setPen(QPen(QColor(theme.background), 2 if rows.by == "requests" else 1))
        painter.drawLines(separators)
        painter.setPen(Qt.PenStyle.NoPen)
    if group == 1 and rows.answered:
        _paint_answers(painter, rows, theme, t_from, limit, left, scale, top, row_px, height)
    if group == 1:
        _paint_bar_texts(painter, rows, theme, t_from, limit, left, scale, top, row_px, height)
    # Failed requests: an error block closes the lane, big enough to see.
    if rows.failed_rows:
        painter.setBrush(theme.color("error"))
        block = max(4.0, min(height, 14.0))
        fails = [
            QRectF(
                left + (min(end, limit) - t_from) * scale - block,
                top + ((r // group) * step if group > 1 else r * row_px + gap / 2),
                block,
                height,
            )
            for r, end in rows.failed_rows
            if t_from < end and (cutoff_ns is None or end <= cutoff_ns)
        ]
        if fails:
            painter.drawRects(fails)
    if group == 1 and rows.error_texts:
        _paint_error_texts(painter, geo, rows, theme, limit, height)
    painter.restore()


def _paint_answers(
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
    """A bar at the end of each answered lane, in the text colour: the moment the client
    got its answer, so answers coming in one by one read as a staircase."""
    width = max(2.0, min(4.0, height / 6))
    painter.setBrush(QColor(theme.foreground))
    painter.drawRects(
        [
            QRectF(left + (end - t_from) * scale - width, top + r * row_px, width, row_px)
            for r, end in rows.answered
            if t_from < end <= limit
        ]
    )


_BAR_TEXT_SPANS: RowsMemo[tuple[np.ndarray, np.ndarray]] = RowsMemo()


def _paint_bar_texts(
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
    """The request's number on a worker's bar, "7 awaiting" on a band: where it fits."""
    if not rows.bar_texts:
        return
    fm = QFontMetricsF(painter.font())
    if height < fm.height() * 0.75:
        return  # rows too thin to write in
    pens = {kind: QColor(theme.text_on(kind)) for kind in DRAW_ORDER}
    written: dict[int, list[tuple[float, float]]] = {}  # per row, the texts' x extents
    texts = rows.bar_texts
    starts, ends = _BAR_TEXT_SPANS.get(rows) or _BAR_TEXT_SPANS.put(rows, text_spans(texts))
    # Only bars in view and 12 px wide or more may hold a text: thousands of numbered bars
    # are sifted by numpy, not one by one.
    wide = (starts < limit) & (ends > t_from)
    wide &= (np.minimum(ends, limit) - np.maximum(starts, t_from)) * scale >= 12
    for i in np.flatnonzero(wide).tolist():
        row, s, e, kind, text = rows.bar_texts[i]
        x0 = left + (max(s, t_from) - t_from) * scale
        x1 = left + (min(e, limit) - t_from) * scale
        advance = fm.horizontalAdvance(text)
        if x1 - x0 < advance + 6:
            continue
        # Two requests' bars may overlap on one thread (the loop): "#1" is not written
        # over "#2"; the second is left out.
        mid = (x0 + x1) / 2
        here = (mid - advance / 2 - 2, mid + advance / 2 + 2)
        if any(a < here[1] and here[0] < b for a, b in written.get(row, ())):
            continue
        written.setdefault(row, []).append(here)
        painter.setPen(pens.get(kind, QColor(theme.foreground)))
        y = top + row * row_px + (row_px - height) / 2
        painter.drawText(QRectF(x0, y, x1 - x0, height), Qt.AlignmentFlag.AlignCenter, text)
    painter.setPen(Qt.PenStyle.NoPen)


def _paint_error_texts(
    painter: QPainter,
    geo: TimelineGeometry,
    rows: TimelineRows,
    theme: Theme,
    limit: int,
    height: float,
) -> None:
    """A failed request's error, written just after its lane ends (on a plate, so it reads
    over whatever is drawn there), or inside the lane's right end where there is no room."""
    fm = QFontMetricsF(painter.font())
    right = geo.lanes_left + geo.lanes_width
    for row, end, text in rows.error_texts:
        if end > limit or end < geo.t_from_ns:
            continue
        y = geo.row_top(row) + (geo.row_px - max(height, fm.height())) / 2
        width = min(fm.horizontalAdvance(text) + 10, geo.lanes_width)
        x = geo.x_of(end) + 2
        if x + width > right:
            x = max(geo.lanes_left, right - width)
        plate = QRectF(x, y, width, max(height, fm.height()))
        if any(plate.intersects(note.rect) for note in geo.notes):
            continue  # over a neighbour's error: its red block and the hover still say it
        geo.notes.append(PlacedLabel(text, plate, row))
        painter.fillRect(plate, QColor(theme.background))
        painter.setPen(QPen(theme.color("error"), 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(plate)
        painter.setPen(QColor(theme.foreground))
        painter.drawText(
            plate.adjusted(5, 0, -5, 0),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            fit_error(fm, text, width - 10),
        )
    painter.setPen(Qt.PenStyle.NoPen)


#: What a timeline without lanes says, unless told otherwise.
EMPTY_TEXT = "Press Run (F5) to send the requests."


def _paint_labels(
    painter: QPainter,
    geo: TimelineGeometry,
    rows: TimelineRows,
    theme: Theme,
    font: QFont,
    empty_text: str,
) -> None:
    if not rows.trace.lanes:  # no run yet (the thread view would still name its bands)
        painter.setPen(QColor(theme.muted))
        painter.drawText(
            QRectF(
                geo.lanes_left, geo.lanes_top, geo.lanes_width, 3 * QFontMetricsF(font).height()
            ),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            empty_text,
        )
        return
    # Laid out so that none is drawn over another (the strip's label is one of them).
    labels = geo.labels
    painter.setFont(label_font(font, geo))
    for label in labels:
        painter.setPen(QColor(theme.muted if label.row is None else theme.foreground))
        painter.drawText(
            label.rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label.text
        )
