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


@dataclass(frozen=True, slots=True)
class Run:
    """A finished (or stopped) run: its dials, its trace and its figures."""

    scenario: Scenario
    trace: Trace
    summary: Summary
    stopped: bool = False
