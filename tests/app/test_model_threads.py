"""The model's threads (a prediction or a check of over 100 requests is worked out off the
window's loop): one at a time, the newest question waiting supersedes the one before, and
once the window has closed a thread that ends hands nothing to its loop."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace

import pytest

from app.session import Session, Side

from .fake_runs import FakeRun
from .held_model import BIG, FAST, HeldModel, until


def test_repeated_predict_presses_work_out_the_first_and_the_newest_only():
    model = HeldModel()
    session = Session(runner=lambda s: FakeRun(s, [], 0.01), predictor=model, scenario_a=BIG)

    async def pressed_four_times() -> None:
        assert session.predict() is None  # 2,000 requests: on a thread, held
        await until(lambda: model.asked == [2000])
        for requests in (200, 300, 400):  # the teacher turns the dial and presses again
            session.set_scenario(Side.A, replace(FAST, requests=requests))
            assert session.predict() is None
        await asyncio.sleep(0.2)  # (each press used to start a thread at once)
        assert model.asked == [2000]  # the others wait for the one working
        model.go.set()
        await until(lambda: session.prediction is not None)

    asyncio.run(pressed_four_times())
    # 200 and 300 were superseded before any thread took them; 2,000's answer was not shown.
    assert model.asked == [2000, 400]
    assert session.prediction is not None and session.prediction.scenario.requests == 400


@pytest.mark.slow
def test_a_prediction_whose_thread_ends_after_the_window_closed_is_handed_nothing(
    qtbot, qloop, settings, monkeypatch
):
    from app.window.main_window import QtMainWindow

    model = HeldModel()
    session = Session(runner=lambda s: FakeRun(s, [], 0.01), predictor=model, scenario_a=BIG)
    window = QtMainWindow(settings=settings, session=session)
    qtbot.addWidget(window)
    window.show()
    posted: list[str] = []
    post = qloop.call_soon_threadsafe

    def noted(*args, **kwargs):
        posted.append(threading.current_thread().name)
        return post(*args, **kwargs)

    monkeypatch.setattr(qloop, "call_soon_threadsafe", noted)
    shown: list[object] = []
    session.events.prediction.connect(shown.append)

    async def closed_while_worked_out() -> None:
        window.predict_action.trigger()  # 2,000 requests: on a thread of the model's
        await until(lambda: model.asked == [2000])
        window.close()  # the user quits; the thread ends later, as Qt tears down
        model.go.set()
        assert model.thread is not None
        model.thread.join(30)
        await asyncio.sleep(0.1)  # anything it posted has been run by now

    qloop.run_until_complete(closed_while_worked_out())
    assert posted == []  # nothing handed to a loop whose Qt may be gone
    assert shown == [] and session.prediction is None


def test_a_question_asked_on_a_new_loop_is_not_held_behind_a_thread_of_a_loop_that_ended():
    model = HeldModel()
    session = Session(runner=lambda s: FakeRun(s, [], 0.01), predictor=model, scenario_a=BIG)

    async def ask_and_leave() -> None:
        session.predict()
        await until(lambda: model.asked == [2000])

    asyncio.run(ask_and_leave())  # its loop ends while the model still works on it
    session.set_scenario(Side.A, replace(FAST, requests=200))

    async def ask_again() -> None:
        session.predict()
        await until(lambda: session.prediction is not None, timeout=10)

    asyncio.run(ask_again())
    model.go.set()
    assert session.prediction is not None and session.prediction.scenario.requests == 200
