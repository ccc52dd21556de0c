"""The classroom without Qt: a clicker's Page Down / Page Up over lessons, as Mu tests its
editor against a mocked view. The runner is a fake (the model's trace, a few ms), so the
runs counted are exactly the runs a class would wait for."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.session import Session, Side
from app.session.classroom import Classroom
from app.session.quiz import QuizStep
from simulator.scenario import Scenario

from .fake_runs import FakeRun

LESSONS = Path(__file__).resolve().parents[2] / "assets" / "lessons"


def _classroom(tmp_path: Path, *names: str) -> tuple[Classroom, list[Scenario], list[object]]:
    for name in names:
        shutil.copy(LESSONS / name, tmp_path)
    ran: list[Scenario] = []
    session = Session(runner=lambda scenario: FakeRun(scenario, ran, 0.005), frame_ms=2)
    classroom = Classroom(session, tmp_path)
    seen: list[object] = []
    classroom.events.quiz.connect(seen.append)
    return classroom, ran, seen


def _step(classroom: Classroom) -> tuple[str, QuizStep]:
    assert classroom.quiz is not None and classroom.path is not None
    return classroom.path.name[:2], classroom.quiz.step


def test_page_up_from_the_next_lesson_comes_back_to_the_reveal_with_its_runs_and_guess(
    tmp_path,
):
    classroom, ran, _ = _classroom(tmp_path, "02-sync-views-under-asgi.toml", "03-async-views.toml")
    session = classroom.session

    async def lesson() -> None:
        classroom.open(tmp_path / "02-sync-views-under-asgi.toml")
        classroom.choose(1)
        classroom.forward()  # run
        await session.wait()
        assert _step(classroom) == ("02", QuizStep.MEASURED)
        classroom.forward()  # reveal
        run = session.runs[Side.A]
        assert run is not None and len(ran) == 1
        classroom.forward()  # the next lesson, on its question, nothing of 02 on screen
        assert _step(classroom) == ("03", QuizStep.QUESTION)
        assert session.runs[Side.A] is None and classroom.history == (1, 0)
        classroom.back()  # the clicker's Page Up: 02 as the class left it
        assert _step(classroom) == ("02", QuizStep.REVEAL)
        assert classroom.quiz is not None and classroom.quiz.choice == 1
        assert session.runs[Side.A] is run and session.lesson is not None
        assert session.scenario(Side.A) == run.scenario
        classroom.forward()  # and forward again to 03's question
        assert _step(classroom) == ("03", QuizStep.QUESTION) and classroom.history == (1, 0)

    asyncio.run(lesson())
    assert len(ran) == 1  # nothing ran twice


def test_a_double_press_never_runs_twice_and_a_question_with_runs_goes_to_them(tmp_path):
    classroom, ran, _ = _classroom(tmp_path, "03-async-views.toml")
    session = classroom.session

    async def lesson() -> None:
        classroom.open(tmp_path / "03-async-views.toml")
        classroom.forward()
        classroom.forward()  # the clicker bounced
        assert _step(classroom) == ("03", QuizStep.RUNNING)
        await session.wait()
        classroom.forward()
        classroom.back()
        classroom.back()  # hide the answer, back to the question
        assert _step(classroom) == ("03", QuizStep.QUESTION)
        classroom.forward()  # the runs are still here: to them, not a new run
        assert _step(classroom) == ("03", QuizStep.MEASURED) and not session.running
        classroom.forward()
        assert _step(classroom) == ("03", QuizStep.REVEAL)
        await session.wait()

    asyncio.run(lesson())
    assert len(ran) == 1


def test_page_up_past_the_first_lesson_taught_opens_the_one_before_and_down_comes_back(
    tmp_path,
):
    classroom, ran, seen = _classroom(
        tmp_path, "01-one-wsgi-worker.toml", "02-sync-views-under-asgi.toml"
    )

    async def lesson() -> None:
        classroom.open(tmp_path / "02-sync-views-under-asgi.toml")
        classroom.choose(2)
        classroom.back()  # no history: lesson 01 opens fresh on its question
        assert _step(classroom) == ("01", QuizStep.QUESTION) and classroom.history == (0, 1)
        classroom.forward()
        await classroom.session.wait()
        classroom.forward()
        classroom.forward()  # from 01's reveal, 02 as it was left: its guess kept
        assert _step(classroom) == ("02", QuizStep.QUESTION)
        assert classroom.quiz is not None and classroom.quiz.choice == 2

    asyncio.run(lesson())
    assert len(ran) == 1 and seen[-1] is classroom.quiz


def test_a_file_that_is_no_lesson_ends_the_quiz_and_keeps_its_dials(tmp_path):
    classroom, _, seen = _classroom(tmp_path, "03-async-views.toml")
    plain = tmp_path / "plain.toml"
    plain.write_text("[scenario]\nview = 'sync_io'\nrequests = 3\n", encoding="utf-8")
    classroom.open(tmp_path / "03-async-views.toml")
    classroom.open(plain)
    assert classroom.quiz is None and seen[-1] is None
    assert classroom.session.scenario(Side.A).requests == 3


@pytest.mark.slow
def test_importing_the_session_loads_no_qt_and_no_django():
    """The session runs whatever runner it is handed; the app hands in the real engine."""
    code = (
        "import sys, app.session, app.session.classroom\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'PySide6', 'shiboken6', 'django'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_reveal_drawn_again_asks_the_model_once(tmp_path, monkeypatch):
    """Page Up and Page Down redraw the reveal; the session's model figures are worked out
    once per figure and scenario, and this machine's calibration read once."""
    import app.session.model_figures as model_figures
    from app.lesson_reveal import panel_text
    from simulator.metrics.summary import summarize
    from simulator.prediction.calibration import load_costs
    from simulator.prediction.model import predict
    from simulator.trace import Run

    asked: list[str] = []
    loads: list[int] = []
    real = model_figures.modelled_figure
    monkeypatch.setattr(model_figures, "modelled_figure", lambda *a: asked.append(a[0]) or real(*a))
    figures = model_figures.ModelFigures(load=lambda: loads.append(1) or load_costs())
    classroom, _, _ = _classroom(tmp_path, "03-async-views.toml")
    classroom.open(tmp_path / "03-async-views.toml")
    quiz = classroom.quiz
    assert quiz is not None
    reveal = quiz.forward()[0].measured().forward()[0]
    trace = predict(quiz.lesson.file.a)
    runs = {"A": [Run(quiz.lesson.file.a, trace, summarize(trace))]}
    texts = {panel_text(reveal, runs, figures).reveal for _ in range(3)}
    assert len(texts) == 1 and "(model: " in texts.pop()
    assert asked == ["threads_held_peak"] and loads == [1]
