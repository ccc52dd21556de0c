"""What a request's record and probe say of its lane: what the client saw of it (:func:`head`,
:func:`answered_ns`), whether anything more will be recorded for it (:func:`settled`,
:func:`final`, :func:`tidying`), and whether what it recorded since a frame can change its
lane at all (:func:`shape_of`, :func:`only_tidying_after`).

:class:`~simulator.hosting.live_lanes.LiveLanes` judges by these which lanes to keep, grow
or build again each frame; the engine reads :func:`head` for the answers' figures and
:func:`tidying` for a run's final build. Read from a record without building its lane.
"""

from __future__ import annotations

from embedded_site.instrumentation import RequestProbe
from simulator.hosting.driver import RequestRecord
from simulator.trace import Lane

__all__ = [
    "Shape",
    "State",
    "answered_ns",
    "answered_shape",
    "final",
    "head",
    "only_tidying_after",
    "settled",
    "shape_of",
    "state_of",
    "tidying",
]

#: What of a record and its probe says whether its lane is final (:func:`final`).
State = tuple[int | None, str, int | None, int | None, int | None]

#: How many of each of its records a request's probe holds (declared segments, marks, open
#: segments, database events, loop steps), then what of its record and probe a lane is built
#: of besides (:func:`shape_of`).
Shape = tuple[object, ...]


def head(record: RequestRecord, now_ns: int, abandoned: bool = False) -> Lane:
    """The request's lane without its segments: what the client saw (status, error, sent,
    answered), as every lane built of it has them. The answers' figures need nothing more
    (``LiveRun.answers``), and it is cheap while Django tidies up after thousands."""
    probe = record.probe
    return Lane(
        probe.request_id,
        probe.view,
        "cancelled" if abandoned and record.done_ns is None else record.status,
        record.status_code,
        record.error or probe.error,
        probe.sent_ns,
        answered_ns(record, now_ns),
        (),
    )


def shape_of(record: RequestRecord) -> Shape:
    """How many records of each kind ``record``'s probe holds, and the rest its lane is built
    of (:data:`Shape`): read with its version, before its lane is built."""
    probe = record.probe
    return (
        len(probe.segments),
        len(probe.marks),
        len(probe.open_segments),
        len(probe.db_events),
        len(probe.loop_steps),
        record.status,
        record.status_code,
        record.error,
        record.done_ns,
        probe.error,
        probe.sent_ns,
        probe.picked_ns,
        probe.picked_thread,
        probe.picked_clock,
        probe.responded_ns,
        probe.finished_ns,
    )


def answered_shape(record: RequestRecord) -> Shape | None:
    """:func:`shape_of` of an answered request (none in flight: its lane reaches now)."""
    return shape_of(record) if record.done_ns is not None else None


def only_tidying_after(
    probe: RequestProbe, before: Shape, now: Shape, lane: Lane, marks_as_recorded: bool
) -> bool:
    """Whether an answered request's probe, of :func:`shape_of` ``before`` when ``lane`` was
    built and ``now`` now, recorded since only what Django's tidying up after the answer
    records after the lane's end: loop steps starting there or later (the loop running its
    last callbacks), and (``marks_as_recorded``: drawn on the threads they were made on)
    ``request_finished`` receivers' marks after it on threads the lane has seen. None of
    it changes the lane, which ends at the answer: a lane's own steps are joined only where
    they touch, so none reaches back before its end, and the first step (which decides how
    a lane reads the loop) came before; a receiver's mark is a point the walk stops at only
    up to the end, and a thread seen earlier keeps its first time."""
    steps_before, steps_now, marks_before, marks_now = before[4], now[4], before[1], now[1]
    assert isinstance(steps_before, int) and isinstance(steps_now, int)
    assert isinstance(marks_before, int) and isinstance(marks_now, int)
    if before[0] != now[0] or before[2:4] != now[2:4] or before[5:] != now[5:]:
        return False
    end = lane.end_ns
    if steps_now != steps_before and not (
        steps_before > 0
        and all(start >= end for start, _ in probe.loop_steps[steps_before:steps_now])
    ):
        return False
    if marks_now == marks_before:
        return True
    seen = dict(lane.threads_seen)
    return marks_as_recorded and all(
        mark.where == "signal" and mark.ns > end and mark.thread in seen
        for mark in probe.marks[marks_before:marks_now]
    )


def state_of(record: RequestRecord) -> State:
    """What of ``record`` and its probe :func:`final` judges by (read with its version)."""
    probe, steps = record.probe, record.probe.loop_steps
    last_step_ns = steps[-1][1] if steps else None
    return record.done_ns, record.status, probe.picked_ns, probe.finished_ns, last_step_ns


def settled(record: RequestRecord) -> bool:
    """Whether nothing more will be recorded for this request.

    Its lane's derived segments depend on other requests' holds on the loop only while it
    waits for the loop, and a request cannot finish while another holds the loop, so once
    the site has finished it (or it never reached the site) its lane is final.
    """
    probe = record.probe
    return _settled(record.done_ns, probe.picked_ns, probe.finished_ns)


def _settled(done_ns: int | None, picked_ns: int | None, finished_ns: int | None) -> bool:
    return done_ns is not None and (finished_ns is not None or picked_ns is None)


def final(state: State) -> bool:
    """Whether the request whose records were ``state`` (:func:`state_of`) is :func:`settled`
    for good: not given up on before the site picked it up, which it may still do after a
    Stop (its view then never starts), and the loop steps it records then hold the loop for
    the others' lanes; and on the loop, the step it finished in recorded (the server stamps
    ``finished_ns`` inside its task's last step, which the loop monitor records when it
    ends: a frame taken meanwhile, twice, settled the lane without it, and the holds too)."""
    done_ns, status, picked_ns, finished_ns, last_step_ns = state
    stepped = last_step_ns is None or finished_ns is None or last_step_ns >= finished_ns
    return (
        _settled(done_ns, picked_ns, finished_ns)
        and stepped
        and (status != "cancelled" or picked_ns is not None)
    )


def tidying(record: RequestRecord) -> bool:
    """Whether the request is answered and Django still works on it (closing the response,
    ``request_finished``, ending its thread): the one case an answered lane is not final."""
    return record.done_ns is not None and not settled(record)


def answered_ns(record: RequestRecord, now_ns: int) -> int:
    """When the request's answer was complete.

    The site's own "last byte sent" when there is one: the client shares this process (and
    its GIL) with the site, so its own clock can run late while views burn CPU, which a
    client in another process would not see. Otherwise when the client gave up or failed.
    """
    if record.done_ns is None:
        return now_ns
    if record.status != "cancelled" and record.probe.responded_ns is not None:
        return record.probe.responded_ns
    return record.done_ns
