"""The metrics panel: a run's figures as big numbers, and two small plots.

:class:`QtMetrics` shows the :class:`~simulator.metrics.summary.Summary` of a trace in a two-column
grid readable from the back of a classroom, above a :class:`QtLatencyHistogram` and a
:class:`QtInFlightPlot`. The plots paint with ``QPainter`` only; each ``paintEvent`` begins a
painter and calls ``draw(painter, rect)``, so the same method can paint into a ``QPicture``
or an image for an export. Colours come from the widget's palette and text from its font, so
the plots follow light and dark themes and presentation mode's larger font.

Live runs call ``set_trace`` every ~50 ms with partial traces: the setters only store the
trace and drop their caches; the plots compute their data on the next paint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from simulator.metrics.summary import Summary, in_flight_steps, percentile, summarize
from simulator.trace import Trace

__all__ = [
    "METRICS",
    "QtInFlightPlot",
    "QtLatencyHistogram",
    "QtMetrics",
    "format_count",
    "format_ms",
    "format_rate",
]

#: ``(key, caption, tooltip)`` of every figure the panel shows, in reading order (two a row).
METRICS: tuple[tuple[str, str, str], ...] = (
    ("makespan", "Makespan", "Time from the first request sent to the last answer received."),
    ("throughput", "Throughput", "Finished requests per second over the whole makespan."),
    ("p50", "Latency p50", "Half of the finished requests got their answer within this time."),
    ("p95", "Latency p95", "95 % of the finished requests got their answer within this time."),
    ("p99", "Latency p99", "99 % of the finished requests got their answer within this time."),
    ("max", "Latency max", "The slowest finished request's time from sending to answer."),
    (
        "peak_in_flight",
        "Peak in flight",
        "The most requests that were sent but not yet answered at the same moment.",
    ),
    (
        "threads_used",
        "Threads used",
        "Distinct OS threads (and the event loop) that did work for some request.",
    ),
    (
        "loop_blocked",
        "Event loop blocked",
        "Total time one piece of code held the event loop for 5 ms or more at a stretch, "
        "so no other request on it could run.",
    ),
    (
        "framework",
        "Framework / request",
        "Time the loop and threads spent running Django's own machinery (handler, middleware, "
        "signal receivers, hand-offs) per request, outside the view's own code.",
    ),
    ("ok", "Succeeded", "Requests that got a successful (2xx) answer."),
    ("failed", "Failed", "Requests that ended in an error: an exception or a 4xx/5xx answer."),
    (
        "cancelled",
        "Cancelled",
        "Requests stopped before they finished, because the run was stopped.",
    ),
    (
        "requests",
        "Requests",
        "Requests sent so far in this run, and how many still await an answer.",
    ),
)

_EMPTY = "—"
#: A red that reads on light and dark backgrounds, for a non-zero failed count.
_FAILED_COLOR = QColor("#e5484d")


def format_ms(ms: float) -> str:
    """A duration with about three significant digits: ``"0.42 ms"``, ``"214 ms"``, ``"1.62 s"``."""
    if ms != ms or ms < 0:  # NaN, or nothing sensible
        return _EMPTY
    if ms == 0:
        return "0 ms"
    if ms >= 999.5:
        s = ms / 1000
        return f"{s:.2f} s" if s < 9.995 else f"{s:.1f} s" if s < 99.95 else f"{s:.0f} s"
    return f"{ms:.2f} ms" if ms < 9.995 else f"{ms:.1f} ms" if ms < 99.95 else f"{ms:.0f} ms"


def format_rate(rps: float) -> str:
    """Requests per second with about three significant digits: ``"37.9 req/s"``."""
    if rps != rps or rps < 0:
        return _EMPTY
    if rps == 0:
        return "0 req/s"
    value = f"{rps:.2f}" if rps < 9.995 else f"{rps:.1f}" if rps < 99.95 else f"{rps:.0f}"
    return f"{value} req/s"


def format_count(n: int) -> str:
    """A count with thin grouping: ``"10 000"``."""
    return f"{n:,}".replace(",", "\u2009")


# -- axes --------------------------------------------------------------------------------------


def _nice_steps(span: float):
    """Candidate tick steps 1, 2, 5 x 10^k from a little under ``span / 10`` upwards."""
    if span <= 0:
        span = 1.0
    power = math.floor(math.log10(span / 10))
    while True:
        for m in (1, 2, 5):
            yield m * 10.0**power
        power += 1


def _step_for(lo: float, hi: float, max_intervals: int = 4) -> float:
    """The smallest nice step that cuts ``[lo, hi]`` into at most ``max_intervals`` pieces."""
    for step in _nice_steps(hi - lo):
        if math.floor((hi - lo) / step + 1e-9) <= max_intervals:
            return step
    raise AssertionError("unreachable")  # pragma: no cover


def _tick_label(ms: float, step_ms: float, seconds: bool) -> str:
    """``ms`` as an axis label, with as many decimals as ``step_ms`` needs."""
    value, step = (ms / 1000, step_ms / 1000) if seconds else (ms, step_ms)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    return f"{value:.{decimals}f}"


def _pen(color: QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(color, width, style)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen


@dataclass(frozen=True, slots=True)
class _Frame:
    """Where the plot area sits in a rect, and how values map onto it."""

    area: QRectF
    x_lo: float
    x_hi: float
    y_hi: float

    def x(self, value: float) -> float:
        span = self.x_hi - self.x_lo or 1.0
        return self.area.left() + (value - self.x_lo) / span * self.area.width()

    def y(self, value: float) -> float:
        return self.area.bottom() - value / (self.y_hi or 1.0) * self.area.height()


class _QtPlot(QWidget):
    """What both plots share: size hints, theme-following colours, the paint entry point."""

    def __init__(self, trace: Trace | None, tooltip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trace: Trace | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setToolTip(tooltip)
        self.set_trace(trace)

    def set_trace(self, trace: Trace | None) -> None:
        """Show ``trace``; what is drawn from it is computed again on the next paint."""
        self.trace = trace
        self._clear_cache()
        self.update()

    def _clear_cache(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def minimumSizeHint(self) -> QSize:
        fm = QFontMetricsF(self.font())
        return QSize(max(260, round(fm.averageCharWidth() * 30)), max(140, round(fm.height() * 9)))

    def sizeHint(self) -> QSize:
        fm = QFontMetricsF(self.font())
        return QSize(max(360, round(fm.averageCharWidth() * 42)), max(200, round(fm.height() * 12)))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self.updateGeometry()
            self.update()
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.draw(painter, QRectF(self.rect()))
        painter.end()

    def draw(self, painter: QPainter, rect: QRectF) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # Shared pieces of a drawing.

    def _colors(self) -> tuple[QColor, QColor, QColor, QColor]:
        """(text, background, data, grid) from the palette."""
        pal = self.palette()
        return (
            pal.color(QPalette.ColorRole.WindowText),
            pal.color(QPalette.ColorRole.Window),
            pal.color(QPalette.ColorRole.Highlight),
            pal.color(QPalette.ColorRole.Mid),
        )

    def _fonts(self) -> tuple[QFont, QFont]:
        """(labels, title): the widget's own font, and its bold version."""
        font = QFont(self.font())
        title = QFont(font)
        title.setBold(True)
        return font, title

    def _layout(
        self,
        rect: QRectF,
        y_labels: list[str],
        x_lo: float,
        x_hi: float,
        y_hi: float,
        extra_top_rows: float = 0,
    ) -> _Frame:
        """The plot area left after a title row, y labels on the left and x labels below."""
        font, _ = self._fonts()
        fm = QFontMetricsF(font)
        pad = fm.height() * 0.4
        left = rect.left() + pad + max((fm.horizontalAdvance(t) for t in y_labels), default=0) + pad
        top = rect.top() + pad + fm.height() * (1 + extra_top_rows) + pad
        right = rect.right() - pad - fm.horizontalAdvance("000") / 2
        bottom = rect.bottom() - pad - fm.height() - pad / 2
        area = QRectF(QPointF(left, top), QPointF(max(right, left + 1), max(bottom, top + 1)))
        return _Frame(area, x_lo, x_hi, y_hi)

    def _draw_title(self, painter: QPainter, rect: QRectF, text: str) -> None:
        _, title = self._fonts()
        fm = QFontMetricsF(title)
        pad = fm.height() * 0.4
        painter.setFont(title)
        painter.setPen(self._colors()[0])
        painter.drawText(
            QRectF(rect.left() + pad, rect.top() + pad, rect.width() - 2 * pad, fm.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(text, Qt.TextElideMode.ElideRight, rect.width() - 2 * pad),
        )

    def _draw_axes(
        self,
        painter: QPainter,
        rect: QRectF,
        frame: _Frame,
        x_ticks: list[tuple[float, str]],
        y_ticks: list[tuple[float, str]],
    ) -> None:
        """Grid lines (Mid), axis lines and tick labels (WindowText)."""
        text, _, _, grid = self._colors()
        font, _ = self._fonts()
        fm = QFontMetricsF(font)
        pad = fm.height() * 0.4
        area = frame.area
        painter.setFont(font)
        painter.setPen(_pen(grid, 1))
        painter.drawLines(
            [QLineF(area.left(), frame.y(v), area.right(), frame.y(v)) for v, _ in y_ticks if v]
        )
        painter.setPen(text)
        for value, label in y_ticks:
            y = frame.y(value)
            painter.drawText(
                QRectF(
                    rect.left(), y - fm.height() / 2, area.left() - pad - rect.left(), fm.height()
                ),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
        gap = fm.horizontalAdvance("  ")
        kept: list[QRectF] = []
        # The last label (it carries the unit) first; then any other that has room.
        for value, label in x_ticks[-1:] + x_ticks[:-1]:
            width = fm.horizontalAdvance(label)
            left = frame.x(value) - width / 2
            left = max(rect.left(), min(left, rect.right() - width - 1))
            box = QRectF(left, area.bottom() + pad / 2, width + 1, fm.height())
            if any(box.adjusted(-gap, 0, gap, 0).intersects(other) for other in kept):
                continue  # would touch a neighbour: a big font on a narrow plot
            painter.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, label)
            kept.append(box)
        painter.setPen(_pen(text, 1))
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        painter.drawLine(area.bottomLeft(), area.topLeft())

    def _draw_message(self, painter: QPainter, area: QRectF, message: str) -> None:
        font, _ = self._fonts()
        painter.setFont(font)
        painter.setPen(self._colors()[0])
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, message)


