"""The data behind the metrics panel's two plots, computed from a trace with no Qt.

As napari's ``HistogramModel`` computes bins for ``QtHistogramWidget``, this module computes
the latency histogram and the requests-in-flight step line; the panel only draws them. Both
are plain frozen dataclasses, so tests read them without a window, and a live run that
redraws every few hundred milliseconds computes each once per partial trace.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simulator.metrics.summary import in_flight_steps, percentile
from simulator.trace.data import Trace

__all__ = ["HISTOGRAM_BINS", "InFlight", "LatencyHistogram", "in_flight", "latency_histogram"]

#: Bars in a latency histogram: enough to see a staircase, few enough to read from the back.
HISTOGRAM_BINS = 20


@dataclass(frozen=True, slots=True)
class LatencyHistogram:
    """How many finished requests took each latency, over ``[0, hi_ms)`` in equal bins.

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
    def finished(self) -> int:
        """Requests counted: those that got an answer (or an error)."""
        return sum(self.counts)

    @property
    def lefts_ms(self) -> tuple[float, ...]:
        """Where each bin starts."""
        return tuple(i * self.bin_ms for i in range(len(self.counts)))


@dataclass(frozen=True, slots=True)
class InFlight:
    """Requests in flight (sent, not yet answered) over a run, in ms from the first send.

    Attributes
    ----------
    points
        ``(ms, requests in flight from then on)`` at every send and answer, in time order.
    end_ms
        The makespan: where the plot's time axis ends.
    peak, peak_ms
        The most requests in flight at once, and when that was first reached.
    """

    points: tuple[tuple[float, int], ...]
    end_ms: float
    peak: int
    peak_ms: float

    def step_line(self) -> tuple[list[float], list[float]]:
        """``(xs, ys)`` of the step line from ``(0, 0)`` to ``(end_ms, last level)``: each
        change is a vertical segment at its moment."""
        xs, ys = [0.0], [0.0]
        level = 0
        for ms, new_level in self.points:
            xs += [ms, ms]
            ys += [float(level), float(new_level)]
            level = new_level
        xs.append(self.end_ms)
        ys.append(float(level))
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
    """The histogram of finished requests' latencies; ``None`` when none has finished.

    Only lanes whose status is ``"ok"`` or ``"error"`` count: running and cancelled requests
    have no latency. The axis starts at 0 so that runs stay comparable at a glance.
    """
    latencies = sorted(
        lane.latency_ns / 1e6 for lane in trace.lanes if lane.status in ("ok", "error")
    )
    if not latencies:
        return None
    longest = max(latencies[-1], 1e-3)
    quarter = _nice_step(longest) / 4
    hi = math.ceil(longest / quarter + 1e-9) * quarter  # a little past the slowest request
    width = hi / bins
    counts = [0] * bins
    for ms in latencies:
        counts[min(int(ms / width), bins - 1)] += 1
    return LatencyHistogram(tuple(counts), hi, percentile(latencies, 50), percentile(latencies, 95))


def in_flight(trace: Trace) -> InFlight | None:
    """Requests in flight over ``trace``; ``None`` when it has no time span yet."""
    end_ns = trace.end_ns
    if not trace.lanes or end_ns <= trace.t0_ns:
        return None
    points = tuple(((ns - trace.t0_ns) / 1e6, level) for ns, level in in_flight_steps(trace))
    peak_ms, peak = 0.0, 0
    for ms, level in points:
        if level > peak:
            peak_ms, peak = ms, level
    return InFlight(points, (end_ns - trace.t0_ns) / 1e6, peak, peak_ms)
