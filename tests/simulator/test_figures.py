"""The figures table and the plots' data: what every view of a run reads, with no Qt."""

from __future__ import annotations

import dataclasses

import pytest

from simulator.metrics.figures import (
    FIGURE,
    FIGURES,
    Unit,
    format_count,
    format_ms,
    format_rate,
)
from simulator.metrics.plots import in_flight, latency_histogram
from simulator.metrics.summary import Summary, summarize
from simulator.trace import Lane, Segment, Trace

MS = 1_000_000


def make_trace(*spans: tuple[float, float] | tuple[float, float, str]) -> Trace:
    """A trace from ``(sent_ms, done_ms[, status])`` spans, starting at 0."""
    lanes = []
    for i, (sent_ms, done_ms, *status) in enumerate(spans):
        sent, done = round(sent_ms * MS), round(done_ms * MS)
        lanes.append(
            Lane(
                i,
                "sync_io",
                status[0] if status else "ok",
                200,
                None,
                sent,
                done,
                (Segment("io_blocking", sent, done, "worker-1"),),
            )
        )
    return Trace(0, tuple(lanes))


# -- formatting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (0, "0 ms"),
        (0.423, "0.42 ms"),
        (4.216, "4.22 ms"),
        (37.94, "37.9 ms"),
        (214.2, "214 ms"),
        (999.7, "1.00 s"),
        (1620, "1.62 s"),
        (12_345, "12.3 s"),
        (123_456, "123 s"),
        (-1, "—"),
        (float("nan"), "—"),
    ],
)
def test_durations_read_in_ms_or_s_with_three_digits(ms, text):
    assert format_ms(ms) == text


@pytest.mark.parametrize(
    ("rps", "text"),
    [(0, "0 req/s"), (37.94, "37.9 req/s"), (2.5, "2.50 req/s"), (99.97, "100 req/s")],
)
def test_throughput_reads_in_requests_per_second(rps, text):
    assert format_rate(rps) == text


def test_big_counts_are_grouped_by_thin_spaces():
    assert [format_count(n) for n in (0, 999, 10_000)] == ["0", "999", "10\u2009000"]


# -- the table --------------------------------------------------------------------------------

SUMMARY = Summary(
    requests=8,
    ok=6,
    failed=2,
    cancelled=0,
    answered=8,
    makespan_ms=1612.0,
    throughput_rps=4.963,
    latency_ms={"p50": 800.0, "p95": 1544.0, "p99": 1600.0, "max": 1611.0},
    peak_in_flight=8,
    threads_used=1,
    loop_blocked_ms=0.0,
    framework_ms_per_request=0.85,
    threads_held_peak=0,
)


def test_every_figure_reads_a_summary_field_in_its_unit():
    texts = {figure.key: figure.text(SUMMARY) for figure in FIGURES}
    assert texts == {
        "makespan_ms": "1.61 s",
        "db_connections_peak": "0",
        "throughput_rps": "4.96 req/s",
        "p50": "800 ms",
        "p95": "1.54 s",
        "p99": "1.60 s",
        "max": "1.61 s",
        "peak_in_flight": "8",
        "threads_used": "1",
        "threads_held_peak": "0",
        "loop_blocked_ms": "0 ms",
        "framework_ms_per_request": "0.85 ms",
        "framework_after_answer_ms_per_request": "—",  # not measured
        "ok": "6",
        "failed": "2",
        "cancelled": "0",
        "requests": "8",
        "answered": "8",
        "server_span_ms": "—",  # not measured: a dash, never a made-up 0
        "client_cpu_ms": "—",
    }
    non_latency = {f.name for f in Summary.__dataclass_fields__.values()} - {
        "latency_ms",
        "server_threads_known",
    }
    assert non_latency <= set(texts)


def test_every_figure_explains_what_it_measures():
    for figure in FIGURES:
        assert figure.caption and figure.name and figure.tooltip.endswith(".")
    assert "distinct os threads" in FIGURE["threads_used"].tooltip.lower()
    assert FIGURE["p95"].is_latency and not FIGURE["makespan_ms"].is_latency
    assert FIGURE["throughput_rps"].unit is Unit.RATE


def test_a_figure_follows_its_summary():
    slower = dataclasses.replace(SUMMARY, makespan_ms=214.2)
    assert FIGURE["makespan_ms"].text(slower) == "214 ms"


# -- plot data --------------------------------------------------------------------------------


