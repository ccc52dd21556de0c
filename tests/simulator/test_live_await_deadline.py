"""A timed await past its deadline is drawn ended there, live as when it closes: from then
on the coroutine was ready and waiting for the loop (on a busy machine a 1 s sleep among
10,000 requests was drawn as seconds of "awaiting I/O", live and finished)."""

from __future__ import annotations

from embedded_site.instrumentation import AWAIT_SLACK_NS, RequestProbe
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
