"""Lesson 23 needs two free cores. ``lesson 23 --check`` measures them first and skips on a
busy machine; the window ran it anyway and said "This run did not show it: run it again", so
a class ran it again, and again, for nothing. Now a run that did not show a lesson needing
free cores measures them as ``--check`` does (``Needs.cores_shared``), and the window, the
command line and the slide say it was the machine."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from app.session import Session, Side
from app.session.classroom import Classroom
from app.session.quiz import QuizStep
from app.window.quiz import QtQuiz
from simulator.lessons import NOT_SHOWN, judge_lesson, load_lesson, with_cores_checked
from simulator.lessons.runner import core_wait_share
from simulator.metrics.summary import Summary
from simulator.scenario import Scenario
from simulator.trace import Lane, Run, Segment, Trace

LESSONS = Path(__file__).resolve().parents[2] / "assets" / "lessons"
CORES = "23-processes-vs-threads-for-cpu.toml"
#: What the class reads when the other core was taken, and in the reveal's details what was
#: measured (two processes did 1.04× one's work).
BUSY = "This run could not show it: no 2 free cores on this machine"
MEASURED = "Measured after the run: 2 processes got only 1.04× the work of one done"


def _run(scenario: Scenario, makespan: float) -> Run:
    latency = dict.fromkeys(("p50", "p95", "p99", "max"), makespan)
    summary = Summary(10, 10, 0, 0, 10, makespan, 0.0, latency, 10, 2, 0.0, 0.0)
    return Run(scenario, Trace(t0_ns=0, lanes=()), summary)


def _busy_runs() -> dict[str, list[Run]]:
    """Lesson 23 beside a burner: A's two processes no faster than B's two threads."""
    lesson = load_lesson(LESSONS / CORES)
    assert lesson.file.b is not None
    return {"A": [_run(lesson.file.a, 505.0)], "B": [_run(lesson.file.b, 510.0)]}


def test_a_run_that_did_not_show_a_lesson_needing_free_cores_says_the_machine_had_none():
    lesson = load_lesson(LESSONS / CORES)
    asked: list[str] = []

    def measure(lesson_asked):
        asked.append(lesson_asked.title)
        return 1.04

    judged = with_cores_checked(judge_lesson(lesson, _busy_runs()), measure)
    assert asked == [lesson.title] and judged.line == BUSY
    assert judged.cores_line is not None and judged.cores_line.startswith(MEASURED)
    # The cores were free after all: the lesson's own "run it again".
    assert with_cores_checked(judge_lesson(lesson, _busy_runs()), lambda _: None).line == (
        NOT_SHOWN
    )
    # Shown, or a lesson that needs one core: nothing is measured.
    a, b = _busy_runs()["A"][0].scenario, _busy_runs()["B"][0].scenario
    shown = {"A": [_run(a, 260.0)], "B": [_run(b, 510.0)]}
    assert with_cores_checked(judge_lesson(lesson, shown), measure).line.startswith("Verdict: ")
    one_core = load_lesson(LESSONS / "16-async-under-wsgi.toml")
    with_cores_checked(judge_lesson(one_core, {"A": [_run(a, 600)], "B": [_run(b, 900)]}), measure)
    assert asked == [lesson.title]


def test_the_answer_s_side_ahead_by_less_than_free_cores_give_is_a_verdict_not_a_failure():
    """Lesson 23 at 1080p read "This run could not show it: no 2 free cores" over A's lanes
    ending at 408 ms and B's at 561: A won, as the answer says, by 1.37×, short of the 1.4×
    its claim gives free cores. The class reads that verdict, and why it is short."""
    lesson = load_lesson(LESSONS / CORES)
    a, b = _busy_runs()["A"][0].scenario, _busy_runs()["B"][0].scenario
    judged = with_cores_checked(
        judge_lesson(lesson, {"A": [_run(a, 408.0)], "B": [_run(b, 561.0)]}), lambda _: 1.04
    )
    assert not judged.showed and judged.cores_line is not None
    assert judged.line == (
        "Verdict: A finished 1.4× sooner (A 408 ms, B 561 ms), less than 2 free cores give:"
        " they were not free"
    ), judged.line
    # No winner, or the other side's: the machine's line, as before.
    assert judged.line != BUSY
    for makespans in ((505.0, 510.0), (560.0, 408.0)):
        runs = {"A": [_run(a, makespans[0])], "B": [_run(b, makespans[1])]}
        assert with_cores_checked(judge_lesson(lesson, runs), lambda _: 1.04).line == BUSY


def _computing(scenario: Scenario, makespan: float, waited_ms: float) -> Run:
    """A run of lesson 23 whose 10 requests each computed 50 ms and waited ``waited_ms`` for
    a core (drawn "waiting for a CPU core"), as the gunicorn workers' Server-Timing says."""
    ms = 1_000_000
    lanes = []
    for i in range(10):
        start = i * 100 * ms
        cpu_end = start + 50 * ms
        wait_end = cpu_end + round(waited_ms * ms)
        segments = (
            Segment("cpu", start, cpu_end, "process 1"),
            Segment("core_wait", cpu_end, wait_end, "process 1"),
        )
        lanes.append(Lane(i, "sync_io", "ok", 200, None, start, wait_end, segments))
    run = _run(scenario, makespan)
    return Run(scenario, Trace(t0_ns=0, lanes=tuple(lanes)), run.summary)


