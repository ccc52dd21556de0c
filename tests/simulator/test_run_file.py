"""The run file (``--json``) of a big run: compact, folded where steps are too short to see,
and still exact about what the figures say.

Hand-made traces give exact numbers; the fold rule is checked against a plain re-statement
of it over the segment objects.
"""

from __future__ import annotations

import json

import pytest

from simulator.files import write_chrome_trace, write_csv, write_json
from simulator.files.folding import FOLD_BELOW_NS
from simulator.files.json_run import run_to_dict
from simulator.metrics.summary import summarize
from simulator.scenario import Scenario
from simulator.trace import Lane, Run, Segment, Trace
from tests.app.recorded_runs import run_from_data

T0 = 7_000_000_000
US = 1_000


def _run(lanes: list[Lane], loop: str = "loop") -> Run:
    trace = Trace(t0_ns=T0, lanes=tuple(lanes), loop_thread=loop)
    return Run(Scenario(view="async_io", requests=len(lanes)), trace, summarize(trace))


def _lane(request_id: int, parts: list[tuple[str, int, str]], start_us: int = 0) -> Lane:
    """A lane of back-to-back segments: ``(kind, duration in µs, thread)``."""
    segments, t = [], T0 + start_us * US
    for kind, duration, thread in parts:
        segments.append(Segment(kind, t, t + duration * US, thread))
        t += duration * US
    return Lane(request_id, "async_io", "ok", 200, None, T0 + start_us * US, t, tuple(segments))


def _waiting_lane(request_id: int, steps: int, apart_us: int = 1) -> Lane:
    """A request that waits for a busy loop, running ``steps`` short steps of its own
    (30-90 µs: under the fold threshold) between waits, then one long step and its I/O;
    sent ``apart_us`` after the one before."""
    parts = [("queued", 400, "queue")]
    for i in range(steps):
        parts += [("framework", 30 + (i * 7) % 60, "loop"), ("queued", 200 + i % 50, "loop")]
    parts += [("framework", 250, "loop"), ("io_wait", 1000_000, "loop"), ("framework", 120, "loop")]
    return _lane(request_id, parts, start_us=request_id * apart_us)


def _load(run: Run, tmp_path) -> dict:
    path = tmp_path / "run.json"
    write_json(run, path)
    return json.loads(path.read_text(encoding="utf-8"))


def fold_by_hand(lane: Lane, loop: str) -> tuple[list[tuple[str, int, int, str]], int]:
    """The fold rule restated over objects: a framework step on the loop shorter than the
    threshold, between two queued stretches on one thread, joins them."""
    segs = lane.segments
    out: list[tuple[str, int, int, str]] = []
    folded = 0
    for i, seg in enumerate(segs):
        short_step = (
            seg.kind == "framework"
            and seg.thread == loop
            and seg.duration_ns < FOLD_BELOW_NS
            and 0 < i < len(segs) - 1
            and segs[i - 1].kind == "queued"
            and segs[i + 1].kind == "queued"
            and segs[i - 1].thread == segs[i + 1].thread
        )
        if short_step:
            folded += seg.duration_ns
            continue
        if out and seg.kind == "queued" and out[-1][0] == "queued" and out[-1][2] < seg.start_ns:
            out[-1] = (out[-1][0], out[-1][1], seg.end_ns, out[-1][3])
        else:
            out.append((seg.kind, seg.start_ns, seg.end_ns, seg.thread))
    return out, folded


def test_the_run_file_folds_short_loop_steps_between_waits_and_keeps_the_rest(tmp_path):
    run = _run([_waiting_lane(i, steps=40 + i) for i in range(5)])
    data = _load(run, tmp_path)
    for written, lane in zip(data["requests"], run.trace.lanes, strict=True):
        expected, folded = fold_by_hand(lane, "loop")
        assert [
            (s["kind"], s["start_ms"], s["end_ms"], s["thread"], s["on_loop"])
            for s in written["segments"]
        ] == [
            (
                kind,
                pytest.approx((start - T0) / 1e6, abs=0.0051),
                pytest.approx((end - T0) / 1e6, abs=0.0051),
                thread,
                thread == "loop",
            )
            for kind, start, end, thread in expected
        ]
        assert written["folded_framework_ms"] == pytest.approx(folded / 1e6, abs=0.0051)
        # What is left: the wait for the server, its first step (a wait for the loop
        # follows, but none precedes it), one wait for the loop, the long step, I/O, the end.
        assert [s["kind"] for s in written["segments"]] == [
            "queued",
            "framework",
            "queued",
            "framework",
            "io_wait",
            "framework",
        ]


