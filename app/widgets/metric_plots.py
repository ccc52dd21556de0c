"""The metrics panel's two plots, drawn by pyqtgraph from data the engine computed.

:class:`QtLatencyHistogram` draws a :class:`~simulator.metrics.plots.LatencyHistogram` and
:class:`QtInFlightPlot` an :class:`~simulator.metrics.plots.InFlight`; neither computes
anything but where to put it. pyqtgraph draws the axes, ticks and labels (time axes in
seconds with its SI prefixes, so a 200 ms run reads in ms and a 5 s run in s).

Colours come from the widget's palette, which :func:`app.theme.apply_theme` fills from the
light or dark :class:`~app.theme.Theme` (Window, WindowText, Highlight for the data, Mid for
the grid): a palette change restyles the plot. Text follows the widget's font, so
presentation mode's larger font reaches the ticks and titles too.

Neither keeps a run: both follow the session's :class:`~app.session.figures.Figures` and read
the trace it shows when they draw (live, only when its event says the plots are due).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPalette, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.session.figures import Figures
from simulator.metrics.figures import format_count, format_ms
from simulator.metrics.plots import InFlight, LatencyHistogram, in_flight, latency_histogram
from simulator.trace import Trace

__all__ = ["QtInFlightPlot", "QtLatencyHistogram"]

#: Bars fill this much of their bin, so neighbours stay apart.
_BAR_FILL = 0.9
#: Room above the in-flight line's highest step (the histogram works its headroom out in pixels).
_HEADROOM = 1.18


class _CountAxis(pg.AxisItem):
    """An axis of counts: whole-number ticks only, written as the figures write counts."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float):
        levels = [(s, o) for s, o in super().tickSpacing(minVal, maxVal, size) if s >= 1]
        return [(float(round(s)), o) for s, o in levels if s == round(s)] or [(1.0, 0.0)]

    def tickStrings(self, values, scale, spacing):
        return [format_count(round(v)) for v in values]