def test_runs_that_waited_for_a_core_say_the_machine_had_none_without_measuring_again():
    """Lesson 23 on a busy machine (load 4–6 on 2 cores): A's bars mostly "waiting for a CPU
    core" (85% of their CPU work), under "This run did not show it: run it again": the
    cores measured a second later, by the burners, were free. The runs' own waits say it."""
    lesson = load_lesson(LESSONS / CORES)
    assert lesson.file.b is not None
    a, b = lesson.file.a, lesson.file.b
    asked: list[str] = []

    def measure(lesson_asked):
        asked.append(lesson_asked.title)
        return None  # the burners, later, found the cores free

    busy = {"A": [_computing(a, 2158, 290)], "B": [_computing(b, 2117, 180)]}
    judged = with_cores_checked(judge_lesson(lesson, busy), measure)
    assert judged.line == BUSY and asked == []
    assert judged.cores_line is not None
    assert judged.cores_line.startswith("Measured in the run: its threads waited for a CPU core")
    # By the clock: a process waited while fewer than 2 ran from 50 ms to the last wait's
    # end (A 1,190 of 1,240 ms with work, B 1,080 of 1,130).
    assert "96%" in judged.cores_line
    # A run that did not show it with its cores free (waits of 5%): the burners are asked.
    quiet = {"A": [_computing(a, 505, 2.5)], "B": [_computing(b, 510, 2.5)]}
    assert with_cores_checked(judge_lesson(lesson, quiet), measure).line == NOT_SHOWN
    assert asked == [lesson.title]


def test_a_verdict_that_showed_the_point_on_busy_cores_says_the_machine_was_busy():
    """Lesson 23 at 22% of its work waiting for a core read "Verdict: A finished 1.7× sooner"
    under a "why" of "about half as long": only the details said the cores were busy."""
    lesson = load_lesson(LESSONS / CORES)
    a, b = _busy_runs()["A"][0].scenario, _busy_runs()["B"][0].scenario
    busy = {"A": [_computing(a, 500, 30)], "B": [_computing(b, 1000, 30)]}
    judged = with_cores_checked(judge_lesson(lesson, busy), lambda _: None)
    assert judged.showed and judged.cores_waited is not None
    assert judged.line.startswith("Verdict: A finished 2.0× sooner (A 500 ms, B 1.00 s), ")
    assert judged.line.endswith(
        f"on a busy machine (waiting for a core {judged.cores_waited:.0%} of the time it had work)"
    )
    assert judged.cores_line is None  # (the details do not say it twice)
    quiet = {"A": [_computing(a, 500, 0.2)], "B": [_computing(b, 1000, 0.2)]}
    assert with_cores_checked(judge_lesson(lesson, quiet), lambda _: None).line == (
        "Verdict: A finished 2.0× sooner (A 500 ms, B 1.00 s)"
    )


