"""One comparison protocol for every caller: the window's session, ``compare``, the lessons
and ``gui --json`` run a close call again the same way and word the same verdict, and the
reveal of a lesson never contradicts its answer.

Every caller here measures the same made-up runs (no Django): A and B come out 5% apart
the first time (a close call), then 236/251 and 214/240 ms, which overlap. A one-run
verdict would have said "too close to call"; the protocol's verdict over 3 runs each says
"no winner: ranges overlap" (medians 214 and 240 ms).
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from app.lesson_reveal import panel_text
from app.session import Session, Side
from app.session.quiz import Quiz, QuizStep
from simulator.lessons import NOT_SHOWN, load_lesson, run_lesson
from simulator.metrics.summary import Summary
from simulator.scenario import Scenario
from simulator.trace import Run, Trace

LESSONS = Path(__file__).resolve().parents[2] / "assets" / "lessons"
A = Scenario(view="sync_io", mode="wsgi", requests=8, io_ms=100)
B = Scenario(view="async_io", mode="asgi", requests=8, io_ms=100)
#: Makespans of each side's runs, in the order they are measured.
MAKESPANS = {"sync_io": [200.0, 236.0, 214.0], "async_io": [210.0, 251.0, 240.0]}
RACE_WORDS = re.compile(r"lower|higher|sooner|later|faster|slower", re.IGNORECASE)


def _summary(makespan: float) -> Summary:
    latency = {"p50": makespan, "p95": makespan, "p99": makespan, "max": makespan}
    return Summary(8, 8, 0, 0, 8, makespan, 0.0, latency, 8, 1, 0.0, 0.0)


class Measurer:
    """Made-up runs of A and B, in the order measured, as any caller measures them."""

    def __init__(self, makespans: dict[str, list[float]] | None = None) -> None:
        self.left = {view: list(values) for view, values in (makespans or MAKESPANS).items()}
        self.order: list[str] = []

    def __call__(self, scenario: Scenario) -> Run:
        self.order.append(scenario.view)
        return Run(scenario, Trace(t0_ns=0, lanes=()), _summary(self.left[scenario.view].pop(0)))


class Handle:
    """The session's run handle around a made-up run."""

    started = True

    def __init__(self, scenario: Scenario, measure: Measurer) -> None:
        self._run = measure(scenario)

    def snapshot(self, now_ns: int | None = None) -> Trace:
        return Trace(t0_ns=0, lanes=())

    def stop(self) -> None:
        pass

    async def run(self) -> Run:
        return self._run


def _session(measure: Measurer) -> Session:
    session = Session(
        runner=lambda scenario: Handle(scenario, measure),
        predictor=lambda scenario: Trace(t0_ns=0, lanes=()),
        scenario_a=A,
        scenario_b=B,
    )
    session.set_compare(True)
    return session


def test_the_session_and_compare_run_a_close_call_again_and_give_one_verdict(
    monkeypatch, tmp_path, capsys
):
    from app.cli import commands
    from app.cli.main import main

    in_window = Measurer()
    session = _session(in_window)
    asyncio.run(session.run())

    on_command_line = Measurer()
    monkeypatch.setattr(
        commands, "_measure", lambda scenario, i, s, **kw: on_command_line(scenario)
    )
    out = tmp_path / "compare.json"
    code = main(
        ["compare", "--a", "view=sync_io mode=wsgi", "--b", "view=async_io", "--json", str(out)]
    )
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))

    alternating = ["sync_io", "async_io"] * 3
    assert in_window.order == on_command_line.order == alternating
    assert session.verdict == data["verdict"]
    assert data["verdict"].startswith("no winner in makespan: ranges overlap")
    assert "(A 214 ms (200–236 ms), B 240 ms (210–251 ms); 3 runs each)" in data["verdict"]
    assert f"Verdict: {data['verdict']}" in capsys.readouterr().out
    assert [len(data["runs"][side]) for side in "ab"] == [3, 3]


