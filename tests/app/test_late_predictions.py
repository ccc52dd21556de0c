"""A prediction worked out off the window's loop (over 100 requests) is shown only if nothing
replaced it meanwhile: a newer question to the model, a new lesson, a run. Shown later, it
drew the model's lanes of dials no longer set (or of the last lesson) under the new ones."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from app.session import Session, Side

from .fake_runs import FakeRun
from .held_model import BIG, FAST, HeldModel, until

SMALLER = replace(FAST, requests=200)


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
        await until(lambda: session.prediction is not None)

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
