"""Drawing a trace as lanes with a QPainter: the one painter behind the window and exports.

Nothing here is a widget, so the same code paints the live timeline, the replay, and the
PNG/SVG/PDF exports. :class:`TimelineRows` (:mod:`app.timeline.rows`) turns a trace into
rows (one per request, or one per thread/loop) once; :func:`paint_timeline` draws a time
range of them into a rectangle, placed by :func:`layout` (:mod:`app.timeline.geometry`),
under the time axis of :mod:`app.timeline.axis`. The colour key is
:func:`draw_legend` (:mod:`app.timeline.legend`). All of these are importable from here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QRegion

from app.theme import Theme
from app.timeline.answer_counts import paint_answer_counts
from app.timeline.apart import rows_apart
from app.timeline.axis import format_ms, nice_ticks, paint_axis
from app.timeline.geometry import (
    MAX_ROW_PX,
    PlacedLabel,
    TimelineGeometry,
    in_clip,
    lanes_clip,
    layout,
)
from app.timeline.label_column import paint_labels
from app.timeline.labels import labels_of
from app.timeline.legend import TAIL_OPACITY, draw_legend
from app.timeline.marks import (
    failed_marks,
    paint_answers,
    paint_bar_texts,
    paint_blocked_strip,
    paint_error_texts,
    run_ends,
)
from app.timeline.notes import clear_top
from app.timeline.overlay import (
    HATCH_PX,
    LINE_PX,
    SEPARATE_CALLS,
    Columns,
    bar_sizes,
    call_boundaries,
    covered_once,
    item_columns,
    paint_over_bars,
    request_boundaries,
)
from app.timeline.rows import DRAW_ORDER, TimelineRows, thread_label

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
    lanes: Callable[[QPainter, TimelineGeometry, QRegion | None], None] | None = None,
    rows_room: int = 0,
    clip: Callable[[TimelineGeometry], QRegion | None] | None = None,
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
    (patterns, marks, numbers, errors) is painted here either way. ``rows_room``: the rows
    are laid out for at least that many (a live run's rows to come). ``clip``: given the
    geometry, the region to paint (a live frame's changes, :mod:`app.timeline.live_frame`;
    the rest of the device holds the last frame) or ``None``: all of it. Only what reaches
    into the region is drawn, and clipped to it, so each pixel in it is the one painting all
    of it gives.
    """
    font = font or painter.font()
    painter.save()
    painter.setFont(font)
    geo = layout(rect, rows, font, t_from_ns, t_to_ns, label_px=label_px, room=rows_room)
    geo = replace(geo, labels=labels_of(geo, rows, font))
    region = clip(geo) if clip is not None else None
    if region is not None:
        painter.setClipRegion(region)
    painter.fillRect(in_clip(painter, rect), QColor(theme.background))
    line = QFontMetricsF(font).height()  # the axis's words: one line, a little down
    words = QRectF(rect.left(), geo.axis_top, rect.width(), max(geo.axis_height - 4, line + 4))
    paint_axis(painter, geo, rows.trace, theme, font, _reaches(region, words))
    strip = QRectF(rect.left(), geo.strip_top, rect.width(), geo.strip_height)
    if _reaches(region, strip):
        paint_blocked_strip(painter, geo, rows, theme, cutoff_ns)
    if lanes is not None:
        lanes(painter, geo, region)
        paint_over_bars(painter, geo, rows, theme, cutoff_ns, tails)
    if before_lane is None:
        _paint_rows(painter, geo, rows, theme, cutoff_ns, tails, lanes is None, region)
    else:
        for row, one in enumerate(rows_apart(rows)):
            painter.save()
            before_lane(row)
            _paint_rows(painter, geo, one, theme, cutoff_ns, tails)
            painter.restore()
    # The labels' column: they end 8 px left of the lanes, their picture 3 px.
    labels_right = math.floor(geo.lanes_left) - 3
    column = QRectF(rect.left(), rect.top(), labels_right - rect.left(), rect.height())
    if _reaches(region, column):
        _paint_labels(painter, geo, rows, theme, font, empty_text or EMPTY_TEXT)
    trace = rows.trace
    if cutoff_ns is None and t_from_ns <= trace.t0_ns:
        answered, last, _ = run_ends(rows)
        if answered <= t_to_ns < last:
            _paint_cut_note(painter, geo, rows, theme)
    if cutoff_ns is not None and t_from_ns <= cutoff_ns <= t_to_ns:
        x = geo.x_of(cutoff_ns)
        painter.setPen(QPen(QColor(theme.foreground), 1.5, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(x, geo.strip_top), QPointF(x, rect.bottom()))
    painter.restore()
    return geo


def _reaches(region: QRegion | None, rect: QRectF) -> bool:
    """Whether anything drawn in ``rect`` shows in ``region`` (``None``: everywhere)."""
    return region is None or region.intersects(rect.toAlignedRect().adjusted(-2, -2, 2, 2))


def _paint_cut_note(
    painter: QPainter, geo: TimelineGeometry, rows: TimelineRows, theme: Theme
) -> None:
    """Every answer is in view, but not Django's clean-up after the last one (see
    :func:`~app.timeline.rows.picture_end_ns`): say how long it went on, at the right edge."""
    trace = rows.trace
    to = format_ms(trace.ms(trace.last_ns))
    fm = QFontMetricsF(painter.font())
    # The short wording where the long one does not fit the lanes, or finds no room clear of
    # the bars (a projector's font over lesson 9's busy rows: the picture ended at 143 ms,
    # the clean-up went on to 187 ms, and nothing said so).
    wordings = (f"Django's clean-up after the answers went on to {to} →", f"clean-up to {to} →")
    right = geo.lanes_left + geo.lanes_width
    for text in wordings:
        width = fm.horizontalAdvance(text) + 10
        if width > geo.lanes_width:
            continue
        # At the top right of the lanes, or lower down clear of the bars and errors there.
        top = clear_top(right - width, right, fm.height(), geo, rows, geo.t_to_ns)
        if top is not None:
            break
    else:
        return  # no room clear of the bars and errors: they matter more
    plate = QRectF(right - width, top, width, fm.height())
    geo.notes.append(PlacedLabel(text, plate, None))
    painter.fillRect(plate, QColor(theme.background))
    painter.setPen(QColor(theme.muted))
    painter.drawText(plate, Qt.AlignmentFlag.AlignCenter, text)


def _paint_rows(
    painter: QPainter,
    geo: TimelineGeometry,
    rows: TimelineRows,
    theme: Theme,
    cutoff_ns: int | None,
    tails: bool = True,
    fills: bool = True,
    region: QRegion | None = None,
) -> None:
    """The bars (unless ``fills`` is off: an image drew them) and what goes over them (the
    answer marks only where they reach into ``region``)."""
    painter.save()
    painter.setClipRect(lanes_clip(geo), Qt.ClipOperation.IntersectClip)  # (in a region)
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
            hatched = hatch is not None and h >= HATCH_PX
            calls = rows.by == "requests" and not tail and group == 1 and h >= LINE_PX
            calls = calls and kind in SEPARATE_CALLS
            columns = item_columns(items) if hatched or calls else None
            if hatched and columns is not None:
                painter.setBrush(hatch)
                painter.drawRects(_hatched(columns, t_from, limit, left, scale, y0, step, h))
            if calls and columns is not None:
                separators += call_boundaries(columns, t_from, limit, left, scale, y0, step, h)
    if fills and rows.holds is not None and group == 1 and height >= LINE_PX:
        # One worker serves request after request: a hairline where the next one starts.
        y0 = top + gap / 2
        separators += request_boundaries(rows.holds, t_from, limit, left, scale, y0, step, height)
    painter.setOpacity(1.0)
    if separators:
        painter.setPen(QPen(QColor(theme.background), 2 if rows.by == "requests" else 1))
        painter.drawLines(separators)
        painter.setPen(Qt.PenStyle.NoPen)
    if group == 1 and rows.answered:
        paint_answers(painter, rows, theme, t_from, limit, left, scale, top, row_px, height, region)
        if region is None:  # (not over a live frame's changes alone: when drawn whole)
            right = left + geo.lanes_width
            paint_answer_counts(
                painter, rows, theme, t_from, limit, left, right, scale, top, row_px, height
            )
    if group == 1:
        paint_bar_texts(painter, rows, theme, t_from, limit, left, scale, top, row_px, height)
    # Failed requests: an error block closes the lane, big enough to see.
    if rows.failed_rows:
        painter.setBrush(theme.color("error"))
        failed, xs, block = failed_marks(rows, t_from, limit, cutoff_ns, left, scale, height)
        ys = top + (failed // group * step if group > 1 else failed * row_px + gap / 2)
        fails = [QRectF(x, y, block, height) for x, y in zip(xs.tolist(), ys.tolist(), strict=True)]
        if fails:
            painter.drawRects(fails)
    if group == 1 and rows.error_texts:
        paint_error_texts(painter, geo, rows, theme, limit, height)
    painter.restore()


def _hatched(
    columns: Columns,
    t_from: int,
    limit: int,
    left: float,
    scale: float,
    y0: float,
    step: float,
    h: float,
) -> list[QRectF]:
    """Where the pattern of bars of one kind goes (:func:`~app.timeline.overlay.
    item_columns`): over the stretches they cover, each once (:func:`~app.timeline.overlay.
    covered_once`), up to ``limit``."""
    rows, starts, ends = columns
    row, start, end = covered_once(rows, starts, np.minimum(ends, limit))
    shown = (start < limit) & (end > t_from)
    xs = (left + (start[shown] - t_from) * scale).tolist()
    ws = ((end[shown] - start[shown]) * scale + 0.5).tolist()
    ys = (y0 + row[shown] * step).tolist()
    return [QRectF(x, y, w, h) for x, y, w in zip(xs, ys, ws, strict=True)]


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
    paint_labels(painter, geo, rows, theme, font)
