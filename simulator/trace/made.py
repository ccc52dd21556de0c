"""Lanes and segments made slot by slot: what a live run makes thousands of a frame.

:class:`~simulator.trace.data.Lane` and :class:`~simulator.trace.data.Segment` are frozen
dataclasses, whose generated ``__init__`` sets each field through ``object.__setattr__``: a
segment costs several times a tuple to make. A live snapshot of 10,000 requests in flight
grows every lane to the new "now" (a lane and a segment each) and makes the new segments of
the lanes whose records changed, every frame. Here each slot is set with its own setter, at
half the cost; what is made is equal to (and hashes as) what the classes' ``__init__`` makes,
and stays frozen (``tests/simulator/test_live_lanes.py``).
"""

from __future__ import annotations

from collections.abc import Iterable

from simulator.trace.data import Lane, Segment, Status
from simulator.trace.kinds import Kind

__all__ = ["make_lane", "make_segment", "make_segments", "reaching", "same_prefix"]

_new = object.__new__

#: A segment's ``kind, start_ns, end_ns, thread, open, line`` (its ``name`` is ``None``), its
#: kind by its value: ``lane_parts.Piece``, which imports this module's neighbours, not this
#: one.
Piece = tuple[str, int, int, str, bool, int | None]

#: Each kind by its value (a :class:`Kind` is its own value too).
_KIND_OF: dict[str, Kind] = {kind.value: kind for kind in Kind}

# The slots' own setters, in the dataclasses' field order (checked: a field added to either
# must be set below too).
assert Segment.__slots__ == ("kind", "start_ns", "end_ns", "thread", "open", "line", "name")
_kind, _start, _end, _thread, _open, _line, _name = (
    getattr(Segment, name).__set__ for name in Segment.__slots__
)
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
(
    _request_id,
    _view,
    _status,
    _status_code,
    _error,
    _sent,
    _done,
    _segments,
    _threads_seen,
    _db_events,
    _notes,
) = (getattr(Lane, name).__set__ for name in Lane.__slots__)


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
    made = _new(Segment)
    _kind(made, kind)
    _start(made, start_ns)
    _end(made, end_ns)
    _thread(made, thread)
    _open(made, open)
    _line(made, line)
    _name(made, name)
    return made


def make_segments(pieces: Iterable[Piece]) -> tuple[Segment, ...]:
    """``tuple(make_segment(*piece) for piece in pieces)`` with no call a segment: a run's
    final trace makes every one of its segments anew (65,000 at 3,000 requests)."""
    made: list[Segment] = []
    append = made.append
    kind_of = _KIND_OF
    new, kind_, start_, end_, thread_, open_, line_, name_ = (
        _new,
        _kind,
        _start,
        _end,
        _thread,
        _open,
        _line,
        _name,
    )
    for kind, start_ns, end_ns, thread, is_open, line in pieces:
        segment = new(Segment)
        kind_(segment, kind_of[kind])
        start_(segment, start_ns)
        end_(segment, end_ns)
        thread_(segment, thread)
        open_(segment, is_open)
        line_(segment, line)
        name_(segment, None)
        append(segment)
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
    made = _new(Lane)
    _request_id(made, request_id)
    _view(made, view)
    _status(made, status)
    _status_code(made, status_code)
    _error(made, error)
    _sent(made, sent_ns)
    _done(made, done_ns)
    _segments(made, segments)
    _threads_seen(made, threads_seen)
    _db_events(made, db_events)
    _notes(made, notes)
    return made


def reaching(lane: Lane, now_ns: int) -> Lane:
    """``lane`` with its last segment and its answer moved to ``now_ns`` (in one function:
    every lane in flight of a big run is grown so each frame)."""
    last = lane.segments[-1]
    to_now = _new(Segment)
    _kind(to_now, last.kind)
    _start(to_now, last.start_ns)
    _end(to_now, now_ns)
    _thread(to_now, last.thread)
    _open(to_now, last.open)
    _line(to_now, last.line)
    _name(to_now, last.name)
    made = _new(Lane)
    _request_id(made, lane.request_id)
    _view(made, lane.view)
    _status(made, lane.status)
    _status_code(made, lane.status_code)
    _error(made, lane.error)
    _sent(made, lane.sent_ns)
    _done(made, now_ns)
    _segments(made, lane.segments[:-1] + (to_now,))
    _threads_seen(made, lane.threads_seen)
    _db_events(made, lane.db_events)
    _notes(made, lane.notes)
    return made


def same_prefix(new: tuple[Segment, ...], old: tuple[Segment, ...]) -> int:
    """How many first segments of ``new`` are those of ``old``, the very objects: what a
    lane built again (or grown, :func:`reaching`) kept of the one before, which whoever
    keeps what it drew of that one need not read again (the wire, the live columns)."""
    kept = 0
    for a, b in zip(new, old, strict=False):  # (either may be longer)
        if a is not b:
            break
        kept += 1
    return kept
