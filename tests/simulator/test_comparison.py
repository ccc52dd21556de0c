"""The one comparison protocol and closeness rule: close sides are measured again, a winner
only when every run agrees and it is at least 5% ahead, and a lesson that expects the same
never reads like a race."""

from __future__ import annotations

import dataclasses
import re

import pytest

from simulator.metrics.comparison import (
    CLOSE_WITHIN,
    EXTRA_RUNS,
    MIN_WIN,
    Comparison,
    Criterion,
    apart,
    is_close,
    judge,
    measure_pair,
    rerun_reason,
    spread,
)
from simulator.metrics.summary import Summary
from simulator.metrics.verdict import comparison_verdict, verdict_from_summaries
from simulator.scenario import Scenario
from simulator.trace import Run, Trace

#: The words that name a winner; a lesson expecting the same never shows one of them.
RACE_WORDS = re.compile(r"lower|higher|sooner|later|faster|slower", re.IGNORECASE)


def summary(
    makespan: float, p50: float | None = None, threads: int = 0, db_connections: int = 0
) -> Summary:
    p50 = makespan if p50 is None else p50
    return Summary(
        requests=8,
        ok=8,
        failed=0,
        cancelled=0,
        answered=8,
        makespan_ms=makespan,
        throughput_rps=0.0,
        latency_ms={"p50": p50, "p95": p50, "p99": p50, "max": p50},
        peak_in_flight=8,
        threads_used=1,
        loop_blocked_ms=0.0,
        framework_ms_per_request=0.0,
        threads_held_peak=threads,
        db_connections_peak=db_connections,
    )


def many(*makespans: float) -> list[Summary]:
    return [summary(m) for m in makespans]


# -- the closeness rule ---------------------------------------------------------------------
def test_100_against_116_ms_is_one_decision_everywhere():
    """The two old formulas disagreed here ("close, re-run" against "A 1.2× sooner")."""
    assert apart(100, 116) == pytest.approx(0.16)
    assert not is_close(100, 116) and is_close(100, 114)
    assert rerun_reason("makespan_ms", many(100), many(116)) is None
    assert judge("makespan_ms", many(100), many(116)).winner == "A"
    assert verdict_from_summaries(summary(100), summary(116)).startswith("A finished 1.2× sooner")
    # 114 ms is close: re-run, and from one run each no winner is named.
    assert rerun_reason("makespan_ms", many(100), many(114)) == (
        "A and B within 15% on makespan: each runs 2 more times"
    )
    assert judge("makespan_ms", many(100), many(114)).winner is None
    assert "too close to call" in verdict_from_summaries(summary(100), summary(114))


def test_closeness_is_symmetric_and_handles_zero():
    assert apart(116, 100) == apart(100, 116)
    assert apart(0, 0) == 0 and is_close(0, 0)
    assert apart(0, 5) == float("inf") and not is_close(0, 5)


@pytest.mark.parametrize(
    ("b_ms", "named"),
    [(104.9, False), (105.1, True)],
    ids=["4.9%-no-winner", "5.1%-winner"],
)
def test_a_winner_needs_5_percent_even_when_every_run_agrees(b_ms, named):
    a = many(100, 100, 100)
    b = many(b_ms, b_ms, b_ms)
    judged = judge("makespan_ms", a, b)
    assert (judged.winner == "A") is named
    line = verdict_from_summaries(a, b)
    if named:
        assert line.startswith("A finished by 6% sooner in every run")
    else:
        assert line.startswith("about the same makespan") and "within 5%" in line
        assert not RACE_WORDS.search(line)
    assert MIN_WIN == 0.05 and CLOSE_WITHIN == 0.15


def test_0_percent_in_every_run_is_never_a_winner():
    """Lesson 17 once read "A: p50 lower by 0% in every run"."""
    a, b = many(200, 200.5, 201), many(201.5, 202, 202.5)
    assert judge("makespan_ms", a, b).winner is None
    assert "0%" not in verdict_from_summaries(a, b).replace("within 1%", "")


def test_overlapping_runs_say_so_in_words_that_hold_without_the_ranges():
    """Lesson 15 on a busy machine: "no measurable difference in makespan (A 497 ms, B
    1.41 s)" once the strip dropped the ranges, medians 2.8× apart. The words say why no
    side wins, so they hold without the ranges."""
    a, b = many(200, 230, 210), many(205, 250, 240)
    line = verdict_from_summaries(a, b)
    assert line == (
        "no winner in makespan: ranges overlap (A 210 ms (200–230 ms), "
        "B 240 ms (205–250 ms); 3 runs each)"
    )


def test_every_run_beating_every_run_names_the_side_with_medians_and_ranges():
    line = verdict_from_summaries(many(200, 205, 210), many(230, 235, 240))
    assert line.startswith("A finished by 15% sooner in every run")
    assert "(A 205 ms (200–210 ms), B 235 ms (230–240 ms); 3 runs each)" in line


