"""A timed await past its deadline is drawn ended there, live as when it closes: from then
on the coroutine was ready and waiting for the loop (on a busy machine a 1 s sleep among
10,000 requests was drawn as seconds of "awaiting I/O", live and finished)."""

from __future__ import annotations

import time

from embedded_site.instrumentation import (
    AWAIT_SLACK_NS,
    Mark,
    RequestProbe,
    current_probe,
    measured,
)
from embedded_site.waits import Clock
from simulator.hosting.driver import RequestRecord
from simulator.hosting.live_lanes import LiveLanes, from_scratch
from simulator.trace import Kind

MS = 1_000_000
LOOP = "asgi-loop"


def _awaiting(due_in_ms: int) -> tuple[RequestRecord, int]:
    """A request on the loop that began a timed await at 2 ms, due ``due_in_ms`` later."""
    record = RequestRecord(RequestProbe(1, "async_io", 0))
    probe = record.probe
    probe.picked_ns, probe.picked_thread = MS, LOOP
    probe.loop_steps.append((MS, 2 * MS))
    token = probe.open_segment("io_wait", 2 * MS, due_ns=(2 + due_in_ms) * MS)
    probe.open_segments[token].thread = LOOP
    probe.touch()
    return record, token


def _kinds(lane) -> list[tuple[str, int, int]]:
    return [(s.kind, s.start_ns // 1000, s.end_ns // 1000) for s in lane.segments]


def test_a_live_lane_ends_a_timed_await_at_its_deadline_and_waits_for_the_loop_after():
    record, _ = _awaiting(10)  # due at 12 ms
    live = LiveLanes(LOOP)
    nows = [5 * MS, 8 * MS, 12 * MS, 12 * MS + AWAIT_SLACK_NS - 1, 13 * MS, 20 * MS, 40 * MS]
    for now in nows:
        lanes = live.update([record], now)
        assert lanes == from_scratch([record], now, LOOP), now
    wait, tail = lanes[0].segments[-2:]
    assert (wait.kind, wait.end_ns) == (Kind.IO_WAIT, 12 * MS)  # the timer was due
    assert (tail.kind, tail.start_ns, tail.end_ns) == (Kind.QUEUED, 12 * MS, 40 * MS)


def test_before_its_deadline_a_timed_await_grows_with_now_as_any_open_wait():
    record, _ = _awaiting(100)
    live = LiveLanes(LOOP)
    first = live.update([record], 5 * MS)[0]
    later = live.update([record], 50 * MS)[0]
    assert live.built == 0  # grown, not built again
    assert later.segments[-1].kind == Kind.IO_WAIT == first.segments[-1].kind
    assert later.segments[-1].end_ns == 50 * MS
    assert later == from_scratch([record], 50 * MS, LOOP)[0]


def test_the_deadline_seen_live_is_the_one_the_close_records():
    """Resumed late, the await's close records it ended at its deadline: the frame drawn
    before the close and the one after agree up to then."""
    record, token = _awaiting(10)
    live = LiveLanes(LOOP)
    before = live.update([record], 30 * MS)[0]
    probe = record.probe
    probe.close_segment(token, 12 * MS)  # what measured() records for a resume at 30 ms
    probe.loop_steps.append((30 * MS, 31 * MS))
    probe.touch()
    after = live.update([record], 32 * MS)[0]
    assert after == from_scratch([record], 32 * MS, LOOP)[0]
    assert _kinds(after)[: len(before.segments)] == _kinds(before)


def test_a_timed_await_is_awaiting_io_up_to_its_deadline_however_busy_the_loop_was():
    """Another request holds the loop from 5 ms to past the timer's deadline at 12 ms: the
    sleep was still a sleep until 12 ms (its timer could not fire sooner), then the ready
    coroutine waited for the loop. (Read as "ready since the loop got busy", a 3,000-request
    burst drew a quarter of its lanes' 500 ms sleeps wholly as waiting for the loop.)"""
    record, token = _awaiting(10)  # due at 12 ms
    other = RequestRecord(RequestProbe(2, "async_io", 0))
    other.probe.picked_ns, other.probe.picked_thread = 3 * MS, LOOP
    other.probe.loop_steps.append((5 * MS, 12 * MS + AWAIT_SLACK_NS // 2))
    other.probe.touch()
    resumed = 12 * MS + AWAIT_SLACK_NS // 2 + 100_000  # within the slack: closed there
    record.probe.close_segment(token, resumed)
    record.probe.loop_steps.append((resumed, resumed + MS))
    record.probe.touch()
    now = resumed + 2 * MS
    live = LiveLanes(LOOP)
    lane = live.update([record, other], now)[0]
    assert lane == from_scratch([record, other], now, LOOP)[0]
    kinds = _kinds(lane)
    wait = next(k for k in kinds if k[0] == Kind.IO_WAIT)
    assert wait[1:] == (2 * MS // 1000, 12 * MS // 1000)  # the sleep, up to its deadline
    after = kinds[kinds.index(wait) + 1]
    assert after[0] == Kind.QUEUED and after[1] == 12 * MS // 1000  # then ready, waiting


WORKER, VIEW_THREAD = "wsgi-worker-1", "ThreadPoolExecutor-1_0"


def _polled_under_wsgi() -> tuple[RequestRecord, int]:
    """Lesson 21's A: an async view's 300 ms poll on a WSGI worker, the view on a private
    loop of another thread (asgiref's), the await begun at 2 ms, due at 302 ms."""
    record = RequestRecord(RequestProbe(1, "long_poll", 0))
    probe = record.probe
    probe.picked_ns, probe.picked_thread = MS, WORKER
    probe.picked_clock = Clock(MS, MS // 2, 0)
    probe.marks.append(Mark(MS + MS // 10, WORKER, "middleware_in", Clock(MS + MS // 10, MS, 0)))
    start = Clock(2 * MS, MS // 10, 0)
    token = probe.open_segment("io_wait", 2 * MS, clock=start, due_ns=302 * MS)
    probe.open_segments[token].thread = VIEW_THREAD
    probe.touch()
    return record, token


def test_under_wsgi_a_poll_resumed_late_waited_to_run_rather_than_ran_django():
    """Resumed 100 ms after its deadline, its thread having used 0.1 ms of CPU and spent
    60 ms on a run queue: from the deadline it waited to run, 60 ms for a core and the rest
    for the GIL, then Django answered within a millisecond. Drawn before as one 101 ms
    "Django framework" bar on the worker (lesson 21 under load)."""
    record, token = _polled_under_wsgi()
    probe = record.probe
    live = LiveLanes(None)
    frames = [100 * MS, 302 * MS, 350 * MS]  # before the deadline, at it, past it (open)
    for now in frames:
        assert live.update([record], now) == from_scratch([record], now, None), now
    resumed = Clock(402 * MS, 2 * MS // 10, 60 * MS)
    probe.close_segment(token, 302 * MS, resumed)  # what measured() records at the resume
    probe.marks.append(Mark(403 * MS, WORKER, "middleware_out", Clock(403 * MS, 2 * MS, 0)))
    probe.responded_ns, probe.finished_ns = 403 * MS + MS // 2, 404 * MS
    record.status, record.status_code, record.done_ns = "ok", 200, 404 * MS
    probe.touch()
    for now in (405 * MS, 410 * MS):
        assert live.update([record], now) == from_scratch([record], now, None), now
    lane = live.update([record], 410 * MS)[0]
    after = [s for s in lane.segments if s.start_ns >= 302 * MS]
    assert {s.thread for s in after} == {WORKER}  # the worker is what the poll held
    took = {kind: sum(s.end_ns - s.start_ns for s in after if s.kind == kind) for kind in Kind}
    assert took[Kind.CORE_WAIT] == 60 * MS
    assert took[Kind.GIL_WAIT] == 100 * MS - MS // 10 - 60 * MS  # the rest, less its CPU
    assert took[Kind.FRAMEWORK] == MS // 10 + 2 * MS  # its CPU in the wait; Django answering
    assert after[-1].kind == Kind.FRAMEWORK and after[-1].start_ns == 402 * MS


def test_a_timed_await_resumed_late_records_the_clocks_read_at_the_resume():
    """The close at the deadline keeps the reading made at the resume (after the deadline,
    with nothing but waiting between): the builder tells the waiting to run from it."""
    probe = RequestProbe(1, "long_poll", 0)
    context = current_probe.set(probe)
    try:
        with measured("io_wait", awaits=0.001):
            time.sleep(0.01)  # (a resume 9 ms past the deadline, as a busy thread's)
    finally:
        current_probe.reset(context)
    (seg,) = probe.segments
    assert seg.due_ns is not None and seg.end_ns == seg.due_ns
    assert seg.end_clock is not None and seg.end_clock.wall_ns >= seg.due_ns + 8 * MS


def test_on_the_watched_loop_a_late_resume_is_waiting_for_the_loop_whatever_the_clocks():
    """On the loop the monitor watches, the loop's steps tell what the lateness was (the
    loop running others, or waiting to run, on their lanes): the clocks read at the resume
    add no wait to run of this request's own."""
    record, token = _awaiting(10)  # due at 12 ms
    probe = record.probe
    probe.open_segments[token].start_clock = Clock(2 * MS, 0, 0)
    probe.close_segment(token, 12 * MS, Clock(30 * MS, 0, 10 * MS))  # 10 ms on a run queue
    probe.loop_steps.append((30 * MS, 31 * MS))
    probe.touch()
    lane = from_scratch([record], 32 * MS, LOOP)[0]
    after = [(s.kind, s.start_ns, s.end_ns) for s in lane.segments if s.start_ns >= 12 * MS]
    assert after[0] == (Kind.QUEUED, 12 * MS, 30 * MS)
    assert not {Kind.GIL_WAIT, Kind.CORE_WAIT} & {kind for kind, _, _ in after}
