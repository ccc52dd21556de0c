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
from typing import Any

from embedded_site.instrumentation import RequestProbe
from simulator.trace.data import Lane, Segment
from simulator.trace.growing import ReadHolds
from simulator.trace.lane_parts import (
    MergeState,
    Piece,
    PlainClock,
    held_during,
    merge_from,
    merge_touching,
)
from simulator.trace.made import make_segments

__all__ = [
    "EVER",
    "NEVER",
    "Checkpoint",
    "Event",
    "LaneBuild",
    "Point",
    "alike_events",
    "merged_again",
    "read_until",
    "windows_read",
    "resumable",
    "segments_again",
]

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
    start: tuple[object, ...]
    #: How many loop steps of the probe it read, and where the middleware chain ends (the
    #: answer while it has not).
    n_steps: int
    out_ns: int
    events: tuple[Event, ...]
    #: One before each event, and one after the last.
    checkpoints: tuple[Checkpoint, ...]
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


def merged_again(
    pieces: list[Piece],
    held_awaits: tuple[str, list[tuple[int, int]]] | None,
    at: int,
    checkpoints: list[Checkpoint] | None,
    before: LaneBuild | None,
) -> tuple[list[Piece], list[MergeState] | None, int]:
    """The pieces, neighbours joined (a held thread's awaits drawn on it first), how far
    the joining had come at each checkpoint, and how many of the first joined are those of
    ``before``: walked again from checkpoint ``at``, the joining goes on from there too."""
    if held_awaits is not None or checkpoints is None:
        drawn = held_during(pieces, *held_awaits) if held_awaits is not None else pieces
        return merge_touching(drawn), None, 0
    merged: list[Piece] = []
    kept: tuple[MergeState, ...] = ()
    start = alike = 0
    if at and before is not None and before.merge_states is not None:
        kept = before.merge_states[:at]
        count, last = before.merge_states[at]
        merged = [*before.merged[: count - 1], last] if last is not None else []
        start, alike = checkpoints[at][3], max(count - 1, 0)
    else:
        at = 0
    states = merge_from(merged, pieces, start, [c[3] for c in checkpoints[at:]])
    return merged, [*kept, *states], alike


def read_until(reads: ReadHolds | None) -> int:
    return reads.until if reads is not None else NEVER


def windows_read(reads: ReadHolds | None) -> int:
    return len(reads.windows) if reads is not None else 0


def resumable(
    before: LaneBuild,
    events: list[Event],
    steps: list[tuple[int, int]],
    out_ns: int,
    unchanged_until: int,
) -> int:
    """The last of ``before``'s checkpoints whose walk up to there read what it reads now."""
    new_steps = steps[before.n_steps :]
    if new_steps and not before.n_steps:
        return 0  # the first step: the loop's part of every gap is drawn otherwise
    limit = min(new_steps)[0] if new_steps else EVER  # (the earliest start)
    at = alike_events(events, before.events)
    checkpoints = before.checkpoints
    while at:
        _, _, _, _, held_until, horizon, _ = checkpoints[at]
        if (
            horizon < limit
            and (held_until == NEVER or held_until < unchanged_until)
            and min(before.out_ns, horizon) == min(out_ns, horizon)
        ):
            return at
        at -= 1
    return 0


def alike_events(events: list[Event], kept: tuple[Event, ...]) -> int:
    """How many first events of ``events`` are those of ``kept``, which replace them (the new
    copies are freed now, not walked by the collector). A lane in flight has a few events,
    most builds add to them at the end: compared one by one, from the first."""
    n = min(len(kept), len(events))
    alike = 0
    while alike < n and events[alike] == kept[alike]:
        alike += 1
    events[:alike] = kept[:alike]
    return alike


def segments_again(
    merged: list[Piece], before: LaneBuild | None, alike: int
) -> tuple[Segment, ...]:
    """The lane's segments: those of the lane built before, the same objects, as far as they
    are the same (the painter keeps what it drew of them; the first ``alike`` are, being
    the very pieces ``before`` joined), then new ones."""
    same = alike
    if before is not None:
        old = before.merged
        n = min(len(old), len(merged))
        while same < n and merged[same] == old[same]:
            same += 1
    kept = before.lane.segments[:same] if before is not None else ()
    return kept + make_segments(merged[same:])