class _QtPlot(pg.PlotWidget):
    """What both plots share: no mouse interaction, palette and font following, size hints,
    and the mapping from data to the widget's pixels."""

    #: False while pyqtgraph builds the widget: its palette changes come before the plot.
    _built = False

    def __init__(self, figures: Figures, tooltip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, axisItems={"left": _CountAxis("left")})
        self._figures = figures
        item = self.getPlotItem()
        item.hideButtons()
        item.setMenuEnabled(False)
        item.setMouseEnabled(x=False, y=False)
        item.getViewBox().disableAutoRange()
        item.showGrid(y=True, alpha=1.0)
        # The grid under the data: drawn by the axis over the view (pyqtgraph's z 0.5), its
        # lines struck through the p50/p95 labels and the bars.
        item.getAxis("left").setZValue(-1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip(tooltip)
        self._title = ""
        self._built = True
        self._restyle()
        self._draw()
        figures.events.shown.connect(self._on_shown)

    def _on_shown(self, plots: bool) -> None:
        if plots:  # live, the figures are redrawn more often than the plots
            self._draw()

    def _draw(self) -> None:
        self._update_data()
        self.getPlotItem().layout.activate()  # pixels follow now, not on the next event

    def _trace(self) -> Trace | None:
        """The trace the figures show now (finished, partial, or ``None``: an empty plot)."""
        shown = self._figures.shown
        return shown.trace if shown is not None else None

    def _update_data(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _colors(self) -> tuple[QColor, QColor, QColor, QColor]:
        """(text, background, data, grid) from the palette."""
        pal = self.palette()
        return (
            pal.color(QPalette.ColorRole.WindowText),
            pal.color(QPalette.ColorRole.Window),
            pal.color(QPalette.ColorRole.Highlight),
            pal.color(QPalette.ColorRole.Mid),
        )

    def _set_title(self, text: str) -> None:
        self._title = text
        font = QFont(self.font())
        item = self.getPlotItem()
        size = font.pointSizeF() if font.pointSizeF() > 0 else font.pixelSize() * 0.75
        item.setTitle(text, color=self._colors()[0], size=f"{size:g}pt", bold=True)
        height = QFontMetricsF(font).height() * 1.6
        item.titleLabel.setMaximumHeight(height)
        item.layout.setRowFixedHeight(0, height)

    def _restyle(self) -> None:
        """Colours from the palette, text in the widget's font; then the data's own items."""
        text, background, _, grid = self._colors()
        self.setBackground(background)
        font = QFont(self.font())
        fm = QFontMetricsF(font)
        for name in ("left", "bottom"):
            axis = self.getPlotItem().getAxis(name)
            axis.setPen(pg.mkPen(grid if name == "left" else text))
            axis.setTextPen(pg.mkPen(text))
            axis.setStyle(tickFont=font, tickTextOffset=round(fm.height() * 0.3))
            axis.label.setFont(font)
        # Fixed sizes: live updates change the labels, and the plot must not jump; a larger
        # font (presentation mode) makes room for its ticks and the unit under them.
        self.getPlotItem().getAxis("left").setWidth(round(fm.horizontalAdvance("00 000") * 1.2))
        self.getPlotItem().getAxis("bottom").setHeight(round(fm.height() * 2.3 + 8))
        self._set_title(self._title)
        self._restyle_data()

    def _restyle_data(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if self._built and event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self._restyle()
            self._update_data()
            self.updateGeometry()

    def minimumSizeHint(self) -> QSize:
        fm = QFontMetricsF(self.font())
        return QSize(max(260, round(fm.averageCharWidth() * 30)), max(140, round(fm.height() * 9)))

    def sizeHint(self) -> QSize:
        fm = QFontMetricsF(self.font())
        return QSize(max(360, round(fm.averageCharWidth() * 42)), max(200, round(fm.height() * 12)))

    def _pixel(self, x: float, y: float) -> QPointF:
        """Where the data point ``(x, y)`` is drawn, in the widget's pixels."""
        scene = self.getPlotItem().getViewBox().mapViewToScene(QPointF(x, y))
        return self.viewportTransform().map(scene)


class QtLatencyHistogram(_QtPlot):
    """How long answered requests took: ~20 bars from 0 ms, with p50 and p95 marked.

    Only the server's answers count (a 500 too: ``LaneColumns.answered``): running,
    cancelled, refused and timed-out requests have no latency. The x axis starts at 0 so
    runs stay comparable at a glance.

    Parameters
    ----------
    figures
        What the figures show (the session's): the plot draws its trace.
    """

    def __init__(self, figures: Figures, parent: QWidget | None = None) -> None:
        self._bins: LatencyHistogram | None = None
        self._bars = pg.BarGraphItem(x0=[], width=1.0, height=[], pen=None)
        self._markers = [
            pg.InfiniteLine(angle=90, label=" ", labelOpts={"position": position})
            for position in (0.93, 0.93)
        ]
        super().__init__(
            figures,
            "How many answered requests took each latency (time from sending to answer). "
            "Dashed lines: p50 (half were faster) and p95.",
            parent,
        )
        item = self.getPlotItem()
        item.setLabel("bottom", "latency", units="s")
        item.addItem(self._bars)
        for marker in self._markers:
            marker.setZValue(10)
            item.addItem(marker)

    def bins(self) -> LatencyHistogram | None:
        """The histogram shown, ``None`` when no request has finished."""
        return self._bins

    def x_for(self, ms: float) -> float:
        """The x pixel of latency ``ms``."""
        return self._pixel(ms / 1000, 0).x()

    def _restyle_data(self) -> None:
        text, background, data, _ = self._colors()
        self._bars.setOpts(brush=pg.mkBrush(data))
        pen = pg.mkPen(text, width=2, style=Qt.PenStyle.DashLine)
        for marker in self._markers:
            marker.setPen(pen)
            marker.label.setColor(text)
            marker.label.fill = pg.mkBrush(background)  # a line that crosses hides behind
            marker.label.setFont(QFont(self.font()))

    def _update_data(self) -> None:
        trace = self._trace()
        self._bins = bins = latency_histogram(trace) if trace is not None else None
        view = self.getPlotItem().getViewBox()
        if bins is None:
            shown = self._figures.shown
            over = shown is not None and not shown.live and bool(shown.trace.lanes)
            # A run over with none answered (a --url where nothing listens): no "yet".
            self._set_title(
                "Latency: no request was answered" if over else "Latency: no answered requests yet"
            )
            self._bars.setVisible(False)
            for marker in self._markers:
                marker.setVisible(False)
            view.setRange(xRange=(0, 0.1), yRange=(0, 1), padding=0)
            return
        plural = "s" if bins.answered != 1 else ""
        self._set_title(f"Latency of {format_count(bins.answered)} answered request{plural}")
        width = bins.bin_ms / 1000
        self._bars.setOpts(
            x0=[left / 1000 + width * (1 - _BAR_FILL) / 2 for left in bins.lefts_ms],
            width=width * _BAR_FILL,
            height=list(bins.counts),
        )
        self._bars.setVisible(True)
        self._place_markers()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._built and self._bins is not None:
            self._place_markers()

    def _place_markers(self) -> None:
        """The p50 and p95 labels in rows of their own above the tallest bar, never on one:
        the headroom is worked out in pixels, from the labels' height and the plot's (a
        fixed share of the counts covered bars in a short plot or a large font)."""
        bins = self._bins
        if bins is None:
            return
        item = self.getPlotItem()
        if item is None:  # closing
            return
        item.layout.activate()
        view = item.getViewBox()
        height = max(view.sceneBoundingRect().height(), 1.0)
        # p50 left of its line, p95 right of it; near the right edge p95 turns left too,
        # one row lower, so neither is cut off nor covers the other. A p50 too near the left
        # edge for its label (many fast answers, a few slow: "p50 2.73 ms" read "3 ms") turns
        # right, and p95 drops a row if it would run into it.
        placed = ((self._markers[0], "p50", bins.p50_ms), (self._markers[1], "p95", bins.p95_ms))
        for marker, name, ms in placed:
            marker.setVisible(True)  # first: a hidden label does not take new text
            marker.setPos(ms / 1000)
            marker.label.format = f"{name} {format_ms(ms)}"
            marker.label.valueChanged()
        box = view.sceneBoundingRect()
        x50, x95 = (box.width() * ms / bins.hi_ms for _, _, ms in placed)
        w50 = self._markers[0].label.textItem.boundingRect().width() * 1.05 + 2
        p50_left = x50 >= w50
        p95_left = bins.p95_ms > bins.hi_ms * 0.7
        lower = p95_left or (not p50_left and x95 < x50 + w50)
        for (marker, *_), left in zip(placed, (p50_left, p95_left), strict=True):
            marker.label.anchors = [(1.05, 0.5)] * 2 if left else [(-0.05, 0.5)] * 2
            marker.label.valueChanged()
        # A label's drawn rectangle is a pixel or two taller than its text: rows keep apart.
        row = max(marker.label.textItem.boundingRect().height() for marker in self._markers) + 2
        rows = 2 if lower else 1
        # The bars' share of the height: what the label rows (and a gap) leave them.
        bars_share = max(0.3, 1 - (rows * row + 3) / height)
        view.setRange(
            xRange=(0, bins.hi_ms / 1000), yRange=(0, max(bins.counts) / bars_share), padding=0
        )
        for (marker, *_), down in zip(placed, (False, lower), strict=True):
            marker.label.orthoPos = 1 - row * (1.5 if down else 0.5) / height
            marker.label.valueChanged()

    def marker_label_rects(self) -> list[QRectF]:
        """Where the p50 and p95 labels are drawn, in the widget's pixels (for a test)."""
        rects = []
        for marker in self._markers:
            if marker.isVisible():
                scene = marker.label.sceneBoundingRect()
                rects.append(self.mapFromScene(scene).boundingRect().toRectF())
        return rects


class QtInFlightPlot(_QtPlot):
    """How many requests were in flight (sent, not yet answered) over the run, as a step line.

    The x axis runs from the first send to the makespan, the y axis from 0 to the peak.

    Parameters
    ----------
    figures
        What the figures show (the session's): the plot draws its trace.
    """

    def __init__(self, figures: Figures, parent: QWidget | None = None) -> None:
        self._steps: InFlight | None = None
        self._line = pg.PlotDataItem([], [], fillLevel=0)
        super().__init__(
            figures,
            "Requests sent but not yet answered, over the run. Under ASGI they pile up "
            "cheaply; a WSGI server can only work on one per worker thread.",
            parent,
        )
        item = self.getPlotItem()
        item.setLabel("bottom", "time since the first send", units="s")
        item.addItem(self._line)

    def steps(self) -> InFlight | None:
        """The steps shown, ``None`` when the trace has no time span."""
        return self._steps

    def x_for(self, ms: float) -> float:
        """The x pixel of ``ms`` after the first send."""
        return self._pixel(ms / 1000, 0).x()

    def y_for(self, count: float) -> float:
        """The y pixel of ``count`` requests in flight."""
        return self._pixel(0, count).y()

    def _restyle_data(self) -> None:
        data = self._colors()[2]
        fill = QColor(data)
        fill.setAlpha(70)
        self._line.setPen(pg.mkPen(data, width=2))
        self._line.setBrush(pg.mkBrush(fill))

    def _update_data(self) -> None:
        trace = self._trace()
        self._steps = steps = in_flight(trace) if trace is not None else None
        view = self.getPlotItem().getViewBox()
        if steps is None:
            self._set_title("Requests in flight: none yet")
            self._line.setData([], [])
            view.setRange(xRange=(0, 0.1), yRange=(0, 1), padding=0)
            return
        self._set_title(f"Requests in flight · peak {format_count(steps.peak)}")
        # Thousands of steps: per pixel column its lowest and highest level (pyqtgraph's own
        # downsampling dropped the last steps, so a live line lagged the lanes).
        xs, ys = steps.drawn_line(max(self.width(), 100))
        self._line.setData(xs / 1000, ys)
        view.setRange(
            xRange=(0, steps.end_ms / 1000), yRange=(0, max(steps.peak, 1) * _HEADROOM), padding=0
        )
