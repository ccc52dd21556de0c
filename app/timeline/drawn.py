"""What the window's image of the bars shows: which kinds its pixels hold, and where marks
drawn over it leave it nothing to show.

A pixel of the image shows the kind holding most of it (:mod:`app.timeline.raster`), so a
kind of slivers only is drawn nowhere; nor is one only under the marks that close lanes
(an answer's, a failed request's block). The key names what the pixels show, read from the
codes the painter drew (:attr:`~app.timeline.image_paint.LanesImage.drawn_kinds`), not
worked out again from the segments.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from app.timeline.geometry import WIDE_PX, TimelineGeometry
from app.timeline.marks import answer_marks, failed_marks
from app.timeline.overlay import bar_sizes
from app.timeline.raster import Codes
from app.timeline.rows import TimelineRows
from simulator.trace import KINDS

__all__ = ["WIDE_PX", "DrawnKinds", "filled", "hairlines_of", "uncover", "under_marks"]

Int64s = npt.NDArray[np.int64]
#: A tile's byte as bits of kinds: the bars' code (low four bits) as bit ``code``, the
#: tails' (high four) as bit ``16 + code`` (bits 0 and 16: nothing there).
_KIND_BITS = np.array([(1 << (b & 15)) | (1 << 16 << (b >> 4)) for b in range(256)], np.uint32)


#: Parts kept unread past this many (a live run's frames painted over the last): read.
_KEEP = 64


class DrawnKinds:
    """The kinds a picture's pixels show, from the codes its parts were drawn from: per
    part, its bands' codes, each pixel row's band in them, and the bits of the byte it
    shows (tails' too, or not). Kept as drawn, read when asked (:meth:`kinds`)."""

    def __init__(self) -> None:
        self._bits = 0  # the kinds read so far (:data:`_KIND_BITS`)
        self._wide = 0  # the bars' kinds some pixel row shows WIDE_PX columns in a row
        self._parts: list[tuple[Codes, Int64s, npt.NDArray[np.uint8]]] = []

    def clear(self) -> None:
        """A picture painted whole: nothing of the last one shows."""
        self._bits, self._wide, self._parts = 0, 0, []

    def extend(self, parts: list[tuple[Codes, Int64s, npt.NDArray[np.uint8]]]) -> None:
        self._parts += parts
        if len(self._parts) > _KEEP:
            self._read()

    def kinds(self) -> frozenset[str]:
        """The kinds some pixel shows, bars or faint tails (a tail shows its colour, one
        kind's: :data:`~app.timeline.spans.TAIL_KIND`)."""
        self._read()
        return _kinds_of(self._bits | self._bits >> 16)

    def hairlines(self) -> frozenset[str]:
        """The bars' kinds some pixel shows, but none :data:`WIDE_PX` columns wide or more
        anywhere: drawn only as hairlines, which the key says (lessons 1, 10 and 22 named
        "Django framework", a column a pixel wide at each request's start, and a class
        looked for it in vain: teacher43b, teacher44)."""
        self._read()
        return _kinds_of(self._bits & 0xFFFF & ~self._wide)

    def wide(self) -> frozenset[str]:
        """The bars' kinds some pixel row shows :data:`WIDE_PX` columns in a row or more."""
        self._read()
        return _kinds_of(self._wide)

    def _read(self) -> None:
        for codes, at, bits in self._parts:
            # Once per run of pixel rows alike (a band, its bits): a few runs a row, not
            # every pixel row (a band's rows show the same codes).
            alike = np.ones(len(at), np.bool_)
            alike[1:] = (at[1:] != at[:-1]) | (bits[1:] != bits[:-1])
            runs = np.flatnonzero(alike)
            shown = codes[at[runs]] & bits[runs, None]
            seen = np.take(_KIND_BITS, shown)
            self._bits |= int(np.bitwise_or.reduce(seen, axis=None)) if seen.size else 0
            bars = shown & np.uint8(0x0F)
            starts = bars.shape[1] - WIDE_PX + 1  # (where a run of WIDE_PX may start)
            if starts > 0:
                first = bars[:, :starts]
                wide = np.ones(first.shape, np.bool_)
                for k in range(1, WIDE_PX):
                    wide &= bars[:, k : k + starts] == first
                for code in np.flatnonzero(np.bincount(first[wide], minlength=16)).tolist():
                    self._wide |= 1 << code
        self._parts = []


def _kinds_of(bits: int) -> frozenset[str]:
    """The kinds whose bars' codes are set in ``bits`` (bit ``code + 1``, as the images')."""
    return frozenset(kind for code, kind in enumerate(KINDS) if bits >> (code + 1) & 1)


def hairlines_of(
    pictures: Iterable[tuple[frozenset[str], frozenset[str]]], kinds: Iterable[str]
) -> frozenset[str]:
    """Of the key's ``kinds``, those drawn only as hairlines in several pictures on one
    screen, each told as the kinds it draws only as hairlines and those it draws as bars
    (:meth:`DrawnKinds.hairlines`, :meth:`DrawnKinds.wide`): as a bar in none (A's and
    B's timelines share one key)."""
    shown = list(pictures)
    thin = frozenset().union(*(hair for hair, _ in shown))
    return thin.difference(*(wide for _, wide in shown)).intersection(kinds)


def under_marks(
    rows: TimelineRows, geo: TimelineGeometry, cutoff_ns: int | None
) -> tuple[Int64s, Int64s, Int64s]:
    """The pixels the marks that close lanes are drawn over, on rows a pixel or more tall
    (an answer's, :func:`~app.timeline.marks.answer_marks`; a failed request's block,
    :func:`~app.timeline.marks.failed_marks`), each over its row's whole bar: its band, its
    first pixel column, and one past its last. The image draws no bar there (the mark
    covers it): a kind only under them is drawn nowhere, and the key does not name it."""
    t_from, t_to = geo.t_from_ns, geo.t_to_ns
    limit = t_to if cutoff_ns is None else min(t_to, cutoff_ns)
    scale = geo.lanes_width / max(1, t_to - t_from)
    _, bar, _ = bar_sizes(geo.row_px, geo.group)
    marks = [
        answer_marks(rows, t_from, limit, geo.lanes_left, scale, bar) if rows.answered else None,
        failed_marks(rows, t_from, limit, cutoff_ns, geo.lanes_left, scale, bar),
    ]
    band = np.concatenate([m[0] for m in marks if m is not None])
    x0 = np.concatenate([m[1] for m in marks if m is not None])
    x1 = np.concatenate([m[1] + m[2] for m in marks if m is not None])
    return (band, *filled(x0, x1))


def filled(x0: npt.NDArray[np.float64], x1: npt.NDArray[np.float64]) -> tuple[Int64s, Int64s]:
    """The pixel columns rectangles from ``x0`` to ``x1`` fill, drawn without antialiasing
    (the marks, the exact painter's bars): the first, and one past the last. A pixel is
    filled where its middle is: Qt's rule."""
    return np.ceil(x0 - 0.5).astype(np.int64), np.ceil(x1 - 0.5).astype(np.int64)


def uncover(
    codes: Codes, covered: tuple[Int64s, Int64s, Int64s], lo: int, hi: int, x: int, width: int
) -> Codes:
    """``codes`` (bands ``lo`` to ``hi``, pixel columns from ``x``) with nothing where
    marks are drawn over them (``covered``, :func:`under_marks`)."""
    band, first, last = covered
    first, last = np.maximum(first, x) - x, np.minimum(last, x + width) - x
    inside = np.flatnonzero((band >= lo) & (band < hi) & (last > first))
    if not len(inside):
        return codes
    codes = codes.copy()  # (a box's codes are read by every part in it)
    counts = last[inside] - first[inside]
    starts = np.repeat(first[inside] - np.cumsum(counts) + counts, counts)
    codes[np.repeat(band[inside] - lo, counts), starts + np.arange(int(counts.sum()))] = 0
    return codes
