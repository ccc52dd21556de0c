"""Lanes as one image: per pixel, the kind holding most of it, computed with numpy.

A pixel of a fitted 10,000-request run holds ten lanes and dozens of segments; painting each
as a rectangle cost a QPainter call per segment and seconds a frame. Here every segment adds
its time under each pixel to that pixel's count for its kind (a difference array summed
along time: a few array operations for all of them), and each pixel takes the kind with the
most. The result is one ARGB image drawn with one ``drawImage`` (:func:`lanes_image`).

Perfetto's and pyqtgraph's way of keeping a zoom cheap is a time pyramid: :class:`Tiles`
summarises a run in tiles of :data:`TILE` bins whose width is a power of two nanoseconds,
and rows in groups of a power of two, each tile computed once. A view samples the level whose
bins are at most a pixel wide (and whose row groups at most a pixel tall), so a zoom, pan or
resize within a level reads cached tiles: its cost is the pixels on screen. Colours come
from the theme (:func:`palette`), the one source of them.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from app.theme import Theme
from app.timeline.legend import TAIL_OPACITY
from app.timeline.rows import DRAW_ORDER
from app.timeline.spans import RowSpans
from simulator.trace import KINDS
from simulator.trace.columns import KIND_CODE

__all__ = ["TILE", "Codes", "Level", "Tiles", "colour_table", "level_for", "summarise"]

#: Bins per tile: small enough that a pan computes little, large enough for few tiles a view.
TILE = 256
#: Tiles kept (each about rows × TILE × 2 bytes): a few screens of zooming back and forth.
MAX_TILES = 192

Codes = npt.NDArray[np.uint8]  # 0: nothing there; else a kind's code + 1
#: Changed bands this close are summarised again together (one summary, not many).
_NEAR_BANDS = 16

#: Where overlapping kinds tie, the one drawn last by the exact painter wins (its order).
_RANK = np.zeros(len(KINDS), np.int64)
for _rank, _kind in enumerate(DRAW_ORDER):
    _RANK[KIND_CODE[_kind]] = _rank  # type: ignore[index]


def summarise(
    spans: RowSpans,
    *,
    tail: bool,
    group: int,
    bands: int,
    t_from: int,
    bin_ns: float,
    bins: int,
    limit: int | None = None,
) -> Codes:
    """Per band of ``group`` rows and per bin of ``bin_ns`` from ``t_from``: the code of the
    kind most of the band's rows show at the bin's middle (``bands`` × ``bins``), of the tails
    or of the bars; where none shows anything, 0. On a band of one row, bars that
    overlap (several requests on one thread) show the kind drawn last, as the exact
    painter does. Nothing after ``limit`` (live, replay).
    Tails are of one kind (:data:`~app.timeline.spans.TAIL_KIND`), whatever the rows.

    A sweep, not a grid of counts per kind: each bar adds one to its kind's count where it
    starts covering bin middles and takes it back where it stops, the changes are summed
    along each band (in order of band, then bin) and each bin takes the kind with the most
    rows. A bar covering no bin's middle changes nothing, so a zoomed-out level reads few.
    """
    t_to = t_from + bin_ns * bins
    end_at = t_to if limit is None else min(t_to, limit)
    if end_at == math.floor(end_at):  # (whole ns: the bars' ends stay integers)
        end_at = math.floor(end_at)
    start, end = spans.start, spans.end
    sel = np.flatnonzero((spans.tail == tail) & (start < end_at) & (end > t_from))
    out = np.zeros(bands * (bins + 1), np.uint8)
    if len(sel):
        c0 = _first_middle(start[sel], t_from, bin_ns, bins)
        c1 = _first_middle(np.minimum(end[sel], end_at), t_from, bin_ns, bins)
        wide = np.flatnonzero(c1 > c0)
        if len(wide):
            sel = sel[wide]
            kind = spans.kind[sel]
            line = spans.row[sel].astype(np.int64)
            if group > 1:
                line //= group
            line *= bins + 1
            _sweep(out, line + c0[wide], line + c1[wide], kind, on_top=group == 1)
    return out.reshape(bands, bins + 1)[:, :bins]


def _bars_and_tails(
    spans: RowSpans, *, group: int, bands: int, t_from: int, bin_ns: float, bins: int
) -> Codes:
    """A tile's bytes (:class:`Tiles`): :func:`summarise` of the bars in the low four bits,
    of the tails in the high four (none summarised where no tail reaches into the bins: a
    summary of nothing is a frame's worth of zeros shifted and merged)."""
    common = dict(group=group, bands=bands, t_from=t_from, bin_ns=bin_ns, bins=bins)
    codes = summarise(spans, tail=False, **common)  # type: ignore[arg-type]
    t_to = t_from + bin_ns * bins
    if (spans.tail & (spans.start < t_to) & (spans.end > t_from)).any():
        codes |= summarise(spans, tail=True, **common) << 4  # type: ignore[arg-type]
    return codes


def _first_middle(
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


def _sweep(
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
    present = present[np.argsort(-_RANK[present], kind="stable")]  # ties: drawn last wins
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


@dataclass(frozen=True)
class Level:
    """A level of the pyramid: bins of ``2**bin_exp`` ns, bands of ``group`` rows."""

    bin_exp: int
    group: int


def level_for(px_ns: float, rows_per_px: float) -> Level:
    """The level whose bins are at most a pixel wide and whose row groups at most a pixel
    tall, but not less than half: a pixel then samples the summary of most of itself."""
    bin_exp = max(0, math.floor(math.log2(max(px_ns, 1.0))))
    group = 1 << max(0, math.floor(math.log2(max(rows_per_px, 1.0))))
    return Level(bin_exp, group)


class Tiles:
    """The summaries of one set of spans, tile by tile and level by level, each computed once.

    A tile holds per band and bin one byte: the bars' code in the low four bits, the tails'
    in the high four (:func:`colour_table` colours each pair). A finished run's spans never
    change; a live run's settled lanes only ever add spans (:meth:`extend`): a cached tile
    then recomputes only the bands of the rows that gained some, when next read, so the
    settled picture costs what settled since the last frame, not the whole run again.
    """

    def __init__(self, spans: RowSpans, rows: int) -> None:
        self.spans = spans
        self.rows = rows
        self._tiles: OrderedDict[tuple[int, int, int], Codes] = OrderedDict()
        #: The runs of rows (first, last) whose spans each :meth:`change` changed, in order.
        self._added: list[list[tuple[int, int]]] = []
        self._holds: dict[tuple[int, int, int], int] = {}  # tile → how many batches it holds
        #: How many tiles were computed (not read from the cache): tests count them.
        self.computed = 0
        #: The spans of bands ``(first, last)`` being summarised again, shared by the tiles.
        self._parts: dict[tuple[int, int], RowSpans] = {}

    def change(self, dropped: list[int], added: RowSpans, rows: int) -> None:
        """Take out the spans of rows ``dropped``, add ``added`` (a live run's lanes back in
        flight, and lanes just settled), and show ``rows`` rows from now on."""
        spans = self.spans
        if dropped:
            spans = spans.take(np.flatnonzero(~np.isin(spans.row, dropped)))
        if len(added):
            spans = RowSpans.concat([spans, added])
        changed = np.concatenate([np.asarray(dropped, np.int64), added.row])
        self.replace(spans, changed, rows)

    def replace(self, spans: RowSpans, changed: npt.NDArray[np.int64], rows: int) -> None:
        """Show ``spans`` (``rows`` rows) from now on, in which only the bars of rows
        ``changed`` differ from the last ones: cached tiles summarise those rows again."""
        self.rows = rows
        self.spans = spans
        self._parts.clear()
        changed = np.unique(changed)
        if len(changed):
            # Runs of rows one after the other: a tile summarises each run's bands again.
            breaks = np.flatnonzero(np.diff(changed) > 1)
            firsts = np.concatenate([[0], breaks + 1])
            lasts = np.concatenate([breaks, [len(changed) - 1]])
            self._added.append(
                list(zip(changed[firsts].tolist(), changed[lasts].tolist(), strict=True))
            )

    def _summary(
        self, spans: RowSpans, level: Level, index: int, bands: int, tiles: int = 1
    ) -> Codes:
        """Tiles ``index`` to ``index + tiles - 1`` of ``spans`` side by side."""
        return _bars_and_tails(
            spans,
            group=level.group,
            bands=bands,
            t_from=index * TILE * (1 << level.bin_exp),
            bin_ns=float(1 << level.bin_exp),
            bins=TILE * tiles,
        )

    def tile(self, level: Level, index: int) -> Codes:
        key = (level.bin_exp, level.group, index)
        codes = self._tiles.get(key)
        if codes is None:
            self._compute(level, index, index)
            codes = self._tiles[key]
        elif self._holds[key] < len(self._added):
            self._refresh(level, index, index)
        self._tiles.move_to_end(key)
        return self._tiles[key]

    def _state(self, level: Level, index: int) -> int | None:
        """How many batches of changes tile ``index`` holds (``None``: not computed)."""
        return self._holds.get((level.bin_exp, level.group, index))

    def _bring_up_to_date(self, level: Level, first: int, last: int) -> None:
        """Tiles ``first`` to ``last`` computed, and those cached with changes since
        summarised again, tiles in the same state together: a frame's few summaries cover
        every tile on screen at once."""
        j = first
        while j <= last:
            state = self._state(level, j)
            k = j
            while k < last and self._state(level, k + 1) == state:
                k += 1
            if state is None:
                self._compute(level, j, k)
            elif state < len(self._added):
                self._refresh(level, j, k)
            j = k + 1

    def _compute(self, level: Level, first: int, last: int) -> None:
        bands = -(-self.rows // level.group)
        wide = self._summary(self.spans, level, first, bands, last + 1 - first)
        for i in range(last + 1 - first):
            key = (level.bin_exp, level.group, first + i)
            self._tiles[key] = np.ascontiguousarray(wide[:, i * TILE : (i + 1) * TILE])
            self._holds[key] = len(self._added)
            self.computed += 1
            if len(self._tiles) > MAX_TILES:
                del self._holds[self._tiles.popitem(last=False)[0]]

    def _refresh(self, level: Level, first: int, last: int) -> None:
        """Tiles ``first`` to ``last`` (each holding the same changes) with the bands of
        rows whose spans changed since summarised again (and bands for rows that came)."""
        group = level.group
        bands = -(-self.rows // group)
        keys = [(level.bin_exp, group, j) for j in range(first, last + 1)]
        for key in keys:
            codes = self._tiles[key]
            if len(codes) < bands:
                grown = np.zeros((bands, TILE), np.uint8)
                grown[: len(codes)] = codes
                self._tiles[key] = grown
        runs = [run for batch in self._added[self._holds[keys[0]] :] for run in batch]
        changed = sorted((lo // group, hi // group) for lo, hi in runs)
        merged: list[list[int]] = []
        for lo, hi in changed:
            if merged and lo <= merged[-1][1] + _NEAR_BANDS:  # one summary for bands nearby
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        for lo, hi in merged:
            begin, end = lo * group, (hi + 1) * group
            part = self._parts.get((begin, end))
            if part is None:  # the same rows' spans for every level refreshed this frame
                spans = self.spans
                inside = np.flatnonzero((spans.row >= begin) & (spans.row < end))
                part = replace(spans.take(inside), row=spans.row[inside] - np.int32(begin))
                self._parts[(begin, end)] = part
            wide = self._summary(part, level, first, hi + 1 - lo, len(keys))
            for i, key in enumerate(keys):
                self._tiles[key][lo : hi + 1] = wide[:, i * TILE : (i + 1) * TILE]
        for key in keys:
            self._holds[key] = len(self._added)

    def has(self, level: Level, xs_ns: npt.NDArray[np.int64]) -> bool:
        """Whether every tile under the times ``xs_ns`` is computed at ``level``."""
        first, last = _tile_span(level, xs_ns)
        return all((level.bin_exp, level.group, j) in self._tiles for j in range(first, last + 1))

    def sample(
        self,
        level: Level,
        xs_ns: npt.NDArray[np.int64],
        hidden: npt.NDArray[np.bool_],
        bands: tuple[int, int] | None = None,
    ) -> Codes:
        """Codes per band (and a last band of nothing) at the times ``xs_ns`` (a pixel's
        middle each) from ``level``; nothing where ``hidden`` (past "now"). ``bands``: only
        those, from the first up to (not with) the last (a live frame's changed rows)."""
        lo, hi = bands if bands is not None else (0, -(-self.rows // level.group))
        bins = xs_ns >> level.bin_exp
        shown = bins[~hidden]
        codes = np.zeros((hi - lo + 1, len(xs_ns)), np.uint8)
        if not len(shown) or hi <= lo:
            return codes
        first, last = int(shown.min()) // TILE, int(shown.max()) // TILE  # none past "now"
        self._bring_up_to_date(level, first, last)
        # The pixels' bins only grow from left to right: each tile's pixels are one stretch,
        # gathered from the tile itself (no strip of all the tiles copied first). A live
        # run's rows grow: a tile's bands may be fewer.
        edges = np.searchsorted(bins, np.arange(first, last + 2, dtype=np.int64) * TILE).tolist()
        for j, a, b in zip(range(first, last + 1), edges[:-1], edges[1:], strict=True):
            if a < b:
                tile = self.tile(level, j)[lo:hi]
                codes[: len(tile), a:b] = np.take(tile, bins[a:b] - j * TILE, axis=1)
        _hide(codes, hidden)
        return codes

    def sample_afresh(
        self,
        level: Level,
        xs_ns: npt.NDArray[np.int64],
        hidden: npt.NDArray[np.bool_],
        bands: tuple[int, int],
    ) -> Codes:
        """What :meth:`sample` gives, summarised afresh from the spans of those bands and
        only over the bins under ``xs_ns``, no tile read or brought up to date: a live
        frame's few changed pixels cost what they are (the tiles take in its changes when
        next read whole). The same summary (:func:`summarise`) over other bounds: a bin's
        code is its own middle's, wherever the summary starts."""
        lo, hi = bands
        bins = xs_ns >> level.bin_exp
        shown = bins[~hidden]
        codes = np.zeros((hi - lo + 1, len(xs_ns)), np.uint8)
        if not len(shown) or hi <= lo:
            return codes
        first, last = int(shown.min()), int(shown.max())
        begin, end = lo * level.group, hi * level.group
        part = spans = self.spans
        if begin > 0 or end < self.rows:
            # Only the bars of those bands that reach into those bins (what the summary
            # would select of them anyway): a live frame's few new pixels read few bars.
            # (Every band, a frame painted whole: the summary's own choice of them, no copy.)
            inside = np.flatnonzero(
                (spans.start < (last + 1) << level.bin_exp)
                & (spans.end > first << level.bin_exp)
                & (spans.row >= begin)
                & (spans.row < end)
            )
            if not len(inside):
                return codes
            part = replace(spans.take(inside), row=spans.row[inside] - np.int32(begin))
        wide = _bars_and_tails(
            part,
            group=level.group,
            bands=hi - lo,
            t_from=first << level.bin_exp,
            bin_ns=float(1 << level.bin_exp),
            bins=last + 1 - first,
        )
        codes[: hi - lo] = np.take(wide, np.clip(bins - first, 0, last - first), axis=1)
        _hide(codes, hidden)
        return codes


def _hide(codes: Codes, hidden: npt.NDArray[np.bool_]) -> None:
    """Nothing in the columns ``hidden`` (past "now": the last columns, as a rule)."""
    if not hidden.any():
        return
    first = int(np.argmax(hidden))
    if hidden[first:].all():
        codes[:, first:] = 0  # (a slice: no mask over every pixel)
    else:
        codes[:, hidden] = 0


def _tile_span(level: Level, xs_ns: npt.NDArray[np.int64]) -> tuple[int, int]:
    bins = xs_ns >> level.bin_exp
    return int(bins.min()) // TILE, int(bins.max()) // TILE


def colour_table(theme: Theme) -> list[int]:
    """The 256 ARGB colours of a tile's byte: the bars' kind (low four bits) with the tails'
    kind (high four bits) drawn over it, faint as the exact painter draws them. Where there
    is no bar, nothing (the grid shows through) or the faint tail alone."""
    colours = [theme.background] + [theme.kinds.get(kind, theme.muted) for kind in KINDS]
    colours += [theme.background] * (16 - len(colours))
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in colours], np.float64)
    over = rgb[:, None, :] * (1 - TAIL_OPACITY) + rgb[None, :, :] * TAIL_OPACITY  # [bar, tail]
    over[:, 0] = rgb  # no tail: the bar
    over[0, :] = rgb  # no bar: the tail, see-through
    alpha = np.full((16, 16), 255, np.uint32)
    alpha[0, :] = round(255 * TAIL_OPACITY)
    alpha[0, 0] = 0
    table = np.rint(over).astype(np.uint32).transpose(1, 0, 2).reshape(256, 3)  # tail << 4 | bar
    argb = (alpha.T.reshape(256) << 24) | (table[:, 0] << 16) | (table[:, 1] << 8) | table[:, 2]
    return [int(v) for v in argb]
