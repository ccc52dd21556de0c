"""Live lanes beside holds on the loop still running, frame after frame, are what
``build_lane`` gives from scratch from the same records at the same now.

``LiveHolds`` says a hold still running from the same start changed only between where it
reached at the last frame and where it reaches now (a frame grown to a later now from records
sent ahead builds no lane that read the holds before then). Here, made-up stories hold the
loop several at once, some from the same start, and end them every way a probe records:
closed (seen beside the open one for a frame, as ``close_segment`` leaves it), or gone
without a closed segment (as ``measured()`` leaves a ``time.sleep(0)``); frames come at
later, equal and earlier nows, their records up to a time near the frame's now (sent ahead,
or read after it).
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from embedded_site.instrumentation import RawSegment, RequestProbe
from simulator.hosting.driver import RequestRecord
from simulator.hosting.live_lanes import LiveLanes, from_scratch
from simulator.trace.live_holds import LiveHolds

from .test_record_wire import ClosesWhileRead

MS = 1_000_000
LOOP = "asgi-loop"

#: ``(when it is recorded, its order, what recording it does)``
Recorded = tuple[int, int, Callable[[], None]]


def _stories(rng: random.Random, records: list[RequestRecord]) -> list[Recorded]:
    """Requests on the loop: their steps, awaits and holds (a few from the same starts)."""
    out: list[Recorded] = []
    steps = rng.random() < 0.5
    starts = [rng.randrange(30 * MS) for _ in range(3)]

    def at(when: int, probe: RequestProbe, do: Callable[[], None]) -> None:
        def done() -> None:
            do()
            probe.touch()

        out.append((when, len(out), done))

    for rid in range(rng.randrange(3, 12)):
        sent = rng.randrange(30 * MS)
        record = RequestRecord(RequestProbe(rid, "async_io", sent))
        probe = record.probe
        out.append((sent, len(out), lambda r=record: records.append(r)))
        t = sent + rng.randrange(MS)

        def pick(p: RequestProbe = probe, t: int = t) -> None:
            p.picked_ns, p.picked_thread = t, LOOP

        at(t, probe, pick)
        for _ in range(rng.randrange(1, 4)):
            t += rng.randrange(2 * MS)
            if steps and rng.random() < 0.4:
                step = (t, t + rng.randrange(1, MS))
                late = step[1] + rng.choice([0, 0, rng.randrange(3 * MS)])
                at(late, probe, lambda p=probe, s=step: p.loop_steps.append(s))
                t = step[1]
                continue
            holds = rng.random() < 0.4
            kind = rng.choice(["cpu", "io_blocking"]) if holds else "io_wait"
            start = rng.choice(starts) if holds and rng.random() < 0.5 else t
            seg = RawSegment(kind, start, start + rng.randrange(40 * MS), LOOP)
            _recorded(rng, probe, seg, at)
            t = max(t, seg.end_ns) if kind != "io_wait" or rng.random() < 0.7 else t
    return sorted(out, key=lambda r: (r[0], r[1]))


def _recorded(
    rng: random.Random,
    probe: RequestProbe,
    seg: RawSegment,
    at: Callable[[int, RequestProbe, Callable[[], None]], None],
) -> None:
    """``seg`` opened (mostly), then closed, or closed and then dropped at a later frame, or
    dropped with no closed segment, or left open."""
    key = id(seg)
    opened = rng.random() < 0.8
    if opened:
        running = RawSegment(seg.kind, seg.start_ns, seg.start_ns, LOOP, True)
        at(seg.start_ns, probe, lambda: probe.open_segments.__setitem__(key, running))
    late = seg.end_ns + rng.choice([0, 0, rng.randrange(5 * MS)])
    how = rng.random()
    if how < 0.1 and opened:
        at(late, probe, lambda: probe.open_segments.pop(key, None))
    elif how < 0.3 and opened:
        at(late, probe, lambda: probe.segments.append(seg))
        at(late + rng.randrange(3 * MS), probe, lambda: probe.open_segments.pop(key, None))
    elif how < 0.9:
        at(late, probe, lambda: (probe.segments.append(seg), probe.open_segments.pop(key, None)))


@pytest.mark.parametrize("seed", range(48))
def test_frames_beside_running_holds_are_what_a_build_from_scratch_gives(seed):
    rng = random.Random(seed)
    records: list[RequestRecord] = []
    stories = _stories(rng, records)
    live = LiveLanes(LOOP)
    recorded, read, now = 0, 0, 0
    end = stories[-1][0] + 10 * MS
    while read < end:
        read += rng.choice([rng.randrange(MS), rng.randrange(5 * MS)])
        while recorded < len(stories) and stories[recorded][0] <= read:
            stories[recorded][2]()
            recorded += 1
        now = read - rng.choice([0, 0, rng.randrange(3 * MS)]) if seed % 2 else max(now, read)
        for _ in range(rng.randrange(1, 5)):  # the same records at later nows
            now += rng.choice([0, rng.randrange(3 * MS), rng.randrange(20 * MS)])
            assert live.update(records, now) == from_scratch(records, now, LOOP), now


def test_a_hold_closed_while_the_holds_read_its_probe_is_never_missed():
    """The site closes a view's hold on the loop (``time.sleep`` on it) between the frame's
    reads of the probe's closed and open segments: a frame that read the closed first had
    neither, and drew the loop free for the others' lanes where it was held."""
    probe = RequestProbe(1, "blocking_async", 0)
    probe.picked_ns, probe.picked_thread = MS, LOOP
    probe.open_segments[1] = RawSegment("io_blocking", 2 * MS, 2 * MS, LOOP, True)
    probe.touch()
    holds = LiveHolds(LOOP)
    probe.segments = ClosesWhileRead(probe)
    held = holds.update([probe], 50 * MS)
    assert held.starts == [2 * MS]  # held from 2 ms, as of one moment (to 40 ms, or to now)
