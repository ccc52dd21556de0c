"""While Django tidies up after a run's last answer, the plots beside the answers' figures
draw those answers: not what the last live frame plotted, which could say "no finished
requests yet" beside "Succeeded 3 000" for the seconds the tidying lasts."""

from __future__ import annotations

import asyncio

import pytest

from app.session import Session
from app.session.figures import Figures
from app.widgets.metric_plots import QtInFlightPlot, QtLatencyHistogram
from simulator.trace import Trace
from tests.app.test_session_answers import SCENARIO, _TidyingRun


class _NothingAnsweredLive(_TidyingRun):
    """Its live frames show no request answered yet (a big run's last frame can be that old)."""

    def snapshot(self, now_ns: int | None = None) -> Trace:
        super().snapshot(now_ns)
        return Trace(self.final.trace.t0_ns, ())


@pytest.mark.slow  # the answers come after the session's grace (0.3 s)
def test_while_django_tidies_the_plots_draw_the_answers(qtbot):
    handles: list[_TidyingRun] = []

    def runner(scenario):
        handles.append(_NothingAnsweredLive(scenario))
        return handles[-1]

    session = Session(runner=runner, frame_ms=5, scenario_a=SCENARIO)
    figures = Figures(session)
    latency, in_flight = QtLatencyHistogram(figures), QtInFlightPlot(figures)
    qtbot.addWidget(latency)
    qtbot.addWidget(in_flight)
    seen: list[tuple[str, str]] = []

    async def go() -> None:
        session.start()
        while not handles or not handles[0].answered_now:
            await asyncio.sleep(0.005)
        assert latency._title == "Latency: no answered requests yet"  # as the frames left it
        while figures.shown is None or figures.shown.trace is not handles[0].answers_run.trace:
            await asyncio.sleep(0.005)
        seen.append((latency._title, in_flight._title))
        handles[0].tidied.set()
        await session.wait()

    asyncio.run(go())
    answers = handles[0].answers_run.trace
    finished = sum(lane.status in ("ok", "error") for lane in answers.lanes)
    assert finished == SCENARIO.requests
    assert seen == [
        (f"Latency of {finished} answered requests", f"Requests in flight · peak {finished}")
    ]