def _time_ticks(lo_ms: float, hi_ms: float, step_ms: float) -> list[tuple[float, str]]:
    """Ticks every ``step_ms`` over ``[lo_ms, hi_ms]``; the last label carries the unit."""
    seconds = hi_ms >= 2000
    count = int(math.floor((hi_ms - lo_ms) / step_ms + 1e-9))
    ticks = [
        (lo_ms + i * step_ms, _tick_label(lo_ms + i * step_ms, step_ms, seconds))
        for i in range(count + 1)
    ]
    if ticks:
        value, label = ticks[-1]
        ticks[-1] = (value, f"{label} {'s' if seconds else 'ms'}")
    return ticks


def _count_ticks(top: int, always_top: bool) -> tuple[int, list[tuple[float, str]]]:
    """(axis top, ticks) for a count axis from 0: integer steps, three or four labels."""
    top = max(top, 1)
    step = max(1, int(_step_for(0, top, 3)))
    axis_top = top if always_top else int(math.ceil(top / step)) * step
    values = list(range(0, axis_top + 1, step))
    if always_top:
        values = [v for v in values if axis_top - v >= step / 2] + [axis_top]
    return axis_top, [(float(v), format_count(v)) for v in values]


# -- latency histogram -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Bins:
    """A histogram of finished requests' latencies over ``[0, hi_ms)``."""

    counts: list[int]
    hi_ms: float
    step_ms: float
    p50_ms: float
    p95_ms: float

    @property
    def finished(self) -> int:
        return sum(self.counts)


