"""The verdict that knows noise: close sides are measured again, a winner only when every run
of one side beats every run of the other."""

from __future__ import annotations

from simulator.metrics.noise import EXTRA_RUNS, is_close, measure_pair, noise_verdict
from simulator.metrics.summary import Summary, summarize
from simulator.scenario import Scenario
from simulator.trace import Run, Trace


def summary(makespan: float, p50: float | None = None, threads: int = 0) -> Summary:
    p50 = makespan if p50 is None else p50
    return Summary(
        requests=8,
        ok=8,
        failed=0,
        cancelled=0,
        makespan_ms=makespan,
        throughput_rps=0.0,
        latency_ms={"p50": p50, "p95": p50, "p99": p50, "max": p50},
        peak_in_flight=8,
        threads_used=1,
        loop_blocked_ms=0.0,
        framework_ms_per_request=0.0,
        threads_held_peak=threads,
    )


def test_close_means_under_15_percent_apart():
    assert is_close(100, 114) and not is_close(100, 118)


def test_overlapping_runs_are_no_measurable_difference():
    a = [summary(200), summary(230), summary(210)]
    b = [summary(205), summary(220), summary(240)]
    line = noise_verdict("makespan_ms", a, b)
    assert line.startswith("no measurable difference in makespan")
    assert "A 200 ms–230 ms" in line and "3 runs each" in line


def test_every_run_beating_every_run_names_the_side_and_the_size():
    a = [summary(200), summary(205), summary(210)]
    b = [summary(220), summary(225), summary(230)]
    line = noise_verdict("makespan_ms", a, b)
    assert line.startswith("A: makespan lower by 10% in every run")


def test_one_run_each_far_apart_gives_the_ratio_on_the_lessons_figure():
    assert noise_verdict("p50", [summary(900, 400)], [summary(900, 100)]) == "B: p50 4.0× lower"
    line = noise_verdict("threads_held_peak", [summary(200, threads=8)], [summary(200)])
    assert line == "B: threads held lower (0 against 8)"


def test_one_run_each_close_names_no_winner():
    line = noise_verdict("makespan_ms", [summary(200)], [summary(215)])
    assert "about the same" in line and "one run each" in line


def _fake_run(makespan: float) -> Run:
    return Run(Scenario(), Trace(t0_ns=0, lanes=()), summary(makespan))


def test_measure_pair_runs_close_sides_again_and_far_ones_once():
    made: list[str] = []

    def measure_close(scenario: Scenario) -> Run:
        made.append(scenario.view)
        return _fake_run(200 if scenario.view == "sync_io" else 210)

    a, b = Scenario(view="sync_io"), Scenario(view="async_io")
    runs_a, runs_b = measure_pair(a, b, "makespan_ms", measure_close)
    assert len(runs_a) == len(runs_b) == 1 + EXTRA_RUNS
    assert made[:4] == ["sync_io", "async_io", "sync_io", "async_io"]  # alternating

    def measure_far(scenario: Scenario) -> Run:
        return _fake_run(200 if scenario.view == "sync_io" else 1600)

    runs_a, runs_b = measure_pair(a, b, "makespan_ms", measure_far)
    assert (len(runs_a), len(runs_b)) == (1, 1)


def test_a_real_summary_has_db_connections_peak_zero_without_queries():
    assert summarize(Trace(t0_ns=0, lanes=())).db_connections_peak == 0
