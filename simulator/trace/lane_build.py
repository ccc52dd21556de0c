"""What a live lane's build keeps for the next build, and how the next one reuses it.

:func:`~simulator.trace.lanes.build_lane_again` walks a lane in flight's records from the
first one whose walk can have changed. What it needs of the build before (its events, the
checkpoint before each, the pieces it joined and the lane's own loop steps) is a
:class:`LaneBuild`; the helpers here find where the walk may resume, join new pieces on from
there and hand out the segments that are the same as last time as the very same objects (the
painter keeps what it drew of them). Apart from the walk itself (``lanes.py``) because they
are about reuse, not about what a lane says.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import eq
from typing import Any

from embedded_site.instrumentation import RequestProbe
from simulator.trace.data import Lane, Segment, Status
from simulator.trace.lane_parts import (
    MergeState,
    Piece,
    PlainClock,
    held_during,
    merge_from,
    merge_touching,
    plain_clock,
)
from simulator.trace.made import leading_true, make_lane, make_segments

__all__ = [
    "EVER",
    "NEVER",
    "Checkpoint",
    "Drawn",
    "Event",
    "LaneBuild",
    "Point",
    "Records",
    "Start",
    "alike_events",
    "builds_on",
    "handed_back",
    "head_of",
    "merged_again",
    "probe_lane",
    "resumable",
    "segments_again",
]

#: A middleware's hook ended on its thread (``embedded_site.startproject``'s marks).
HOOK_OUT = "hook_out"

#: Before any time: nothing read yet.
NEVER = -(2**62)
#: After any time: no limit.
EVER = 2**62

#: A point where a gap may start or end: ``ns, thread, where, clock``. What a build keeps
#: for the next is of plain tuples, numbers and strings only (``lane_parts``: untracked).
Point = tuple[int, str, str, PlainClock | None]
#: ``(ns, 0, point)`` or ``(ns, 1, body)``, walked in time order (points first at a tie).
Event = tuple[int, int, Any]
#: The walk before an event: ``last_ns, last_thread, last_clock``, how many pieces it had
#: made, how far it had read the holds on the loop and how far its own steps and the
#: middleware's end (its horizon), and how many of its windows on the holds it had noted
#: (:attr:`ReadHolds.windows`: the stretches it read).
Checkpoint = tuple[int, str, PlainClock | None, int, int, int, int]
#: Where every step of the walk starts, as :data:`Point` says it, with when the request was
#: sent, the loop's thread and the middleware's start: ``picked_ns, picked_thread, clock,
#: sent_ns, loop_thread, middleware_in``.
Start = tuple[int, str, PlainClock | None, int, str | None, int | None]
#: Its first five: when and on which thread (and its clocks) the server picked the request
#: up, when it was sent, and the loop watched (:func:`head_of`).
Head = tuple[int, str, PlainClock | None, int, str | None]
#: What a build's events were made of (``lane_events``): how many segments and marks of its
#: probe it read, the latest time any of them reached, where the middleware chain began and
#: ended (``None``: not seen), and the threads they were seen on (``threads_seen``). Kept
#: only where the events read nothing of the build's "now" (all records before it, none
#: open, no middleware's thread held), for the next build to reuse them if the records
#: are the same.
Records = tuple[int, int, int, int | None, int | None, tuple[tuple[str, int], ...]]
#: What a build's events were drawn from, kept whether or not they read its "now" (on a
#: watched loop, no middleware's thread held): how many closed segments and marks of its
#: probe it read, how many segments were open (drawn up to "now"), the "now" it drew up
#: to, where the middleware chain began and ended, and the threads seen. A next build
#: whose records only grew after all it drew makes its events from them
#: (``lane_events.events_grown``).
Drawn = tuple[int, int, int, int, int | None, int | None, tuple[tuple[str, int], ...]]


@dataclass(slots=True)
class LaneBuild:
    """A lane in flight with what its walk read, for the next
    :func:`~simulator.trace.lanes.build_lane_again`.

    Kept in tuples of numbers and strings only (no list, no enum member, no ``NamedTuple``):
    the collector untracks such a tuple, and a 10,000-request run keeps one build per request
    in flight, each of which every full collection (holding the GIL) would walk otherwise
    (``tests/simulator/test_lane_build_untracked.py``).
    """

    lane: Lane
    probe: RequestProbe
    #: What every step of the walk reads: where it starts, and the middleware's start.
    start: Start
    #: How many loop steps of the probe it read, and where the middleware chain ends (the
    #: answer while it has not).
    n_steps: int
    out_ns: int
    events: tuple[Event, ...]
    #: One before each event, and one after the last.
    checkpoints: tuple[Checkpoint, ...]
    #: The pieces walked, where they were joined from the first (``merge_states`` is
    #: ``None``: a held thread's awaits drawn on them first); else none (the joining goes
    #: on from where it stood at a checkpoint, with the pieces walked since).
    pieces: tuple[Piece, ...]
    merged: tuple[Piece, ...]
    #: The event this build walked from (0: from the start).
    walked_from: int = 0
    #: How far joining the pieces had come at each checkpoint (``None``: not kept).
    merge_states: tuple[MergeState, ...] | None = None
    #: The lane's own loop steps, merged: their starts and ends.
    own_steps: tuple[tuple[int, ...], tuple[int, ...]] | None = None
    #: The stretches of the holds on the loop its walk read (:attr:`ReadHolds.windows`).
    windows: tuple[int, ...] = ()
    #: What its events were made of, for the next build to reuse them if its records are
    #: the same (``None``: they read this build's "now").
    records: Records | None = None
    #: What its events were drawn from, for the next build to grow them (``None``: not
    #: kept).
    drawn: Drawn | None = None


def merged_again(
    pieces: list[Piece],
    base: int,
    held_awaits: tuple[str, list[tuple[int, int]]] | None,
    at: int,
    checkpoints: list[Checkpoint] | None,
    before: LaneBuild | None,
) -> tuple[list[Piece], tuple[MergeState, ...] | None, int]:
    """The pieces (``pieces``: those from the ``base``-th on), neighbours joined (a held
    thread's awaits drawn on it first), how far the joining had come at each checkpoint,
    and how many of the first joined are those of ``before``: walked again from checkpoint
    ``at`` (``checkpoints``: those from there on), the joining goes on from there too."""
    if held_awaits is not None or checkpoints is None:
        assert not base  # (a walk resumed where the joining stood has its pieces since)
        drawn = held_during(pieces, *held_awaits) if held_awaits is not None else pieces
        return merge_touching(drawn), None, 0
    if at and before is not None and before.merge_states is not None:
        count, last = before.merge_states[at]
        merged = list(before.merged[:count])
        if last is not None:
            merged[-1] = last
        if len(checkpoints) == 1 and at == len(before.merge_states) - 1:
            # Walked on from after the last event (most builds of a lane in flight): the
            # joining stood at the one checkpoint where it stood before; only the tail since.
            merge_from(merged, pieces, 0, ())
            return merged, before.merge_states, max(count - 1, 0)
        stops = [c[3] - base for c in checkpoints]
        states = merge_from(merged, pieces, checkpoints[0][3] - base, stops)
        return merged, before.merge_states[:at] + tuple(states), max(count - 1, 0)
    stops = [c[3] - base for c in checkpoints]
    if at and before is not None:  # (joined from the start: its checkpoints' too)
        stops = [c[3] for c in before.checkpoints[:at]] + stops
    merged = []
    return merged, tuple(merge_from(merged, pieces, 0, stops)), 0


def resumable(
    before: LaneBuild,
    events: list[Event] | tuple[Event, ...],
    new_steps: list[tuple[int, int]],
    out_ns: int,
    mw_in: int | None,
    unchanged_until: int,
) -> int:
    """The last of ``before``'s checkpoints whose walk up to there read what it reads now:
    the same first events (``events``, a tuple: ``before``'s own), the loop steps since
    ``new_steps`` (sorted), the middleware's end (``out_ns``) and start (``mw_in``) alike
    up to its horizon (a walk up to there reads them only as to whether they lie before
    where it stands: the middleware's first mark, seen only now after a wait, leaves the
    walk up to that wait as it was)."""
    if new_steps and not before.n_steps:
        return 0  # the first step: the loop's part of every gap is drawn otherwise
    limit = new_steps[0][0] if new_steps else EVER  # (the earliest start)
    at = len(events) if isinstance(events, tuple) else alike_events(events, before.events)
    checkpoints = before.checkpoints
    mw_before = before.start[5]
    in_before = EVER if mw_before is None else mw_before
    in_now = EVER if mw_in is None else mw_in
    while at:
        _, _, _, _, held_until, horizon, _ = checkpoints[at]
        if (
            horizon < limit
            and (held_until == NEVER or held_until < unchanged_until)
            and min(before.out_ns, horizon) == min(out_ns, horizon)
            and (in_before == in_now or (in_before > horizon and in_now > horizon))
        ):
            return at
        at -= 1
    return 0


def builds_on(before: LaneBuild, probe: RequestProbe, status: Status) -> bool:
    """Whether a quick build may start from ``before`` (``lane_tail``, ``lane_await``): a
    build of this very probe that kept what it read of the records and how it joined its
    pieces, for a request in flight (not cancelled, not finished)."""
    return (
        before.records is not None
        and before.merge_states is not None
        and before.probe is probe
        and status != "cancelled"
        and probe.finished_ns is None
    )


def head_of(probe: RequestProbe, picked: int, loop_thread: str | None) -> Head:
    """Where the walk of ``probe``'s lane starts (picked up at ``picked``): a build whose
    :data:`Start` begins alike walked the same start, and may be built on."""
    return (
        picked,
        probe.picked_thread or "?",
        plain_clock(probe.picked_clock),
        probe.sent_ns,
        loop_thread,
    )


def handed_back(event: Event, loop_thread: str | None) -> bool:
    """Whether ``event`` is a middleware's hook ending on a thread the watched loop handed
    it to (``embedded_site.startproject``): the thread hands back there."""
    _, is_body, item = event
    return (
        not is_body and loop_thread is not None and item[2] == HOOK_OUT and item[1] != loop_thread
    )


def alike_events(events: list[Event], kept: tuple[Event, ...]) -> int:
    """How many first events of ``events`` are those of ``kept``, which replace them (the new
    copies are freed now, not walked by the collector). A lane in flight has a few events,
    most builds add to them at the end: compared one by one, from the first.

    Also the next one, a declared segment, where it differs from the one kept only in the
    clocks read at its end (an await drawn past its deadline, now closed: 10,000 of a
    frame's lanes answered): the walk draws it alike, and only goes on from its end with
    those clocks; it stays the new one (``lanes.build_lane_again``)."""
    alike = leading_true(list(map(eq, events, kept)))
    events[:alike] = kept[:alike]
    if alike < len(events) and alike < len(kept):
        new, old = events[alike], kept[alike]
        if new[1] and old[1] and new[2][:7] == old[2][:7] and new[2][8] == old[2][8]:
            return alike + 1
    return alike


def segments_again(
    merged: list[Piece], before: LaneBuild | None, alike: int
) -> tuple[Segment, ...]:
    """The lane's segments: those of the lane built before, the same objects, as far as they
    are the same (the painter keeps what it drew of them; the first ``alike`` are, being
    the very pieces ``before`` joined), then new ones."""
    same = alike
    if before is not None:
        same += leading_true(list(map(eq, merged[alike:], before.merged[alike:])))
    kept = before.lane.segments[:same] if before is not None else ()
    return kept + make_segments(merged[same:])


def probe_lane(
    probe: RequestProbe,
    status: Status,
    status_code: int | None,
    error: str | None,
    done_ns: int,
    segments: tuple[Segment, ...],
    threads_seen: tuple[tuple[str, int], ...] = (),
    db_events: tuple[tuple[int, int], ...] = (),
) -> Lane:
    """The lane of ``probe``'s request as a build made it: its name, view and send from the
    probe, its error the one given or else the probe's own. One rule for the general walk
    and every quick build, which each hand it their segments."""
    return make_lane(
        probe.request_id,
        probe.view,
        status,
        status_code,
        error or probe.error,
        probe.sent_ns,
        done_ns,
        segments,
        threads_seen,
        db_events,
    )