def test_other_figures_and_zero():
    line = comparison_verdict(
        Comparison(Criterion("threads_held_peak"), (summary(200, threads=8),), (summary(200),))
    )
    assert line == "B: fewer threads held (A 8, B 0)"
    line = comparison_verdict(
        Comparison(Criterion("p50"), (summary(900, 400),), (summary(900, 100),))
    )
    assert line == "B: p50 4.0× lower (A 400 ms, B 100 ms)"


# -- one figure, one number -------------------------------------------------------------------
def test_a_side_of_several_runs_is_written_as_its_median_and_range():
    assert spread("makespan_ms", many(25, 30, 27)).text == "27.0 ms (25.0–30.0 ms)"
    assert spread("makespan_ms", many(990, 1020)).text == "1.00 s (990 ms–1.02 s)"
    assert spread("makespan_ms", many(614)).text == "614 ms"
    assert spread("threads_held_peak", [summary(1, threads=n) for n in (25, 30, 27)]).text == (
        "27 (25–30)"
    )


# -- lessons' expectations ----------------------------------------------------------------
SAME = Criterion("makespan_ms", "same", 0.15)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (many(605), many(614)),
        (many(605, 606, 607), many(640, 641, 642)),  # B behind in every run: still the same
        (many(100), many(200)),  # not the same on this run
        (many(200, 230, 210), many(205, 250, 240)),
    ],
)
def test_a_lesson_expecting_the_same_never_names_a_winner(a, b):
    comparison = Comparison(SAME, tuple(a), tuple(b))
    line = comparison_verdict(comparison)
    assert not RACE_WORDS.search(line), line


def test_the_same_within_its_tolerance_and_not_beyond():
    same = Comparison(SAME, tuple(many(605)), tuple(many(614)))
    assert comparison_verdict(same) == "about the same makespan: A 605 ms, B 614 ms, within 2%"
    assert same.expectation_held is True
    apart_ = Comparison(SAME, tuple(many(600)), tuple(many(900)))
    assert comparison_verdict(apart_) == (
        "not the same on this run: makespan A 600 ms, B 900 ms, 50% apart"
    )
    assert apart_.expectation_held is False


def test_an_expected_side_holds_only_when_the_verdict_names_it():
    expect_b = Criterion("makespan_ms", "B")
    assert Comparison(expect_b, tuple(many(600)), tuple(many(200))).expectation_held is True
    assert Comparison(expect_b, tuple(many(200)), tuple(many(600))).expectation_held is False
    overlap = Comparison(expect_b, tuple(many(200, 230, 210)), tuple(many(205, 250, 240)))
    assert overlap.expectation_held is False
    assert Comparison(Criterion(), tuple(many(1)), tuple(many(2))).expectation_held is None


def test_a_criterion_refuses_what_it_cannot_judge():
    with pytest.raises(ValueError, match="unknown figure"):
        Criterion("speed")
    with pytest.raises(ValueError, match="same_within"):
        Criterion("p50", "same", 0)


# -- the protocol -------------------------------------------------------------------------
def _fake_run(makespan: float, stopped: bool = False) -> Run:
    return Run(Scenario(), Trace(t0_ns=0, lanes=()), summary(makespan), stopped=stopped)


def test_measure_pair_runs_close_sides_again_alternating_and_far_ones_once():
    made: list[str] = []
    notices: list[str] = []

    def measure_close(scenario: Scenario) -> Run:
        made.append(scenario.view)
        return _fake_run(200 if scenario.view == "sync_io" else 210)

    a, b = Scenario(view="sync_io"), Scenario(view="async_io")
    runs_a, runs_b = measure_pair(a, b, "makespan_ms", measure_close, notice=notices.append)
    assert len(runs_a) == len(runs_b) == 1 + EXTRA_RUNS
    assert made == ["sync_io", "async_io"] * (1 + EXTRA_RUNS)
    assert notices == ["A and B within 15% on makespan: each runs 2 more times"]

    def measure_far(scenario: Scenario) -> Run:
        return _fake_run(200 if scenario.view == "sync_io" else 1600)

    runs_a, runs_b = measure_pair(a, b, "makespan_ms", measure_far)
    assert (len(runs_a), len(runs_b)) == (1, 1)


def test_measure_pair_stops_at_a_stopped_run_or_when_told():
    a, b = Scenario(view="sync_io"), Scenario(view="async_io")
    runs_a, runs_b = measure_pair(a, b, "makespan_ms", lambda s: _fake_run(200, stopped=True))
    assert (len(runs_a), len(runs_b)) == (1, 0)
    calls: list[int] = []

    def measure(scenario: Scenario) -> Run:
        calls.append(1)
        return _fake_run(200)

    runs_a, runs_b = measure_pair(a, b, "makespan_ms", measure, stop=lambda: len(calls) >= 3)
    assert (len(runs_a), len(runs_b)) == (2, 1)  # told to stop after the first re-run


