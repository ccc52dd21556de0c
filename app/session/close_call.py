"""A close call's runs, said: which run of its side each panel shows, and why it runs again.

When one run of each side does not tell a winner from noise (the comparison protocol,
:func:`~simulator.metrics.comparison.rerun_reason`), the session runs A and B again, in
turns. Played live with no word, A's lanes started again from 0, the status line read
"Running A… 2 of 8" and B's finished picture went blank under "B runs after A.": a class
took it for a run that broke and restarted, and at the reveal saw A's median run (162 ms)
where it had watched another (194 ms) live. This module is the one place that says it: the
status line's lead while a re-run goes (:func:`status_lead`), each side's title
(:func:`side_state`: "run 2 of 3, the median"), and which run a side's panel shows meanwhile
(:func:`on_screen`, for its lanes, the key and the figure line alike). The window only draws
what these return.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.metrics.comparison import EXTRA_RUNS
from simulator.trace import Run

from .model import Session
from .state import Side

__all__ = ["WHY", "RunNumber", "on_screen", "run_number", "side_state", "status_lead", "waits"]

#: Why a side runs again, in a class's words.
WHY = "to tell a winner from noise"


@dataclass(frozen=True, slots=True)
class RunNumber:
    """Which run of a close call's a side's panel shows or runs: ``number`` of ``of``."""

    number: int
    of: int
    #: The run is going now.
    going: bool = False
    #: The side it runs again after (its earlier run stays on screen meanwhile).
    again: Side | None = None
    #: Every run is in and this one is the side's median: the verdict's number.
    median: bool = False

    @property
    def words(self) -> str:
        """What the side's title says of it: "run 2 of 3, the median"."""
        said = f"run {self.number} of {self.of}"
        if self.going:
            return f"{said}, {WHY}"
        if self.again is not None:
            return f"{said}, runs again after {self.again.upper()}"
        return f"{said}, the median" if self.median else said


def _ahead(session: Session) -> list[Side]:
    """The sides still to run in the comparison going on: the one running, then those queued."""
    if not session.sampling:
        return []
    running = [session.running_side] if session.running_side is not None else []
    return running + list(session.queued)


def run_number(session: Session, side: Side) -> RunNumber | None:
    """Which run of a close call's ``side`` shows or runs; ``None`` when each side has (or
    will have) one run, or the side shows a run of no comparison."""
    ahead = _ahead(session)
    if max(len(session.samples[s]) + ahead.count(s) for s in Side) < 2:
        return None
    each = 1 + EXTRA_RUNS  # (a close call runs each side this many times in all)
    samples = session.samples[side]
    if side is session.running_side:
        return RunNumber(len(samples) + 1, each, going=True) if session.sampling else None
    shown = session.runs[side]
    index = next((i for i, run in enumerate(samples) if run is shown), None)
    if index is None:
        return None
    every = [run for runs in session.samples.values() for run in runs]
    median = not ahead and len(samples) == each and not any(run.stopped for run in every)
    again = side.other if side in ahead else None
    return RunNumber(index + 1, each, again=again, median=median)


def side_state(session: Session, side: Side, state: str = "") -> str:
    """A side's state for its title: which run of a close call's it is, then ``state``
    ("running…", "stopped"); just ``state`` outside a close call."""
    number = run_number(session, side)
    if number is None:
        return state
    return f"{number.words}: {state}" if state else number.words


def status_lead(session: Session, side: Side, text: str) -> str:
    """The status line's ``text`` of a running side ("Running A… 3 of 8 requests
    answered"), led by which run of a close call's it is and why it runs again."""
    number = run_number(session, side)
    if number is None or not number.going:
        return text
    return f"Run {number.number} of {number.of} of A and B, {WHY}. {text}"


def waits(session: Session, side: Side) -> bool:
    """Whether ``side`` is queued with no run of this comparison yet (B while A first runs):
    its panel is then empty ("B runs after A."), a last comparison's lanes not beside the
    new A. Queued to run again, a side keeps its last run on screen, never blanked, its title
    saying which run it is (lesson 16: B's picture went blank as A ran again)."""
    run = session.runs[side]
    return side in session.queued and not any(kept is run for kept in session.samples[side])


def on_screen(session: Session, side: Side) -> Run | None:
    """The run on ``side``'s panel (``None``: not run, running, or it :func:`waits`)."""
    return None if waits(session, side) else session.runs[side]
