"""A run handle with no Django, for tests of the session and of the window bound to it."""

from __future__ import annotations

import asyncio

from simulator.metrics.summary import summarize
from simulator.prediction.model import predict
from simulator.scenario import Scenario
from simulator.trace import Run, Trace

__all__ = ["FakeRun"]


class FakeRun:
    """A run handle whose trace is the model's (no Django): it lasts ``seconds`` unless
    stopped, or raises ``error`` once started."""

    def __init__(self, scenario: Scenario, log: list[Scenario], seconds: float, error=None):
        self.scenario = scenario
        self.started = False
        self._stopped = asyncio.Event()
        self._seconds = seconds
        self._error = error
        log.append(scenario)

    def snapshot(self, now_ns: int | None = None) -> Trace:
        return predict(self.scenario)

    def stop(self) -> None:
        self._stopped.set()

    async def run(self) -> Run:
        self.started = True
        if self._error is not None:
            raise self._error
        try:
            await asyncio.wait_for(self._stopped.wait(), self._seconds)
        except TimeoutError:
            pass
        trace = predict(self.scenario)
        return Run(self.scenario, trace, summarize(trace), stopped=self._stopped.is_set())