def test_one_side_or_the_same_holds_unless_the_other_side_is_ahead():
    """Lesson 15: async is "about the same, or even later" (a busy machine shares the cores
    by thread, so the one loop thread can come out 3× later)."""
    a_or_same = Criterion("makespan_ms", "A or same")
    assert Comparison(a_or_same, tuple(many(572)), tuple(many(1650))).expectation_held is True
    assert Comparison(
        a_or_same, tuple(many(330, 331, 332)), tuple(many(335, 336, 337))
    ).expectation_held
    assert Comparison(a_or_same, tuple(many(600)), tuple(many(300))).expectation_held is False
    # With one core taken by another program, B's one loop thread measured 7% sooner than
    # A's 8 threads switching the GIL in every run: about the same, as the answer says; 20%
    # sooner is not.
    assert Comparison(
        a_or_same, tuple(many(365, 350, 365)), tuple(many(342, 340, 347))
    ).expectation_held
    assert (
        Comparison(
            a_or_same, tuple(many(365, 360, 366)), tuple(many(300, 302, 301))
        ).expectation_held
        is False
    )


def test_one_run_each_that_does_not_show_the_expectation_is_run_again():
    same = Criterion("makespan_ms", "same", 0.15)
    assert rerun_reason(same, many(760), many(611)) == (
        "One run each did not show what the lesson expects: each runs 2 more times"
    )
    assert rerun_reason(same, many(600), many(640)) is not None  # close, as ever
    assert rerun_reason(Criterion("makespan_ms", "B"), many(800), many(300)) is None
    assert rerun_reason(Criterion("makespan_ms", "A"), many(800), many(300)) is not None


def test_the_other_side_ahead_within_the_same_reads_about_the_same_not_its_win():
    """Lesson 15 on a quiet machine, in the window: "Verdict: B finished by 11% sooner in every
    run (A 455 ms, B 411 ms) · Answer: No: about the same, or even later". The expectation
    held (within same_within), so the verdict says so in the answer's words."""
    from simulator.metrics.verdict import verdict_from_summaries

    a_or_same = Criterion("makespan_ms", "A or same")
    text = verdict_from_summaries(many(455, 450, 460), many(411, 409, 414), a_or_same)
    assert text.startswith("about the same makespan: A 455 ms"), text
    assert "sooner" not in text and "B 411 ms" in text
    # A ahead is the answer's own side: it keeps its words; B ahead beyond same_within is
    # what the answer does not expect, named as measured (the reveal says "run it again").
    assert verdict_from_summaries(many(455, 450, 460), many(611, 609, 614), a_or_same).startswith(
        "A finished"
    )
    assert verdict_from_summaries(many(455, 450, 460), many(300, 302, 301), a_or_same).startswith(
        "B finished"
    )


def test_equal_figures_read_the_same_not_within_0_percent():
    """Lesson 8 in the window: "about the same threads held: A 8, B 8, within 0%; 3 runs
    each", which reads like a slip."""
    from simulator.metrics.verdict import verdict_from_summaries

    eight = [summary(170, threads=8), summary(172, threads=8), summary(168, threads=8)]
    same = Criterion("threads_held_peak", "same")
    assert verdict_from_summaries(eight, eight, same) == (
        "the same threads held: A 8, B 8; 3 runs each"
    )
    plain = verdict_from_summaries(many(605), many(614), Criterion("makespan_ms", "same"))
    assert plain == "about the same makespan: A 605 ms, B 614 ms, within 2%"


def test_a_count_one_side_has_less_of_is_said_as_fewer_not_as_a_win():
    # Lesson 19: "B: DB connections 5.0× lower" read as B winning beside its slower run.
    line = comparison_verdict(
        Comparison(
            Criterion("db_connections_peak"),
            (summary(157, db_connections=20),),
            (summary(525, db_connections=4),),
        )
    )
    assert line == "B: 5.0× fewer DB connections (A 20, B 4)"


def test_a_count_s_verdict_reads_as_words_and_answered_is_more_the_better():
    def runs(**fields):
        return tuple(dataclasses.replace(summary(200), **fields) for _ in range(3))

    line = comparison_verdict(
        Comparison(
            Criterion("threads_held_peak"), runs(threads_held_peak=26), runs(threads_held_peak=24)
        )
    )
    assert line.startswith("B: 9% fewer threads held in every run"), line
    line = comparison_verdict(
        Comparison(Criterion("peak_in_flight"), (summary(200),), runs(peak_in_flight=4)[:1])
    )
    assert line == "B: peak in flight 2.0× lower (A 8, B 4)"
    line = comparison_verdict(
        Comparison(Criterion("answered"), (summary(200),), runs(answered=4)[:1])
    )
    assert line == "A: answered 2.0× higher (A 8, B 4)"
