"""Lesson 15 (8 threads against one loop, computing) needs one free core.

Its check failed at load ~5 ("B more than 30% ahead of A") and passed beside two burners.
Beside four programs that wake often, its runs waited for a core 67% of their CPU work
(summed thread by thread, as then read), its makespans spread 451 ms-1.46 s a side, and B
came out 32% ahead once: the OS, not async, decided who computed. Runs that waited so say
the machine had no free core (the check skips, as lesson 23's does); runs with their core
free that show B ahead still fail.
"""

from __future__ import annotations

from pathlib import Path

from simulator.lessons import NOT_SHOWN, judge_lesson, load_lesson
from simulator.metrics.summary import Summary
from simulator.scenario import Scenario
from simulator.trace import Lane, Run, Segment, Trace

LESSON = Path(__file__).resolve().parents[2] / "assets" / "lessons" / "15-cpu-bound-no-gain.toml"
MS = 1_000_000


def _computing(scenario: Scenario, makespan: float, waited_ms: float) -> Run:
    """8 requests computed one after another, each 40 ms, then waited ``waited_ms`` for a
    core before the next one ran."""
    lanes = []
    for i in range(8):
        start = round(i * (40 + waited_ms) * MS)
        cpu_end = start + 40 * MS
        wait_end = cpu_end + round(waited_ms * MS)
        segments = (
            Segment("cpu", start, cpu_end, "asgi-loop"),
            Segment("core_wait", cpu_end, wait_end, "asgi-loop"),
        )
        lanes.append(Lane(i, "async_io", "ok", 200, None, start, wait_end, segments))
    latency = dict.fromkeys(("p50", "p95", "p99", "max"), makespan)
    summary = Summary(8, 8, 0, 0, 8, makespan, 0.0, latency, 8, 1, 0.0, 0.0)
    return Run(scenario, Trace(t0_ns=0, lanes=tuple(lanes)), summary)


def _runs(waited_ms: float) -> dict[str, list[Run]]:
    """B 32% ahead of A, as in the failed check."""
    lesson = load_lesson(LESSON)
    assert lesson.file.b is not None
    return {
        "A": [_computing(lesson.file.a, 699.0, waited_ms)],
        "B": [_computing(lesson.file.b, 474.0, waited_ms)],
    }


def test_lesson_15_whose_runs_waited_for_a_core_says_the_machine_had_none():
    judged = judge_lesson(load_lesson(LESSON), _runs(waited_ms=80))  # 67% of the work
    assert not judged.held
    assert judged.line == "This run could not show it: no free core on this machine"
    assert judged.cores_line is not None and "waited for a CPU core 67%" in judged.cores_line


def test_lesson_15_with_its_core_free_that_shows_async_ahead_still_fails():
    judged = judge_lesson(load_lesson(LESSON), _runs(waited_ms=2))  # 5%
    assert not judged.held and judged.cores_waited is None
    assert judged.line == NOT_SHOWN and judged.cores_line is None


def _taking_turns(scenario: Scenario, makespan: float) -> Run:
    """8 threads computing 40 ms each in turn, each ready 20 ms before its turn and waiting
    for a core meanwhile, while the one before it ran: beside one busy core, each waited a
    third of its own work, yet some thread always ran."""
    lanes = []
    for i in range(8):
        start = i * 40 * MS
        segments = (
            Segment("core_wait", max(0, start - 20 * MS), start, f"thread {i}"),
            Segment("cpu", start, start + 40 * MS, f"thread {i}"),
        )
        lanes.append(Lane(i, "sync_io", "ok", 200, None, 0, start + 40 * MS, segments))
    latency = dict.fromkeys(("p50", "p95", "p99", "max"), makespan)
    summary = Summary(8, 8, 0, 0, 8, makespan, 0.0, latency, 8, 8, 0.0, 0.0)
    return Run(scenario, Trace(t0_ns=0, lanes=tuple(lanes)), summary)


def test_threads_waiting_for_a_core_while_another_ran_had_their_core():
    """Beside one burner A's threads waited for a core 33-42% of their own work, summed
    thread by thread (over the 15% that says the machine had none), while the site stood
    still for want of a core 1-13% of the time: a lesson 15 whose async side came out 2×
    ahead there (B computing half as much) was skipped, not failed."""
    lesson = load_lesson(LESSON)
    assert lesson.file.b is not None
    runs = {
        "A": [_taking_turns(lesson.file.a, 330.0)],
        "B": [_computing(lesson.file.b, 165.0, waited_ms=0.1)],
    }
    judged = judge_lesson(lesson, runs)
    assert not judged.held and judged.cores_waited is None
    assert judged.line == NOT_SHOWN


def test_lesson_5_whose_loop_waited_for_a_core_says_so_beside_its_staircase():
    """Lesson 5's why says each answer comes 50 ms after the one before; on a busy machine
    they came 60-200 ms apart, the bars mostly "waiting for a CPU core", and nothing in the
    reveal said the machine was busy. Its staircase still shows (its claim holds), and its
    line says how long the loop waited for a core (the details then do not say it again)."""
    lesson = load_lesson(LESSON.with_name("05-cpu-staircase.toml"))
    run = _computing(lesson.file.a, 1260.0, waited_ms=60)  # 60% of the work
    judged = judge_lesson(lesson, {"A": [run]})
    assert judged.held and judged.showed
    assert judged.line.endswith(
        "on a busy machine (waiting for a core 60% of the time it had work)"
    )
    assert judged.cores_line is None
    quiet = judge_lesson(lesson, {"A": [_computing(lesson.file.a, 500.0, waited_ms=2)]})
    assert quiet.showed and quiet.cores_line is None


def test_lesson_6_whose_loop_waited_for_a_core_says_so_beside_its_answers():
    """Lesson 6's why has the first answer leave after 50 ms: on a busy machine the loop's
    waits for a core spread the answers, and its line now says how long it waited."""
    lesson = load_lesson(LESSON.with_name("06-chunked-cpu.toml"))
    assert lesson.file.b is not None

    def runs(waited_ms: float) -> dict[str, list[Run]]:
        return {
            "A": [_computing(lesson.file.a, 500.0, waited_ms)],
            "B": [_computing(lesson.file.b, 700.0, waited_ms)],  # slicing: p50 1.4x later
        }

    judged = judge_lesson(lesson, runs(waited_ms=60))  # 60% of the work
    assert judged.showed and "waiting for a core 60% of the time it had work" in judged.line
    quiet = judge_lesson(lesson, runs(waited_ms=2))
    assert quiet.held and quiet.showed and quiet.cores_line is None
