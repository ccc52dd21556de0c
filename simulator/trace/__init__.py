"""What a run measured: lanes of timed segments (``data``), the loop's busy intervals
(``intervals``), how a probe becomes a lane (``lanes``) and the finished ``Run``."""

from simulator.trace.data import HOLDS_THREAD, KINDS, Lane, Segment, Status, Trace
from simulator.trace.intervals import IntervalSet, loop_holding_intervals
from simulator.trace.lanes import build_lane
from simulator.trace.run import Run

__all__ = [
    "HOLDS_THREAD",
    "KINDS",
    "IntervalSet",
    "Lane",
    "Run",
    "Segment",
    "Status",
    "Trace",
    "build_lane",
    "loop_holding_intervals",
]
