"""Lesson 15 (8 threads against one loop, computing) needs one free core.

Its check failed at load ~5 ("B more than 30% ahead of A") and passed beside two burners.
Beside four programs that wake often, its runs waited for a core 67% of their CPU work, its
makespans spread 451 ms-1.46 s a side, and B came out 32% ahead once: the OS, not async,
decided who computed. Runs that waited so say the machine had no free core (the check skips,
as lesson 23's does); runs with their core free that show B ahead still fail.
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
    """8 requests that each computed 40 ms and waited ``waited_ms`` for a core."""
    lanes = []
    for i in range(8):
        start = i * 40 * MS
        cpu_end = start + 40 * MS
        wait_end = cpu_end + round(waited_ms * MS)
        segments = (
            Segment("cpu", start, cpu_end, "asgi-loop"),
            Segment("core_wait", cpu_end, wait_end, "asgi-loop"),
        )
        lanes.append(Lane(i, "async_io", "ok", 200, None, start, wait_end, segments))
    latency = dict.fromkeys(("p50", "p95", "p99", "max"), makespan)
    summary = Summary(8, 8, 0, 0, makespan, 0.0, latency, 8, 1, 0.0, 0.0)
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
