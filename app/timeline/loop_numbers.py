"""Numbers on the event loop's row: on every bar of a block, or on none of it.

The loop's row in the thread view carries every request's turns on the loop. Where they come
close together, their bars touch and read as one block. A block of many requests' turns, a
few of them wide enough for a number, was written on those few: lesson 19 mid-run read "#2"
and "#17" on one block of a dozen turns and "#16" on another, lesson 6 "#2", "#7" and
"#10" on its ten requests' first turns, "as if only they used the loop" (teacher45,
teacher46). So a block's numbers are written only if each of its bars that reads as a bar
(:data:`~app.timeline.geometry.WIDE_PX` wide) holds its own; else none of them is, and the
pointer names each request. A staircase of turns end to end (lesson 4's blocked loop,
lesson 6's ten turns of CPU) is one block with all its numbers; a block of slivers too thin
to read as bars (a run's start-up turns at a slide's scale) takes none from the others.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from app.timeline.geometry import WIDE_PX

__all__ = ["WRITABLE_PX", "bare_blocks"]

Int64s = npt.NDArray[np.int64]

#: A bar this many pixels wide on screen or more may hold a text (the painter's floor).
WRITABLE_PX = 12


def bare_blocks(
    starts: Int64s,
    ends: Int64s,
    written: Sequence[tuple[float, float]],
    t_from: int,
    limit: int,
    left: float,
    scale: float,
) -> list[tuple[float, float]]:
    """The x extents of the blocks whose texts are not to be written: of the bars
    ``starts``/``ends`` (one request's turns each, on one row; those touching within a pixel
    are one block) in view (``t_from`` to ``limit``, drawn from ``left`` at ``scale`` pixels
    a ns), those where a bar :data:`~app.timeline.geometry.WIDE_PX` wide or more holds none
    of the texts ``written`` (their x extents)."""
    shown = (starts < limit) & (ends > t_from)
    if not shown.any():
        return []
    order = np.argsort(starts[shown], kind="stable")
    x0 = left + (np.maximum(starts[shown][order], t_from) - t_from) * scale
    x1 = left + (np.minimum(ends[shown][order], limit) - t_from) * scale
    reach = np.maximum.accumulate(x1)
    block = np.cumsum(np.concatenate([[True], x0[1:] > reach[:-1] + 1.0])) - 1
    middles = np.sort(np.array([(a + b) / 2 for a, b in written] or [np.inf], np.float64))
    at = np.minimum(np.searchsorted(middles, x0, side="left"), len(middles) - 1)
    holds = (middles[at] >= x0) & (middles[at] <= x1)  # (a text's middle within the bar)
    bare = np.unique(block[(x1 - x0 >= WIDE_PX) & ~holds])
    return [(float(x0[block == b].min()), float(reach[block == b].max())) for b in bare.tolist()]
