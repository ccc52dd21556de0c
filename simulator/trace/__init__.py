"""What a run measured: lanes of timed segments (``data``) of a :class:`Kind` (``kinds``), the
loop's busy intervals (``intervals``), how a probe becomes a lane (``lanes``) and the finished
``Run``."""

from simulator.trace.data import Lane, Segment, Status, Trace
from simulator.trace.intervals import IntervalSet, loop_holding_intervals
from simulator.trace.kinds import (
    CLIENT_THREAD,
    FAILED_LABEL,
    HOLDS_THREAD,
    KIND_LABELS,
    KINDS,
    LOOP_BLOCKED_MS,
    LOOP_THREAD,
    NOT_HELD_BY_VIEW,
    QUEUE_THREAD,
    Kind,
    server_thread,
    split_server_thread,
)
from simulator.trace.lanes import build_lane
from simulator.trace.run import Run

__all__ = [
    "CLIENT_THREAD",
    "FAILED_LABEL",
    "HOLDS_THREAD",
    "KINDS",
    "KIND_LABELS",
    "LOOP_BLOCKED_MS",
    "LOOP_THREAD",
    "NOT_HELD_BY_VIEW",
    "QUEUE_THREAD",
    "IntervalSet",
    "Kind",
    "Lane",
    "Run",
    "Segment",
    "Status",
    "Trace",
    "build_lane",
    "loop_holding_intervals",
    "server_thread",
    "split_server_thread",
]
