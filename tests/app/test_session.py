"""The session model without Qt or Django: a fake runner returns made-up runs.

Each test drives the session as the window would (set dials, Run, Stop, load a lesson) and
asserts what a person would see change: which side ran, in what order, the verdict, the
message of a failed run, the exact dials.
"""

from __future__ import annotations

import asyncio
import gc
import time
from dataclasses import replace

import pytest

from app.session import Session, Side
from simulator.errors import LanesError, ScenarioError
from simulator.metrics.summary import summarize
from simulator.prediction.model import predict
from simulator.scenario import Scenario
from simulator.trace import Run

from .fake_runs import FakeRun

SLOW = Scenario(view="sync_io", mode="wsgi", workers=1, requests=4, io_ms=100)
FAST = Scenario(view="async_io", mode="asgi", requests=4, io_ms=100)


def fake_session(seconds: float = 0.01, error: Exception | None = None, frames: int = 0):
    """A session whose runner is :class:`FakeRun`, and the scenarios it was asked to run."""
    ran: list[Scenario] = []
    session = Session(
        runner=lambda scenario: FakeRun(scenario, ran, seconds, error, frames),
        frame_ms=5,
        scenario_a=SLOW,
        scenario_b=FAST,
    )
    return session, ran


def record(session: Session, *names: str) -> list[tuple]:
    """Every emission of the named events, in order, as ``(name, *args)``."""
    log: list[tuple] = []
    for name in names:
        getattr(session.events, name).connect(lambda *args, _n=name: log.append((_n, *args)))
    return log


def test_run_in_compare_mode_runs_a_then_b_and_rerunning_b_keeps_a():
    session, ran = fake_session()
    session.set_compare(True)
    log = record(session, "run_started", "run_finished", "running")
    asyncio.run(session.run())
    assert ran == [SLOW, FAST]
    assert [(e[0], e[1]) for e in log] == [
        ("running", True),
        ("run_started", Side.A),
        ("run_finished", Side.A),
        ("run_started", Side.B),
        ("run_finished", Side.B),
        ("running", False),
    ]
    first_a = session.runs[Side.A]
    asyncio.run(session.run([Side.B]))
    assert ran == [SLOW, FAST, FAST]
    assert session.runs[Side.A] is first_a
    assert session.runs[Side.B].scenario == FAST
    assert session.last_run is session.runs[Side.B]


def test_side_b_does_not_run_outside_compare_mode():
    session, ran = fake_session()
    assert not session.start([Side.B])
    asyncio.run(session.run())
    assert ran == [SLOW]
    assert session.shown_runs() == [session.runs[Side.A]]


def test_the_verdict_appears_once_both_sides_have_run():
    session, _ = fake_session()
    session.set_compare(True)
    verdicts = record(session, "verdict")
    asyncio.run(session.run([Side.A]))
    assert session.verdict is None and verdicts == []
    asyncio.run(session.run([Side.B]))
    assert session.verdict is not None and "B finished" in session.verdict
    assert verdicts == [("verdict", session.verdict)]
    # Re-running A hides the verdict while A is missing, and brings it back after.
    asyncio.run(session.run([Side.A]))
    assert [v for _, v in verdicts] == [verdicts[0][1], None, session.verdict]
    session.set_compare(False)
    assert session.verdict is None


def test_stop_mid_queue_drops_the_queued_side():
    session, ran = fake_session(seconds=5)
    session.set_compare(True)

    async def scenario():
        session.start()
        while session.running_side is not Side.A:
            await asyncio.sleep(0.001)
        assert session.queued == (Side.B,)
        await asyncio.sleep(0.02)
        session.stop()
        await session.wait()

    asyncio.run(asyncio.wait_for(scenario(), 3))
    assert ran == [SLOW]
    assert session.runs[Side.A].stopped
    assert session.runs[Side.B] is None
    assert not session.running and session.queued == ()
    assert session.check is None  # a stopped run is not held against the model


def test_an_error_from_the_runner_becomes_a_message_and_running_ends():
    session, _ = fake_session(error=LanesError("the upstream did not answer"))
    session.set_compare(True)
    log = record(session, "error", "running")
    asyncio.run(session.run())
    assert log == [("running", True), ("error", "the upstream did not answer"), ("running", False)]
    assert not session.running
    assert session.runs == {Side.A: None, Side.B: None}  # B never ran after A failed


