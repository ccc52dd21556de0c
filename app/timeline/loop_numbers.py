"""Numbers on the event loop's row: on all its blocks or on none.

The loop's row in the thread view carries every request's turns on the loop. Where they come
close together, their bars touch and read as one block, and a block of many requests' turns,
each too narrow for its number, was written on nowhere, while a neighbour made of one wider
turn was: lesson 19 mid-run read "#1" and "#14" beside an unnumbered block as wide, and
lesson 13 a lone "#3", "as if only #3 used the loop" (teacher45). So the loop's numbers are
written only if every block of it wide enough to hold one (:data:`WRITABLE_PX`) holds one;
where one block would stay bare, none is written, and the pointer names each request. A
staircase of turns end to end (lesson 4's blocked loop) is one block with all its numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["WRITABLE_PX", "every_block_numbered"]

Int64s = npt.NDArray[np.int64]

#: A bar this many pixels wide on screen or more may hold a text (the painter's floor).
WRITABLE_PX = 12


def every_block_numbered(
    starts: Int64s,
    ends: Int64s,
    written: Sequence[tuple[float, float]],
    t_from: int,
    limit: int,
    left: float,
    scale: float,
) -> bool:
    """Whether each block of the bars ``starts``/``ends`` (one request's turns each, on
    one row; those touching within a pixel are one block) at least :data:`WRITABLE_PX`
    wide in view (``t_from`` to ``limit``, drawn from ``left`` at ``scale`` pixels a ns)
    holds a text ``written`` (its x extents)."""
    shown = (starts < limit) & (ends > t_from)
    if not shown.any():
        return True
    order = np.argsort(starts[shown], kind="stable")
    s = np.maximum(starts[shown][order], t_from)
    e = np.minimum(ends[shown][order], limit)
    reach = np.maximum.accumulate(e)
    pixel = 1 / scale
    new = np.concatenate([[True], s[1:] > reach[:-1] + pixel])
    first = np.flatnonzero(new)
    block_start = s[first]
    block_end = np.maximum.reduceat(e, first)
    x0 = left + (block_start - t_from) * scale
    x1 = left + (block_end - t_from) * scale
    middles = np.sort(np.array([(a + b) / 2 for a, b in written], np.float64))
    wide = x1 - x0 >= WRITABLE_PX
    at = np.searchsorted(middles, x0[wide], side="left")
    holds = (at < len(middles)) & (middles[np.minimum(at, len(middles) - 1)] <= x1[wide])
    return bool(holds.all()) if len(middles) else not wide.any()
