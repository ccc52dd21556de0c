"""The metrics panel: a run's figures as big numbers, above two small plots.

:class:`QtMetrics` shows the :class:`~simulator.metrics.summary.Summary` of the trace the
session's :class:`~app.session.figures.Figures` has on screen, in a two-column grid readable
from the back of a classroom, above a :class:`QtLatencyHistogram` and a
:class:`QtInFlightPlot` (:mod:`app.widgets.metric_plots`). Captions, tooltips and how each
value is written come from the one table of figures, :mod:`simulator.metrics.figures`; the
panel adds only what it shows where a figure has no value yet.

It keeps no run: it redraws when ``figures.events.shown`` fires, reading ``figures.shown``
(a live run's snapshots a few times a second, a replay's cut, a prediction).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from app.fonts import scaled_font
from app.session.figures import Figures, Shown
from app.widgets.metric_plots import QtInFlightPlot, QtLatencyHistogram
from simulator.metrics.figures import (
    EMPTY,
    FIGURES,
    Figure,
    format_count,
    format_ms,
    format_rate,
    loop_not_watched,
)
from simulator.scenario import Scenario

__all__ = [
    "METRICS",
    "QtInFlightPlot",
    "QtLatencyHistogram",
    "QtMetrics",
    "format_count",
    "format_ms",
    "format_rate",
]

#: The figures the panel shows, in reading order (two a row): all of them.
METRICS: tuple[Figure, ...] = FIGURES

#: What a caption or a line of figures carries when the figures are the model's.
PREDICTED = "(predicted)"

#: A red that reads on light and dark backgrounds, for a non-zero failed count.
_FAILED_COLOR = QColor("#e5484d")


class QtMetrics(QWidget):
    """A run's figures in big numbers, two a row, above its latency and in-flight plots.

    Each value is a ``QLabel`` named ``value_<key>`` and each caption ``caption_<key>``,
    keyed as :data:`METRICS` (the ``Summary`` field names); both carry the figure's tooltip.

    Parameters
    ----------
    figures
        What the figures show (the session's); the panel follows its events.

    Attributes
    ----------
    histogram : QtLatencyHistogram
    in_flight : QtInFlightPlot
    """

    #: How much larger than the panel's font the values are.
    VALUE_SCALE = 1.6

    def __init__(
        self,
        figures: Figures,
        parent: QWidget | None = None,
        *,
        scenario_of: Callable[[Shown], Scenario | None] = lambda shown: None,
    ) -> None:
        super().__init__(parent)
        self._figures = figures
        #: The dials of the run whose figures are shown: what its loop figure says without a
        #: loop watched (WSGI has none; uvicorn's are in other processes).
        self._scenario_of = scenario_of
        self._values: dict[str, QLabel] = {}
        self._captions: dict[str, QLabel] = {}

        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(2)
        for i, figure in enumerate(METRICS):
            key = figure.key
            row, col = (i // 2) * 2, i % 2
            caption_label = QLabel(figure.caption, self)
            caption_label.setObjectName(f"caption_{key}")
            value_label = QLabel(EMPTY, self)
            value_label.setObjectName(f"value_{key}")
            value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            for label in (caption_label, value_label):
                label.setToolTip(figure.tooltip)
            grid.addWidget(caption_label, row, col)
            grid.addWidget(value_label, row + 1, col)
            if row:  # a little air between one figure and the caption of the next
                caption_label.setContentsMargins(0, 8, 0, 0)
            self._captions[key] = caption_label
            self._values[key] = value_label

        self.histogram = QtLatencyHistogram(figures, parent=self)
        self.in_flight = QtInFlightPlot(figures, parent=self)

        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.histogram, 1)
        layout.addWidget(self.in_flight, 1)
        self._update_fonts()
        self._update_values()
        figures.events.shown.connect(self._on_shown)

    def _on_shown(self, plots: bool) -> None:
        """Other figures (or none) on screen: the values now (the plots draw themselves)."""
        self._update_values()

    def value_text(self, key: str) -> str:
        """The text shown for the figure ``key`` (a key of :data:`METRICS`)."""
        return self._values[key].text()

    def caption_text(self, key: str) -> str:
        """The caption shown above the figure ``key``."""
        return self._captions[key].text()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._update_fonts()
        super().changeEvent(event)

    def _update_fonts(self) -> None:
        """Values follow the panel's font (presentation mode enlarges it), larger and bold."""
        font = scaled_font(self.font(), self.VALUE_SCALE, bold=True)
        for label in self._values.values():
            label.setFont(font)
        layout = self.layout()
        if layout is not None:
            # The labels' new size hints reach the grid only once it is laid out again.
            layout.invalidate()
        self.updateGeometry()

    def _update_values(self) -> None:
        shown = self._figures.shown  # read now: the panel keeps no run of its own
        s = shown.summary if shown is not None else None
        captions = {figure.key: figure.caption for figure in METRICS}
        tips = {figure.key: figure.tooltip for figure in METRICS}
        if shown is None or s is None:
            texts = dict.fromkeys(self._values, EMPTY)
        else:
            texts = {figure.key: figure.text(s) for figure in METRICS}
            for figure in METRICS:
                # (no count: "Answered"; no peak's "so far": the captions' room, review47)
                captions[figure.key] += figure.so_far(shown.counting, peaks=False)
            if shown.trace.loop_thread is None:
                # In a value cell's room (the whole line, wider, pushed the panel's two
                # columns past the dock's edge at 1080p); the tooltip says the whole of it.
                unwatched = loop_not_watched(self._scenario_of(shown))
                texts["loop_blocked_ms"] = unwatched.value
                tips["loop_blocked_ms"] = f"{unwatched.line}. {tips['loop_blocked_ms']}"
            # Sent, not answered yet: queued or running, the lanes say which ("7 running"
            # beside "6 queued" and one busy worker read as seven at work). In the caption:
            # "10 000 (9 998 …)" in the values' large type was cut off.
            in_flight = s.requests - s.ok - s.failed - s.cancelled
            if in_flight:
                captions["requests"] += f" ({format_count(in_flight)} in flight)"
        for key, text in texts.items():
            self._values[key].setText(text)
        suffix = f" {PREDICTED}" if shown is not None and shown.predicted else ""
        for key, tip in tips.items():
            self._values[key].setToolTip(tip)
        for key, caption in captions.items():
            self._captions[key].setText(caption + suffix)
        # An empty palette inherits the theme; only a non-zero failed count turns red.
        palette = QPalette()
        if s is not None and s.failed:
            palette.setColor(QPalette.ColorRole.WindowText, _FAILED_COLOR)
        self._values["failed"].setPalette(palette)
