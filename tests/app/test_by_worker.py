"""The thread view's layout from the trace's columns: the bands count what overlaps, a
request's holds of one thread close together carry one number, and the texts on bars read
as the list of tuples they stand for."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.timeline.bar_texts import BarTexts, text_at, text_spans
from app.timeline.by_worker import JOIN_NS, count_bands
from app.timeline.rows import TimelineRows
from simulator.trace import Kind, Lane, Segment, Trace

MS = 1_000_000


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=25))
def test_the_bands_count_the_spans_over_each_step(pairs):
    start = np.array([a for a, _ in pairs], np.int64)
    end = np.array([b for _, b in pairs], np.int64)
    begins, ends, counts = count_bands(start, end)
    covered = np.zeros(41, np.int64)  # how many spans cover [t, t + 1)
    for a, b in pairs:
        covered[a:b] += 1
    drawn = np.zeros(41, np.int64)
    for s, e, c in zip(begins.tolist(), ends.tolist(), counts.tolist(), strict=True):
        assert s < e and c > 0
        drawn[s:e] = c
    assert drawn.tolist() == covered.tolist()
    # Steps one after the other of one count are one step.
    for i in range(1, len(begins)):
        assert counts[i] != counts[i - 1] or begins[i] != ends[i - 1]


def _lane(i: int, *holds: tuple[int, int]) -> Lane:
    segs = []
    at = 0
    for start, end in holds:
        if start > at:
            segs.append(Segment(Kind.IO_WAIT, at, start, "loop"))
        segs.append(Segment(Kind.CPU, start, end, "worker-a"))
        at = end
    return Lane(i, "v", "ok", 200, None, 0, at, tuple(segs))


def test_holds_of_one_thread_close_together_carry_one_number():
    near = JOIN_NS - 1
    trace = Trace(
        0,
        (
            _lane(0, (0, 10 * MS), (10 * MS + near, 20 * MS)),  # joined: one "#1"
            _lane(1, (30 * MS, 40 * MS), (40 * MS + JOIN_NS, 50 * MS)),  # two "#2"
        ),
        loop_thread="loop",
    )
    rows = TimelineRows(trace, by="workers")
    worker = rows.labels.index("thread 1")
    numbers = [(s // MS, e // MS, t) for r, s, e, _, t in rows.bar_texts if r == worker]
    assert numbers == [(0, 20, "#1"), (30, 40, "#2"), (42, 50, "#2")]
    # The pointer finds each hold on the worker's row, as the lane holds it.
    seg = rows.segment_at(worker, 45 * MS)
    assert seg is trace.lanes[1].segments[-1]


def test_bar_texts_read_as_their_list():
    texts = BarTexts.of(
        np.array([0, 0]), np.array([1, 5]), np.array([4, 9]), np.array([3, 1]), "queued", "{} q"
    ) + BarTexts.of(np.array([2]), np.array([2]), np.array([3]), np.array([7]), "cpu", "#{}")
    listed = [(0, 1, 4, "queued", "3 q"), (0, 5, 9, "queued", "1 q"), (2, 2, 3, "cpu", "#7")]
    assert texts == listed and list(texts) == listed and len(texts) == 3
    assert texts[2] == listed[2] and texts[-1] == listed[-1] and texts[1:] == listed[1:]
    assert [a.tolist() for a in text_spans(texts)] == [[1, 5, 2], [4, 9, 3], [0, 0, 2]]
    assert not BarTexts() and BarTexts() == []


def test_the_pointer_finds_on_each_row_the_segment_its_segments_hold():
    """Hover: the thread view finds the segment under the pointer from its columns, as the
    row's segments in time order say (the band's steps, a worker's holds, the loop's)."""
    import bisect

    from tests.app.recorded_runs import load_runs, run_from_data

    _, runs = load_runs(9)
    for data in runs:
        trace = run_from_data(data, 0).trace
        rows = TimelineRows(trace, by="workers")
        end = trace.last_ns
        for row in range(len(rows)):
            segs = rows.segments_of(row)
            starts = [s.start_ns for s in segs]
            for ns in range(trace.t0_ns, end, max(1, (end - trace.t0_ns) // 97)):
                i = bisect.bisect_right(starts, ns) - 1
                expected = segs[i] if i >= 0 and segs[i].end_ns >= ns else None
                assert rows.segment_at(row, ns) == expected


def test_the_text_under_the_pointer_is_the_first_whose_bar_holds_it():
    texts = BarTexts.of(
        np.array([0, 0, 1]),
        np.array([0, 5, 0]),
        np.array([6, 9, 9]),
        np.array([3, 1, 4]),
        "q",
        "{} q",
    )
    assert text_at(texts, 0, 5) == "3 q" and text_at(texts, 0, 7) == "1 q"
    assert text_at(texts, 1, 9) == "4 q" and text_at(texts, 2, 1) is None
    assert text_at(list(texts), 0, 5) == "3 q"
