"""Numbers on the event loop's row: on every bar of a block, or on none of it.

The loop's row in the thread view carries every request's turns on the loop. Where they come
close together, their bars touch and read as one block. A block of many requests' turns, a
few of them wide enough for a number, was written on those few: lesson 19 mid-run read "#2"
and "#17" on one block of a dozen turns and "#16" on another, lesson 6 "#2", "#7" and
"#10" on its ten requests' first turns, "as if only they used the loop" (teacher45,
teacher46). So a block's numbers are written only if each of its bars that reads as a bar
(:data:`~app.timeline.geometry.WIDE_PX` wide) holds its own, and they cover at least half of
the block (:data:`NAMED_SHARE`: lesson 9's B wrote "#1" and "#5" on a block of thirty
requests' slivers, too thin to read as bars, teacher46); else none of them is, and the
pointer names each request. A staircase of turns end to end (lesson 4's blocked loop,
lesson 6's ten turns of CPU) is one block with all its numbers; a block of slivers too thin
to read as bars (a run's start-up turns at a slide's scale) takes none from the others.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from app.timeline.geometry import WIDE_PX

__all__ = ["WRITABLE_PX", "LoopBars"]

Int64s = npt.NDArray[np.int64]

#: A bar this many pixels wide on screen or more may hold a text (the painter's floor).
WRITABLE_PX = 12
#: The least share of a block its numbered bars cover for its numbers to be written.
NAMED_SHARE = 0.5


class LoopBars:
    """The loop row's bars (one request's turns each), kept with its rows in order of their
    starts. (Asked only where a number is written on the loop's row: at a 10,000-request
    run's fit by thread, seldom; its zoom's frames read the same with the rule and
    without.)"""

    def __init__(self, starts: Int64s, ends: Int64s) -> None:
        order = np.argsort(starts, kind="stable")
        self.starts, self.ends = starts[order], ends[order]

    def bare_blocks(
        self,
        written: Sequence[tuple[float, float]],
        t_from: int,
        limit: int,
        left: float,
        scale: float,
    ) -> list[tuple[float, float]]:
        """The x extents of the blocks whose texts are not to be written: those touching
        bars (within a pixel) in view (``t_from`` to ``limit``, drawn from ``left`` at
        ``scale`` pixels a ns) where a bar :data:`~app.timeline.geometry.WIDE_PX` wide or
        more holds none of the texts ``written`` (their x extents), or where those holding
        one cover less than :data:`NAMED_SHARE` of the block."""
        middles = np.sort(np.array([(a + b) / 2 for a, b in written] or [np.inf], np.float64))
        return _bare_blocks(self.starts, self.ends, middles, t_from, limit, left, scale)


def _holding(
    middles: npt.NDArray[np.float64], x0: npt.NDArray[np.float64], x1: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """Of the bars from ``x0`` to ``x1``, which hold one of the texts' ``middles`` (sorted)."""
    at = np.minimum(np.searchsorted(middles, x0, side="left"), len(middles) - 1)
    return (middles[at] >= x0) & (middles[at] <= x1)


def _bare_blocks(
    starts: Int64s,
    ends: Int64s,
    middles: npt.NDArray[np.float64],
    t_from: int,
    limit: int,
    left: float,
    scale: float,
) -> list[tuple[float, float]]:
    """:meth:`LoopBars.bare_blocks` of every bar (``starts`` in order), the texts' middles
    sorted."""
    before = int(np.searchsorted(starts, limit, side="left"))  # (those starting in view)
    shown = np.flatnonzero(ends[:before] > t_from)
    if not len(shown):
        return []
    x0 = left + (np.maximum(starts[shown], t_from) - t_from) * scale
    x1 = left + (np.minimum(ends[shown], limit) - t_from) * scale
    reach = np.maximum.accumulate(x1)
    block = np.cumsum(np.concatenate([[True], x0[1:] > reach[:-1] + 1.0])) - 1
    holding = _holding(middles, x0, x1)
    bare = np.zeros(int(block[-1]) + 1, np.bool_)
    bare[block[(x1 - x0 >= WIDE_PX) & ~holding]] = True
    firsts = np.flatnonzero(np.concatenate([[True], block[1:] != block[:-1]]))
    lasts = np.append(firsts[1:], len(block)) - 1  # (sorted by start: a block's bars together)
    # A block whose numbered bars cover less than :data:`NAMED_SHARE` of it: its numbers
    # would name a few of the many requests whose turns it is (lesson 9's B: "#1" and "#5"
    # on a block of thirty requests' slivers).
    named = np.bincount(block, weights=np.where(holding, x1 - x0, 0.0), minlength=len(bare))
    bare |= named < NAMED_SHARE * (reach[lasts] - x0[firsts])
    bare &= named > 0  # (a block with no number has none to take away)
    if not bare.any():
        return []
    return list(zip(x0[firsts][bare].tolist(), reach[lasts][bare].tolist(), strict=True))
