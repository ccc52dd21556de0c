"""A thread's work shorter than a pixel still shows where nothing else is drawn: lesson 18's
thread view at fit had blank rows "thread 10", "thread 14", "thread 27" (a 2 ms request's
hooks in slivers under a pixel each on a 730 ms axis), which read as threads that did
nothing (a teacher's walk)."""

from __future__ import annotations

import numpy as np

from app.timeline.raster import summarise
from app.timeline.spans import RowSpans
from simulator.trace.columns import KIND_CODE

MS = 1_000_000


def test_a_row_of_slivers_under_a_pixel_each_is_not_blank():
    # 30 threads, one every 25 ms, each with three hand-offs of 0.2 ms, 0.1 ms apart: on a
    # 730 ms axis 950 pixels wide (0.77 ms a pixel), most cover no pixel's middle.
    rows, starts = [], []
    for thread in range(30):
        for k in range(3):
            rows.append(thread)
            starts.append(thread * 25 * MS + 100_000 + k * 300_000)
    start = np.array(starts, np.int64)
    spans = RowSpans(
        row=np.array(rows, np.int32),
        kind=np.full(len(rows), KIND_CODE["thread_hop"], np.uint8),
        start=start,
        end=start + 200_000,
        tail=np.zeros(len(rows), np.bool_),
        index=np.arange(len(rows), dtype=np.int32),
    )
    codes = summarise(
        spans, tail=False, group=1, bands=30, t_from=0, bin_ns=730 * MS / 950, bins=950
    )
    blank = [thread for thread in range(30) if not codes[thread].any()]
    assert not blank, blank
    shown = {int(code) - 1 for code in np.unique(codes) if code}
    assert shown == {KIND_CODE["thread_hop"]}  # (their own kind, nothing else)