def test_a_lesson_and_the_window_judge_the_lessons_figure_alike():
    lesson = load_lesson(LESSONS / "16-async-under-wsgi.toml")  # expects the same
    by_lesson = Measurer()
    result = run_lesson(lesson, by_lesson)

    in_window = Measurer()
    session = _session(in_window)
    session.set_criterion(lesson.criterion)
    asyncio.run(session.run())

    assert by_lesson.order == in_window.order == ["sync_io", "async_io"] * 3
    assert result.verdict == session.verdict
    # 214 and 240 ms: 13% apart, within the lesson's 15%: the same, in no race words.
    assert result.verdict == (
        "about the same makespan: A 214 ms (200–236 ms), B 240 ms (210–251 ms), within 13%; "
        "3 runs each"
    )
    assert result.expectation_held is True
    # The slide draws each side's median run: its figures line shows the verdict's number.
    assert [run.summary.makespan_ms for run in result.shown] == [214.0, 240.0]


def _reveal(lesson_file: str, runs: dict[str, list[Run]]):
    quiz = Quiz(load_lesson(LESSONS / lesson_file))
    quiz = quiz.forward()[0].measured().forward()[0]
    assert quiz.step is QuizStep.REVEAL
    return panel_text(quiz, runs)


def _runs(a: list[float], b: list[float]) -> dict[str, list[Run]]:
    measure = Measurer({"sync_io": a, "async_io": b})
    return {
        "A": [measure(A) for _ in a],
        "B": [measure(B) for _ in b],
    }


def test_a_same_lesson_s_reveal_never_names_a_winner_nor_contradicts_its_answer():
    text = _reveal("16-async-under-wsgi.toml", _runs([605.0], [614.0]))
    assert text.verdict == "Verdict: about the same makespan: A 605 ms, B 614 ms, within 2%"
    # Far apart on this run: large type says so, no verdict naming a side.
    text = _reveal("16-async-under-wsgi.toml", _runs([600.0], [900.0]))
    assert text.verdict == NOT_SHOWN
    for verdict in (
        text.verdict,
        _reveal("17-arrival-spacing.toml", _runs([205.0], [204.0])).verdict,
    ):
        assert verdict is not None and not RACE_WORDS.search(verdict)


def test_one_figure_one_number_in_the_reveal():
    """Lesson 9 once showed 25, 27 and 25–30 for one figure: now the figure line and the
    verdict both show the median and range of every run."""
    text = _reveal("07-news-fanout.toml", _runs([800.0, 820.0, 790.0], [300.0, 310.0, 280.0]))
    assert "measured 800 ms (790–820 ms)" in text.reveal
    assert text.verdict is not None and "A 800 ms (790–820 ms)" in text.verdict
    assert "B 300 ms (280–310 ms)" in text.verdict
    assert "B measured 300 ms (280–310 ms)" in text.reveal


def test_a_failed_claim_is_said_in_large_type_and_named():
    # Lesson 7 claims B under 0.5 × A; B at 0.6 × A still "finishes sooner", but the point
    # (twice as soon) did not show.
    text = _reveal("07-news-fanout.toml", _runs([1000.0], [600.0]))
    assert text.verdict == NOT_SHOWN
    assert "Claims on this run: 0 of 1 held (not: B's gathered calls" in text.reveal


@pytest.mark.slow
def test_gui_json_writes_the_verdict_on_screen(qtbot, qloop, settings, tmp_path):
    from app.main import _write_json
    from app.window.main_window import QtMainWindow

    session = _session(Measurer())
    window = QtMainWindow(settings=settings, session=session)
    qtbot.addWidget(window)
    window.show()
    window.set_compare(True)  # (the window starts as its settings left it)
    qloop.run_until_complete(session.run())
    assert session.samples[Side.A] and len(session.samples[Side.B]) == 3
    out = tmp_path / "gui.json"
    assert _write_json(window, str(out)) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    on_screen = window.verdict.text()
    assert on_screen.startswith("No winner in makespan")  # a line: a capital
    # The verdict over 3 runs each, not the first run's (the file's follows "verdict":).
    assert data["verdict"] == on_screen[0].lower() + on_screen[1:]
    assert [len(data["runs"][side]) for side in "ab"] == [3, 3]
    assert data["b"]["summary"]["makespan_ms"] == 240.0  # the run on screen: B's last
