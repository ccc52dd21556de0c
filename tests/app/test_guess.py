"""A numeric guess by clicker: it starts at no guess, + and − walk round steps that do not
start on the answer, and the reveal says what counts as right. No Qt."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.lesson_reveal import panel_text
from app.session.guess import guess_scale, judge_number
from app.session.quiz import Quiz, QuizStep
from simulator.lessons import load_lesson
from simulator.metrics.figures import FIGURE
from simulator.metrics.summary import summarize
from simulator.prediction.agreement import modelled_figure
from simulator.prediction.calibration import load_costs
from simulator.prediction.model import predict
from simulator.trace import Run

LESSONS = Path(__file__).resolve().parents[2] / "assets" / "lessons"
NUMERIC = [p for p in sorted(LESSONS.glob("*.toml")) if not load_lesson(p).choices]


@pytest.fixture
def lesson_run():
    """Lesson 01 and a run of it whose figures are the model's (the reveal's text is what is
    under test here, not the measurement; tests/app/test_quiz.py runs lessons for real)."""
    lesson = load_lesson(LESSONS / "01-one-wsgi-worker.toml")
    trace = predict(lesson.file.a, load_costs().costs)
    return lesson, Run(lesson.file.a, trace, summarize(trace))


def _presses(quiz: Quiz, sign: int, target: float) -> int:
    """How many presses of + (or −) from where the quiz is until it says ``target``."""
    for n in range(1, 40):
        quiz = quiz.nudged(sign)
        if quiz.number == target:
            return n
    raise AssertionError(f"{target} never reached")


def test_lesson_04_starts_at_no_guess_and_the_first_press_is_far_from_the_answer():
    quiz = Quiz(load_lesson(LESSONS / "04-blocking-the-loop.toml"))
    assert quiz.number is None and "no guess yet" in panel_text(quiz, {}).guess
    assert panel_text(quiz, {}).guess.endswith("(+ / −: from 0 ms to 3.00 s)")  # the range
    measured_ms = 1600.0  # 8 × time.sleep(0.2), the lesson's answer
    for sign in (+1, -1):
        first = quiz.nudged(sign).number
        assert first is not None and abs(first - measured_ms) > 0.25 * measured_ms
    # The usual wrong answers are a few presses away: "0: async never blocks",
    # "0.15 s / 0.2 s: all at once", and the right one from the top.
    assert _presses(quiz, +1, 0.0) == 1
    assert _presses(quiz, +1, 150.0) <= 3
    assert _presses(quiz, +1, 200.0) <= 3
    assert _presses(quiz, -1, 1500.0) <= 3


@pytest.mark.parametrize("path", NUMERIC, ids=lambda p: p.stem)
def test_no_numeric_lesson_starts_on_its_modelled_answer(path):
    lesson = load_lesson(path)
    answer = modelled_figure(lesson.figure, lesson.file.a, load_costs().costs)
    for sign in (+1, -1):
        first = Quiz(lesson).nudged(sign).number
        assert first is not None and abs(first - answer) > 0.25 * answer, (first, answer)
    # Every step is reachable, and the answer's nearest step within 10 presses either way.
    nearest = judge_number(0.0, answer, guess_scale(lesson.guess_max)).nearest
    assert min(_presses(Quiz(lesson), s, nearest) for s in (+1, -1)) <= 5


def test_the_scale_is_round_numbers_ending_at_guess_max():
    assert guess_scale(2400) == (0, 100, 150, 200, 300, 500, 700, 1000, 1500, 2000, 2400)
    assert guess_scale(1.0)[:5] == (0, 0.05, 0.07, 0.1, 0.15)
    quiz = Quiz(load_lesson(LESSONS / "01-one-wsgi-worker.toml")).guess_number(2400)
    assert quiz.nudged(+1).number == 2400  # past the top it stays
    assert quiz.guess_number(1234).nudged(-1).number == 1000  # off the scale (the mouse)


def test_what_counts_as_right():
    scale = guess_scale(3000)
    assert judge_number(1500, 1600, scale).right  # within 25%
    assert judge_number(1000, 1210, scale).right  # within 25%
    assert not judge_number(700, 1210, scale).right  # 42% short
    # 2000 is 33% over 1500 but no step lies closer to the measured 1500… is 1500 itself.
    verdict = judge_number(2000, 1500, scale)
    assert not verdict.right and verdict.nearest == 1500
    # Between two far steps the nearest one still counts: 300 for a measured 410.
    assert judge_number(300, 410, (0, 300, 1000)).right


def test_the_reveal_says_what_the_class_said_what_was_measured_and_whether_right(lesson_run):
    lesson, run = lesson_run
    measured = FIGURE[lesson.figure].value(run.summary)
    quiz = Quiz(lesson)
    near = min(quiz.scale, key=lambda v: abs(v - measured))
    quiz = quiz.guess_number(near)
    quiz = quiz.forward()[0].measured().forward()[0]
    assert quiz.step is QuizStep.REVEAL
    reveal = panel_text(quiz, {"A": [run]}).reveal
    said = FIGURE[lesson.figure].unit.format(near)
    assert (
        f"The class said {said}; measured {FIGURE[lesson.figure].text(run.summary)}: right"
        in reveal
    )
    wrong = Quiz(lesson).guess_number(0).forward()[0].measured().forward()[0]
    assert "0 ms" in panel_text(wrong, {"A": [run]}).reveal
    assert ": not right</b>" in panel_text(wrong, {"A": [run]}).reveal
