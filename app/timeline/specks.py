"""Bars too short to cover a pixel's middle, shown as a speck where no other bar is drawn.

The per-pixel summary (:mod:`app.timeline.raster`) gives each pixel the kind at its middle,
so a bar narrower than a pixel may show nowhere: lesson 18's thread view at fit had blank
rows "thread 10", "thread 14" for threads whose hand-offs were slivers of a fraction of a
pixel each, which read as threads that did nothing (a teacher's walk). Here, on rows of their
own (a band of one row), each such bar that had ended by the frame's "now" (a lane in
flight's open bar grows: it shows once it covers a middle) shows in the pixel holding its
own middle, if that pixel shows nothing (no bar, no faint tail): never over another kind,
so a pixel that shows anything still shows what holds it. Where several want one pixel,
the longest has it.

Worked on the screen's pixels, after they are sampled: a pixel reads one of the one or two
bins under it, and a speck put in a bin was lost in the other (a first version, taken back).
The bars are picked once a frame (:func:`narrow_bars`: a finished run's slivers sorted by
their middles once a zoom level, then the stretch in view read; none where too many are in
view to pick in a frame's time); each part painted takes those on its pixels that show
nothing, the highest rank a pixel, with no sort (:func:`with_specks`).
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import numpy.typing as npt

from app.timeline.spans import RowSpans

__all__ = ["Specks", "narrow_bars", "with_specks"]

Int64s = npt.NDArray[np.int64]
Codes = npt.NDArray[np.uint8]
#: Per speck: its row, its pixel column (from the frame's first), and its rank: its bar's
#: length in 2^-20ths of a pixel, then its kind's code (kind + 1) in the low four bits (the
#: longest has a pixel several want, whatever order the bars come in; a tie, the higher code).
Specks = tuple[Int64s, Int64s, npt.NDArray[np.uint32]]


#: Finished runs' bars that may be specks at one level of zoom, sorted by their middles
#: (:func:`_by_middle`), by their spans' identity: the last few asked for (both sides of a
#: comparison, a zoom back and forth), kept: a zoom or pan reads the stretch in view.
_KEPT: OrderedDict[tuple[int, int], tuple[RowSpans, tuple[Int64s, ...]]] = OrderedDict()
_KEEP = 4

#: Specks are picked where at most this many slivers are in view (every lesson's run; a big
#: run zoomed in): a 10,000-request run's thread view at fit has a hundred thousand on the
#: loop's row, whose pixels show its awaits anyway, and picking them cost 8 ms a frame of a
#: 16 ms budget for a zoom (``benchmarks/render.py``, by worker). A live frame's are picked
#: from every bar, in no order: up to this many bars in all.
SPECKS_UP_TO = 20_000


def _by_middle(spans: RowSpans, exp: int, keep: bool) -> tuple[Int64s, ...]:
    """Of ``spans``, the bars (not tails) shorter than ``2 ** (exp + 1)`` ns (a pixel of the
    zoom level ``exp``, at most): twice their middles, their rows, starts, ends and kinds
    (arrays). With ``keep``, sorted by their middles and kept for the next frame at the same
    level (a finished run's: its bars never change); else in no order (a live frame's)."""
    key = (id(spans), exp)
    kept = _KEPT.get(key)
    if kept is not None and kept[0] is spans:
        _KEPT.move_to_end(key)
        return kept[1]
    start, end = spans.start, spans.end
    sel = np.flatnonzero((end - start < 2 << exp) & ~spans.tail)
    if keep:
        sel = sel[np.argsort(start[sel] + end[sel], kind="stable")]
    made = (start[sel] + end[sel], spans.row[sel].astype(np.int64), start[sel], end[sel],
            spans.kind[sel].astype(np.int64))  # fmt: skip
    if keep:
        _KEPT[key] = (spans, made)
        while len(_KEPT) > _KEEP:
            _KEPT.popitem(last=False)
    return made


def _level(px_ns: float) -> int:
    """The zoom level of pixels ``px_ns`` wide: ``2 ** level <= px_ns < 2 ** (level + 1)``."""
    return max(0, math.frexp(px_ns)[1] - 1)


def narrow_bars(
    spans: RowSpans,
    *,
    rows: tuple[int, int],
    t_from: float,
    px_ns: float,
    offset: float,
    hidden: npt.NDArray[np.bool_],
    limit: int | None,
    finished: bool = False,
) -> Specks | None:
    """The bars (not tails) on rows ``rows`` (first, one past the last) narrower than a
    pixel of ``px_ns`` and ended by ``limit`` ("now"), with the pixel column holding each's
    middle (``(ns - t_from) / px_ns + offset``), none where ``hidden`` (past "now").
    ``None`` if none, or too many to pick (:data:`SPECKS_UP_TO`). Those of a ``finished``
    run's bars are picked from the stretch in view of what :func:`_by_middle` kept (a zoom
    costs the bars it shows, not all of them)."""
    lo, hi = rows
    t_to = t_from + px_ns * len(hidden)
    if finished:
        mid2, row, start, end, kind = _by_middle(spans, _level(px_ns), True)
        a, b = np.searchsorted(mid2, [2 * t_from, 2 * t_to])
        if b - a > SPECKS_UP_TO:
            return None
        mid2, row, start, end, kind = (v[a:b] for v in (mid2, row, start, end, kind))
    elif len(spans) > SPECKS_UP_TO:
        return None
    else:
        mid2, row, start, end, kind = _by_middle(spans, _level(px_ns), False)
    wanted = (end - start < px_ns) & (row >= lo) & (row < hi)
    if limit is not None:
        wanted &= end < limit
    sel = np.flatnonzero(wanted)
    if not len(sel):
        return None
    col = np.floor((mid2[sel] / 2 - t_from) / px_ns + offset).astype(np.int64)
    inside = (col >= 0) & (col < len(hidden))
    inside[inside] = ~hidden[col[inside]]
    sel, col = sel[inside], col[inside]
    if not len(sel):
        return None
    length = ((end[sel] - start[sel]) * float(1 << 20) / px_ns).astype(np.uint32)
    rank = np.bitwise_or(length << np.uint32(4), (kind[sel] + 1).astype(np.uint32))
    return row[sel], col, rank


def with_specks(codes: Codes, specks: Specks, bands: tuple[int, int], x: int) -> Codes:
    """``codes`` (rows ``bands``: first, one past the last; pixel columns from ``x``) with
    each of ``specks`` inside them where its pixel shows nothing, the longest where several
    want one (a copy if any). Per pixel, the highest rank: no sort of the specks (a big
    run's thread view has a hundred thousand, most on pixels showing nothing)."""
    row, col, rank = specks
    lo, hi = bands
    width = codes.shape[1]
    inside = np.flatnonzero((row >= lo) & (row < hi) & (col >= x) & (col < x + width))
    if not len(inside):
        return codes
    r, c = row[inside] - lo, col[inside] - x
    empty = codes[r, c] == 0  # (a faint tail's pixel too shows something: kept)
    if not empty.any():
        return codes
    best = np.zeros(codes.size, np.uint32)
    np.maximum.at(best, r[empty] * width + c[empty], rank[inside[empty]])
    hit = np.flatnonzero(best)
    codes = codes.copy()  # (a box's codes are read by every part in it; contiguous)
    codes.reshape(-1)[hit] = (best[hit] & 15).astype(np.uint8)
    return codes
