"""The status bar's lines, as the class reads them at the bottom of the screen."""

from __future__ import annotations

from app.status_text import finished_text, panel_text, running_text, started_text
from simulator.metrics.summary import summarize
from simulator.prediction.model import predict
from simulator.scenario import Scenario
from simulator.trace import Run


def test_a_real_server_says_it_is_starting_and_names_the_side_when_comparing():
    gunicorn = Scenario(view="sync_io", mode="gunicorn", workers=2)
    assert started_text(gunicorn, "b") == (
        "Starting B: gunicorn sync 2 processes on 127.0.0.1; each worker process answers a "
        "warm-up request first…"
    )
    assert started_text(Scenario(), None) == "Running…"


def test_a_running_side_s_empty_panel_names_the_phase_the_status_line_names():
    # B's panel read "Sending the requests…" while uvicorn still started (lessons 23, 24).
    uvicorn = Scenario(view="async_io", mode="uvicorn", workers=1)
    why = "each worker process answers a warm-up request first…"
    assert panel_text(uvicorn, sending=False) == f"Starting uvicorn 1 process: {why}"
    assert started_text(uvicorn, "b") == f"Starting B: uvicorn 1 process on 127.0.0.1; {why}"
    assert panel_text(uvicorn, sending=True) == panel_text(Scenario(), False)
    assert panel_text(Scenario(), False) == "Sending the requests…"


def test_running_counts_the_answers_and_finished_names_the_model_only_if_asked():
    scenario = Scenario(view="async_io", requests=3, io_ms=100)
    trace = predict(scenario)
    assert running_text(trace, "a") == "Running A… 3 of 3 requests answered"
    run = Run(scenario, trace, summarize(trace))
    text = finished_text(run, None)
    assert text.startswith("Done: 3 answered in ") and "model" not in text
    assert "The model predicted 100 ms." in finished_text(run, 100.0)
    assert "The model predicted 100 ms (not calibrated)." in finished_text(run, 100.0, False)
    assert "The model predicted 100 ms (calibrated here)." in finished_text(run, 100.0, True)


def test_running_counts_of_every_request_the_run_will_send_not_the_lanes_so_far():
    # A spaced run's live frame holds only the requests sent yet: 3 of lesson 18's 30.
    trace = predict(Scenario(view="async_io", requests=3, io_ms=0))
    assert running_text(trace, None, 30) == "Running… 3 of 30 requests answered"
    assert running_text(trace, "b", 3) == "Running B… 3 of 3 requests answered"


def test_running_counts_no_refused_request_as_answered():
    from simulator.trace import Lane, Segment, Trace

    ms = 1_000_000
    refused = tuple(
        Lane(i, "/", "error", None, "refused", 0, 2 * ms, (Segment("client", 0, 2 * ms, "c"),))
        for i in range(3)
    )
    server_error = Lane(3, "/", "error", 500, "HTTP 500", 0, 9 * ms, ())
    assert running_text(Trace(0, refused), None, 20) == "Running… 0 of 20 requests answered"
    both = Trace(0, (*refused, server_error))
    assert running_text(both, None, 20) == "Running… 1 of 20 requests answered"


def test_finished_counts_a_500_as_answered_with_an_error_and_a_refusal_apart():
    # "Answered" reads as the metrics panel's figure: 20 answers of HTTP 500 read "0 answered
    # in 92 ms, 20 failed" beside "Answered 20".
    from simulator.trace import Lane, Segment, Trace

    ms = 1_000_000

    def lane(i: int, status: str, code: int | None, end_ms: int) -> Lane:
        error = None if status == "ok" else ("refused" if code is None else f"HTTP {code}")
        segment = Segment("client", 0, end_ms * ms, "c")
        return Lane(i, "/", status, code, error, 0, end_ms * ms, (segment,))  # type: ignore[arg-type]

    def finished(*lanes: Lane) -> str:
        trace = Trace(0, lanes)
        return finished_text(Run(Scenario(view="async_io"), trace, summarize(trace)), None)

    all_500 = [lane(i, "error", 500, 90 + i) for i in range(20)]
    assert (
        finished(*all_500)
        == "Done: 20 answered in 109 ms, 20 failed with an error status.  Replay: Ctrl+R."
    )
    mixed = (lane(0, "ok", 200, 50), lane(1, "ok", 200, 60), lane(2, "error", 500, 70))
    refused = (lane(3, "error", None, 2), lane(4, "error", None, 3))
    assert finished(*mixed, *refused) == (
        "Done: 3 answered in 70.0 ms, 1 failed with an error status, 2 failed with no answer."
        "  Replay: Ctrl+R."
    )
    assert finished(*refused) == "Done: none answered, 2 failed with no answer.  Replay: Ctrl+R."


def _nothing_answered() -> Run:
    """A run stopped before any of its 3 requests was answered (a site that said nothing of
    its threads, so the framework's share is not known either)."""
    from simulator.trace import Lane, Segment, Trace

    ms = 1_000_000
    lanes = tuple(
        Lane(
            i,
            "sync_io",
            "cancelled",
            None,
            None,
            0,
            40 * ms,
            (Segment("io_blocking", 0, 40 * ms, "w"),),
        )
        for i in range(3)
    )
    trace = Trace(0, lanes)
    return Run(Scenario(view="sync_io", requests=3), trace, summarize(trace), stopped=True)


def test_with_nothing_answered_every_line_says_so_with_a_dash_not_zero():
    from app.cli.summary import format_summary

    run = _nothing_answered()
    assert finished_text(run, None) == "Stopped: none answered, 3 cancelled.  Replay: Ctrl+R."
    lines = {line.split()[0]: line for line in format_summary(run).splitlines()[1:]}
    assert lines["latency"].split() == ["latency", "p50", "—", "p95", "—", "p99", "—", "max", "—"]
    assert lines["makespan"].split() == ["makespan", "—"]
    assert lines["throughput"].split() == ["throughput", "—"]


def test_a_framework_share_not_measured_is_a_dash_alone_and_a_measured_one_reads_per_request():
    from dataclasses import replace

    from app.cli.summary import format_summary

    run = _nothing_answered()
    unknown = replace(run, summary=replace(run.summary, server_threads_known=False))
    line = next(x for x in format_summary(unknown).splitlines() if "framework" in x)
    assert line.split() == ["framework", "—"]
    known = replace(run, summary=replace(run.summary, framework_ms_per_request=2.9))
    line = next(x for x in format_summary(known).splitlines() if "framework" in x)
    assert line.split() == ["framework", "2.90", "ms", "per", "request"]


def test_the_prediction_check_has_a_dash_where_the_real_run_answered_nothing():
    from app.cli.summary import check_lines

    stopped = _nothing_answered()
    trace = predict(stopped.scenario)
    predicted = Run(stopped.scenario, trace, summarize(trace))
    rows = {line.split()[0]: line.split() for line in check_lines(predicted, stopped)[1:]}
    assert rows["p50"][3:] == ["—", "—"]  # measured, ratio: not "0.0" and "inf"
    assert rows["makespan"][3:] == ["—", "—"]
    assert float(rows["p50"][2]) > 0  # the model's own number stands


def test_a_run_stopped_before_its_first_send_has_no_framework_share():
    from app.cli.summary import format_summary
    from simulator.trace import Trace

    empty = Trace(0, ())
    run = Run(Scenario(view="sync_io", requests=3), empty, summarize(empty), stopped=True)
    line = next(x for x in format_summary(run).splitlines() if "framework" in x)
    assert line.split() == ["framework", "—"]  # not "0 ms per request" of no request
