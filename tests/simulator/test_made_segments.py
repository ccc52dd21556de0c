"""What a lane's segments are made of, in one loop (:func:`made.make_segments`), is what the
frozen dataclass makes from the same pieces: equal, hashed alike, still frozen."""

from __future__ import annotations

import dataclasses

import pytest

from simulator.trace import Lane, Segment
from simulator.trace.kinds import Kind
from simulator.trace.made import make_lane, make_segments, reaching


def test_segments_made_in_one_loop_are_the_dataclasses():
    pieces = [
        (Kind.QUEUED, 0, 5, "queue", False, None),
        (Kind.FRAMEWORK, 5, 7, "asgi-loop", False, None),
        (Kind.IO_WAIT, 7, 40, "asgi-loop", True, 12),
    ]
    made = make_segments(pieces)
    wanted = tuple(Segment(*piece) for piece in pieces)
    assert made == wanted
    assert [hash(s) for s in made] == [hash(s) for s in wanted]
    assert [s.name for s in made] == [None, None, None]
    assert make_segments([]) == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        made[0].end_ns = 1  # type: ignore[misc]


def test_lanes_made_and_grown_slot_by_slot_are_the_dataclasses():
    segments = make_segments([(Kind.QUEUED, 0, 5, "queue", False, None)])
    fields = (3, "async_io", "ok", 200, None, 0, 5, segments, (("queue", 0),), ((1, 1),), ("n",))
    made = make_lane(*fields)
    assert type(made) is Lane and made == Lane(*fields) and hash(made) == hash(Lane(*fields))
    grown = reaching(made, 9)
    wanted = dataclasses.replace(
        made, done_ns=9, segments=(Segment(Kind.QUEUED, 0, 9, "queue", False, None),)
    )
    assert type(grown) is Lane and type(grown.segments[0]) is Segment
    assert grown == wanted and hash(grown) == hash(wanted)
    with pytest.raises(dataclasses.FrozenInstanceError):
        grown.done_ns = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        grown.segments[0].end_ns = 1  # type: ignore[misc]
