"""What a lane's segments are made of, in one loop (:func:`made.make_segments`), is what the
frozen dataclass makes from the same pieces: equal, hashed alike, still frozen."""

from __future__ import annotations

import dataclasses

import pytest

from simulator.trace import Segment
from simulator.trace.kinds import Kind
from simulator.trace.made import make_segments


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