def test_folded_time_keeps_framework_per_request_exact(tmp_path):
    # One after the other, so the loop's framework time is each request's own.
    run = _run([_waiting_lane(i, steps=25, apart_us=2_000_000) for i in range(4)])
    data = _load(run, tmp_path)
    written_ms = sum(
        s["end_ms"] - s["start_ms"] + 0  # the framework left in the file, per request
        for r in data["requests"]
        for s in r["segments"]
        if s["kind"] == "framework"
    ) + sum(r["folded_framework_ms"] for r in data["requests"])
    measured_ms = (
        sum(
            seg.duration_ns
            for lane in run.trace.lanes
            for seg in lane.segments
            if seg.kind == "framework"
        )
        / 1e6
    )
    # Each of the 100 folded steps and 8 written ones is rounded to 0.01 ms at most once.
    assert written_ms == pytest.approx(measured_ms, abs=0.01 * 4 * 3)
    # The figure itself is computed from the whole trace, before any folding.
    assert data["summary"]["framework_ms_per_request"] == pytest.approx(measured_ms / 4)


def test_nothing_folds_without_waits_on_both_sides_or_when_the_step_is_long(tmp_path):
    lanes = [
        # A short step after the first wait but followed by I/O: kept.
        _lane(0, [("queued", 300, "queue"), ("framework", 20, "loop"), ("io_wait", 5000, "loop")]),
        # A long step between two waits: kept.
        _lane(1, [("queued", 300, "loop"), ("framework", 150, "loop"), ("queued", 300, "loop")]),
        # A short step between a wait for a worker and a wait for the loop: kept.
        _lane(2, [("queued", 300, "queue"), ("framework", 20, "loop"), ("queued", 300, "loop")]),
    ]
    data = _load(_run(lanes), tmp_path)
    for written, lane in zip(data["requests"], lanes, strict=True):
        assert [s["kind"] for s in written["segments"]] == [seg.kind for seg in lane.segments]
        assert written["folded_framework_ms"] == 0


def test_a_big_runs_file_stays_small_per_request_and_compact(tmp_path):
    """150 segments a request, as a 10,000-request run on a saturated loop has: the file
    stays under 5 kB a request (50 MB for 10,000), one line with times to 0.01 ms."""
    run = _run([_waiting_lane(i, steps=75) for i in range(120)])
    assert sum(len(lane.segments) for lane in run.trace.lanes) >= 120 * 150
    path = tmp_path / "run.json"
    write_json(run, path)
    text = path.read_text(encoding="utf-8")
    assert len(text.encode()) / 120 < 5_000
    assert text.count("\n") == 1 and ": " not in text
    data = json.loads(text)
    assert all(
        round(s["start_ms"], 2) == s["start_ms"] for r in data["requests"] for s in r["segments"]
    )


def test_csv_and_chrome_trace_keep_every_segment_of_a_big_run(tmp_path):
    run = _run([_waiting_lane(i, steps=30) for i in range(50)])
    segments = sum(len(lane.segments) for lane in run.trace.lanes)
    write_csv(run, tmp_path / "run.csv")
    rows = (tmp_path / "run.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 + segments
    write_chrome_trace(run, tmp_path / "run.trace.json")
    events = json.loads((tmp_path / "run.trace.json").read_text(encoding="utf-8"))["traceEvents"]
    complete = [e for e in events if e["ph"] == "X"]
    assert len(complete) == segments
    assert len({e["tid"] for e in complete}) == 50  # one thread per request


def test_a_big_runs_repr_is_one_short_line():
    """asyncio formats the repr of a finished task's result after every ``asyncio.run``
    (Python 3.11): a repr of every segment cost a 10,000-request run seconds and gigabytes."""
    run = _run([_waiting_lane(i, steps=40) for i in range(50)])
    assert len(repr(run)) < 200 and "50 lanes" in repr(run)


def test_a_trace_read_back_from_its_file_counts_the_threads_its_summary_does(run):
    """100 async views under ASGI: Django runs each request's signal receivers on a thread of
    its own for a moment, most of them while the lane shows the request waiting for the loop,
    so the thread holds none of its segments (37-93 of the 101 threads in the runs I measured). Read
    back from the file without the threads seen, the trace counted only the others."""
    measured = run(view="async_io", mode="asgi", requests=100, io_ms=50)
    back = run_from_data(run_to_dict(measured), T0)
    assert summarize(back.trace).threads_used == measured.summary.threads_used == 101
    assert sorted(back.trace.threads()) == sorted(measured.trace.threads())
