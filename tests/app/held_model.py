"""A model held back on demand, for the tests of the window's model threads (a prediction or
a check of over 100 requests is worked out off the loop): ``BIG`` is worked out only once
the test lets it go, so a test can ask again, close the window or change lessons meanwhile."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import replace

from simulator.prediction.model import predict
from simulator.scenario import Scenario
from simulator.trace import Trace

FAST = Scenario(view="async_io", mode="asgi", requests=4, io_ms=100)
BIG = replace(FAST, requests=2000)


class HeldModel:
    """The model, held for ``BIG`` until :attr:`go` is set; it notes every scenario it is
    asked to work out (on whichever thread), and its lanes are a few requests' (cheap)."""

    def __init__(self) -> None:
        self.go = threading.Event()
        self.asked: list[int] = []
        self.thread: threading.Thread | None = None  # the one that works out ``BIG``

    def __call__(self, scenario: Scenario) -> Trace:
        self.asked.append(scenario.requests)
        if scenario.requests == BIG.requests:
            self.thread = threading.current_thread()
            self.go.wait(30)
        return predict(FAST)


async def until(predicate: Callable[[], object], timeout: float = 30.0) -> None:
    """Return once ``predicate()`` holds, the loop turning meanwhile; fail after ``timeout``."""
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never came")
