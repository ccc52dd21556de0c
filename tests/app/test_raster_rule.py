"""The per-pixel summary's rule, read one cell at a time: :func:`~app.timeline.raster.
summarise` (a sweep over packed, sorted changes, in whole-number bins) gives per band and
bin the kind most of the band's rows show at the bin's middle, the kind drawn last where
they tie or where bars overlap on a row of its own, nothing where none shows."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.timeline.raster import _RANK, summarise
from app.timeline.spans import RowSpans
from simulator.trace.columns import KIND_CODE

#: A few kinds, ranked as the exact painter draws them.
CODES = [KIND_CODE[k] for k in ("queued", "framework", "io_wait", "cpu", "gil_wait")]

bar = st.tuples(
    st.integers(0, 7),  # row
    st.sampled_from(CODES),
    st.integers(-40, 300),  # start, ns from the summary's start
    st.integers(1, 120),  # how long
    st.booleans(),  # a tail
)


def _by_hand(bars, *, tail, group, bands, t_from, bin_ns, bins, limit):
    """Each cell on its own: the rows of its band at its bin's middle, their kinds counted."""
    out = np.zeros((bands, bins), np.uint8)
    for band in range(bands):
        for b in range(bins):
            middle = t_from + (b + 0.5) * bin_ns
            if limit is not None and middle >= limit:
                continue
            counts: dict[int, int] = {}
            for row, kind, start, end, is_tail in bars:
                # (a tail's kind as its span gives it: the by-request spans give one,
                # spans.TAIL_KIND, whatever the rows; the summary does not fold it again)
                if is_tail == tail and row // group == band and start <= middle < end:
                    counts[kind] = counts.get(kind, 0) + 1
            if not counts:
                continue
            if group == 1:  # overlapping on one row: the one drawn last
                pick = max(counts, key=lambda k: _RANK[k])
            else:  # the most rows; a tie: the one drawn last
                pick = max(counts, key=lambda k: (counts[k], _RANK[k]))
            out[band, b] = pick + 1
    return out


@settings(max_examples=40, deadline=None)
@given(
    st.lists(bar, max_size=30),
    st.sampled_from([1, 2, 4]),
    st.integers(0, 6),  # bins of 2^e ns
    st.integers(1, 24),
    st.integers(-5, 5),  # the summary's first bin
    st.one_of(st.none(), st.integers(0, 300)),
    st.booleans(),
)
def test_each_cell_shows_the_kind_most_rows_show_at_its_middle(
    bars, group, exp, bins, first, limit, tail
):
    bin_ns = 1 << exp
    t_from = first * bin_ns
    spans = RowSpans(
        row=np.array([b[0] for b in bars], np.int32),
        kind=np.array([b[1] for b in bars], np.uint8),
        start=np.array([b[2] for b in bars], np.int64),
        end=np.array([b[2] + b[3] for b in bars], np.int64),
        tail=np.array([b[4] for b in bars], np.bool_),
        index=np.full(len(bars), -1, np.int32),
    )
    bands = -(-8 // group)
    common = dict(tail=tail, group=group, bands=bands, t_from=t_from, bins=bins, limit=limit)
    got = summarise(spans, bin_ns=float(bin_ns), **common)  # type: ignore[arg-type]
    by_hand = [(r, k, s, s + d, t) for r, k, s, d, t in bars]
    want = _by_hand(by_hand, bin_ns=bin_ns, **common)  # type: ignore[arg-type]
    assert got.tolist() == want.tolist()
