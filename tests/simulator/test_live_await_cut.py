"""A lane that has just entered its await keeps the pieces its last build drew while it
waited for the loop, its wait cut where the loop next ran it, instead of drawing them all
again (10,000 such lanes a frame of a big run): the same lane as built from scratch."""

from __future__ import annotations

from embedded_site.instrumentation import Mark, RequestProbe
from simulator.hosting.driver import RequestRecord
from simulator.hosting.live_lanes import LiveLanes, from_scratch

MS = 1_000_000
LOOP = "asgi-loop"
RECEIVER = "ThreadPoolExecutor-0_0"


def _waiting() -> RequestRecord:
    """Picked up on the loop at 1 ms, a receiver's mark inside that step, then run by the
    loop in two short steps more while it waited for the middleware chain."""
    record = RequestRecord(RequestProbe(1, "async_io", 0))
    probe = record.probe
    probe.picked_ns, probe.picked_thread = MS, LOOP
    probe.marks.append(Mark(MS + MS // 2, RECEIVER, "signal"))
    probe.loop_steps += [(MS, 2 * MS), (5 * MS, 6 * MS), (9 * MS, 10 * MS)]
    probe.touch()
    return record


def _entered(record: RequestRecord) -> None:
    """Into the middleware chain at 15.5 ms, in a step from 15 ms; awaiting from 15.8 ms."""
    probe = record.probe
    probe.loop_steps.append((15 * MS, 16 * MS))
    probe.marks.append(Mark(15 * MS + MS // 2, LOOP, "middleware_in"))
    token = probe.open_segment("io_wait", 15 * MS + 8 * MS // 10, due_ns=300 * MS)
    probe.open_segments[token].thread = LOOP
    probe.touch()


def test_a_lane_entering_its_await_keeps_the_pieces_drawn_while_it_waited():
    record = _waiting()
    live = LiveLanes(LOOP)
    assert live.update([record], 12 * MS) == from_scratch([record], 12 * MS, LOOP)
    kept = live._kept[0]
    before = kept.build if kept is not None else None
    assert before is not None and len(before.merged) > 3
    _entered(record)
    assert live.update([record], 17 * MS) == from_scratch([record], 17 * MS, LOOP)
    kept = live._kept[0]
    after = kept.build if kept is not None else None
    assert after is not None
    # (All but the wait that reached the last frame's now, the very pieces joined then.)
    assert all(a is b for a, b in zip(after.merged, before.merged[:-1], strict=False))
    for now in (20 * MS, 40 * MS):
        assert live.update([record], now) == from_scratch([record], now, LOOP)
