"""At a live run's last answer the window shows the answers' figures while Django tidies up,
and takes no more snapshots (each would cost ten times as much amid Django's threads, and
slow the tidying the run measures); the run's end brings the whole run."""

from __future__ import annotations

import asyncio
import dataclasses

from app.session import Session, Side
from app.session.figures import Figures
from simulator.metrics.summary import summarize
from simulator.prediction.model import predict
from simulator.scenario import Scenario
from simulator.trace import Run, Trace

SCENARIO = Scenario(view="async_io", requests=6, io_ms=100)


class _TidyingRun:
    """A run answered after a few frames, whose site then tidies up until :attr:`tidied`."""

    started = True

    def __init__(self, scenario: Scenario, *, stopped: bool = False) -> None:
        self.scenario = scenario
        self.stopping = stopped
        self.snapshots = 0
        self.snapshots_after_answer = 0
        self._answered = asyncio.Event()
        self.tidied = asyncio.Event()
        trace = predict(scenario)
        # The answers: lanes with no segments, the server's figures not measured.
        heads = tuple(dataclasses.replace(lane, segments=()) for lane in trace.lanes)
        heads_trace = Trace(trace.t0_ns, heads, trace.loop_thread)
        summary = dataclasses.replace(summarize(heads_trace), server_threads_known=False)
        self.answers_run = Run(scenario, heads_trace, summary)
        self.final = Run(scenario, trace, summarize(trace), stopped=stopped)

    def snapshot(self, now_ns: int | None = None) -> Trace:
        self.snapshots += 1
        if self._answered.is_set():
            self.snapshots_after_answer += 1
        return predict(self.scenario)

    def stop(self) -> None:
        self.stopping = True

    async def answered(self) -> None:
        await self._answered.wait()

    def answers(self) -> tuple[Run, int]:
        return self.answers_run, 4

    async def run(self) -> Run:
        while self.snapshots < 3:
            await asyncio.sleep(0.005)
        self._answered.set()
        await self.tidied.wait()
        return self.final


def _session(handles: list[_TidyingRun], stopped: bool = False) -> Session:
    def runner(scenario: Scenario) -> _TidyingRun:
        handles.append(_TidyingRun(scenario, stopped=stopped))
        return handles[-1]

    return Session(runner=runner, frame_ms=5, scenario_a=SCENARIO)


def test_at_the_last_answer_the_answers_figures_show_and_no_snapshot_is_taken_while_django_tidies():
    handles: list[_TidyingRun] = []
    session = _session(handles)
    figures = Figures(session)
    log: list[tuple] = []
    session.events.run_answered.connect(lambda *args: log.append(("answered", *args)))
    session.events.run_finished.connect(lambda *args: log.append(("finished", *args)))
    session.events.notice.connect(lambda text: log.append(("notice", text)))
    drawn_after_answer: list[int] = []
    session.events.run_progressed.connect(
        lambda side, trace, now: (
            any(e[0] == "answered" for e in log) and drawn_after_answer.append(now)
        )
    )

    async def go() -> tuple[object, int]:
        session.start()
        while not any(entry[0] == "answered" for entry in log):
            await asyncio.sleep(0.005)
        shown_while_tidying = figures.shown
        await asyncio.sleep(0.1)  # twenty frames' time: none is taken while Django tidies
        taken = handles[0].snapshots_after_answer
        handles[0].tidied.set()
        await session.wait()
        return shown_while_tidying, taken

    shown_while_tidying, taken_while_tidying = asyncio.run(go())
    handle = handles[0]
    assert taken_while_tidying <= 1  # one under way at the last answer, not drawn
    assert drawn_after_answer == []
    assert [entry[0] for entry in log] == ["answered", "notice", "notice", "finished"]
    assert log[0][1:] == (Side.A, handle.answers_run, 4)
    assert "4 answered requests" in log[1][1]
    assert log[2] == ("notice", "")  # the tidying is over
    assert shown_while_tidying is not None
    assert shown_while_tidying.trace is handle.answers_run.trace
    assert not shown_while_tidying.summary.server_threads_known
    assert figures.shown is not None and figures.shown.trace is handle.final.trace


def test_a_stopped_run_shows_no_answers_figures():
    handles: list[_TidyingRun] = []
    session = _session(handles, stopped=True)
    log: list[tuple] = []
    session.events.run_answered.connect(lambda *args: log.append(args))

    async def go() -> None:
        session.start()
        while not handles or handles[0].snapshots < 3:
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.05)
        handles[0].tidied.set()
        await session.wait()

    asyncio.run(go())
    assert log == []
    assert session.runs[Side.A] is handles[0].final
