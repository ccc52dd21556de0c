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
The bars are picked once a frame (:func:`narrow_bars`, a few array operations over the bars
of the rows on screen), each part painted takes its own (:func:`with_specks`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from app.timeline.spans import RowSpans

__all__ = ["Specks", "narrow_bars", "with_specks"]

Int64s = npt.NDArray[np.int64]
Codes = npt.NDArray[np.uint8]
#: Per speck: its row, its pixel column (from the frame's first), its code (kind + 1).
Specks = tuple[Int64s, Int64s, Codes]


def narrow_bars(
    spans: RowSpans,
    *,
    rows: tuple[int, int],
    t_from: float,
    px_ns: float,
    offset: float,
    hidden: npt.NDArray[np.bool_],
    limit: int | None,
) -> Specks | None:
    """The bars (not tails) on rows ``rows`` (first, one past the last) narrower than a
    pixel of ``px_ns`` and ended by ``limit`` ("now"), with the pixel column holding each's
    middle (``(ns - t_from) / px_ns + offset``), none where ``hidden`` (past "now"); one a
    pixel, the longest. ``None`` if none."""
    start, end = spans.start, spans.end
    lo, hi = rows
    t_to = t_from + px_ns * len(hidden)
    wanted = (
        (end - start < px_ns)
        & (end > t_from)
        & (start < t_to)
        & (spans.row >= lo)
        & (spans.row < hi)
        & ~spans.tail
    )
    if limit is not None:
        wanted &= end < limit
    sel = np.flatnonzero(wanted)
    if not len(sel):
        return None
    col = np.floor(((start[sel] + end[sel]) / 2 - t_from) / px_ns + offset).astype(np.int64)
    inside = (col >= 0) & (col < len(hidden))
    inside[inside] = ~hidden[col[inside]]
    sel, col = sel[inside], col[inside]
    if not len(sel):
        return None
    # Longest last, then the last of each pixel kept: one speck a pixel, the longest's.
    order = np.argsort(end[sel] - start[sel], kind="stable")[::-1]
    sel, col = sel[order], col[order]
    row = spans.row[sel].astype(np.int64)
    _, first = np.unique(row * len(hidden) + col, return_index=True)
    return row[first], col[first], (spans.kind[sel[first]] + 1).astype(np.uint8)


def with_specks(codes: Codes, specks: Specks, bands: tuple[int, int], x: int) -> Codes:
    """``codes`` (rows ``bands``: first, one past the last; pixel columns from ``x``) with
    each of ``specks`` inside them where its pixel shows nothing (a copy if any)."""
    row, col, code = specks
    lo, hi = bands
    inside = np.flatnonzero((row >= lo) & (row < hi) & (col >= x) & (col < x + codes.shape[1]))
    if not len(inside):
        return codes
    r, c = row[inside] - lo, col[inside] - x
    empty = codes[r, c] == 0  # (a faint tail's pixel too shows something: kept)
    if not empty.any():
        return codes
    codes = codes.copy()  # (a box's codes are read by every part in it)
    r, c = r[empty], c[empty]
    codes[r, c] |= code[inside][empty]
    return codes
