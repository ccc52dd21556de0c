"""Ctrl+C once every request was answered, while Django tidies up after its answers, cuts only
that tidying short: the run is complete (not stopped), and the lanes Django was still tidying
keep their tail up to that moment (simulator/hosting/engine.py, LiveRun.abandon)."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

from embedded_site.instrumentation import Mark, RequestProbe
from simulator.files import write_json
from simulator.hosting.driver import RequestRecord
from simulator.hosting.engine import LiveRun
from simulator.scenario import Scenario

MS = 1_000_000
LOOP = "asgi-loop"


def _live(records: list[RequestRecord], requests: int) -> LiveRun:
    live = LiveRun(Scenario(view="async_io", requests=requests))
    start = records[0].probe.sent_ns
    live._driver = SimpleNamespace(  # type: ignore[assignment]
        start_ns=start, records=records, stop_sending=lambda: None
    )
    live._server = SimpleNamespace(  # type: ignore[assignment]
        loop_thread=LOOP,
        loop_blocked=lambda: [],
        loop_blocking_now=lambda now: None,
        hold=lambda seconds: None,
    )
    return live


def _answered(i: int, t0: int, *, tidied: bool) -> RequestRecord:
    """A request answered 10 ms in; Django's request_finished began on a thread at 11 ms
    and (``tidied``) ended at 12 ms, or is still running."""
    probe = RequestProbe(request_id=i, view="async_io", sent_ns=t0)
    probe.picked_ns, probe.picked_thread = t0 + 1 * MS, LOOP
    probe.responded_ns = t0 + 10 * MS
    probe.marks.append(Mark(t0 + 11 * MS, "ThreadPoolExecutor-0_0", "signal"))
    if tidied:
        probe.finished_ns = t0 + 12 * MS
    return RequestRecord(probe, "ok", 200, None, t0 + 10 * MS)


def test_cut_short_tidying_leaves_a_complete_run_with_its_tail_up_to_then(tmp_path):
    t0 = time.perf_counter_ns() - 1000 * MS
    records = [_answered(0, t0, tidied=True), _answered(1, t0, tidied=False)]
    live = _live(records, 2)
    before = time.perf_counter_ns()
    run = live.abandon()
    assert not run.stopped and run.tidying_cut_short
    assert [lane.status for lane in run.trace.lanes] == ["ok", "ok"]
    tidied, cut = run.trace.lanes
    assert tidied.end_ns == t0 + 12 * MS
    # Measured as far as it went: the tail reaches the moment of the Ctrl+C.
    assert cut.done_ns == t0 + 10 * MS and cut.end_ns >= before
    assert run.summary.makespan_ms < 20  # the answers' figures: the tail delayed no client
    write_json(run, tmp_path / "run.json")
    data = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert data["stopped"] is False and data["tidying_cut_short"] is True


def test_a_run_abandoned_before_every_answer_is_stopped():
    t0 = time.perf_counter_ns() - 1000 * MS
    waiting = RequestRecord(RequestProbe(request_id=1, view="async_io", sent_ns=t0))
    run = _live([_answered(0, t0, tidied=False), waiting], 2).abandon()
    assert run.stopped and not run.tidying_cut_short
    assert run.trace.lanes[1].status == "cancelled"
    # One request of three never sent: stopped too, though both sent were answered.
    run = _live([_answered(0, t0, tidied=True), _answered(1, t0, tidied=True)], 3).abandon()
    assert run.stopped and not run.tidying_cut_short


def test_the_answers_lanes_are_the_final_lanes_heads():
    """The early answers (LiveRun.answers) and the saved run describe each request alike:
    status, code, error, sent and answered, for ok, failed, tidying and unsent requests."""
    from dataclasses import replace

    t0 = time.perf_counter_ns() - 1000 * MS
    failed = _answered(2, t0, tidied=True)
    failed.status, failed.status_code, failed.probe.error = "error", 500, "ValueError: boom"
    records = [_answered(0, t0, tidied=True), _answered(1, t0, tidied=False), failed]
    live = _live(records, 3)
    answers, still = live.answers()
    assert still == 1
    final = live.abandon()
    bare = {"segments": (), "threads_seen": (), "db_events": (), "notes": ()}
    assert answers.trace.lanes == tuple(replace(lane, **bare) for lane in final.trace.lanes)
    assert answers.trace.lanes[2].error == "ValueError: boom"
