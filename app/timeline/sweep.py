"""How a per-pixel summary's cells take their kinds (:func:`~app.timeline.raster.summarise`):
the sweep of the bars covering bin middles, and the specks of bars too short to cover one.
Apart from the pyramid of tiles that reads them (``raster.py``) because they are the rule
of what a pixel shows, read on its own by ``tests/app/test_raster_rule.py``."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from app.timeline.rows import DRAW_ORDER
from simulator.trace import KINDS
from simulator.trace.columns import KIND_CODE

__all__ = ["RANK", "first_middle", "specks", "sweep"]

Codes = npt.NDArray[np.uint8]  # 0: nothing there; else a kind's code + 1

#: Where overlapping kinds tie, the one drawn last by the exact painter wins (its order).
RANK = np.zeros(len(KINDS), np.int64)
for _rank, _kind in enumerate(DRAW_ORDER):
    RANK[KIND_CODE[_kind]] = _rank  # type: ignore[index]


def first_middle(
    ns: npt.NDArray[np.int64], t_from: int, bin_ns: float, bins: int
) -> npt.NDArray[np.int64]:
    """The first bin whose middle is at or after each of ``ns`` (bins of ``bin_ns`` from
    ``t_from``, clipped to ``0..bins``): ``ceil((ns - t_from) / bin_ns - 0.5)``. Bins of a
    power of two ns (the pyramid's, every frame's) from a whole bin: integer arithmetic, the
    same numbers without a pass of floats over every bar."""
    width = int(bin_ns)
    whole = ns.dtype.kind == "i" and int(t_from) == t_from
    if whole and width == bin_ns and width & (width - 1) == 0:
        exp = width.bit_length() - 1
        first = ns - int(t_from)
        if exp:  # (ceil(d / 2^e - 1/2) of an integer d is (d + 2^(e-1) - 1) >> e)
            first += (width >> 1) - 1
            first >>= exp
        return np.clip(first, 0, bins, out=first)
    return np.clip(np.ceil((ns - t_from) / bin_ns - 0.5), 0, bins).astype(np.int64)


#: Bits of a change's key (:func:`_sweep`) below its cell: its kind's slot and whether it stops.
_SLOT_BITS = 5


def sweep(
    out: Codes,
    begin: npt.NDArray[np.int64],
    stop: npt.NDArray[np.int64],
    kind: Codes,
    on_top: bool,
) -> None:
    """Write into ``out`` (bands laid end to end) the kind most bars cover at each cell; or
    with ``on_top`` (a band of one row: bars overlapping on one thread), the kind the exact
    painter draws last.

    Each bar is two changes, one where it begins and one where it stops, packed into one
    integer each (the cell, then the kind's slot, then whether it stops) and sorted as
    values (no ``argsort`` and inverse of :func:`numpy.unique`): counted along them per
    kind, each cell takes the counts after its last change."""
    present = np.flatnonzero(np.bincount(kind, minlength=len(KINDS)))  # (not a sort)
    present = present[np.argsort(-RANK[present], kind="stable")]  # ties: drawn last wins
    slot = np.zeros(len(KINDS), np.int64)
    slot[present] = np.arange(len(present))
    # (the smaller integers sort faster)
    small = len(out) < 1 << (31 - _SLOT_BITS) and len(begin) < 1 << 15
    key_type, count_type = (np.int32, np.int16) if small else (np.int64, np.int32)
    tag: npt.NDArray[np.signedinteger] = (slot[kind] << 1).astype(key_type)
    starts: npt.NDArray[np.signedinteger] = begin.astype(key_type)
    stops: npt.NDArray[np.signedinteger] = stop.astype(key_type)
    keys = np.concatenate(
        [
            (starts << _SLOT_BITS) | tag,
            (stops << _SLOT_BITS) | (tag | 1),
        ]
    )
    keys.sort()
    changes = len(keys)
    counts = np.zeros((len(present), changes), count_type)
    counts[(keys >> 1) & 15, np.arange(changes)] = 1 - 2 * (keys & 1)
    np.cumsum(counts, axis=1, out=counts)
    cells = keys >> _SLOT_BITS
    last = np.flatnonzero(cells[1:] != cells[:-1])  # each cell's last change
    last = np.append(last, changes - 1)
    at = counts[:, last]
    best = (at > 0).argmax(axis=0) if on_top else at.argmax(axis=0)
    shown = np.take_along_axis(at, best[None], 0)[0] > 0
    code = np.where(shown, present[best] + 1, 0).astype(np.uint8)
    where = cells[last].astype(np.int64)
    # Each cell takes the code of the last change at or before it (bands end at zero).
    out[where[0] :] = np.repeat(code, np.diff(where, append=len(out)))


def specks(
    out: Codes,
    line: npt.NDArray[np.int64],
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
    kind: Codes,
    t_from: float,
    bin_ns: float,
    bins: int,
) -> None:
    """Bars covering no bin's middle (``end``: up to "now"), each shown in the bin holding
    its own middle where no bar covers that bin's middle (the kind drawn last where
    several): lesson 18's threads of a 2 ms request, in slivers under a pixel each on a
    730 ms axis, were rows of nothing. The bar's own middle, not that of its part in these
    bins: a summary of a few bins (a tile, a changed box) puts it where a summary of all
    would (a bar that covers no middle in these bins, but one beyond, has its own middle
    beyond them too)."""
    b = np.floor(((start + end) / 2 - t_from) / bin_ns).astype(np.int64)
    inside = (b >= 0) & (b < bins)
    at = (b + line)[inside]
    code = kind[inside]
    empty = out[at] == 0
    if not empty.any():
        return
    at, code = at[empty], code[empty]
    order = np.lexsort((RANK[code], at))  # by cell, then drawn last: the last of each wins
    at, code = at[order], code[order]
    last = np.append(at[1:] != at[:-1], True)
    out[at[last]] = code[last] + 1
