"""A live lane answered after its await, or finished after Django tidied up, is built from
the events drawn the frame before, grown by what was recorded since (10,000 such lanes a
frame at a big run's end), and walked on from the end of an await drawn past its deadline:
the same events as made from every record, and the same lanes as built from scratch."""

from __future__ import annotations

from embedded_site.instrumentation import Mark, RequestProbe
from embedded_site.waits import Clock
from simulator.hosting.driver import RequestRecord
from simulator.hosting.live_lanes import LiveLanes, from_scratch
from simulator.trace.lane_build import head_of
from simulator.trace.lane_events import events_grown, events_of

MS = 1_000_000
LOOP = "asgi-loop"
RECEIVER = "ThreadPoolExecutor-0_0"


def _awaiting() -> tuple[RequestRecord, int]:
    """A request on the loop whose view entered a timed await at 2 ms, due at 12 ms."""
    record = RequestRecord(RequestProbe(1, "async_io", 0))
    probe = record.probe
    probe.picked_ns, probe.picked_thread = MS, LOOP
    probe.marks.append(Mark(MS + MS // 2, LOOP, "middleware_in"))
    probe.loop_steps.append((MS, 2 * MS))
    token = probe.open_segment("io_wait", 2 * MS, due_ns=12 * MS)
    probe.open_segments[token].thread = LOOP
    probe.touch()
    return record, token


def _answer(record: RequestRecord, token: int) -> None:
    """Resumed at 30 ms, answered at 30.7 ms; a receiver's mark at 33 ms after it."""
    probe = record.probe
    probe.close_segment(token, 12 * MS, Clock(30 * MS, 4 * MS, None))  # (read at the resume)
    probe.loop_steps.append((30 * MS, 31 * MS))
    probe.marks.append(Mark(30 * MS + MS // 2, LOOP, "middleware_out"))
    probe.marks.append(Mark(33 * MS, RECEIVER, "signal"))
    probe.responded_ns = 30 * MS + 7 * MS // 10
    record.status, record.status_code, record.done_ns = "ok", 200, 31 * MS
    probe.touch()


def _finish(record: RequestRecord) -> None:
    """Django done tidying up at 40 ms, in a last step on the loop."""
    probe = record.probe
    probe.loop_steps.append((39 * MS, 40 * MS))
    probe.finished_ns = 40 * MS
    probe.touch()


def _grown_and_made(live: LiveLanes, record: RequestRecord, done_ns: int):
    kept = live._kept[0]
    assert kept is not None and kept.build is not None and kept.build.drawn is not None
    probe = record.probe
    grown = events_grown(kept.build.drawn, kept.build.events, probe, done_ns, LOOP)
    made = events_of(probe, head_of(probe, MS, LOOP), done_ns, LOOP)
    return grown, made


def test_an_answer_after_the_await_grows_the_events_drawn_with_it_open():
    record, token = _awaiting()
    live = LiveLanes(LOOP)
    for now in (5 * MS, 20 * MS):  # (the await open, then past its deadline)
        assert live.update([record], now) == from_scratch([record], now, LOOP)
    _answer(record, token)
    grown, made = _grown_and_made(live, record, record.probe.responded_ns or 0)
    assert grown is not None
    assert (list(grown[0]), *grown[1:]) == (list(made[0]), *made[1:])
    assert live.update([record], 35 * MS) == from_scratch([record], 35 * MS, LOOP)


def test_an_answer_after_an_await_drawn_past_its_deadline_is_walked_on_from_its_end():
    """Drawn ended at its deadline, the await closed there is drawn alike: only the clocks
    read as it resumed are new, which the walk reads only from its end on."""
    record, token = _awaiting()
    live = LiveLanes(LOOP)
    live.update([record], 20 * MS)
    before = live._kept[0].build if live._kept[0] is not None else None
    assert before is not None
    _answer(record, token)
    assert live.update([record], 35 * MS) == from_scratch([record], 35 * MS, LOOP)
    after = live._kept[0].build if live._kept[0] is not None else None
    assert after is not None and after.walked_from == len(before.events)


def test_a_finish_after_tidying_up_grows_the_events_drawn_up_to_the_answer():
    record, token = _awaiting()
    live = LiveLanes(LOOP)
    live.update([record], 20 * MS)
    _answer(record, token)
    live.update([record], 35 * MS)
    _finish(record)
    grown, made = _grown_and_made(live, record, 40 * MS)
    assert grown is not None
    assert (list(grown[0]), *grown[1:]) == (list(made[0]), *made[1:])
    for now in (41 * MS, 42 * MS):
        assert live.update([record], now) == from_scratch([record], now, LOOP)


def test_a_mark_recorded_since_among_the_events_drawn_is_not_grown_on():
    """A mark made before the await began but recorded only after it closed belongs among
    the events drawn before: they are made again from every record."""
    record, token = _awaiting()
    live = LiveLanes(LOOP)
    live.update([record], 20 * MS)
    _answer(record, token)
    record.probe.marks.append(Mark(MS + 3 * MS // 4, LOOP, "hook_in"))
    record.probe.touch()
    grown, _ = _grown_and_made(live, record, record.probe.responded_ns or 0)
    assert grown is None
    assert live.update([record], 35 * MS) == from_scratch([record], 35 * MS, LOOP)
