"""CSV and Chrome trace exports: what a spreadsheet and Perfetto will read.

Hand-made traces give exact numbers; one real run checks the exports agree with the engine.
"""

from __future__ import annotations

import csv
import json

import pytest

from simulator.files import (
    run_to_chrome_trace,
    write_chrome_trace,
    write_csv,
    write_json,
)
from simulator.files.chrome_trace import LOOP_BLOCKED_THREAD
from simulator.files.csv_run import CSV_COLUMNS
from simulator.hosting.engine import run_scenario
from simulator.metrics.summary import summarize
from simulator.scenario import Scenario
from simulator.trace import Lane, Run, Segment, Trace
from tests.simulator.test_run_file import fold_by_hand

T0 = 5_000_000_000
MS = 1_000_000


def _lane(request_id, segments, *, status="ok", code=200, error=None, sent=0, done=None):
    segs = tuple(Segment(kind, T0 + a * MS, T0 + b * MS, thread) for kind, a, b, thread in segments)
    done_ns = T0 + (done if done is not None else segments[-1][2]) * MS
    return Lane(request_id, "async_io", status, code, error, T0 + sent * MS, done_ns, segs)


def _run(lanes, *, loop_thread="loop", loop_blocked=(), scenario=None) -> Run:
    trace = Trace(
        t0_ns=T0,
        lanes=tuple(lanes),
        loop_thread=loop_thread,
        loop_blocked=tuple((T0 + a * MS, T0 + b * MS) for a, b in loop_blocked),
    )
    return Run(scenario or Scenario(view="async_io", requests=len(lanes)), trace, summarize(trace))


@pytest.fixture
def hand_run() -> Run:
    """Two requests on one loop: one waits on I/O, one fails while hogging the CPU."""
    ok = _lane(
        0,
        [
            ("queued", 0, 1, "queue"),
            ("framework", 1, 2, "loop"),
            ("io_wait", 2, 22, "loop"),
            ("framework", 22, 23, "loop"),
        ],
    )
    failed = _lane(
        1,
        [("queued", 0.5, 5, "queue"), ("cpu", 5, 15, "loop"), ("framework", 15, 16, "loop")],
        status="error",
        code=500,
        error='ValueError: bad "input", really',
        sent=0.5,
    )
    return _run([ok, failed], loop_blocked=[(5, 15)])


@pytest.fixture(scope="module")
def real_run() -> Run:
    return run_scenario(Scenario(view="async_io", requests=3, io_ms=20))


def _segments(run: Run) -> int:
    return sum(len(lane.segments) for lane in run.trace.lanes)


# --- CSV ------------------------------------------------------------------------------------


def _read_csv(path):
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def test_csv_has_one_row_per_segment_in_ms_from_the_first_send(hand_run, tmp_path):
    path = tmp_path / "run.csv"
    write_csv(hand_run, path)
    header, rows = _read_csv(path)
    assert tuple(header) == CSV_COLUMNS
    assert len(rows) == _segments(hand_run) == 7
    assert rows[2] == {
        "request_id": "0",
        "view": "async_io",
        "status": "ok",
        "status_code": "200",
        "error": "",
        "kind": "io_wait",
        "start_ms": "2.0",
        "end_ms": "22.0",
        "duration_ms": "20.0",
        "thread": "loop",
        "on_loop": "true",
    }
    assert [(r["kind"], r["thread"], r["on_loop"]) for r in rows if r["request_id"] == "1"] == [
        ("queued", "queue", "false"),
        ("cpu", "loop", "true"),
        ("framework", "loop", "true"),
    ]


def test_csv_keeps_an_error_with_commas_and_quotes_in_one_cell(hand_run, tmp_path):
    path = tmp_path / "run.csv"
    write_csv(hand_run, path)
    _, rows = _read_csv(path)
    failed = [r for r in rows if r["request_id"] == "1"]
    assert {r["error"] for r in failed} == {'ValueError: bad "input", really'}
    assert {r["status_code"] for r in failed} == {"500"}


def test_csv_of_a_real_run_matches_its_segments(real_run, tmp_path):
    path = tmp_path / "real.csv"
    write_csv(real_run, path)
    _, rows = _read_csv(path)
    assert len(rows) == _segments(real_run)
    assert {r["request_id"] for r in rows} == {"0", "1", "2"}
    assert all(float(r["start_ms"]) <= float(r["end_ms"]) for r in rows)
    # The io_wait of async_io is awaited on the loop; the CSV says so.
    assert {r["on_loop"] for r in rows if r["kind"] == "io_wait"} == {"true"}


# --- Chrome trace ---------------------------------------------------------------------------


def _check_events(events: list[dict]) -> None:
    """What every viewer needs: a known phase, numeric non-negative times, integer ids."""
    for event in events:
        assert event["ph"] in {"M", "X", "C"}, event
        assert isinstance(event["pid"], int) and isinstance(event["tid"], int), event
        assert isinstance(event["ts"], int | float) and event["ts"] >= 0, event
        assert isinstance(event["name"], str) and event["name"], event
        if event["ph"] == "X":
            assert isinstance(event["dur"], int | float) and event["dur"] >= 0, event
            assert isinstance(event["cat"], str), event