def test_a_run_cut_short_from_outside_keeps_what_it_measured_as_a_stopped_run():
    """The site's process killed mid-run: the error is said, and the last frame it sent is
    kept as a stopped run (drawn, its figures shown), not thrown away."""
    from simulator.hosting.site_process import RunLost
    from simulator.prediction.model import predict

    trace = predict(SLOW)
    measured = Run(SLOW, trace, summarize(trace), stopped=True)
    session, _ = fake_session(
        error=RunLost("The site's process ended before the run did", measured)
    )
    session.set_compare(True)
    log = record(session, "error", "run_finished")
    asyncio.run(session.run())
    assert log == [
        ("error", "The site's process ended before the run did"),
        ("run_finished", Side.A, measured),
    ]
    assert session.runs == {Side.A: measured, Side.B: None}  # stopped: B is not run after it


def test_an_unexpected_error_is_named_not_raised():
    session, _ = fake_session(error=RuntimeError("boom"))
    messages = record(session, "error")
    asyncio.run(session.run())
    assert messages == [("error", "The run failed: RuntimeError: boom")]
    assert not session.running


def test_a_live_run_streams_snapshots_then_forgets_them():
    # The run lasts until the session took 3 snapshots (a fixed 0.1 s saw 1 on a busy
    # machine); a session that streamed none would leave it waiting 30 s and fail.
    session, _ = fake_session(seconds=0.1, frames=3)
    frames = record(session, "run_progressed")
    asyncio.run(session.run())
    assert len(frames) >= 3
    assert all(side is Side.A and len(trace.lanes) == 4 for _, side, trace, _ in frames)
    assert session.live_trace is None


def test_the_runs_a_session_keeps_are_not_walked_by_the_collector_once_its_runs_end():
    # The window keeps its last runs on screen while the next one runs live: the full
    # collections inside its live frames must not walk them again (collector.settle).
    session, _ = fake_session()
    session.set_compare(True)
    asyncio.run(session.run())
    kept = [run for run in session.runs.values() if run is not None]
    assert len(kept) == 2
    objects = [part for run in kept for part in (run, run.trace, *run.trace.lanes)]
    ids = {id(part) for part in objects}
    assert not any(id(o) in ids for o in gc.get_objects())  # frozen: in no generation


def test_exact_dial_values_survive_a_lesson_load(tmp_path):
    lesson = tmp_path / "lesson.toml"
    lesson.write_text(
        'title = "Half milliseconds"\n[scenario]\nview = "async_io"\n'
        "io_ms = 150.5\ncpu_ms = 2.5\narrival_ms = 0.5\n"
    )
    session, ran = fake_session()
    titles = record(session, "lesson")
    session.open(lesson)
    exact = Scenario(view="async_io", io_ms=150.5, cpu_ms=2.5, arrival_ms=0.5)
    assert session.scenario(Side.A) == exact
    assert titles == [("lesson", session.lesson)] and session.lesson_title == "Half milliseconds"
    assert session.lesson.matches(exact)
    asyncio.run(session.run())
    assert ran == [exact]


