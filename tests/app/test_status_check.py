"""The status line's "The model predicted …" is said only beside the run the model was
checked against: never beside another run (a lesson returned to redraws both sides), and a
check that comes late (a big run's, worked out off the loop) does not cover what the line
says since."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest

from app.session import Session, Side
from simulator.prediction.model import predict
from simulator.scenario import Scenario
from simulator.trace import Trace

from .fake_runs import FakeRun
from .test_qt_main_window import _window_on_fakes

#: Four and two waits of 100 ms on one worker: 400 ms and 200 ms, as the model says (the
#: fake runs' lanes are the model's: a run and its check have the same makespan).
A = Scenario(view="sync_io", mode="wsgi", workers=1, requests=4, io_ms=100)
B = Scenario(view="sync_io", mode="wsgi", workers=1, requests=2, io_ms=100)


def _figures(message: str) -> tuple[str, str | None]:
    """The run's makespan and the model's, as the status line says them."""
    answered = re.search(r"answered in ([^.]+\.?\d* m?s)", message)
    predicted = re.search(r"The model predicted ([^.]+\.?\d* m?s)", message)
    assert answered, message
    return answered.group(1), predicted.group(1) if predicted else None


@pytest.mark.slow
def test_a_lesson_returned_to_never_says_a_run_beside_another_run_s_check(qtbot, qloop, settings):
    window, _ = _window_on_fakes(qtbot, settings)
    session = window.session
    window.compare_action.trigger()
    session.set_scenario(Side.A, A)
    session.set_scenario(Side.B, B)
    qloop.run_until_complete(session.run())  # A, then B
    qloop.run_until_complete(session.run([Side.A]))  # A again: the run that finished last
    assert session.last_run is session.runs[Side.A] and session.check is not None
    said = window.statusBar().currentMessage()
    answered, predicted = _figures(said)
    assert answered == predicted and answered.startswith("40")  # (A's 400 ms, Django's few)
    # Away to another lesson and back: each side's run is drawn again, B's last.
    session.restore(session.keep())
    answered, predicted = _figures(window.statusBar().currentMessage())
    assert predicted is None or predicted == answered, window.statusBar().currentMessage()


def _big_run_ended(qtbot, qloop, settings) -> tuple[Any, list[object]]:
    """A window whose fake run of 400 requests has ended, its model check worked out off the
    loop: the window, and the checks told (none yet)."""
    window, _ = _window_on_fakes(qtbot, settings)
    checked: list[object] = []
    window.session.events.checked.connect(checked.append)
    window.session.set_scenario(Side.A, Scenario(view="async_io", requests=400, io_ms=100))
    qloop.run_until_complete(window.session.run())
    return window, checked


@pytest.mark.slow
def test_a_big_run_s_late_check_does_not_cover_what_the_line_said_since(qtbot, qloop, settings):
    window, checked = _big_run_ended(qtbot, qloop, settings)
    session = window.session
    assert window.statusBar().currentMessage().startswith("Done")  # its check not yet come
    # The teacher asks the model about a few requests before the big run's check comes.
    session.set_scenario(Side.A, A)
    window.predict_action.trigger()
    asked = window.statusBar().currentMessage()
    assert asked.startswith("The model predicts")
    qtbot.waitUntil(lambda: bool(checked), timeout=30_000)
    assert window.statusBar().currentMessage() == asked


def test_a_big_run_s_late_check_joins_its_end_on_the_line(qtbot, qloop, settings):
    window, checked = _big_run_ended(qtbot, qloop, settings)
    qtbot.waitUntil(lambda: bool(checked), timeout=30_000)
    answered, predicted = _figures(window.statusBar().currentMessage())
    assert predicted == answered


class _HeldCheck:
    """The model, held for :data:`BIG` until :attr:`go` is set (its check worked out slowly,
    on its thread); :attr:`asked` is set once that thread is in it."""

    def __init__(self) -> None:
        self.asked, self.go = threading.Event(), threading.Event()
        self.thread: threading.Thread | None = None

    def __call__(self, scenario: Scenario) -> Trace:
        if scenario == BIG:
            self.thread = threading.current_thread()
            self.asked.set()
            self.go.wait(30)
        return predict(scenario)


BIG = Scenario(view="async_io", requests=400, io_ms=100)


@pytest.mark.slow
def test_a_check_that_comes_while_another_lesson_is_shown_joins_its_run_s_line_on_return(
    qtbot, qloop, settings
):
    from app.window.main_window import QtMainWindow

    model = _HeldCheck()
    session = Session(runner=lambda s: FakeRun(s, [], 0.01), predictor=model, scenario_a=BIG)
    window = QtMainWindow(settings=settings, session=session)
    qtbot.addWidget(window)
    window.show()
    qloop.run_until_complete(session.run())  # 400 requests: its check on a thread
    kept = session.keep()  # the teacher goes on to the next lesson at once
    session.set_scenario(Side.A, A)
    session.forget_runs()
    qtbot.waitUntil(model.asked.is_set, timeout=30_000)
    model.go.set()  # the check comes while the next lesson is shown
    assert model.thread is not None
    model.thread.join(30)
    qtbot.wait(100)  # (and is handed to the loop)
    session.set_scenario(Side.A, BIG)  # back to the lesson: its run is drawn again
    session.restore(kept)
    answered, predicted = _figures(window.statusBar().currentMessage())
    assert predicted == answered, window.statusBar().currentMessage()
