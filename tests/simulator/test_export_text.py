"""The exports format their segments a column at a time (numpy strings); what a reader gets
back must be what the per-segment objects say: every name however awkward (commas, quotes,
line breaks, accents), every time as the rounded float, every request's own fields."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.files import run_to_chrome_trace, run_to_dict, write_csv
from simulator.files.csv_run import CSV_COLUMNS, run_to_rows
from simulator.files.text_columns import float_texts, rounded_texts
from simulator.metrics.summary import summarize
from simulator.scenario import Scenario
from simulator.trace import Lane, Run, Segment, Trace

T0 = 3_000_000_000
AWKWARD = ('worker, "one"', "línea\nnueva", "ünïcode ✓", "plain")


def _run() -> Run:
    """Lanes on awkward threads, with awkward errors, at times that are not round."""
    lanes = []
    for i in range(7):
        t = T0 + i * 1_234_567
        segments = []
        for j in range(5):
            length = 10_007 * (j + 1) + i * 333 + 5_000  # 0.015 ms, 0.0251 ms, ...
            thread = AWKWARD[(i + j) % len(AWKWARD)]
            segments.append(Segment(("framework", "io_wait", "cpu")[j % 3], t, t + length, thread))
            t += length
        error = None if i % 2 else f'boom, "{i}"\nsecond line'
        lanes.append(
            Lane(
                i,
                "async_io",
                "error" if error else "ok",
                None if error else 200,
                error,
                T0 + i * 1_234_567,
                t,
                tuple(segments),
            )
        )
    trace = Trace(t0_ns=T0, lanes=tuple(lanes), loop_thread="plain")
    return Run(Scenario(view="async_io", requests=len(lanes)), trace, summarize(trace))


def _ms(ns: int, places: int) -> float:
    return float(np.round((ns - T0) / 1e6, places))


def test_the_json_holds_every_segment_as_the_objects_say():
    run = _run()
    data = run_to_dict(run)
    for lane, request in zip(run.trace.lanes, data["requests"], strict=True):
        assert (request["id"], request["status"], request["error"]) == (
            lane.request_id,
            lane.status,
            lane.error,
        )
        assert request["status_code"] == lane.status_code
        got = [
            (s["kind"], s["start_ms"], s["end_ms"], s["thread"], s["on_loop"])
            for s in request["segments"]
        ]
        assert got == [
            (seg.kind, _ms(seg.start_ns, 2), _ms(seg.end_ns, 2), seg.thread, seg.thread == "plain")
            for seg in lane.segments
        ]


def test_the_csv_holds_every_segment_as_the_objects_say(tmp_path):
    run = _run()
    path = tmp_path / "run.csv"
    write_csv(run, path)
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    assert tuple(rows[0]) == CSV_COLUMNS
    expected = [
        [
            str(lane.request_id),
            lane.view,
            lane.status,
            "" if lane.status_code is None else str(lane.status_code),
            lane.error or "",
            str(seg.kind),
            repr(_ms(seg.start_ns, 4)),
            repr(_ms(seg.end_ns, 4)),
            repr(float(np.round((seg.end_ns - seg.start_ns) / 1e6, 4))),
            seg.thread,
            "true" if seg.thread == "plain" else "false",
        ]
        for lane in run.trace.lanes
        for seg in lane.segments
    ]
    assert rows[1:] == expected
    assert [list(row.values()) for row in run_to_rows(run)] == expected


def test_the_chrome_trace_holds_every_segment_as_the_objects_say():
    run = _run()
    events = run_to_chrome_trace(run)["traceEvents"]
    segments = [e for e in events if e["ph"] == "X" and e["name"] != "loop blocked"]
    expected = []
    for index, lane in enumerate(run.trace.lanes):
        for seg in lane.segments:
            start = float(np.round((seg.start_ns - T0) / 1e3, 3))
            end = float(np.round((seg.end_ns - T0) / 1e3, 3))
            args = {
                "thread": seg.thread,
                "on_loop": seg.thread == "plain",
                "error": lane.error,
                "status": lane.status,
                "status_code": lane.status_code,
                "view": lane.view,
            }
            expected.append(
                {
                    "ph": "X",
                    "name": str(seg.kind),
                    "cat": str(seg.kind),
                    "pid": 1,
                    "tid": index + 1,
                    "ts": start,
                    "dur": round(max(0.0, end - start), 3),
                    "args": args,
                }
            )
    assert segments == expected
    json.dumps(events)  # plain data all through


def test_a_float_column_reads_as_each_floats_own_text():
    values = np.array([0.0, -0.0, 0.1 + 0.2, 12.5, 1e-7, 123456789.125, 2.675, 1e16, -3.25])
    assert float_texts(values).tolist() == [repr(v) for v in values.tolist()]


def test_an_empty_run_exports_no_segment():
    trace = Trace(t0_ns=T0, lanes=())
    run = Run(Scenario(view="async_io", requests=1), trace, summarize(trace))
    assert run_to_dict(run)["requests"] == []
    assert list(run_to_rows(run)) == []
    assert [e["ph"] for e in run_to_chrome_trace(run)["traceEvents"]] == ["M", "M"]


def test_a_value_that_is_not_finite_is_spelt_as_json_spells_it():
    values = np.array([1.5, float("nan"), float("inf"), -float("inf"), 0.01])
    assert list(float_texts(values)) == [json.dumps(v) for v in values.tolist()]


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.floats(min_value=-1e7, max_value=1e9),  # milliseconds of a run, and past it
            st.integers(-(10**9), 10**12).map(lambda ns: ns / 1e6),  # whole nanoseconds
        ),
        max_size=40,
    ),
    st.integers(0, 6),
)
def test_a_rounded_column_reads_as_each_rounded_floats_own_text(values, places):
    """Times formatted from integers read exactly as the rounded floats' own text: ties,
    -0.0, trailing zeros, huge and non-finite values, more places than integers can give."""
    column = np.array(values, np.float64)
    with np.errstate(over="ignore"):  # a value too big to scale stays so (inf), as in ours
        rounded = np.round(column, places)
    assert rounded_texts(column, places).tolist() == float_texts(rounded).tolist()
    finite = [v for v in rounded.tolist() if np.isfinite(v)]
    texts = rounded_texts(np.array(finite, np.float64), places).tolist()
    assert texts == [repr(v) for v in finite]
