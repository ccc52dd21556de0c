"""A run that may go off the window's loop (``off_loop``, as the engine's ``LiveRun``) runs
on a loop of a thread of its own: the window's loop stays free while its client works, a
Stop and the last answer reach it there, and what it raises is raised to the session."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from app.session.client_loop import OffLoopRun
from simulator.metrics.summary import summarize
from simulator.trace import Run, Trace

from .fake_runs import FakeRun

#: How long the run's client holds its loop at once.
BUSY_S = 0.6


class _BusyRun:
    """A run whose client hogs its loop (a burst of answers), then waits for a Stop."""

    off_loop = True
    started = True

    def __init__(self, error: Exception | None = None, busy_s: float = BUSY_S) -> None:
        self.error = error
        self.busy_s = busy_s
        self.loop_thread: int | None = None
        self.stopped_on: int | None = None  # the thread stop() was called on, as LiveRun's
        self._answered: asyncio.Event | None = None

    def snapshot(self, now_ns: int | None = None) -> Trace:
        return Trace(0, ())

    def stop(self) -> None:  # a flag the run reads, as LiveRun's
        self.stopped_on = threading.get_ident()

    @property
    def stopping(self) -> bool:
        return self.stopped_on is not None

    async def answered(self) -> None:
        assert self._answered is not None
        await self._answered.wait()

    def answers(self) -> tuple[Run, int]:
        raise NotImplementedError

    async def run(self) -> Run:
        self.loop_thread = threading.get_ident()
        self._answered = asyncio.Event()
        if self.stopped_on is None:
            time.sleep(self.busy_s)  # its loop held, as by a burst of answers
        self._answered.set()
        while self.stopped_on is None:
            await asyncio.sleep(0.005)
        if self.error is not None:
            raise self.error
        trace = Trace(0, ())
        return Run(None, trace, summarize(trace), stopped=True)  # type: ignore[arg-type]


def _drive(handle: _BusyRun) -> tuple[float, int, object]:
    """Run ``handle`` off the loop; tick the caller's loop meanwhile, Stop once answered.
    The worst tick's lag (s), the caller's thread, and the outcome (a run or the error)."""

    async def go() -> tuple[float, int, object]:
        client = OffLoopRun(handle)
        running = asyncio.ensure_future(client.run())
        worst = 0.0
        answered = asyncio.ensure_future(client.answered())
        while not answered.done():
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            worst = max(worst, time.perf_counter() - before - 0.01)
        client.stop()
        try:
            outcome: object = await running
        except Exception as error:
            outcome = error
        return worst, threading.get_ident(), outcome

    return asyncio.run(go())


@pytest.mark.slow
def test_the_client_runs_on_its_own_thread_and_the_caller_s_loop_stays_free():
    handle = _BusyRun()
    worst_lag, caller, outcome = _drive(handle)
    assert handle.loop_thread is not None and handle.loop_thread != caller
    assert handle.stopped_on == handle.loop_thread  # the Stop reached it on its loop
    assert isinstance(outcome, Run) and outcome.stopped
    # Its loop was held BUSY_S at once: on the caller's loop a tick would have waited that
    # long. A busy machine may delay a tick too, by far less.
    assert worst_lag < BUSY_S * 2 / 3


def test_what_the_run_raises_is_raised_to_the_caller():
    outcome = _drive(_BusyRun(error=ValueError("no site"), busy_s=0.0))[2]
    assert isinstance(outcome, ValueError) and str(outcome) == "no site"


def test_a_run_that_does_not_say_so_stays_on_the_caller_s_loop():
    ran_on: list[int] = []

    class Here(FakeRun):
        async def run(self) -> Run:
            ran_on.append(threading.get_ident())
            return await super().run()

    async def go() -> int:
        client = OffLoopRun(Here(_scenario(), [], seconds=0.01))
        assert not client.off_loop
        await client.run()
        return threading.get_ident()

    assert ran_on == [asyncio.run(go())]


def _scenario():
    from simulator.scenario import Scenario

    return Scenario(requests=2, io_ms=10)


def test_a_stop_before_the_client_s_loop_runs_still_stops_it():
    handle = _BusyRun()

    async def go() -> object:
        client = OffLoopRun(handle)
        client.stop()  # queued for its loop: the run sees it as it starts
        return await asyncio.wait_for(client.run(), 10)

    outcome = asyncio.run(go())
    assert isinstance(outcome, Run) and outcome.stopped
    assert handle.stopped_on == handle.loop_thread
