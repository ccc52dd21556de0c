"""A prediction worked out off the window's loop (over 100 requests) is shown only if nothing
replaced it meanwhile: a newer question to the model, a new lesson, a run. Shown later, it
drew the model's lanes of dials no longer set (or of the last lesson) under the new ones."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace

import pytest

from app.session import Session, Side
from simulator.prediction.model import predict
from simulator.scenario import Scenario
from simulator.trace import Trace

from .fake_runs import FakeRun

FAST = Scenario(view="async_io", mode="asgi", requests=4, io_ms=100)
BIG = replace(FAST, requests=2000)
SMALLER = replace(FAST, requests=200)


class HeldModel:
    """The model, held for ``BIG`` until :attr:`go` is set (its thread worked out slowly);
    its lanes are a few requests' (cheap)."""

    def __init__(self) -> None:
        self.go = threading.Event()

    def __call__(self, scenario: Scenario) -> Trace:
        if scenario.requests == BIG.requests:
            self.go.wait(30)
        return predict(FAST)


async def _until(predicate, timeout: float = 30.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never came")


def _session(model: HeldModel) -> Session:
    return Session(runner=lambda s: FakeRun(s, [], 0.01), predictor=model, scenario_a=BIG)


def test_a_prediction_asked_again_is_not_replaced_by_the_one_asked_before():
    model = HeldModel()
    session = _session(model)

    async def asked_twice() -> None:
        assert session.predict() is None  # 2,000 requests: worked out off the loop, held
        first = session._predictions._task
        session.set_scenario(Side.A, SMALLER)  # the teacher turns the dial, asks again
        session.predict()  # (worked out once the first question's thread has ended)
        model.go.set()  # the first question's answer comes now
        await first  # (and is handed over to the loop)
        assert session.prediction is None
        await _until(lambda: session.prediction is not None)

    asyncio.run(asked_twice())
    assert session.prediction is not None and session.prediction.scenario == SMALLER


def test_a_prediction_that_comes_after_a_new_lesson_is_not_shown_under_it():
    model = HeldModel()
    session = _session(model)

    async def lesson_changed() -> None:
        assert session.predict() is None
        asked = session._predictions._task
        session.set_scenario(Side.A, FAST)  # the new lesson's dials
        session.forget_runs()  # (what opening a lesson does)
        model.go.set()
        await asked

    asyncio.run(lesson_changed())
    assert session.prediction is None


@pytest.mark.slow
def test_a_prediction_that_comes_after_a_run_ended_is_not_shown_over_it():
    model = HeldModel()
    session = _session(model)

    async def ran_meanwhile() -> None:
        assert session.predict() is None
        asked = session._predictions._task
        await session.run()  # a short run, ended before the model's answer
        model.go.set()
        await asked

    asyncio.run(ran_meanwhile())
    assert session.runs[Side.A] is not None
    assert session.prediction is None
