"""Issue 12, class 2 in the window: the run after a Stop waits for the views the stopped run
abandoned (a thread in ``time.sleep`` finishes on its own), and says so."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from app.session import Session
from simulator.scenario import Scenario
from tests.app.fake_runs import FakeRun


class LeavesAThread(FakeRun):
    """A stopped run whose server is still closing: its ``leftover`` sleeps ``linger`` s."""

    def __init__(
        self, scenario: Scenario, log: list[Scenario], seconds: float, linger: float
    ) -> None:
        super().__init__(scenario, log, seconds=seconds)
        self.leftover = threading.Thread(target=time.sleep, args=(linger,), daemon=True)
        self.began: float | None = None

    async def run(self):
        self.began = time.perf_counter()
        return await super().run()

    def stop(self) -> None:
        super().stop()
        if not self.leftover.is_alive():
            self.leftover.start()


@pytest.mark.slow
def test_the_next_run_waits_for_abandoned_views_and_says_so():
    handles: list[LeavesAThread] = []
    ran: list[Scenario] = []

    def runner(scenario: Scenario) -> FakeRun:
        seconds = 5.0 if not handles else 0.05  # the first is stopped, the second ends
        handles.append(LeavesAThread(scenario, ran, seconds, linger=0.6))
        return handles[-1]

    session = Session(runner=runner, frame_ms=5, scenario_a=Scenario(requests=2, io_ms=10))
    notices: list[str] = []
    session.events.notice.connect(notices.append)

    async def stop_then_run_again() -> float:
        session.start()
        await asyncio.sleep(0.1)
        session.stop()
        await session.wait()
        stopped = time.perf_counter()
        session.start()
        await session.wait()
        return stopped

    stopped = asyncio.run(stop_then_run_again())
    assert session.last_run is not None and session.last_run.stopped is False
    assert notices and "waiting for views" in notices[0].lower()
    assert notices[-1] == ""
    # The second run began only once the first one's leftover thread had ended (0.6 s).
    assert not handles[0].leftover.is_alive()
    assert handles[1].began is not None and handles[1].began - stopped > 0.4