def test_django_s_own_cpu_counts_as_work_beside_a_wait_for_a_core():
    """Views that only sleep compute nothing of their own; Django's framework CPU around
    them is work too. A core wait of 0.5 ms beside 10 ms of it is 5%, not 100%."""
    ms = 1_000_000
    lesson = load_lesson(LESSONS / CORES)
    segments = (
        Segment("framework", 0, 10 * ms, "process 1"),
        Segment("core_wait", 10 * ms, 10 * ms + ms // 2, "process 1"),
        Segment("io_blocking", 10 * ms + ms // 2, 60 * ms, "process 1"),
    )
    lane = Lane(0, "sync_io", "ok", 200, None, 0, 60 * ms, segments)
    run = Run(lesson.file.a, Trace(t0_ns=0, lanes=(lane,)), _run(lesson.file.a, 60).summary)
    assert core_wait_share([run]) == pytest.approx(0.5 / 10.5)
    assert judge_lesson(lesson, {"A": [run], "B": [run]}).cores_waited is None


class _Handle:
    started = True

    def __init__(self, run: Run) -> None:
        self._run = run

    def snapshot(self, now_ns: int | None = None) -> Trace:
        return Trace(t0_ns=0, lanes=())

    def stop(self) -> None:
        pass

    async def run(self) -> Run:
        return self._run


def _session(makespans: dict[str, list[float]]) -> Session:
    """A session whose runs of lesson 23 take the next of ``makespans`` (by worker class)."""

    def runner(scenario: Scenario) -> _Handle:
        return _Handle(_run(scenario, makespans[scenario.worker_class].pop(0)))

    return Session(runner=runner, predictor=lambda scenario: Trace(t0_ns=0, lanes=()))


def _quiz(qtbot, tmp_path: Path, session: Session, measure):
    """Lesson 23's quiz panel over ``session`` (a copy of the lesson in ``tmp_path``),
    ``measure`` the cores' check: its classroom, the panel, the large-type verdict line it
    writes to, and their parent widget."""
    (tmp_path / CORES).write_bytes((LESSONS / CORES).read_bytes())
    classroom = Classroom(session, tmp_path)
    parent = QWidget()
    qtbot.addWidget(parent)
    verdict = QLabel()
    quiz = QtQuiz(parent, classroom, verdict=verdict, measure_cores=measure)
    return classroom, quiz, verdict, parent


def test_the_window_s_reveal_says_the_machine_had_no_two_free_cores(qtbot, qloop, tmp_path):
    busy = _busy_runs()
    makespans = {"sync": [505.0, 498.0, 502.0], "gthread": [510.0, 512.0, 507.0]}
    assert {r.scenario.worker_class for runs in busy.values() for r in runs} == set(makespans)
    session = _session(makespans)
    measured: list[str] = []

    def measure(lesson):
        measured.append(lesson.title)
        return 1.04

    classroom, quiz, verdict, parent = _quiz(qtbot, tmp_path, session, measure)
    classroom.open(tmp_path / CORES)
    classroom.forward()  # run
    qloop.run_until_complete(session.wait())
    assert classroom.quiz is not None and classroom.quiz.step is QuizStep.MEASURED
    assert session.every_run(Side.B)
    qtbot.waitUntil(lambda: bool(measured), timeout=5000)  # asked once measured
    classroom.forward()  # reveal
    qtbot.waitUntil(lambda: verdict.text() == BUSY, timeout=5000)
    assert verdict.isVisibleTo(parent)
    assert MEASURED in quiz.panel.reveal.text()  # B (the whole reveal) says what was measured
    classroom.back()
    classroom.forward()  # back and forth: the same runs are not measured again
    assert verdict.text() == BUSY and measured == [classroom.quiz.lesson.title]
    assert quiz.panel is not None
    asyncio.set_event_loop(qloop)


@pytest.mark.slow  # a window
def test_a_check_of_the_cores_that_ends_after_the_window_closed_hands_nothing_over(
    qtbot, qloop, settings, tmp_path
):
    """The check burns about a second on a thread of its own; the user may quit meanwhile.
    Its answer, posted then, went to a Qt being torn down (the kind of end that once crashed
    the window's process): once the window has closed, nothing is handed over."""
    from app.window.main_window import QtMainWindow

    makespans = {"sync": [505.0], "gthread": [510.0]}
    session = _session(makespans)
    window = QtMainWindow(settings=settings, session=session)
    qtbot.addWidget(window)
    go, asked = threading.Event(), threading.Event()

    def held(lesson):  # the burners still at work when the window closes
        asked.set()
        go.wait(10)
        return 1.04

    window.quiz.cores._measure = held
    posted: list[str] = []
    window.quiz.cores._measured.connect(
        lambda *_: posted.append(threading.current_thread().name),
        Qt.ConnectionType.DirectConnection,  # noted on the thread that posts it
    )
    window.classroom.open(LESSONS / CORES)
    window.classroom.forward()  # run: A and B no different, the check is asked
    qloop.run_until_complete(session.wait())
    assert asked.wait(5)
    (thread,) = (t for t in threading.enumerate() if t.name == "cores check")
    window.close()
    go.set()
    thread.join(10)
    qtbot.wait(50)
    assert posted == []
    asyncio.set_event_loop(qloop)


def test_a_check_of_the_cores_during_which_a_run_went_on_says_nothing(qtbot, qloop, tmp_path):
    """The reveal says "run it again" while the cores are measured (about a second): a run
    started then burns CPU beside the burners, and what they found ("no 2 free cores") was
    our own run, not the machine. Such a measure is dropped, and taken again when asked."""
    makespans = {"sync": [505.0, 498.0, 502.0] * 2, "gthread": [510.0, 512.0, 507.0] * 2}

    session = _session(makespans)
    go, asked = threading.Event(), []

    def measure(lesson):
        asked.append(lesson.title)
        go.wait(10)  # the burners at work
        return 1.04

    classroom, quiz, verdict, parent = _quiz(qtbot, tmp_path, session, measure)
    classroom.open(tmp_path / CORES)
    classroom.forward()  # run: A and B no different, the check is asked
    qloop.run_until_complete(session.wait())
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=5000)
    first = quiz._runs(classroom.quiz.lesson)
    assert session.start()  # the class runs it again while the cores are measured
    qloop.run_until_complete(session.wait())
    assert not makespans["sync"] and not makespans["gthread"]  # ran again, re-runs and all
    go.set()
    for thread in [t for t in threading.enumerate() if t.name == "cores check"]:
        thread.join(10)  # the first's, then the new runs' own (asked as the run ended)
    qtbot.wait(50)  # their answers have come back
    assert quiz.cores.found(first) is None  # taken beside our own run: it says nothing
    classroom.forward()  # reveal: the runs on screen are measured, alone
    qtbot.waitUntil(lambda: verdict.text() == BUSY, timeout=5000)
    assert len(asked) == 2
    asyncio.set_event_loop(qloop)


def test_the_reveal_judges_the_runs_f5_made_at_it(qtbot, qloop, tmp_path):
    """The reveal says "This run did not show it: run it again", and docs/teaching.md says
    how: F5 at the reveal. The reveal then kept judging the runs before it (the same line,
    the same claims) over the new runs' lanes: now it judges those on screen."""
    makespans = {"sync": [505.0, 498.0, 502.0, 260.0], "gthread": [510.0, 512.0, 507.0, 510.0]}
    session = _session(makespans)
    classroom, quiz, verdict, parent = _quiz(qtbot, tmp_path, session, lambda lesson: None)  # free
    classroom.open(tmp_path / CORES)
    classroom.forward()  # run: A and B no different
    qloop.run_until_complete(session.wait())
    classroom.forward()  # reveal
    assert verdict.text() == NOT_SHOWN
    assert session.start()  # F5: A's two processes now twice as fast as B's threads
    qloop.run_until_complete(session.wait())
    assert not makespans["sync"] and not makespans["gthread"]
    assert classroom.quiz is not None and classroom.quiz.step is QuizStep.REVEAL
    assert verdict.text().startswith("Verdict: "), verdict.text()
    assert quiz.panel is not None
    asyncio.set_event_loop(qloop)


def test_the_finished_lanes_and_the_reveal_give_one_verdict(qtbot, qloop, tmp_path):
    """Lesson 23 on a busy machine read "runs overlapped, no winner in makespan (A 606 ms
    …)" over its finished lanes, then "This run could not show it: no 2 free cores" over
    the same lanes at the reveal: two verdicts on one run. Once measured the window says the
    lesson's one line, before the reveal as at it."""
    makespans = {"sync": [505.0, 498.0, 502.0], "gthread": [510.0, 512.0, 507.0]}
    session = _session(makespans)
    classroom, quiz, verdict, parent = _quiz(qtbot, tmp_path, session, lambda lesson: 1.04)
    classroom.open(tmp_path / CORES)
    classroom.forward()  # run
    qloop.run_until_complete(session.wait())
    assert classroom.quiz is not None and classroom.quiz.step is QuizStep.MEASURED
    qtbot.waitUntil(lambda: verdict.text() == BUSY, timeout=5000)  # not yet revealed
    assert verdict.isVisibleTo(parent) and quiz.line == BUSY
    classroom.forward()  # reveal
    assert verdict.text() == BUSY
    asyncio.set_event_loop(qloop)


def test_lesson_n_says_only_that_the_run_could_not_show_it(capsys, monkeypatch):
    """``lesson 23`` printed "Verdict: runs overlapped, no winner …" and under it "THIS RUN
    COULD NOT SHOW IT: NO 2 FREE CORES ON THIS MACHINE.": the window's line, alone now."""
    import simulator.lessons as lessons
    from app.cli.main import main

    monkeypatch.setattr(
        lessons,
        "run_lesson",
        lambda lesson, *a, **k: judge_lesson(
            lesson,
            {
                "A": [_run(lesson.file.a, m) for m in (505.0, 620.0, 480.0)],
                "B": [_run(lesson.file.b, m) for m in (510.0, 512.0, 507.0)],
            },
        ),
    )
    monkeypatch.setattr(type(load_lesson(LESSONS / CORES).needs), "cores_shared", lambda s: 1.04)
    monkeypatch.setattr(type(load_lesson(LESSONS / CORES).needs), "unmet", lambda s: None)
    main(["lesson", "23"])
    out = capsys.readouterr().out
    assert f"{BUSY.upper()}." in out
    assert "Verdict:" not in out and "no winner" not in out
