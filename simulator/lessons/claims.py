"""Checking a lesson's claims against what was measured, and saying so beside each claim.

A claim is data (:class:`~simulator.lessons.format.Claim`), compared here with plain
operators; nothing in a lesson file is evaluated as code. When a side was measured several
times (a close comparison is re-run), a figure's value is the median of its runs, so one
unlucky run neither makes nor breaks a claim.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median

from simulator.lessons.format import Claim
from simulator.metrics.figures import FIGURE
from simulator.trace import Run

__all__ = ["ClaimResult", "check_claim", "figure_value"]

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """A claim, whether it held, and the measured figures it was judged on, in words."""

    claim: Claim
    held: bool
    measured: str

    @property
    def line(self) -> str:
        """``held: B's makespan < 0.3 × A's — measured B 212 ms, A 1.62 s``."""
        return f"{'held' if self.held else 'FAILED'}: {self.claim.says} — measured {self.measured}"


def figure_value(figure: str, runs: Sequence[Run]) -> float:
    """``figure`` over ``runs``: the median of their values."""
    key = FIGURE[figure]
    return float(median(key.value(run.summary) for run in runs))


def _error_claim(claim: Claim, runs: Sequence[Run]) -> ClaimResult:
    assert claim.error_contains is not None
    lanes = [lane for run in runs for lane in run.trace.lanes]
    matching = [lane for lane in lanes if lane.error and claim.error_contains in lane.error]
    held = bool(lanes) and len(matching) == len(lanes)
    first_error = next((lane.error for lane in lanes if lane.error), None)
    seen = f"{len(matching)} of {len(lanes)} requests failed with {claim.error_contains!r}"
    if not held and first_error and not matching:
        seen += f" (an error read: {first_error[:80]})"
    return ClaimResult(claim, held, seen)


def check_claim(claim: Claim, runs: Mapping[str, Sequence[Run]]) -> ClaimResult:
    """Judge ``claim`` on the runs of each side (``{"A": [...], "B": [...]}``)."""
    mine = runs.get(claim.side, ())
    if not mine:
        return ClaimResult(claim, False, f"side {claim.side} was not measured")
    if claim.error_contains is not None:
        return _error_claim(claim, mine)
    assert claim.figure is not None and claim.op is not None
    key = FIGURE[claim.figure]
    value = figure_value(claim.figure, mine)
    seen = f"{claim.side} {key.name} {key.unit.format(value)}"
    if claim.times is not None:
        assert claim.of is not None
        theirs = runs.get(claim.of, ())
        if not theirs:
            return ClaimResult(claim, False, f"side {claim.of} was not measured")
        other = figure_value(claim.figure, theirs)
        bound = claim.times * other
        seen += f", {claim.of} {key.unit.format(other)} (bound {claim.times:g}× = "
        seen += f"{key.unit.format(bound)})"
    else:
        assert claim.value is not None
        bound = claim.value
        seen += f" (bound {key.unit.format(bound)})"
    return ClaimResult(claim, _COMPARE[claim.op](value, bound), seen)
