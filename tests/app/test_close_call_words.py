"""A close call's re-runs say what they are: the status line, each side's title and panel.

Played with no word, A's second run started from 0, the status line read "Running A… 2 of
8" and B's finished picture went blank under "B runs after A.": a class took it for a run
that broke and restarted (lesson 16 at 720p), and at the reveal saw A's median run where it
had watched another live (lesson 8: 162 ms, 194 ms live). Driven here as the window drives
it, with fake runs whose makespans make the second run of each side its median.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from PySide6.QtWidgets import QMainWindow

from app.session import Session, Side
from app.session.close_call import side_state
from app.window.stage import Stage
from app.window.status import StatusLine
from simulator.scenario import Scenario
from simulator.trace import Run

from .fake_runs import FakeRun

SLOW = Scenario(view="sync_io", mode="wsgi", workers=1, requests=4, io_ms=100)
#: A, B, A, B, A, B: A's median is its last run (200 ms), B's its second (260 ms).
MAKESPANS = [300.0, 280.0, 100.0, 260.0, 200.0, 240.0]


class _Figured(FakeRun):
    """A fake run whose makespan is the figure given; the third (A's first re-run) lasts
    until the session took two snapshots, so a live frame of a re-run is drawn."""

    def __init__(self, scenario: Scenario, log: list[Scenario], makespan_ms: float):
        super().__init__(scenario, log, 0.0, frames=2 if len(log) == 2 else 0)
        self._makespan_ms = makespan_ms

    async def run(self) -> Run:
        run = await super().run()
        return replace(run, summary=replace(run.summary, makespan_ms=self._makespan_ms))


@dataclass
class Seen:
    """What the window showed at a moment: the status line, both titles, B's panel."""

    status: str
    title_a: str
    title_b: str
    b_waiting: str | None
    b_lanes: int
    a_lanes: int


def _comparing(makespans: list[float], ran: list[Scenario], frame_ms: int) -> Session:
    """A session comparing A and B, both :data:`SLOW`, whose runs measure ``makespans`` in
    turn (each run's scenario noted in ``ran``)."""
    figures = iter(makespans)
    session = Session(
        runner=lambda scenario: _Figured(scenario, ran, next(figures)),
        frame_ms=frame_ms,
        scenario_a=SLOW,
        scenario_b=SLOW,
    )
    session.set_compare(True)
    return session


def _watch(qapp) -> tuple[Session, Stage, list[Seen], list[tuple[int, Seen]]]:
    session = _comparing(list(MAKESPANS), [], frame_ms=1)
    window = QMainWindow()
    stage = Stage(session)
    status = StatusLine(window, session, closing=lambda: False)  # (kept: its slots are weak)
    started: list[Seen] = []
    frames: list[tuple[int, Seen]] = []  # (how many runs had started, what was seen)

    def seen() -> Seen:
        titles = stage.side_titles
        return Seen(
            window.statusBar().currentMessage(),
            titles[Side.A].full_text(),
            titles[Side.B].full_text(),
            stage.timeline_b.waiting_text,
            len(stage.timeline_b.rows.trace.lanes),
            len(stage.timeline.rows.trace.lanes),
        )

    # Connected after the stage's and the status line's own: what they made of the event.
    session.events.run_started.connect(lambda *_: started.append(seen()))
    session.events.run_progressed.connect(lambda *_: frames.append((len(started), seen())))
    asyncio.run(session.run())
    window.close()
    del status
    return session, stage, started, frames


def test_a_re_run_says_which_run_it_is_and_keeps_the_other_side_s_picture(qapp):
    session, stage, started, frames = _watch(qapp)
    assert len(started) == 6
    first_a, first_b, again_a, again_b = started[:4]
    # The first runs are plain: B has not run yet, and its panel says so.
    assert first_a.status.startswith("Running A…"), first_a.status
    assert first_a.b_waiting == "B runs after A." and first_a.b_lanes == 0
    assert first_b.status.startswith("Running B…"), first_b.status
    # A runs again: the status line says why, and A's title which run it is.
    lead = "Run 2 of 3 of A and B, to tell a winner from noise. Running A…"
    assert again_a.status.startswith(lead), again_a.status
    assert again_a.title_a.endswith("— run 2 of 3, to tell a winner from noise: running…")
    assert again_a.a_lanes == 0  # not A's first run's lanes under "run 2 of 3: running…"
    # B's finished picture stays, saying which run it is and that B runs again.
    assert again_a.b_waiting != "B runs after A."
    assert again_a.b_lanes == SLOW.requests
    assert again_a.title_b.endswith("— run 1 of 3, runs again after A"), again_a.title_b
    # Then B runs again beside A's second run.
    assert again_b.status.startswith("Run 2 of 3 of A and B, to tell a winner from noise.")
    assert again_b.title_a.endswith("— run 2 of 3, runs again after B"), again_b.title_a
    assert started[4].status.startswith("Run 3 of 3 of A and B"), started[4].status
    # A re-run's live frames keep the lead, the count of answers after it.
    live = [seen.status for runs, seen in frames if runs == 3]
    assert live and all(text.startswith(lead) for text in live), live
    assert all(text.endswith(f"of {SLOW.requests} requests answered") for text in live), live
    # The finished pictures are each side's median run, the verdict's, and say so: a class
    # that watched another run of A live is told why the reveal's differs.
    assert [session.runs[side].summary.makespan_ms for side in Side] == [200.0, 260.0]
    for side, number in ((Side.A, 3), (Side.B, 2)):
        title = stage.side_titles[side].full_text()
        assert title.endswith(f"— run {number} of 3, the median"), title
        assert side_state(session, side) == f"run {number} of 3, the median"


def test_sides_run_once_each_say_nothing_of_runs(qapp):
    ran: list[Scenario] = []
    session = _comparing([300.0, 100.0], ran, frame_ms=5)
    stage = Stage(session)
    asyncio.run(session.run())
    assert len(ran) == 2
    assert stage.side_titles[Side.A].full_text() == f"A: {SLOW.label}"
    assert side_state(session, Side.B, "stopped") == "stopped"
