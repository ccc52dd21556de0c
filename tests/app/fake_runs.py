"""A run handle with no Django, for tests of the session and of the window bound to it."""

from __future__ import annotations

import asyncio

from simulator.metrics.summary import summarize
from simulator.prediction.model import predict
from simulator.scenario import Scenario
from simulator.trace import Run, Trace

__all__ = ["FRAMES_DEADLINE_S", "FakeRun"]

#: However busy the machine, a session streams a few frames well within this.
FRAMES_DEADLINE_S = 30.0


class FakeRun:
    """A run handle whose trace is the model's (no Django): it lasts ``seconds`` unless
    stopped, or raises ``error`` once started.

    With ``frames``, it lasts until that many snapshots were taken too (a busy machine spaces
    the session's frames out: a fixed time would see fewer), up to :data:`FRAMES_DEADLINE_S`.
    """

    def __init__(
        self, scenario: Scenario, log: list[Scenario], seconds: float, error=None, frames: int = 0
    ):
        self.scenario = scenario
        self.started = False
        self._stopped = asyncio.Event()
        self._seconds = seconds
        self._error = error
        self._frames = frames
        self._snapshots = 0
        self._framed = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None  # (its run's, once started)
        log.append(scenario)

    def snapshot(self, now_ns: int | None = None) -> Trace:
        self._snapshots += 1
        if self._snapshots >= self._frames:
            # The session takes frames on a worker thread: the event is set on its loop's
            # (set from the worker, qasync's loop could spin on its timers for ever).
            if self._loop is None:
                self._framed.set()
            else:
                self._loop.call_soon_threadsafe(self._framed.set)
        return predict(self.scenario)

    def stop(self) -> None:
        self._stopped.set()

    async def run(self) -> Run:
        self._loop = asyncio.get_running_loop()
        self.started = True
        if self._error is not None:
            raise self._error
        try:
            await asyncio.wait_for(self._stopped.wait(), self._seconds)
        except TimeoutError:
            pass
        if self._frames and not self._stopped.is_set():
            try:
                await asyncio.wait_for(self._framed.wait(), FRAMES_DEADLINE_S)
            except TimeoutError:
                pass  # the caller's count of frames says what went wrong
        trace = predict(self.scenario)
        return Run(self.scenario, trace, summarize(trace), stopped=self._stopped.is_set())