def _meta(events, name, pid=None):
    return [e for e in events if e["ph"] == "M" and e["name"] == name and pid in (None, e["pid"])]


def _thread_names(events, pid=1) -> dict[int, str]:
    names = _meta(events, "thread_name", pid)
    assert len({e["tid"] for e in names}) == len(names), "a tid is named twice"
    return {e["tid"]: e["args"]["name"] for e in names}


def test_chrome_trace_names_the_run_and_each_request_once(hand_run):
    doc = run_to_chrome_trace(hand_run)
    events = doc["traceEvents"]
    _check_events(events)
    assert doc["displayTimeUnit"] == "ms"
    assert [e["args"]["name"] for e in _meta(events, "process_name")] == [hand_run.scenario.label]
    names = _thread_names(events)
    assert sorted(names.values()) == sorted(["request 0", "request 1", LOOP_BLOCKED_THREAD])
    assert len(_meta(events, "thread_sort_index")) == len(names)


def test_chrome_trace_segments_are_complete_events_in_microseconds(hand_run):
    events = run_to_chrome_trace(hand_run)["traceEvents"]
    tid_of = {name: tid for tid, name in _thread_names(events).items()}
    spans = [e for e in events if e["ph"] == "X" and e["tid"] != tid_of[LOOP_BLOCKED_THREAD]]
    assert len(spans) == _segments(hand_run)
    io = next(e for e in spans if e["name"] == "io_wait")
    assert (io["cat"], io["tid"], io["ts"], io["dur"]) == (
        "io_wait",
        tid_of["request 0"],
        2000,
        20000,
    )
    assert io["args"]["thread"] == "loop" and io["args"]["on_loop"] is True
    cpu = next(e for e in spans if e["name"] == "cpu")
    assert cpu["tid"] == tid_of["request 1"]
    assert cpu["args"]["error"] == 'ValueError: bad "input", really'
    queued = next(e for e in spans if e["tid"] == tid_of["request 0"] and e["name"] == "queued")
    assert queued["args"]["on_loop"] is False


def test_chrome_trace_counts_requests_in_flight_and_shows_the_blocked_loop(hand_run):
    events = run_to_chrome_trace(hand_run)["traceEvents"]
    counter = [(e["ts"], e["args"]["requests"]) for e in events if e["ph"] == "C"]
    assert {e["name"] for e in events if e["ph"] == "C"} == {"in flight"}
    # Sent at 0 and 0.5 ms; request 1 answered at 16 ms, request 0 at 23 ms.
    assert counter == [(0, 1), (500, 2), (16000, 1), (23000, 0)]
    tid_of = {name: tid for tid, name in _thread_names(events).items()}
    blocked = [e for e in events if e["ph"] == "X" and e["tid"] == tid_of[LOOP_BLOCKED_THREAD]]
    assert [(e["ts"], e["dur"]) for e in blocked] == [(5000, 10000)]


def test_chrome_trace_counter_starts_at_zero_when_the_first_send_is_late():
    run = _run([_lane(0, [("cpu", 2, 4, "loop")], sent=2)])
    events = run_to_chrome_trace(run)["traceEvents"]
    assert [(e["ts"], e["args"]["requests"]) for e in events if e["ph"] == "C"] == [
        (0, 0),
        (2000, 1),
        (4000, 0),
    ]


def test_chrome_trace_without_an_event_loop_has_no_loop_thread():
    lane = _lane(0, [("queued", 0, 1, "queue"), ("io_blocking", 1, 9, "wsgi-worker-1")])
    run = _run([lane], loop_thread=None, scenario=Scenario(view="sync_io", mode="wsgi"))
    events = run_to_chrome_trace(run)["traceEvents"]
    _check_events(events)
    assert list(_thread_names(events).values()) == ["request 0"]
    assert all(e["args"]["on_loop"] is False for e in events if e["ph"] == "X")


def test_chrome_trace_clamps_a_blocked_period_that_began_before_the_first_send():
    run = _run([_lane(0, [("cpu", 0, 4, "loop")])], loop_blocked=[(-3, 2)])
    events = run_to_chrome_trace(run)["traceEvents"]
    _check_events(events)
    assert [(e["ts"], e["dur"]) for e in events if e["name"] == "loop blocked"] == [(0, 2000)]