def test_a_broken_file_changes_nothing(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text('[scenario]\nview = "sync_io"\nio_ms = 99999\n')
    session, _ = fake_session()
    with pytest.raises(ScenarioError):
        session.open(broken)
    assert session.scenario(Side.A) == SLOW and not session.compare


def test_the_prediction_is_dropped_by_a_run_and_checked_against_it():
    session, _ = fake_session()
    prediction = session.predict()
    assert prediction is not None and prediction.summary.makespan_ms == pytest.approx(400, rel=0.1)
    asyncio.run(session.run())
    assert session.prediction is None
    assert session.check is not None and session.check.ratio == pytest.approx(1.0)


def test_a_close_call_runs_each_side_twice_more_and_names_no_winner():
    session, ran = fake_session()
    session.set_scenario(Side.B, SLOW)  # the same dials on both sides
    session.set_compare(True)
    notices = record(session, "notice")
    asyncio.run(session.run())
    assert ran == [SLOW] * 6  # A, B, then A, B twice more
    assert [len(session.samples[side]) for side in Side] == [3, 3]
    assert any("each runs 2 more times" in n[1] for n in notices)
    assert session.verdict is not None
    # Identical runs: no winner, no race words, and no "within 0%".
    assert session.verdict.startswith("the same makespan: A 403 ms, B 403 ms")
    assert "3 runs each" in session.verdict


def test_sides_far_apart_run_once_each():
    session, ran = fake_session()
    session.set_compare(True)
    asyncio.run(session.run())
    assert ran == [SLOW, FAST]
    assert session.verdict is not None and session.verdict.startswith("B finished")


def test_after_a_close_call_each_side_shows_its_median_run_not_its_last():
    # A: 300, 200, 100 ms and B: 280, 260, 240 ms, in the order they run (A, B, A, B, A, B):
    # the median runs are the second ones, neither the first nor the last.
    figures = iter([300.0, 280.0, 200.0, 260.0, 100.0, 240.0])
    ran: list[Scenario] = []

    def runner(scenario):
        return FiguredRun(scenario, ran, next(figures))

    session = Session(runner=runner, frame_ms=5, scenario_a=SLOW, scenario_b=SLOW)
    session.set_compare(True)
    finished = record(session, "run_finished")
    asyncio.run(session.run())
    assert len(ran) == 6
    # The lanes and the Metrics panel show the median run, the very number the verdict gives.
    assert [session.runs[side].summary.makespan_ms for side in Side] == [200.0, 260.0]
    assert "A 200 ms (100–300 ms), B 260 ms (240–280 ms)" in session.verdict
    last_shown = {side: run for _, side, run in finished}
    assert last_shown[Side.A] is session.runs[Side.A] and last_shown[Side.B] is session.runs[Side.B]
    # The side that ran last is shown (each side while it runs), then A when asked for.
    assert session.shown_side is Side.B
    assert session.shown_run().summary.makespan_ms == 260.0
    session.show_side(Side.A)
    assert session.shown_run().summary.makespan_ms == 200.0
    # Every run stays kept, in the order it ran, for the verdict's range and the run file.
    assert [r.summary.makespan_ms for r in session.every_run(Side.A)] == [300.0, 200.0, 100.0]
    assert [r.summary.makespan_ms for r in session.every_run(Side.B)] == [280.0, 260.0, 240.0]
    assert session.check is not None and session.check.measured_ms == 260.0


class FiguredRun(FakeRun):
    """A fake run whose makespan is the figure given (the lanes are the model's)."""

    def __init__(self, scenario: Scenario, log: list[Scenario], makespan_ms: float):
        super().__init__(scenario, log, 0.0)
        self._makespan_ms = makespan_ms

    async def run(self) -> Run:
        run = await super().run()
        return replace(run, summary=replace(run.summary, makespan_ms=self._makespan_ms))


class SmallLanesRun(FakeRun):
    """A fake run of a big scenario whose lanes are a few (made at once, not by the model)."""

    LANES = predict(FAST)

    def snapshot(self, now_ns: int | None = None):
        return self.LANES

    async def run(self) -> Run:
        self.started = True
        await asyncio.sleep(0.01)
        return Run(self.scenario, self.LANES, summarize(self.LANES))


@pytest.mark.slow
def test_the_model_s_check_of_a_big_run_comes_after_its_end_and_leaves_the_loop_free():
    big = replace(FAST, requests=1000)  # the model of 1,000 requests takes ~0.3 s
    started = time.perf_counter()
    predicted = summarize(predict(big)).makespan_ms
    alone_s = time.perf_counter() - started
    session = Session(runner=lambda s: SmallLanesRun(s, [], 0.0), frame_ms=5, scenario_a=big)
    checks = record(session, "checked")
    lags: list[float] = []

    async def run_then_wait_for_the_check() -> None:
        async def tick() -> None:
            while True:
                before = time.perf_counter()
                await asyncio.sleep(0.005)
                lags.append(time.perf_counter() - before - 0.005)

        ticking = asyncio.ensure_future(tick())
        await session.run()
        assert session.check is None  # not yet: the model works on a thread of its own
        for _ in range(3000):
            if checks:
                break
            await asyncio.sleep(0.01)
        ticking.cancel()

    asyncio.run(run_then_wait_for_the_check())
    assert checks and session.check is checks[0][1]
    assert session.check.predicted_ms == pytest.approx(predicted)
    # Worked out on the loop, it held the loop as long as it took alone.
    assert max(lags) < alone_s / 3
