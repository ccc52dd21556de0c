"""Live lanes from records that arrive out of time order, some of them while a frame is
taken, are at every frame what ``build_lane`` gives from scratch.

The real runs of ``test_live_lanes.py`` replay records in the order the site made them.
Here the stories are made up (so the fast suite holds them too) and their records land late:
a mark or a declared segment another thread recorded milliseconds after its time (before
the checkpoint a lane's last build left), a loop step after others' later ones, and records
made while a snapshot reads the holds on the loop (then the frame after must be right again).
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from embedded_site.instrumentation import Mark, RawSegment, RequestProbe
from embedded_site.waits import Clock
from simulator.hosting.driver import RequestRecord
from simulator.hosting.live_lanes import LiveLanes, from_scratch
from simulator.trace import Lane
from simulator.trace.made import reaching

MS = 1_000_000
LOOP = "asgi-loop"

#: ``(when it is recorded, what recording it does)``
Recorded = tuple[int, Callable[[], None]]


def _story(rng: random.Random, rid: int, sent: int, loop: str | None) -> list[Recorded]:
    """One request's records, each with when it lands in its probe (its own time, or later)."""
    record = RequestRecord(RequestProbe(rid, "async_io", sent))
    probe = record.probe
    out: list[Recorded] = [(sent, lambda: _RECORDS.append(record))]

    def late(t: int) -> int:
        return t + rng.choice([0, 0, 0, rng.randrange(3 * MS), rng.randrange(30 * MS)])

    def clock(t: int) -> Clock | None:
        return Clock(t, t // 2 + rng.randrange(MS), None) if rng.random() < 0.5 else None

    t = sent + rng.randrange(5 * MS)
    if rng.random() < 0.1:  # never picked up: given up on, or still waiting
        if rng.random() < 0.5:
            out.append((t + 20 * MS, lambda: _done(record, "cancelled", t + 20 * MS)))
        return [(when, _touching(probe, do)) for when, do in out]
    picked_thread = loop if loop and rng.random() < 0.8 else rng.choice(["w1", "w2"])

    def pick(t: int = t) -> None:
        probe.picked_ns, probe.picked_thread = t, picked_thread

    out.append((t, pick))
    threads = [picked_thread, "t1", "t2"] + ([loop] if loop else [])
    marks: list[tuple[str, list[str]]] = []
    if rng.random() < 0.7:
        marks.append(("middleware", threads))
    if rng.random() < 0.3:
        marks.append(("sync_middleware", ["t1", "t2"]))
    for name, on in marks:
        t += rng.randrange(MS)
        mark = Mark(t, rng.choice(on), f"{name}_in", clock(t))
        out.append((late(t), lambda m=mark: probe.marks.append(m)))
    for _ in range(rng.randrange(6)):
        r = rng.random()
        t += rng.randrange(4 * MS)
        if r < 0.35 and loop:
            step = (t, t + rng.randrange(1, MS))
            out.append((late(step[1]), lambda s=step: probe.loop_steps.append(s)))
            t = step[1]
        elif r < 0.45:
            event = (t, rng.choice([1, -1]))
            out.append((late(t), lambda e=event: probe.db_events.append(e)))
        elif r < 0.55:
            mark = Mark(t, rng.choice(threads), rng.choice(["signal", "middleware_in"]), clock(t))
            out.append((late(t), lambda m=mark: probe.marks.append(m)))
        else:
            kind = rng.choice(["io_wait", "io_wait", "cpu", "io_blocking", "gil_wait"])
            start = t - (rng.randrange(3 * MS) if rng.random() < 0.2 else 0)
            seg = RawSegment(
                kind, start, start + rng.randrange(10 * MS), rng.choice(threads), line=5
            )
            seg.start_clock, seg.end_clock = clock(seg.start_ns), clock(seg.end_ns)
            if rng.random() < 0.5:
                out.append((start, lambda s=seg: _open(probe, s)))
            out.append((late(seg.end_ns), lambda s=seg: _close(probe, s)))
            t = max(t, seg.end_ns)
    for name, on in reversed(marks):
        if rng.random() < 0.8:
            t += rng.randrange(MS)
            mark = Mark(t, rng.choice(on), f"{name}_out", clock(t))
            out.append((late(t), lambda m=mark: probe.marks.append(m)))
    ending = rng.random()
    if ending < 0.15:
        gone = t + rng.randrange(5 * MS)
        out.append((gone, lambda: _done(record, "cancelled", gone)))
    elif ending > 0.25:  # (else still running at the end)
        answered = t + rng.randrange(MS)
        out.append((answered, lambda: setattr(probe, "responded_ns", answered)))
        done = answered + rng.randrange(2 * MS)
        out.append((done, lambda: _done(record, rng.choice(["ok", "error"]), done)))
        finished = answered + rng.randrange(5 * MS)
        if loop and rng.random() < 0.6:  # Django tidying up after the answer, on the loop
            t = answered - rng.choice([0, 0, 0, MS // 2])  # (rarely a step reaching back)
            for _ in range(rng.randrange(1, 4)):
                t += rng.randrange(MS)
                if rng.random() < 0.3:  # a request_finished receiver, on some thread
                    ns = rng.choice([t, answered, answered - MS // 4])
                    where = rng.choice(["signal", "signal", "middleware_out"])
                    mark = Mark(ns, rng.choice(threads + ["t3"]), where, clock(ns))
                    out.append((late(ns), lambda m=mark: probe.marks.append(m)))
                step = (t, t + rng.randrange(1, MS // 4))
                out.append((late(step[1]), lambda s=step: probe.loop_steps.append(s)))
                t = step[1]
            finished = max(finished, t)
        last = max(when for when, _ in out)  # Django finishes after all the rest
        out.append((max(finished, last), lambda: setattr(probe, "finished_ns", finished)))
    return [(when, _touching(probe, do)) for when, do in out]


def _touching(probe: RequestProbe, do: Callable[[], None]) -> Callable[[], None]:
    """``do``, then the probe's version moved on, as every writer of a probe does."""

    def done() -> None:
        do()
        probe.touch()

    return done


_RECORDS: list[RequestRecord] = []


def _open(probe: RequestProbe, seg: RawSegment) -> None:
    probe.open_segments[id(seg)] = RawSegment(
        seg.kind, seg.start_ns, seg.start_ns, seg.thread, True, seg.line, seg.start_clock
    )


def _close(probe: RequestProbe, seg: RawSegment) -> None:
    probe.segments.append(seg)
    probe.open_segments.pop(id(seg), None)


def _done(record: RequestRecord, status: str, at: int) -> None:
    record.status, record.done_ns = status, at  # type: ignore[assignment]
    record.status_code = {"ok": 200, "error": 500}.get(status)


@pytest.mark.parametrize("seed", range(36))
def test_records_landing_late_and_during_a_frame_change_no_frame(seed):
    _frames(seed)


def test_django_s_tidying_steps_after_an_answer_leave_its_lane_as_it_was():
    """Lanes kept at frames though their records changed (loop steps after their end), and
    every frame still what a build from scratch gives (``_frames`` checks it)."""
    assert sum(_frames(seed) for seed in range(12)) > 0


def _frames(seed: int) -> int:
    """Frames of seed's stories, each checked against a build from scratch; how many lanes
    the frames kept though their records changed."""
    rng = random.Random(seed)
    loop = LOOP if rng.random() < 0.85 else None
    _RECORDS.clear()
    stories: list[tuple[int, int, Callable[[], None]]] = []
    sent = 0
    for rid in range(10):
        sent += rng.randrange(3 * MS)
        stories += [(when, rid, do) for when, do in _story(rng, rid, sent, loop)]
    stories.sort(key=lambda s: (s[0], s[1]))  # (each request's own records kept in order)
    pending = iter(stories)
    upcoming = next(pending, None)

    def record_until(t: int) -> bool:
        nonlocal upcoming
        recorded = False
        while upcoming is not None and upcoming[0] <= t:
            upcoming[2]()
            upcoming, recorded = next(pending, None), True
        return recorded

    live = LiveLanes(loop)
    read_holds = live._holds.update
    now, end = 0, stories[-1][0] + 10 * MS
    resumed = tidied = 0
    handed: tuple[Lane, ...] | None = None
    while now < end:
        now += rng.randrange(MS // 2, 6 * MS)
        record_until(now + rng.choice([0, 0, 50_000, 2 * MS]))
        meanwhile = [False]
        if rng.random() < 0.3:  # the site's threads record while the frame reads the holds
            until = now + rng.randrange(3 * MS)

            def holds_read_meanwhile(probes, now_ns, until=until, meanwhile=meanwhile):
                held = read_holds(probes, now_ns)
                meanwhile[0] = record_until(until)
                return held

            live._holds.update = holds_read_meanwhile  # type: ignore[method-assign]
        lanes = live.update(_RECORDS, now)
        live._holds.update = read_holds  # type: ignore[method-assign]
        resumed += live.resumed
        tidied += live.tidied
        said = live.grown_from  # (what the live columns copy without reading the lanes)
        if handed is None:
            assert said is None  # (the first frame: none before it)
        else:
            assert said is not None and said.lanes is handed and said.now_ns == now
            for i in said.indices:
                assert lanes[i] == reaching(handed[i], now), (i, now)
        handed = lanes
        if not meanwhile[0]:  # (a frame taken while records land is of no one moment)
            fresh = from_scratch(_RECORDS, now, loop)
            for i, lane in enumerate(lanes):
                assert lane == fresh[i], (i, now)
    cancelled = live.update(_RECORDS, now, abandoned=True)
    assert cancelled == from_scratch(_RECORDS, now, loop, abandoned=True)
    assert resumed > 0 or len(stories) < 30
    return tidied