def test_the_loop_s_blocks_read_before_the_first_answer_while_requests_run():
    """Lessons 4 and 5 mid-run read "loop blocked —" beside the red strip already drawn
    (teacher47): the blocks up to now are measured with no answer yet. A run over with no
    answer still reads a dash, as its makespan does; so do the figures that need one."""
    from simulator.metrics.figures import FIGURE

    running = dataclasses.replace(
        SUMMARY, ok=0, failed=0, answered=0, loop_blocked_ms=120.0, makespan_ms=130.0
    )
    blocked = FIGURE["loop_blocked_ms"]
    assert blocked.text(running) == "120 ms" and blocked.so_far(True, 0) == " so far"
    assert FIGURE["makespan_ms"].text(running) == "—" and FIGURE["p95"].text(running) == "—"
    over = dataclasses.replace(running, cancelled=8)  # (none running: the run is over)
    assert blocked.text(over) == "—" and blocked.so_far(False, 0) == ""


def test_histogram_bins_hold_the_finished_latencies():
    trace = make_trace(*[(0, 100)] * 5, (0, 100.5), (0, 300, "running"), (0, 50, "cancelled"))
    histogram = latency_histogram(trace)
    assert histogram.answered == 6
    assert len(histogram.counts) == 20
    assert histogram.hi_ms == pytest.approx(112.5)  # past the slowest, on a round number
    (full,) = [i for i, count in enumerate(histogram.counts) if count]
    assert histogram.counts[full] == 6
    assert histogram.lefts_ms[full] <= 100 < histogram.lefts_ms[full] + histogram.bin_ms


def test_histogram_quantiles_are_the_summary_ones():
    trace = make_trace(*[(0, ms) for ms in range(10, 210, 10)])
    histogram = latency_histogram(trace)
    summary = summarize(trace)
    assert (histogram.p50_ms, histogram.p95_ms) == pytest.approx((105, 190.5))
    assert histogram.p95_ms == pytest.approx(summary.latency_ms["p95"])


def test_no_finished_request_has_no_histogram():
    assert latency_histogram(Trace(0, ())) is None
    assert latency_histogram(make_trace((0, 40, "running"))) is None
    zero = latency_histogram(make_trace((0, 0)))
    assert zero.answered == 1 and zero.counts[0] == 1


def test_in_flight_steps_up_to_the_peak_and_back():
    # One long request; two more join at 10 and 20 ms and leave at 60 and 50 ms.
    plot = in_flight(make_trace((0, 100), (10, 60), (20, 50)))
    assert plot.points == ((0, 1), (10, 2), (20, 3), (50, 2), (60, 1), (100, 0))
    assert (plot.peak, plot.peak_ms, plot.end_ms) == (3, 20, 100)
    xs, ys = plot.step_line()
    assert list(zip(xs, ys, strict=True))[:5] == [(0, 0), (0, 0), (0, 1), (10, 1), (10, 2)]
    assert (xs[-1], ys[-1]) == (100, 0)


def test_in_flight_needs_a_time_span():
    assert in_flight(Trace(0, ())) is None
    assert in_flight(make_trace((0, 0))) is None


def test_a_request_still_running_stays_in_flight_up_to_now():
    # Live: the second request has no answer yet; its lane reaches "now" (300 ms).
    plot = in_flight(make_trace((0, 100), (10, 300, "running")))
    assert plot.points == ((0, 1), (10, 2), (100, 1))
    assert plot.end_ms == 300
    xs, ys = plot.step_line()
    assert (xs[-1], ys[-1]) == (300, 1)


def test_the_drawn_line_holds_each_pixel_column_s_levels_and_reaches_the_end():
    # A burst of 2,000 sends in the first 20 ms, answers spread later, the last far out:
    # pyqtgraph's downsampling (evenly spaced points assumed) dropped such last steps.
    spans = [(i / 100, 500 + i / 4) for i in range(2000)] + [(30, 2900)]
    plot = in_flight(make_trace(*spans))
    xs, ys = plot.drawn_line(300)
    assert len(xs) < 4 * 300 + 2 < len(plot.step_line()[0])
    assert (xs[-1], ys[-1]) == (plot.end_ms, 0) and max(ys) == plot.peak == 2001
    exact_x, exact_y = plot.step_line()
    width = plot.end_ms / 300
    for column in range(300):
        inside = (exact_x >= column * width) & (exact_x < (column + 1) * width)
        drawn = (xs >= column * width) & (xs < (column + 1) * width)
        if inside.any():  # the same lowest and highest level in every column with a step
            assert ys[drawn].min() == exact_y[inside].min()
            assert ys[drawn].max() == exact_y[inside].max()
