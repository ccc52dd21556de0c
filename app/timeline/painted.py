"""What the exact painter's picture shows: the kinds its rectangles leave on some pixel.

The slides paint a rectangle per segment (:func:`~app.timeline.paint.paint_timeline`
without an image), in :data:`~app.timeline.rows.DRAW_ORDER`: a bar fills the pixels whose
middles it covers, and a kind drawn later paints over what an earlier one left there. A
sliver under no pixel's middle, or under the next bar's, is drawn nowhere: lesson 21's 0.56
ms of waiting for the GIL, lesson 11's waits for a core. Their key names what the pixels
show by the window's rule (:mod:`app.timeline.drawn`): the codes each pixel was drawn
with, read by :class:`~app.timeline.drawn.DrawnKinds`, nothing under the marks that close
lanes; here the codes are the rectangles', there the image's.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from app.timeline.drawn import DrawnKinds, filled, uncover, under_marks
from app.timeline.geometry import TimelineGeometry, lanes_clip
from app.timeline.image_paint import rows_of_y
from app.timeline.raster import Codes
from app.timeline.rows import DRAW_ORDER, TimelineRows
from simulator.trace import Kind
from simulator.trace.columns import KIND_CODE

__all__ = ["painted", "rect_codes"]

Int64s = npt.NDArray[np.int64]


def rect_codes(rows: TimelineRows, geo: TimelineGeometry, tails: bool = True) -> Codes:
    """Per band of ``geo`` (a row, or ``geo.group`` rows sharing a pixel row) and a last
    band of nothing, per pixel column of the lanes' clip (:func:`~app.timeline.geometry.
    lanes_clip`), the byte the exact painter's rectangles leave there (:mod:`~app.timeline.
    raster`'s: the bar's code in the low four bits, the tail's in the high four), each
    kind over the ones drawn before it."""
    clip = lanes_clip(geo)
    x, width = clip.x(), clip.width()
    t_from = geo.t_from_ns
    scale = geo.lanes_width / max(1, geo.t_to_ns - t_from)
    bands = -(-geo.rows // geo.group)
    codes = np.zeros((bands + 1, max(0, width)), np.uint8)
    for tail in (False, True) if tails else (False,):
        layer = np.zeros_like(codes)
        per_kind = rows.grouped(geo.group, tail)
        for kind in DRAW_ORDER:
            items = per_kind.get(kind)
            if not items:
                continue
            band, start, end = np.array(items, np.int64).reshape(-1, 3).T
            x0 = geo.lanes_left + (start - t_from) * np.float64(scale)
            first, last = filled(x0, x0 + (end - start) * scale + 0.5)  # (the painter's 0.5)
            first, last = np.maximum(first, x) - x, np.minimum(last, x + width) - x
            _fill(layer, band, first, last, KIND_CODE[Kind(kind)] + 1)
        codes |= layer << 4 if tail else layer
    return codes


def _fill(codes: Codes, band: Int64s, first: Int64s, last: Int64s, value: int) -> None:
    """``codes`` set to ``value`` in each band from column ``first`` to one before ``last``."""
    inside = np.flatnonzero(last > first)
    if not len(inside):
        return
    counts = last[inside] - first[inside]
    starts = np.repeat(first[inside] - np.cumsum(counts) + counts, counts)
    codes[np.repeat(band[inside], counts), starts + np.arange(int(counts.sum()))] = value


def painted(rows: TimelineRows, geo: TimelineGeometry, tails: bool = True) -> DrawnKinds:
    """What the pixels of ``rows`` painted by the exact painter in ``geo`` show: the kinds
    some pixel shows, bars or faint tails (``tails``: drawn), none only under the marks that
    close lanes, what the key of a picture of rectangles names (:func:`~app.timeline.
    legend.legend_kinds`'s ``painted``), as the window's names what its image's pixels show;
    and which of them only as hairlines (:meth:`~app.timeline.drawn.DrawnKinds.hairlines`)."""
    drawn = DrawnKinds()
    clip = lanes_clip(geo)
    if geo.rows == 0 or clip.width() <= 0 or clip.height() <= 0:
        return drawn
    codes = rect_codes(rows, geo, tails)
    bands = len(codes) - 1
    if geo.group == 1:
        codes = uncover(codes, under_marks(rows, geo, None), 0, bands, clip.x(), clip.width())
    band, bits = rows_of_y(geo, geo.group, bands, clip.y(), clip.height())
    drawn.extend([(codes, band, bits & np.uint8(0xFF if tails else 0x0F))])
    return drawn
