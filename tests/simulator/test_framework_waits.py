"""Django's time on a thread between two readings of its clocks is split into what it ran
and what it waited to run, even when the first reading was made before the stretch began:
lesson 9's sync-middleware threads waited 20–140 ms for the GIL beside siblings drawn
waiting, and were drawn as "Django framework" all that time."""

from __future__ import annotations

from embedded_site.waits import Clock
from simulator.trace.kinds import Kind
from simulator.trace.lane_parts import framework

MS = 1_000_000


def test_a_wait_is_told_when_the_first_reading_was_before_the_stretch():
    # Read at 0 ms, the loop's until 2 ms, this thread's from 2 to 32 ms, with no time on a
    # run queue: what it did not run it waited for the GIL, at the stretch's end.
    a = Clock(0, 0, 0)
    pieces = framework(2 * MS, 32 * MS, "t", a, Clock(32 * MS, 5 * MS, 0))  # 5 ms of CPU
    kinds = [(kind, s, e) for kind, s, e, *_ in pieces]
    assert kinds == [(Kind.FRAMEWORK, 2 * MS, 5 * MS), (Kind.GIL_WAIT, 5 * MS, 32 * MS)]
    pieces = framework(2 * MS, 32 * MS, "t", a, Clock(32 * MS, 1 * MS, 0))  # 1 ms: all before
    assert [(kind, s, e) for kind, s, e, *_ in pieces] == [(Kind.GIL_WAIT, 2 * MS, 32 * MS)]


def test_the_pieces_cover_the_stretch_without_a_gap():
    a, b = Clock(0, 0, 0), Clock(40 * MS, 2 * MS, 10 * MS)  # 10 ms of it on a run queue
    for start in (0, 5 * MS, 30 * MS, 39 * MS):
        pieces = framework(start, 40 * MS, "t", a, b)
        assert pieces[0][1] == start and pieces[-1][2] == 40 * MS
        assert all(p[2] == q[1] for p, q in zip(pieces, pieces[1:], strict=False))
        assert sum(p[2] - p[1] for p in pieces if p[0] == Kind.CORE_WAIT) <= 10 * MS


def test_a_reading_after_the_start_or_none_says_nothing_of_waits():
    b = Clock(32 * MS, 1 * MS, 0)
    for a in (None, Clock(3 * MS, 0, 0)):
        assert [p[0] for p in framework(2 * MS, 32 * MS, "t", a, b)] == [Kind.FRAMEWORK]