class QtLatencyHistogram(_QtPlot):
    """How long finished requests took: ~20 bars from 0 ms, with p50 and p95 marked.

    Only lanes whose status is ``"ok"`` or ``"error"`` count; running and cancelled requests
    have no latency yet. The x axis starts at 0 so runs stay comparable at a glance.

    Parameters
    ----------
    trace
        The run to show, or ``None`` for an empty plot.

    Attributes
    ----------
    trace : Trace | None
        The run shown.
    """

    BINS = 20

    def __init__(self, trace: Trace | None = None, parent: QWidget | None = None) -> None:
        self._bins: _Bins | None = None
        super().__init__(
            trace,
            "How many finished requests took each latency (time from sending to answer). "
            "Dashed lines: p50 (half were faster) and p95.",
            parent,
        )

    def _clear_cache(self) -> None:
        self._bins = None

    def bins(self) -> _Bins | None:
        """The histogram of the trace shown, ``None`` when no request has finished."""
        if self._bins is None and self.trace is not None:
            self._bins = _compute_bins(self.trace, self.BINS)
        return self._bins

    def x_for(self, ms: float, rect: QRectF | None = None) -> float:
        """The x position of latency ``ms`` when drawn into ``rect`` (the widget by default)."""
        return self._frame(QRectF(self.rect()) if rect is None else rect).x(ms)

    def _frame(self, rect: QRectF) -> _Frame:
        bins = self.bins()
        hi = bins.hi_ms if bins else 1.0
        top, y_ticks = _count_ticks(max(bins.counts) if bins else 1, always_top=False)
        return self._layout(rect, [label for _, label in y_ticks], 0.0, hi, top, extra_top_rows=1)

    def draw(self, painter: QPainter, rect: QRectF) -> None:
        """Paint the histogram into ``rect`` (a widget, a picture or an image)."""
        text, background, data, _ = self._colors()
        painter.fillRect(rect, background)
        bins = self.bins()
        if bins is None:
            self._draw_title(painter, rect, "Latency")
            self._draw_message(painter, rect, "No finished requests yet")
            return
        self._draw_title(
            painter,
            rect,
            f"Latency of {format_count(bins.finished)} finished "
            f"request{'s' if bins.finished != 1 else ''}",
        )
        _, y_ticks = _count_ticks(max(bins.counts), always_top=False)
        frame = self._frame(rect)
        self._draw_axes(painter, rect, frame, _time_ticks(0.0, bins.hi_ms, bins.step_ms), y_ticks)
        width = bins.hi_ms / len(bins.counts)
        bars = []
        for i, count in enumerate(bins.counts):
            if count:
                left, right = frame.x(i * width), frame.x((i + 1) * width)
                y = frame.y(count)
                # One pixel of gap between neighbours, but never thinner than a pixel.
                bars.append(QRectF(left, y, max(1.0, right - left - 1), frame.area.bottom() - y))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(data)
        painter.drawRects(bars)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        self._draw_markers(painter, rect, frame, bins)

    def _draw_markers(self, painter: QPainter, rect: QRectF, frame: _Frame, bins: _Bins) -> None:
        """Dashed lines at p50 and p95, labelled above the plot: p50 to the left of its line,
        p95 to the right, pushed apart (or shortened) where they would overlap."""
        text = self._colors()[0]
        font, _ = self._fonts()
        fm = QFontMetricsF(font)
        top = frame.area.top() - fm.height()
        x50, x95 = frame.x(bins.p50_ms), frame.x(bins.p95_ms)
        painter.setPen(_pen(text, max(1.5, fm.height() / 10), Qt.PenStyle.DashLine))
        painter.drawLines([QLineF(x, top, x, frame.area.bottom()) for x in (x50, x95)])
        gap = fm.horizontalAdvance(" ")
        for labels in (
            (f"p50 {format_ms(bins.p50_ms)}", f"p95 {format_ms(bins.p95_ms)}"),
            ("p50", "p95"),
        ):
            w50, w95 = (fm.horizontalAdvance(label) for label in labels)
            left95 = x95 + gap / 2
            if left95 + w95 > rect.right():  # no room on the right: left of its line
                left95 = x95 - gap / 2 - w95
            left50 = min(x50 - gap / 2 - w50, left95 - gap - w50)
            if left50 >= rect.left():
                break
        left50 = max(left50, rect.left())
        painter.setFont(font)
        painter.setPen(text)
        background = self._colors()[1]
        for left, width, label in ((left50, w50, labels[0]), (left95, w95, labels[1])):
            box = QRectF(left - 1, top, width + 2, fm.height())
            painter.fillRect(box, background)  # a line that crosses a label hides behind it
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)