def test_chrome_trace_of_a_comparison_has_one_process_per_run(hand_run, real_run, tmp_path):
    path = tmp_path / "ab.json"
    write_chrome_trace([hand_run, real_run], path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    events = doc["traceEvents"]
    _check_events(events)
    assert {e["pid"] for e in events} == {1, 2}
    for pid, run, letter in ((1, hand_run, "A"), (2, real_run, "B")):
        [process] = _meta(events, "process_name", pid)
        assert process["args"]["name"] == f"{letter}: {run.scenario.label}"
        names = _thread_names(events, pid)
        requests = sorted(n for n in names.values() if n.startswith("request "))
        assert requests == sorted(f"request {lane.request_id}" for lane in run.trace.lanes)
        spans = [
            e for e in events if e["ph"] == "X" and e["pid"] == pid and e["cat"] != "loop_blocked"
        ]
        assert len(spans) == _segments(run)


def test_chrome_trace_of_a_real_run_loads_back_and_matches_its_figures(real_run, tmp_path):
    path = tmp_path / "one.json"
    write_chrome_trace(real_run, path)
    events = json.loads(path.read_text(encoding="utf-8"))["traceEvents"]
    _check_events(events)
    assert {e["pid"] for e in events} == {1}
    [process] = _meta(events, "process_name")
    assert process["args"]["name"] == real_run.scenario.label
    levels = [e["args"]["requests"] for e in events if e["ph"] == "C"]
    assert max(levels) == real_run.summary.peak_in_flight == 3
    assert levels[-1] == 0
    last_end = max(
        e["ts"] + e["dur"] for e in events if e["ph"] == "X" and e["cat"] != "loop_blocked"
    )
    assert last_end == pytest.approx(real_run.trace.ms(real_run.trace.last_ns) * 1000, abs=0.01)


def test_json_export_loads_back_with_every_segment(real_run, tmp_path):
    path = tmp_path / "run.json"
    write_json(real_run, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    trace = real_run.trace
    assert data["schema"] == 1 and data["stopped"] is False
    assert data["scenario"] == real_run.scenario.to_dict()
    assert data["loop_thread"] == trace.loop_thread
    assert data["summary"]["makespan_ms"] == pytest.approx(real_run.summary.makespan_ms)
    assert data["summary"]["ok"] == 3
    # Every request and every segment, in ms from the first send, as the engine timed them.
    assert [r["id"] for r in data["requests"]] == [0, 1, 2]
    for written, lane in zip(data["requests"], trace.lanes, strict=True):
        assert (written["status"], written["status_code"]) == ("ok", 200)
        # Times to 0.01 ms; loop steps under 0.1 ms between two waits are folded.
        expected, folded_ns = fold_by_hand(lane, trace.loop_thread)
        assert written["folded_framework_ms"] == pytest.approx(folded_ns / 1e6, abs=0.0051)
        assert written["sent_ms"] == pytest.approx(trace.ms(lane.sent_ns), abs=0.0051)
        assert written["done_ms"] == pytest.approx(trace.ms(lane.done_ns), abs=0.0051)
        assert [
            (s["kind"], s["thread"], s["start_ms"], s["end_ms"]) for s in written["segments"]
        ] == [
            (
                kind,
                thread,
                pytest.approx(trace.ms(start), abs=0.0051),
                pytest.approx(trace.ms(end), abs=0.0051),
            )
            for kind, start, end, thread in expected
        ]
    # The 20 ms wait is there, on the loop, for each request (its end, when the loop was
    # busy with the others as the I/O finished, is a wait for the loop: queued).
    for written in data["requests"]:
        segments = written["segments"]
        (at,) = [i for i, s in enumerate(segments) if s["kind"] == "io_wait"]
        wait = segments[at]
        after = segments[at + 1] if at + 1 < len(segments) else None
        resumed = after["end_ms"] if after and after["kind"] == "queued" else wait["end_ms"]
        assert resumed - wait["start_ms"] >= 19.99
        assert wait["thread"] == data["loop_thread"] and wait["on_loop"] is True


def test_every_export_carries_the_waits_to_run(tmp_path):
    run = _run(
        [
            _lane(
                0,
                [
                    ("queued", 0, 1, "queue"),
                    ("cpu", 1, 5, "worker"),
                    ("gil_wait", 5, 30, "worker"),
                    ("core_wait", 30, 34, "worker"),
                    ("cpu", 34, 40, "worker"),
                ],
            )
        ],
        loop_thread=None,
    )
    write_csv(run, tmp_path / "run.csv")
    write_json(run, tmp_path / "run.json")
    _, rows = _read_csv(tmp_path / "run.csv")
    waits = [(r["kind"], r["duration_ms"]) for r in rows if r["kind"] in ("gil_wait", "core_wait")]
    assert waits == [("gil_wait", "25.0"), ("core_wait", "4.0")]
    written = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    kinds = [s["kind"] for s in written["requests"][0]["segments"]]
    assert kinds == ["queued", "cpu", "gil_wait", "core_wait", "cpu"]
    events = run_to_chrome_trace(run)["traceEvents"]
    named = {e["name"]: e["dur"] for e in events if e.get("ph") == "X"}
    assert named["gil_wait"] == pytest.approx(25_000) and named["core_wait"] == pytest.approx(4_000)
