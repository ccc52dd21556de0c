"""Lanes and segments made slot by slot: what a live run makes thousands of a frame.

:class:`~simulator.trace.data.Lane` and :class:`~simulator.trace.data.Segment` are frozen
dataclasses, whose generated ``__init__`` sets each field through ``object.__setattr__``: a
segment costs several times a tuple to make. A live snapshot of 10,000 requests in flight
grows every lane to the new "now" (a lane and a segment each) and makes the new segments of
the lanes whose records changed, every frame. Here each is filled as a draft of the same
slots, not frozen, by plain attribute stores, then given its class (``__class__``, which
CPython allows between classes of the same slots): a third of the cost of ``__init__``, half
of setting each slot with the frozen class's own setter; what is made is a :class:`Lane` or
a :class:`Segment`, equal to (and hashing as) what the classes' ``__init__`` makes, and
frozen (``tests/simulator/test_made_segments.py``, ``tests/simulator/test_live_lanes.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import is_

from simulator.trace.data import Lane, Segment, Status
from simulator.trace.kinds import Kind

__all__ = [
    "leading_true",
    "make_lane",
    "make_segment",
    "make_segments",
    "reaching",
    "same_prefix",
]

_new = object.__new__

#: A segment's ``kind, start_ns, end_ns, thread, open, line`` (its ``name`` is ``None``), its
#: kind by its value: ``lane_parts.Piece``, which imports this module's neighbours, not this
#: one.
Piece = tuple[str, int, int, str, bool, int | None]

#: Each kind by its value (a :class:`Kind` is its own value too).
_KIND_OF: dict[str, Kind] = {kind.value: kind for kind in Kind}


class _SegmentDraft:
    """A :class:`Segment`'s slots, not frozen: filled by plain attribute stores (a third of
    the cost of the frozen class's setters), then made a :class:`Segment` by setting its
    ``__class__`` (allowed: the same slots on the same base; checked below)."""

    __slots__ = Segment.__slots__
    kind: Kind
    start_ns: int
    end_ns: int
    thread: str
    open: bool
    line: int | None
    name: str | None


class _LaneDraft:
    """:class:`_SegmentDraft` for a :class:`Lane`."""

    __slots__ = Lane.__slots__
    request_id: int
    view: str
    status: Status
    status_code: int | None
    error: str | None
    sent_ns: int
    done_ns: int
    segments: tuple[Segment, ...]
    threads_seen: tuple[tuple[str, int], ...]
    db_events: tuple[tuple[int, int], ...]
    notes: tuple[str, ...]


# The drafts' fields are the dataclasses' (a field added to either must be set below too),
# and a draft becomes one of them (CPython allows it where the layouts are the same).
assert Segment.__slots__ == ("kind", "start_ns", "end_ns", "thread", "open", "line", "name")
assert Lane.__slots__ == (
    "request_id",
    "view",
    "status",
    "status_code",
    "error",
    "sent_ns",
    "done_ns",
    "segments",
    "threads_seen",
    "db_events",
    "notes",
)
_new(_SegmentDraft).__class__ = Segment  # type: ignore[assignment]
_new(_LaneDraft).__class__ = Lane  # type: ignore[assignment]


def make_segment(
    kind: Kind,
    start_ns: int,
    end_ns: int,
    thread: str,
    open: bool = False,  # noqa: A002 (the field's name)
    line: int | None = None,
    name: str | None = None,
) -> Segment:
    """``Segment(kind, start_ns, end_ns, thread, open, line, name)``."""
    made = _new(_SegmentDraft)
    made.kind = kind
    made.start_ns = start_ns
    made.end_ns = end_ns
    made.thread = thread
    made.open = open
    made.line = line
    made.name = name
    made.__class__ = Segment  # type: ignore[assignment]
    return made  # type: ignore[return-value]


def make_segments(pieces: Iterable[Piece]) -> tuple[Segment, ...]:
    """``tuple(make_segment(*piece) for piece in pieces)`` with no call a segment: a run's
    final trace makes every one of its segments anew (65,000 at 3,000 requests)."""
    made: list[Segment] = []
    append = made.append
    kind_of = _KIND_OF
    new, draft, segment_class = _new, _SegmentDraft, Segment
    for kind, start_ns, end_ns, thread, is_open, line in pieces:
        segment = new(draft)
        segment.kind = kind_of[kind]
        segment.start_ns = start_ns
        segment.end_ns = end_ns
        segment.thread = thread
        segment.open = is_open
        segment.line = line
        segment.name = None
        segment.__class__ = segment_class  # type: ignore[assignment]
        append(segment)  # type: ignore[arg-type]
    return tuple(made)


def make_lane(
    request_id: int,
    view: str,
    status: Status,
    status_code: int | None,
    error: str | None,
    sent_ns: int,
    done_ns: int,
    segments: tuple[Segment, ...],
    threads_seen: tuple[tuple[str, int], ...] = (),
    db_events: tuple[tuple[int, int], ...] = (),
    notes: tuple[str, ...] = (),
) -> Lane:
    """``Lane(request_id, view, status, ..., notes)``."""
    made = _new(_LaneDraft)
    made.request_id = request_id
    made.view = view
    made.status = status
    made.status_code = status_code
    made.error = error
    made.sent_ns = sent_ns
    made.done_ns = done_ns
    made.segments = segments
    made.threads_seen = threads_seen
    made.db_events = db_events
    made.notes = notes
    made.__class__ = Lane  # type: ignore[assignment]
    return made  # type: ignore[return-value]


def reaching(lane: Lane, now_ns: int) -> Lane:
    """``lane`` with its last segment and its answer moved to ``now_ns`` (in one function:
    every lane in flight of a big run is grown so each frame)."""
    segments = lane.segments
    last = segments[-1]
    to_now = _new(_SegmentDraft)
    to_now.kind = last.kind
    to_now.start_ns = last.start_ns
    to_now.end_ns = now_ns
    to_now.thread = last.thread
    to_now.open = last.open
    to_now.line = last.line
    to_now.name = last.name
    to_now.__class__ = Segment  # type: ignore[assignment]
    made = _new(_LaneDraft)
    made.request_id = lane.request_id
    made.view = lane.view
    made.status = lane.status
    made.status_code = lane.status_code
    made.error = lane.error
    made.sent_ns = lane.sent_ns
    made.done_ns = now_ns
    made.segments = segments[:-1] + (to_now,)  # type: ignore[operator]
    made.threads_seen = lane.threads_seen
    made.db_events = lane.db_events
    made.notes = lane.notes
    made.__class__ = Lane  # type: ignore[assignment]
    return made  # type: ignore[return-value]


def same_prefix(new: tuple[Segment, ...], old: tuple[Segment, ...]) -> int:
    """How many first segments of ``new`` are those of ``old``, the very objects: what a
    lane built again (or grown, :func:`reaching`) kept of the one before, which whoever
    keeps what it drew of that one need not read again (the wire, the live columns)."""
    return leading_true(list(map(is_, new, old)))  # (either may be longer: the shorter)


def leading_true(flags: list[bool]) -> int:
    """How many first of ``flags`` are true: with ``map`` over two sequences, how long a
    prefix they share, compared in C (a Python loop cost 1.5 µs a lane of 13 segments, and
    a burst builds 10,000 lanes again)."""
    try:
        return flags.index(False)
    except ValueError:
        return len(flags)
