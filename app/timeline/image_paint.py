"""The window's lanes as one image, from cached summaries: what a frame of the timeline costs.

:class:`LanesImage` belongs to one timeline widget and is handed to
:func:`~app.timeline.paint.paint_timeline` as its ``lanes`` painter: it fills the lanes
area with one ``drawImage`` of :mod:`app.timeline.raster`'s per-pixel summary, and the
painter draws what is few and exact over it (patterns on rows of 6 px or more, answer marks,
numbers on bars, failed marks, error labels, "now").

What it keeps, so a frame costs what changed:

- a finished run's bars are split into spans and summarised into :class:`~app.timeline.
  raster.Tiles` once; a zoom, pan or resize samples cached tiles (the pixels on screen);
  a level not yet computed is first drawn from a coarser one and refined on the next turn
  of the event loop (:attr:`needs_refine`; a live run's frames are drawn at their level at
  once);
- a live run's lanes are split once each, as the engine builds them (:class:`~app.timeline.
  live_spans.LiveRequestSpans`): a lane in flight's last bar is open and drawn up to "now",
  so a lane that only grew changes nothing, and the tiles take in only the rows of lanes built
  anew since the last frame; a live frame (with its "now") is summarised afresh from the
  bars that reach into what it paints, over the last frame where it changed, or whole at a
  new step of the view (a new level: tiles computed for it would serve that frame alone).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QImage, QPainter, QRegion

from app.theme import Theme
from app.timeline.drawn import DrawnKinds, uncover, under_marks
from app.timeline.geometry import TimelineGeometry, lanes_clip, region_rects
from app.timeline.live_spans import LiveRequestSpans
from app.timeline.overlay import bar_sizes
from app.timeline.raster import Codes, Level, Tiles, colour_table, level_for
from app.timeline.rows import TimelineRows
from app.timeline.specks import Specks, narrow_bars, with_specks
from simulator.trace import Trace

__all__ = ["LanesImage", "Pixels", "blend_over", "rows_of_y"]

#: How many levels coarser a first frame may be drawn from while the exact one is computed.
COARSER = 4
Int64s = npt.NDArray[np.int64]
_NO_ROWS: Int64s = np.zeros(0, np.int64)
_PREMULTIPLIED = QImage.Format.Format_ARGB32_Premultiplied  # what Qt blends fastest
#: From this many pixels, an image is coloured by Qt (faster), below it with numpy (fewer
#: calls into Qt, each a chance for the site's threads to take the GIL).
_QT_CONVERTS = 100_000
#: Below this many pixels, bars are written into the window's picture with numpy; from it,
#: drawn by Qt (faster over a big area: a frame painted whole).
_QT_BLENDS = 200_000
#: Below this many bars the exact level costs a few ms: drawn at once, never refined later.
COARSE_FROM = 20_000


#: A picture's pixels, premultiplied ARGB, a row of the array per line of the picture.
Pixels = npt.NDArray[np.uint32]


def blend_over(dst: Pixels, src: Pixels) -> None:
    """``src`` drawn over ``dst`` (premultiplied ARGB), in place, with Qt's arithmetic for
    it (its ``BYTE_MUL``: ``dst × (255 - alpha)``, each byte rounded as Qt rounds)."""
    alpha = src >> 24
    opaque = alpha == 255
    np.copyto(dst, src, where=opaque)
    some = ~opaque & (alpha > 0)  # (faint tails; nothing drawn leaves the pixel as it is)
    if not some.any():
        return
    under = dst[some].astype(np.uint64)
    keep = (255 - alpha[some]).astype(np.uint64)
    low = (under & 0xFF00FF) * keep
    low = ((low + ((low >> 8) & 0xFF00FF) + 0x800080) >> 8) & 0xFF00FF
    high = ((under >> 8) & 0xFF00FF) * keep
    high = (high + ((high >> 8) & 0xFF00FF) + 0x800080) & 0xFF00FF00
    dst[some] = src[some] + (low | high).astype(np.uint32)


def rows_of_y(
    geo: TimelineGeometry, group: int, bands: int, top: int, height: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """For each pixel row from ``top`` (``height`` of them): the band it shows (``bands``:
    none, the background) and which bits of the band's bytes (``0x0F``: the bar; ``0xFF``:
    the bar with its tail over it). Bars and tails sit where the exact painter puts them: a
    gap between rows of 4 px or more, a tail a thin strip in the middle of its row."""
    y = np.arange(top, top + height, dtype=np.float64) + 0.5 - geo.lanes_top
    if geo.group > 1:  # a pixel row holds several rows: the band of the row at its middle
        middle = np.floor(y / geo.row_px).astype(np.int64)
        band = np.where((y >= 0) & (middle < geo.rows), np.clip(middle, 0, None) // group, bands)
        return band, np.full(height, 0xFF, np.uint8)
    row_px = geo.row_px
    gap, bar, thin = bar_sizes(row_px, geo.group)
    row = np.floor(y / row_px).astype(np.int64)
    within = y - row * row_px - gap / 2
    inside = (y >= 0) & (row < geo.rows) & (within >= 0) & (within < bar)
    in_tail = (within >= (bar - thin) / 2) & (within < (bar - thin) / 2 + thin)
    band = np.where(inside, np.clip(row, 0, max(0, bands - 1)) // group, bands)
    return band, np.where(in_tail, 0xFF, 0x0F).astype(np.uint8)


class LanesImage:
    """One widget's painter of lanes as an image, and its caches (see the module's text)."""

    def __init__(self) -> None:
        self._rows: TimelineRows | None = None
        self._tiles: Tiles | None = None
        self._live = LiveRequestSpans()
        self._tiles_live = False  # the tiles are of :attr:`_live`'s spans
        self._now: int | None = None  # live: nothing is drawn after it (open bars end there)
        self._colours: tuple[Theme, npt.NDArray[np.uint32]] | None = None
        self._table: tuple[Theme, list[int]] | None = None
        #: The last frame was drawn from a coarser level: paint again (exactly) soon.
        self.needs_refine = False
        #: Whether the next frame may be drawn from a coarser level than it needs.
        self.coarse_ok = True
        #: The rows whose bars changed since :meth:`take_changed` was last asked, and from
        #: when (``None``: not known, all of them).
        self._changed: list[tuple[Int64s, Int64s]] | None = None
        self._drawn = DrawnKinds()  # what the last picture's pixels show

    @property
    def drawn_kinds(self) -> frozenset[str]:
        """The kinds some pixel of the picture shows, bars or faint tails, as :meth:`paint`
        drew them (a kind holding no pixel's most is drawn nowhere): what the window's key
        names (:func:`~app.timeline.legend.legend_kinds`). A live frame painted over the last
        adds what it drew where it changed; a picture painted whole starts afresh. Read
        from the codes the painter kept when asked, not while it paints (a 10,000-lane
        frame's 1.4 million pixels cost ~1.5 ms more to read: the window asks a few times a
        second at most, ``QtTimeline``)."""
        return self._drawn.kinds()

    @property
    def bars(self) -> tuple[frozenset[str], frozenset[str]]:
        """The kinds drawn only as hairlines, and those as bars (``DrawnKinds.hairlines``)."""
        return self._drawn.hairlines(), self._drawn.wide()

    @property
    def tiles(self) -> Tiles | None:
        """The cached summaries of the finished bars (tests count what they computed)."""
        return self._tiles

    def live_rows(self, trace: Trace, now_ns: int | None) -> TimelineRows:
        """A live snapshot ``trace`` (at ``now_ns``) laid out by request from what the last
        frame kept (:class:`~app.timeline.live_spans.LiveRequestSpans`): hand it to
        :meth:`show`."""
        return self._live.rows(trace, now_ns)

    @property
    def live_bars(self) -> int:
        """How many bars the live run's rows hold (0: not live)."""
        return len(self._live.spans)

    def take_changed(self) -> tuple[Int64s, Int64s] | None:
        """The rows whose bars changed since last asked, and from when on each (``None``:
        not known, all of them): a live frame paints those again from there
        (:mod:`app.timeline.live_frame`)."""
        changed, self._changed = self._changed, []
        if changed is None:
            return None
        return (
            np.concatenate([c[0] for c in changed] or [_NO_ROWS]),
            np.concatenate([c[1] for c in changed] or [_NO_ROWS]),
        )

    def show(self, rows: TimelineRows, *, live: bool = False) -> None:
        """Paint ``rows`` from now on. Live, by request: only the rows whose lanes changed
        since the last frame are split and summarised again; the rest are read from the
        caches."""
        if rows is self._rows:
            return
        self._rows = rows
        if live and rows.by == "requests":
            live_spans = self._live
            if rows.trace is not live_spans.trace:  # not laid out by :meth:`live_rows`
                live_spans.update(rows.trace)
            changes = live_spans.take_changes()
            if self._tiles is None or changes is None or not self._tiles_live:
                self._tiles = Tiles(live_spans.spans, len(rows))
                self._changed = None
            elif changes or len(rows) != self._tiles.rows:
                if live_spans.now is None:
                    changed = np.concatenate([c[0] for c in changes] or [_NO_ROWS])
                    self._tiles.replace(live_spans.spans, changed, len(rows))
                else:  # (its frames are summarised afresh: no tile is read, none kept)
                    self._tiles = Tiles(live_spans.spans, len(rows))
                if self._changed is not None:
                    self._changed += changes
            self._tiles_live = True
            self._now = live_spans.now
            return
        self._changed = None
        self._live = LiveRequestSpans()
        self._tiles_live = False
        self._now = None
        self._tiles = Tiles(rows.spans, len(rows))

    def paint(
        self,
        painter: QPainter,
        geo: TimelineGeometry,
        theme: Theme,
        cutoff_ns: int | None,
        tails: bool,
        region: QRegion | None = None,
        target: Pixels | None = None,
    ) -> None:
        """Fill ``geo``'s lanes area with the bars' image (one ``drawImage``), or only where
        it reaches into ``region`` (a live frame's changes: one per rectangle of it). With
        ``target`` (the pixels of the picture ``painter`` paints, one to one), the image is
        blended into them with numpy as Qt blends it (:func:`blend_over`): no call into Qt."""
        tiles = self._tiles
        self.needs_refine = False
        if region is None:
            self._drawn.clear()
        if tiles is None or geo.rows == 0:
            return
        left = math.floor(geo.lanes_left)
        width = math.ceil(geo.lanes_left + geo.lanes_width) + 1 - left
        padded = width + 3  # (each part's image padded to whole 4 bytes a line)
        top = math.floor(geo.lanes_top + 0.5)
        height = math.ceil(geo.lanes_top + geo.lanes_height) - top
        if width <= 0 or height <= 0:
            return
        px_ns = (geo.t_to_ns - geo.t_from_ns) / geo.lanes_width
        offsets = np.arange(padded, dtype=np.float64) + (left + 0.5 - geo.lanes_left)
        centres: npt.NDArray[np.float64] = geo.t_from_ns + offsets * px_ns
        xs = np.maximum(centres, 0).astype(np.int64)
        level = level_for(px_ns, 1 / geo.row_px)
        limit = cutoff_ns if self._now is None else min(cutoff_ns or self._now, self._now)
        level = self._level_to_draw(tiles, level, xs if limit is None else xs[centres < limit])
        hidden = np.zeros(padded, np.bool_)
        if limit is not None:
            # Nothing from "now": no pixel whose middle, or whose bin's middle, is past it (a
            # lane in flight's open bar goes on in the tiles; a finished one's ends there).
            middles = (xs >> level.bin_exp << level.bin_exp) + (1 << level.bin_exp >> 1)
            hidden = (centres >= limit) | (middles >= limit)
        # Nothing is drawn from the first pixel hidden on (the pixels' middles and their
        # bins' grow from left to right): a frame's image ends there (live, right after a
        # new step of the view, a third of its width and more).
        shown = int(np.argmax(hidden)) if hidden[:width].any() else width
        if shown <= 0:
            return
        whole = QRect(left, top, shown, height)
        colours = self._colours_of(theme)
        clip = lanes_clip(geo)
        if target is not None:  # clipped as Qt clips to the lanes
            whole &= clip
        parts = [whole] if region is None else region_rects(region.intersected(whole))
        # A live frame's pixels are summarised afresh, painted whole or not: no tile is
        # computed for a view that changes frame after frame (a new step: a new level).
        afresh = parts if region is not None or self._now is not None else None
        sampler = _Sampler(geo, tiles, level, xs, hidden, (left, top, height), afresh, tails)
        if geo.group == 1 and self._rows is not None:
            sampler.covered = under_marks(self._rows, geo, cutoff_ns)
        if level.group == 1:  # rows of their own: a bar too short to show, a speck
            sampler.specks = narrow_bars(
                tiles.spans,
                rows=sampler.bands_shown(top, height),
                t_from=geo.t_from_ns,
                px_ns=px_ns,
                offset=geo.lanes_left - left,
                hidden=hidden,
                limit=limit,
                finished=self._now is None,
            )
        clipped = False
        for part in parts:
            x0, y0, w, h = part.x(), part.y(), part.width(), part.height()
            if target is not None and w * h < _QT_BLENDS:  # a few pixels: no call into Qt
                codes = sampler.pixels(x0, w, y0, h)
                blend_over(target[y0 : y0 + h, x0 : x0 + w], colours.take(codes))
                continue
            if not clipped:
                painter.save()
                painter.setClipRect(clip, Qt.ClipOperation.IntersectClip)  # (in a region)
                clipped = True
            # Lines of an indexed image start on 4 bytes: a few more columns (clipped).
            w = -(-w // 4) * 4
            codes = sampler.pixels(x0, w, y0, h)
            if w * h >= _QT_CONVERTS:  # Qt converts big images faster than numpy looks up
                image = QImage(codes.data, w, h, w, QImage.Format.Format_Indexed8)
                image.setColorTable(self._table_of(theme))
                image = image.convertToFormat(_PREMULTIPLIED)
            else:  # small ones in fewer calls into Qt, to the same colours
                argb = colours.take(codes)
                image = QImage(argb.data, w, h, 4 * w, _PREMULTIPLIED)
            painter.drawImage(QPointF(x0, y0), image)
        if clipped:
            painter.restore()
        self._drawn.extend(sampler.drawn)

    def _table_of(self, theme: Theme) -> list[int]:
        """Each code's colour (:func:`~app.timeline.raster.colour_table`)."""
        if self._table is None or self._table[0] is not theme:  # (a frozen theme: kept)
            self._table = (theme, colour_table(theme))
        return self._table[1]

    def _colours_of(self, theme: Theme) -> npt.NDArray[np.uint32]:
        """Each code's colour as Qt premultiplies it: what converting an indexed image
        gives, looked up with numpy."""
        if self._colours is None or self._colours[0] is not theme:
            codes = np.arange(256, dtype=np.uint8)  # (alive while the image reads it)
            indexed = QImage(codes.data, 256, 1, 256, QImage.Format.Format_Indexed8)
            indexed.setColorTable(self._table_of(theme))
            converted = indexed.convertToFormat(_PREMULTIPLIED)
            table = np.frombuffer(converted.constBits(), np.uint32, 256).copy()
            self._colours = (theme, table)
        return self._colours[1]

    def _level_to_draw(self, tiles: Tiles, level: Level, xs: npt.NDArray[np.int64]) -> Level:
        """``level``, or while it is not computed yet at the times ``xs`` (the pixels shown:
        none past now or the playhead, which no frame computes) and a coarse frame is
        allowed, the finest coarser one that is (or, none being, one a few times coarser:
        cheap). A live run's frame is drawn at its level at once: one painted over the last
        is summarised afresh where it changed (no tile read), one painted whole costs about
        as much at a coarser level (the bars, not the bins, are the cost: a whole frame of a
        live 10,000-lane run, 186,000 bars, summarised in 28 ms at its level, 23 two levels
        coarser, 17 four; December 2026), and a coarse one was painted whole again, then
        refined, frame after frame. A big run's frame is split otherwise: its layout and its
        paint on two turns of the loop (:meth:`~app.widgets.timeline.QtTimeline.repaint`)."""
        if not self.coarse_ok or len(tiles.spans) < COARSE_FROM or self._now is not None:
            return level
        if not len(xs):
            return level
        for up in range(0, COARSER + 1):
            candidate = Level(level.bin_exp + up, level.group)
            if tiles.has(candidate, xs):
                self.needs_refine = up > 0
                return candidate
        self.needs_refine = True
        return Level(level.bin_exp + COARSER // 2, level.group)


class _Sampler:
    """The codes of a frame's pixels: from the cached tiles; or for a live frame's ``parts``
    (the rectangles it paints: those a live frame changed, or all of one), summarised
    afresh over boxes around them (no tile read or brought up to date). Parts near
    each other share a box (one summary, not many); a box around parts far apart would
    summarise the many pixels between them (the narrow strip "now" uncovered and a band of
    rows changed far to its left: a box around both was most of the picture)."""

    def __init__(
        self,
        geo: TimelineGeometry,
        tiles: Tiles,
        level: Level,
        xs: npt.NDArray[np.int64],
        hidden: npt.NDArray[np.bool_],
        area: tuple[int, int, int],
        parts: list[QRect] | None,
        tails: bool = True,
    ) -> None:
        self.geo, self.tiles, self.level, self.xs, self.hidden = geo, tiles, level, xs, hidden
        self.shown = 0xFF if tails else 0x0F  # the bits of a byte drawn: tails' too, or not
        #: What the pixels handed out show, kept to be read when asked.
        self.drawn: list[tuple[Codes, Int64s, npt.NDArray[np.uint8]]] = []
        #: The pixels marks are drawn over (:func:`~app.timeline.drawn.under_marks`): no
        #: bar's.
        self.covered: tuple[Int64s, Int64s, Int64s] | None = None
        #: Bars too short to show, each where its pixel shows nothing (:mod:`~app.timeline.
        #: specks`).
        self.specks: Specks | None = None
        left, self.top, height = area  # the lanes' pixels: the first column, row, and rows
        self.left = left
        self.bands = -(-geo.rows // level.group)
        # Each pixel row's band and bits, worked out once a frame for all (each part's
        # rows are a slice of them).
        self._rows_of_y = rows_of_y(geo, level.group, self.bands, self.top, height)
        #: Per box: its pixels (a rectangle: a part's image, a few columns wider, fits in
        #: it), its first band, one past its last, and their codes.
        self.boxes: list[tuple[QRect, int, int, Codes]] = []
        for box in _boxes(parts or [], len(xs) + left):
            lo, hi = self.bands_shown(box.y(), box.height())
            cols = slice(box.x() - left, box.x() + box.width() - left)
            codes = tiles.sample_afresh(level, xs[cols], hidden[cols], (lo, hi))
            self.boxes.append((box, lo, hi, codes))

    def _rows(self, top: int, height: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
        """:func:`rows_of_y` of the pixel rows from ``top`` (``height`` of them)."""
        band, bits = self._rows_of_y
        at = top - self.top
        if at < 0 or at + height > len(band):  # (not in the lanes: worked out for them)
            return rows_of_y(self.geo, self.level.group, self.bands, top, height)
        return band[at : at + height], bits[at : at + height]

    def bands_shown(self, top: int, height: int) -> tuple[int, int]:
        """The first band the pixel rows from ``top`` (``height`` of them) show, and one past
        the last."""
        return self._band_range(self._rows(top, height)[0])

    def _band_range(self, band: npt.NDArray[np.int64]) -> tuple[int, int]:
        """The first band the pixel rows ``band`` show, and one past the last."""
        shown = band[band < self.bands]
        return (int(shown.min()), int(shown.max()) + 1) if len(shown) else (0, 0)

    def pixels(self, x: int, width: int, top: int, height: int) -> Codes:
        """The codes of the pixels from ``x`` (``width`` of them) on the pixel rows from
        ``top`` (``height`` of them), each as drawn (its tail's bits only where shown): only
        the bands they show are sampled. What they show is kept in :attr:`drawn`."""
        band, bits = self._rows(top, height)
        bits = np.bitwise_and(bits, np.uint8(self.shown))
        inside = QRect(x, top, width, height)
        box = next((box for box in self.boxes if box[0].contains(inside)), None)
        if box is not None:
            rect, lo, hi, codes = box
            codes = codes[:, x - rect.x() : x - rect.x() + width]
        else:
            lo, hi = self._band_range(band)
            cols = slice(x - self.left, x - self.left + width)
            codes = self.tiles.sample(self.level, self.xs[cols], self.hidden[cols], (lo, hi))
        if self.specks is not None:
            codes = with_specks(codes, self.specks, (lo, hi), x - self.left)
        if self.covered is not None:
            codes = uncover(codes, self.covered, lo, hi, x, width)
        # (and a last band of nothing: what shows where no row does)
        at = np.where(band < self.bands, band - lo, hi - lo)
        pixels = np.take(codes, at, axis=0)
        if (bits != 0xFF).any():
            pixels &= bits[:, None]
        self.drawn.append((codes, at, bits))
        return pixels


#: A box's pixels summarised cost about as much as this many more pixels' call overhead:
#: parts are boxed together while that costs less than boxing them apart.
_BOX_PX = 20_000


def _boxes(parts: list[QRect], right: int) -> list[QRect]:
    """Boxes around ``parts`` (in the region's order: top to bottom, left to right), each
    three columns wider (an image's lines padded to 4 bytes; not past ``right``), the parts
    next in order together while one box costs less than two (:data:`_BOX_PX`)."""
    boxes: list[tuple[QRect, int]] = []  # a box, and the pixels of its parts
    for part in parts:
        area = part.width() * part.height()
        if boxes:
            box, inside = boxes[-1]
            joined = box.united(part)
            if joined.width() * joined.height() <= inside + area + _BOX_PX:
                boxes[-1] = (joined, inside + area)
                continue
        boxes.append((part, area))
    out = []
    for box, _ in boxes:
        wide = QRect(box.x(), box.y(), min(right, box.right() + 1 + 3) - box.x(), box.height())
        out.append(wide)
    return out