def _compute_bins(trace: Trace, n_bins: int) -> _Bins | None:
    latencies = sorted(
        (lane.done_ns - lane.sent_ns) / 1e6
        for lane in trace.lanes
        if lane.status == "ok" or lane.status == "error"
    )
    if not latencies:
        return None
    longest = max(latencies[-1], 1e-3)
    step = _step_for(0.0, longest)
    # End the axis a little past the slowest request, on a quarter of a tick step.
    hi = math.ceil(longest / (step / 4) + 1e-9) * (step / 4)
    width = hi / n_bins
    counts = [0] * n_bins
    for ms in latencies:
        counts[min(max(int(ms / width), 0), n_bins - 1)] += 1
    return _Bins(counts, hi, step, percentile(latencies, 50), percentile(latencies, 95))


# -- requests in flight ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Steps:
    """Requests in flight over time, in ms from the first send."""

    points: list[tuple[float, int]]
    end_ms: float
    peak: int
    peak_ms: float


class QtInFlightPlot(_QtPlot):
    """How many requests were in flight (sent, not yet answered) over the run, as a step line.

    The x axis runs from the first send to the makespan, the y axis from 0 to the peak.

    Parameters
    ----------
    trace
        The run to show, or ``None`` for an empty plot.

    Attributes
    ----------
    trace : Trace | None
        The run shown.
    """

    def __init__(self, trace: Trace | None = None, parent: QWidget | None = None) -> None:
        self._steps: _Steps | None = None
        self._path_cache: tuple[tuple[float, ...], list[QPointF]] | None = None
        super().__init__(
            trace,
            "Requests sent but not yet answered, over the run. Under ASGI they pile up "
            "cheaply; a WSGI server can only work on one per worker thread.",
            parent,
        )

    def _clear_cache(self) -> None:
        self._steps = None
        self._path_cache = None

    def steps(self) -> _Steps | None:
        """The in-flight steps of the trace shown, ``None`` when it has no time span."""
        if self._steps is None and self.trace is not None:
            self._steps = _compute_steps(self.trace)
        return self._steps

    def x_for(self, ms: float, rect: QRectF | None = None) -> float:
        """The x position of ``ms`` after the first send, drawn into ``rect`` (the widget)."""
        return self._frame(QRectF(self.rect()) if rect is None else rect).x(ms)

    def y_for(self, count: float, rect: QRectF | None = None) -> float:
        """The y position of ``count`` requests in flight, drawn into ``rect`` (the widget)."""
        return self._frame(QRectF(self.rect()) if rect is None else rect).y(count)

    def _frame(self, rect: QRectF) -> _Frame:
        steps = self.steps()
        top, y_ticks = _count_ticks(steps.peak if steps else 1, always_top=True)
        return self._layout(
            rect,
            [label for _, label in y_ticks],
            0.0,
            steps.end_ms if steps else 1.0,
            top,
            extra_top_rows=0.3,
        )

    def draw(self, painter: QPainter, rect: QRectF) -> None:
        """Paint the plot into ``rect`` (a widget, a picture or an image)."""
        _, background, data, _ = self._colors()
        painter.fillRect(rect, background)
        steps = self.steps()
        if steps is None:
            self._draw_title(painter, rect, "Requests in flight")
            self._draw_message(painter, rect, "No requests yet")
            return
        self._draw_title(painter, rect, f"Requests in flight · peak {format_count(steps.peak)}")
        _, y_ticks = _count_ticks(steps.peak, always_top=True)
        frame = self._frame(rect)
        x_step = _step_for(0.0, steps.end_ms)
        self._draw_axes(painter, rect, frame, _time_ticks(0.0, steps.end_ms, x_step), y_ticks)
        line = self._path(frame, steps)
        fill = QColor(data)
        fill.setAlpha(70)
        bottom = frame.area.bottom()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawPolygon(
            QPolygonF([QPointF(line[0].x(), bottom), *line, QPointF(line[-1].x(), bottom)])
        )
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(_pen(data, 2))
        painter.drawPolyline(QPolygonF(line))

    def _path(self, frame: _Frame, steps: _Steps) -> list[QPointF]:
        """The step line in pixels, at most a few points per pixel column (cached per size)."""
        area = frame.area
        key = (area.left(), area.top(), area.width(), area.height())
        if self._path_cache is not None and self._path_cache[0] == key:
            return self._path_cache[1]
        # Per pixel column keep the highest level and the level it ends on, so thousands of
        # steps draw as a few hundred points and no peak is lost.
        columns: list[list[int]] = []  # [column, highest, last]
        left, lo = area.left(), frame.x_lo
        scale = area.width() / ((frame.x_hi - lo) or 1.0)
        current = [-1, 0, 0]
        for ms, level in steps.points:
            col = int(left + (ms - lo) * scale)  # frame.x(ms) inlined: this loop sees every step
            if col == current[0]:
                if level > current[1]:
                    current[1] = level
                current[2] = level
            else:
                current = [col, level, level]
                columns.append(current)
        points = [QPointF(area.left(), frame.y(0))]
        level_before = 0
        for col, high, last in columns:
            x = float(col)
            points.append(QPointF(x, frame.y(level_before)))
            points.append(QPointF(x, frame.y(high)))
            if last != high:
                points.append(QPointF(x, frame.y(last)))
            level_before = last
        points.append(QPointF(area.right(), frame.y(level_before)))
        self._path_cache = (key, points)
        return points


