"""The timeline's time axis: round tick steps, short labels, and painting them."""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from app.theme import Theme
from app.timeline.geometry import TimelineGeometry, in_clip
from simulator.trace import Trace

__all__ = ["LIVE_STEPS", "format_ms", "live_span_ns", "nice_ticks", "paint_axis", "tick_label"]


def format_ms(ms: float) -> str:
    """``0``, ``0.5 ms``, ``200 ms``, ``1.2 s``: short, for axis ticks and tooltips.

    Tighter than a figure (:func:`simulator.metrics.figures.format_ms`): a tick is a round
    number, and a bare ``0`` marks the first send.
    """
    if ms == 0:
        return "0"
    if abs(ms) >= 1000:
        s = ms / 1000
        return f"{s:.3g} s" if abs(s) < 100 else f"{s:.0f} s"
    if abs(ms) >= 10:
        return f"{ms:.0f} ms"
    return f"{ms:.2g} ms"


def tick_label(ms: float, step_ms: float) -> str:
    """A tick's label, with as many decimals as ticks ``step_ms`` apart need to differ:
    zoomed below a millisecond, :func:`format_ms` wrote "252 ms" under three ticks
    0.2 ms apart. Whole values stay short ("1 s", "200 ms"), as :func:`format_ms` writes
    them."""
    if ms == 0:
        return "0"
    unit, value, step = ("s", ms / 1000, step_ms / 1000) if abs(ms) >= 1000 else ("ms", ms, step_ms)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {unit}"


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


#: The spans a live view takes, × 10^k ns: round, so its ticks are too, 1.5–2× apart (each
#: step redraws every bar: a few a run, not one a frame; "now" lands at half to two thirds).
LIVE_STEPS = (1.0, 2.0, 3.0, 5.0)
#: Live, "now" stays this far from the right edge: past it, the view takes its next step.
LIVE_MARGIN = 1.03
#: A new step leaves room for now to grow into: at least this many times the time so far.
LIVE_ROOM = 1.25


def live_span_ns(elapsed_ns: int, shown_ns: int = 0) -> int:
    """The span a live view shows, ``elapsed_ns`` into its run, having shown ``shown_ns``.

    While live the view extends in steps, as live recorders' do: it keeps ``shown_ns``
    while now is short of its edge (every instant keeps its x, so a frame only adds pixels:
    the bars grow to now), and when now reaches it, takes the next round span
    (:data:`LIVE_STEPS`) with room for :data:`LIVE_ROOM` times the time so far. A view
    rescaled every frame moved every bar every frame, and nothing drawn could be kept."""
    if shown_ns and elapsed_ns * LIVE_MARGIN <= shown_ns:
        return shown_ns
    want = max(elapsed_ns * LIVE_ROOM, 10_000_000.0, shown_ns + 1.0)  # never under 10 ms
    power = 10 ** math.floor(math.log10(want))
    for step in (*LIVE_STEPS, 10.0):
        if step * power >= want:
            return int(round(step * power))
    return int(round(10 * power))  # (not reached: 10 × power > want)


def paint_axis(
    painter: QPainter,
    geo: TimelineGeometry,
    trace: Trace,
    theme: Theme,
    font: QFont,
    words: bool = True,
) -> None:
    """Grid lines and time labels (ms from the first send) along the top of the lanes; the
    lines in one call, and (``words=False``: a frame redrawn below them) no labels."""
    fm = QFontMetricsF(font)
    span_ms = (geo.t_to_ns - geo.t_from_ns) / 1e6
    max_ticks = max(2, int(geo.lanes_width / (fm.horizontalAdvance("00000 ms") * 1.4)))
    step = nice_ticks(span_ms, max_ticks)
    first_ms = (geo.t_from_ns - trace.t0_ns) / 1e6
    tick = math.ceil(first_ms / step) * step
    ticks: list[tuple[float, float]] = []
    while tick <= first_ms + span_ms + 1e-9:
        ticks.append((tick, geo.x_of(trace.t0_ns + int(tick * 1e6))))
        tick += step
    top, bottom = geo.axis_top + geo.axis_height - 4, geo.rect.bottom()
    # Only the lines' parts in the painter's clip, and a few pixels more (their ends drawn
    # as they were): Qt clips a long line to a region of many parts pixel by pixel.
    seen = in_clip(painter, QRectF(geo.rect.left() - 2, top, geo.rect.width() + 4, bottom - top))
    low, high = max(top, seen.top() - 2), min(bottom, seen.bottom() + 2)
    painter.setPen(QPen(QColor(theme.grid), 1))
    if high > low:
        painter.drawLines(
            [QLineF(x, low, x, high) for _, x in ticks if seen.left() - 1 <= x <= seen.right() + 1]
        )
    if not words:
        return
    painter.setPen(QColor(theme.foreground))
    baseline = geo.axis_top + fm.ascent() + 2
    for tick, x in ticks:  # (each word clear of the next tick's line: drawn after them all)
        label = tick_label(round(tick, 6), step)
        width = fm.horizontalAdvance(label)
        painter.drawText(QPointF(min(x - width / 2, geo.rect.right() - width), baseline), label)
