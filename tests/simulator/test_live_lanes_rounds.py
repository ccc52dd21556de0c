"""Live lanes of requests the loop takes in rounds, as at 10,000 requests on one loop, are at
every frame what ``build_lane`` gives from scratch.

Between two frames of such a run most lanes' news is alike: one loop step while they wait
for the loop, or the middleware chain's first mark and a timed await begun (seen while it
runs, or only after its deadline has passed, frames then being a second apart). The live
lanes draw those from the last build without walking the records again
(``trace/lane_tail.py``, ``trace/lane_await.py``); here the stories are made up so that
frames fall at every point of them, and each frame is checked against a build from scratch.
"""

from __future__ import annotations

import random

import pytest

from embedded_site.instrumentation import AWAIT_SLACK_NS, Mark, RawSegment, RequestProbe
from embedded_site.waits import Clock
from simulator.hosting.driver import RequestRecord
from simulator.hosting.live_lanes import LiveLanes, from_scratch

MS = 1_000_000
LOOP = "asgi-loop"
RECEIVER = "ThreadPoolExecutor-0_0"


def _rounds(rng: random.Random, n: int) -> list[tuple[int, int, object]]:
    """``(when, request, what)`` for ``n`` requests the loop steps in turn: picked, a few
    rounds of steps (one with a receiver's mark on a thread), then the chain's first mark
    and a timed await begun inside a step, the await's end, the answer, the receivers'
    mark after it and the tidying."""
    out: list[tuple[int, int, object]] = []
    step = 40_000  # a step's length; the loop runs the requests one after another
    t = MS
    for r in range(n):
        out.append((t, r, ("pick", t)))
        t += step
    for k in range(rng.randrange(2, 5)):
        for r in range(n):
            s = t + rng.randrange(step)
            e = s + rng.randrange(1_000, step)
            if k == 0 and rng.random() < 0.5:  # a receiver's mark on its thread
                at = (s + e) // 2
                out.append((e, r, ("mark", Mark(at, RECEIVER, "signal", Clock(at, 90_000, None)))))
            out.append((e, r, ("step", (s, e))))
            t = e + rng.randrange(step)
    dues: list[int] = []
    for r in range(n):
        s = t + rng.randrange(step)
        mark_ns = s + 5_000
        start = mark_ns + rng.choice([0, 3_000])
        e = start + 2_000
        due = start + rng.choice([2, 5, 30]) * MS
        wait = RawSegment("io_wait", start, start, LOOP, True, 43, Clock(start, 1, 0), None, due)
        out.append((e, r, ("mark", Mark(mark_ns, LOOP, "middleware_in", Clock(mark_ns, 1, 0)))))
        out.append((e, r, ("open", wait)))
        out.append((e, r, ("step", (s, e))))
        dues.append(due)
        t = e + rng.randrange(step)
    late = max(dues) + rng.randrange(3 * MS)
    for r in range(n):
        s = max(late, dues[r]) + r * step
        e = s + 20_000
        out.append((e, r, ("close", dues[r])))  # (resumed late: ended at its deadline)
        out.append((e, r, ("mark", Mark(s + 10_000, LOOP, "middleware_out", Clock(s, 2, 0)))))
        out.append((e, r, ("step", (s, e))))
        out.append((e, r, ("answer", e - 1_000)))
        # request_finished's receivers on the thread (their CPU carved: lane_receivers)
        at, cpu = e + MS // 2, 90_000 + rng.randrange(1, 800_000)
        out.append((at, r, ("mark", Mark(at, RECEIVER, "signal", Clock(at, cpu, None)))))
        out.append((e + 2 * MS, r, ("step", (e + MS, e + MS + 10_000))))
        out.append((e + 2 * MS, r, ("finish", e + MS + 5_000)))
    return sorted(out, key=lambda x: (x[0], x[1]))


def _record(record: RequestRecord, what: object) -> None:
    probe = record.probe
    assert isinstance(what, tuple)
    kind, value = what
    if kind == "pick":
        probe.picked_ns, probe.picked_thread = value, LOOP
    elif kind == "mark":
        probe.marks.append(value)
    elif kind == "step":
        probe.loop_steps.append(value)
    elif kind == "open":
        probe.open_segments[1] = value
    elif kind == "close":
        opened = probe.open_segments.pop(1)
        probe.segments.append(
            RawSegment(
                "io_wait", opened.start_ns, value, LOOP, False, 43,
                opened.start_clock, Clock(value + 3 * MS, 2, 0), opened.due_ns,
            )
        )  # fmt: skip
    elif kind == "answer":
        probe.responded_ns = value
        record.status, record.status_code, record.done_ns = "ok", 200, value + 100_000
    elif kind == "finish":
        probe.finished_ns = value
    probe.touch()


@pytest.mark.parametrize("seed", range(12))
def test_lanes_stepped_in_rounds_into_their_awaits_are_built_as_from_scratch(seed):
    rng = random.Random(seed)
    n = 12
    records = [RequestRecord(RequestProbe(r, "async_io", 0)) for r in range(n)]
    story = _rounds(rng, n)
    live = LiveLanes(LOOP)
    at, now, end = 0, 0, story[-1][0] + 5 * MS
    while now < end:
        # Frames as a busy window takes them: often, or after an await's deadline passed.
        now += rng.choice([150_000, 400_000, MS, 3 * MS + AWAIT_SLACK_NS])
        while at < len(story) and story[at][0] <= now:
            _, r, what = story[at]
            _record(records[r], what)
            at += 1
        lanes = live.update(records, now)
        assert lanes == from_scratch(records, now, LOOP), now
