"""The data behind the metrics panel's two plots, computed from a trace with no Qt.

As napari's ``HistogramModel`` computes bins for ``QtHistogramWidget``, this module computes
the latency histogram and the requests-in-flight step line; the panel only draws them. Both
are plain frozen dataclasses, so tests read them without a window, and a live run that
redraws a few times a second computes each once per partial trace, from the trace's lane
columns (numpy: no Python loop over 10,000 lanes or their 20,000 steps).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from simulator.metrics.summary import in_flight_arrays, percentile
from simulator.trace.data import Trace

__all__ = ["HISTOGRAM_BINS", "InFlight", "LatencyHistogram", "in_flight", "latency_histogram"]

#: Bars in a latency histogram: enough to see a staircase, few enough to read from the back.
HISTOGRAM_BINS = 20


@dataclass(frozen=True, slots=True)
class LatencyHistogram:
    """How many answered requests took each latency, over ``[0, hi_ms)`` in equal bins.

    Attributes
    ----------
    counts
        Requests per bin; bin ``i`` holds latencies in ``[i * bin_ms, (i + 1) * bin_ms)``
        (the slowest request lands in the last bin).
    hi_ms
        Where the axis ends: a little past the slowest request, on a round number.
    p50_ms, p95_ms
        The quantiles the plot marks.
    """

    counts: tuple[int, ...]
    hi_ms: float
    p50_ms: float
    p95_ms: float

    @property
    def bin_ms(self) -> float:
        """The width of one bin."""
        return self.hi_ms / len(self.counts)

    @property
    def answered(self) -> int:
        """Requests counted: those the server answered (any status, a 500 too)."""
        return sum(self.counts)

    @property
    def lefts_ms(self) -> tuple[float, ...]:
        """Where each bin starts."""
        return tuple(i * self.bin_ms for i in range(len(self.counts)))


@dataclass(frozen=True, slots=True, eq=False)
class InFlight:
    """Requests in flight (sent, not yet answered) over a run, in ms from the first send.

    Attributes
    ----------
    ms, levels
        At every send and answer, in time order: when (ms) and how many requests were in
        flight from then on. Live, a request still running has no answer yet.
    end_ms
        The makespan (live: now): where the plot's time axis ends.
    peak, peak_ms
        The most requests in flight at once, and when that was first reached.
    """

    ms: npt.NDArray[np.float64]
    levels: npt.NDArray[np.int64]
    end_ms: float
    peak: int
    peak_ms: float

    @property
    def points(self) -> tuple[tuple[float, int], ...]:
        """``(ms, requests in flight from then on)`` at every send and answer."""
        return tuple(zip(self.ms.tolist(), self.levels.tolist(), strict=True))

    def step_line(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """``(xs, ys)`` of the step line from ``(0, 0)`` to ``(end_ms, last level)``: each
        change is a vertical segment at its moment."""
        n = len(self.ms)
        xs, ys = np.empty(2 * n + 2), np.empty(2 * n + 2)
        xs[0], ys[0] = 0.0, 0.0
        xs[1:-1:2] = xs[2:-1:2] = self.ms
        ys[2:-1:2] = self.levels
        ys[1:-1:2] = np.concatenate([[0], self.levels[:-1]])
        xs[-1], ys[-1] = self.end_ms, self.levels[-1] if n else 0.0
        return xs, ys

    def drawn_line(self, columns: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """:meth:`step_line` for a plot ``columns`` pixels wide: per column of ``end_ms /
        columns`` ms, one vertical stroke at its first step over the lowest and highest level
        it held, ending at its last. It draws the same pixels as the exact line at a few
        points a column (a burst of 10,000 steps costs no more than one), and, unlike a
        downsampling that assumes evenly spaced points (pyqtgraph's), keeps the last steps:
        a live line reaches "now" as the lanes do."""
        if not len(self.ms):
            return self.step_line()
        width = max(self.end_ms, 1e-9) / max(columns, 1)
        column = np.floor(self.ms / width).astype(np.int64)
        first = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
        at = self.ms[first]
        low = np.minimum.reduceat(self.levels, first)
        high = np.maximum.reduceat(self.levels, first)
        last = self.levels[np.r_[first[1:], len(self.levels)] - 1]
        before = np.r_[0, last[:-1]]
        xs = np.concatenate([[0.0], np.repeat(at, 4), [self.end_ms]])
        ys = np.empty(4 * len(first) + 2)
        ys[0], ys[-1] = 0.0, last[-1]
        ys[1:-1] = np.stack([before, low, high, last], axis=1).ravel()
        return xs, ys


def _nice_step(span: float, max_intervals: int = 4) -> float:
    """The smallest step of 1, 2 or 5 × 10^k that cuts ``span`` into at most
    ``max_intervals`` pieces."""
    power = math.floor(math.log10(max(span, 1e-9) / 10))
    while True:
        for m in (1, 2, 5):
            step = m * 10.0**power
            if math.floor(span / step + 1e-9) <= max_intervals:
                return step
        power += 1


def latency_histogram(trace: Trace, bins: int = HISTOGRAM_BINS) -> LatencyHistogram | None:
    """The histogram of answered requests' latencies; ``None`` when none was answered.

    Only the answers count (``LaneColumns.answered``, a 500 among them): running, cancelled
    and refused or timed-out requests have no latency. The axis starts at 0 so that runs
    stay comparable at a glance.
    """
    lanes = trace.lane_columns
    answered = lanes.answered
    latencies = np.sort((lanes.done_ns[answered] - lanes.sent_ns[answered]) / 1e6)
    if not len(latencies):
        return None
    longest = max(float(latencies[-1]), 1e-3)
    quarter = _nice_step(longest) / 4
    hi = math.ceil(longest / quarter + 1e-9) * quarter  # a little past the slowest request
    width = hi / bins
    counts = np.bincount(np.minimum((latencies / width).astype(np.int64), bins - 1), None, bins)
    ordered = latencies.tolist()
    return LatencyHistogram(
        tuple(counts.tolist()), hi, percentile(ordered, 50), percentile(ordered, 95)
    )


def in_flight(trace: Trace) -> InFlight | None:
    """Requests in flight over ``trace``; ``None`` when it has no time span yet."""
    end_ns = trace.end_ns
    if not trace.lanes or end_ns <= trace.t0_ns:
        return None
    times, levels = in_flight_arrays(trace)
    ms = (times - trace.t0_ns) / 1e6
    top = int(np.argmax(levels)) if len(levels) else 0
    peak = max(0, int(levels[top])) if len(levels) else 0
    return InFlight(ms, levels, (end_ns - trace.t0_ns) / 1e6, peak, float(ms[top]) if peak else 0.0)
