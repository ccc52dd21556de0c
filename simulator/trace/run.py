"""A run: what was asked (the scenario), what was measured (the trace) and its figures.

It lives beside the trace, not in the hosting code, so the files that read and write runs
(exports, the session, the window) need none of the servers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.trace.data import Trace

if TYPE_CHECKING:  # the figures are computed from a trace: metrics imports this package
    from simulator.metrics.summary import Summary
    from simulator.scenario import Scenario

__all__ = ["Run"]


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Run:
    """A finished (or stopped) run: its dials, its trace and its figures.

    Weakly referable: the window keeps the model's check of a run for as long as the run
    lives, and no longer (``app.session.predictions``)."""

    scenario: Scenario
    trace: Trace
    summary: Summary
    stopped: bool = False
    #: Every request was answered, but Django's own tidying up after its answers was cut
    #: short (Ctrl+C): the lanes it was tidying end there, measured as far as it went.
    tidying_cut_short: bool = False

    def __repr__(self) -> str:
        # Short on purpose: asyncio formats the repr of a finished task's result (as
        # ``asyncio.run`` restores its SIGINT handler, Python 3.11), and a dataclass repr of a
        # 10,000-request trace is every segment: seconds and gigabytes after the last answer.
        return f"Run({self.scenario.label!r}, {self.trace!r}, stopped={self.stopped})"