def _compute_steps(trace: Trace) -> _Steps | None:
    end_ns = trace.end_ns
    if not trace.lanes or end_ns <= trace.t0_ns:
        return None
    points = [((ns - trace.t0_ns) / 1e6, level) for ns, level in in_flight_steps(trace)]
    peak_ms, peak = 0.0, 0
    for ms, level in points:
        if level > peak:
            peak_ms, peak = ms, level
    return _Steps(points, (end_ns - trace.t0_ns) / 1e6, peak, peak_ms)


# -- the panel ---------------------------------------------------------------------------------


class QtMetrics(QWidget):
    """A run's figures in big numbers, two a row, above its latency and in-flight plots.

    Each value is a ``QLabel`` named ``value_<key>`` (keys in :data:`METRICS`); its caption
    and the value share a one-sentence tooltip.

    Parameters
    ----------
    trace
        The run to show, or ``None`` for an empty panel.
    summary
        Its figures; ``None`` computes them with :func:`simulator.metrics.summary.summarize`.

    Attributes
    ----------
    trace : Trace | None
        The run shown.
    summary : Summary | None
        Its figures.
    histogram : QtLatencyHistogram
    in_flight : QtInFlightPlot
    """

    #: How much larger than the panel's font the values are.
    VALUE_SCALE = 1.6

    def __init__(
        self,
        trace: Trace | None = None,
        summary: Summary | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.trace: Trace | None = None
        self.summary: Summary | None = None
        self._values: dict[str, QLabel] = {}
        self._captions: dict[str, QLabel] = {}

        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(2)
        for i, (key, caption, tip) in enumerate(METRICS):
            row, col = (i // 2) * 2, i % 2
            caption_label = QLabel(caption, self)
            caption_label.setObjectName(f"caption_{key}")
            value_label = QLabel(_EMPTY, self)
            value_label.setObjectName(f"value_{key}")
            value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            for label in (caption_label, value_label):
                label.setToolTip(tip)
            grid.addWidget(caption_label, row, col)
            grid.addWidget(value_label, row + 1, col)
            if row:  # a little air between one figure and the caption of the next
                caption_label.setContentsMargins(0, 8, 0, 0)
            self._captions[key] = caption_label
            self._values[key] = value_label

        self.histogram = QtLatencyHistogram(parent=self)
        self.in_flight = QtInFlightPlot(parent=self)

        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.histogram, 1)
        layout.addWidget(self.in_flight, 1)
        self._update_fonts()
        if trace is not None:
            self.set_trace(trace, summary)

    def set_trace(self, trace: Trace, summary: Summary | None = None) -> None:
        """Show ``trace`` (finished or partial) with its figures, computed if not given."""
        self.trace = trace
        self.summary = summary if summary is not None else summarize(trace)
        self._update_values()
        self.histogram.set_trace(trace)
        self.in_flight.set_trace(trace)

    def clear(self) -> None:
        """Show no run: dashes for the figures, empty plots."""
        self.trace = None
        self.summary = None
        self._update_values()
        self.histogram.set_trace(None)
        self.in_flight.set_trace(None)

    def value_text(self, key: str) -> str:
        """The text shown for the figure ``key`` (see :data:`METRICS`)."""
        return self._values[key].text()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._update_fonts()
        super().changeEvent(event)

    def _update_fonts(self) -> None:
        """Values follow the panel's font (presentation mode enlarges it), larger and bold."""
        font = QFont(self.font())
        size = font.pointSizeF()
        if size > 0:
            font.setPointSizeF(size * self.VALUE_SCALE)
        else:
            font.setPixelSize(round(font.pixelSize() * self.VALUE_SCALE))
        font.setBold(True)
        for label in self._values.values():
            label.setFont(font)
        if self.layout() is not None:
            # The labels' new size hints reach the grid only once it is laid out again.
            self.layout().invalidate()
        self.updateGeometry()

    def _update_values(self) -> None:
        s, trace = self.summary, self.trace
        if s is None or trace is None:
            texts = dict.fromkeys(self._values, _EMPTY)
        else:
            running = s.requests - s.ok - s.failed - s.cancelled
            texts = {
                "makespan": format_ms(s.makespan_ms),
                "throughput": format_rate(s.throughput_rps),
                "peak_in_flight": format_count(s.peak_in_flight),
                "threads_used": format_count(s.threads_used),
                "loop_blocked": (
                    format_ms(s.loop_blocked_ms) if trace.loop_thread is not None else "no loop"
                ),
                "framework": format_ms(s.framework_ms_per_request),
                "ok": format_count(s.ok),
                "failed": format_count(s.failed),
                "cancelled": format_count(s.cancelled),
                "requests": format_count(s.requests)
                + (f" ({format_count(running)} running)" if running else ""),
            }
            finished = s.ok + s.failed
            for q in ("p50", "p95", "p99", "max"):
                texts[q] = format_ms(s.latency_ms[q]) if finished else _EMPTY
        for key, text in texts.items():
            self._values[key].setText(text)
        # An empty palette inherits the theme; only a non-zero failed count turns red.
        palette = QPalette()
        if s is not None and s.failed:
            palette.setColor(QPalette.ColorRole.WindowText, _FAILED_COLOR)
        self._values["failed"].setPalette(palette)
