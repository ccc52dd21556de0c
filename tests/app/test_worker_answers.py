"""The thread view marks each answer on the row of the request's last hold, as one lane per
request marks it at its lane's end: lesson 6's B, every request sliced into turns on the
loop, read as one block whose answers, all near the end, were nowhere (teacher45). A big
run's thousands of answers on a row are not marked: they would paint it black."""

from __future__ import annotations

from app.timeline.legend import marks_shown
from app.timeline.rows import TimelineRows
from app.timeline.worker_answers import ANSWER_MARKS_AT_MOST
from simulator.trace import Kind, Lane, Segment, Trace

MS = 1_000_000


def _served(i: int, start_ms: int, end_ms: int, worker: str, status: str = "ok") -> Lane:
    """Request ``i``: queued, then served on ``worker``, answered at its end (``status``)."""
    start, end = start_ms * MS, end_ms * MS
    segments = (Segment(Kind.QUEUED, 0, start, "queue"), Segment(Kind.CPU, start, end, worker))
    return Lane(i, "v", status, 200 if status == "ok" else None, None, 0, end, segments)


def test_each_answer_is_marked_on_its_worker_s_row_when_it_came():
    lanes = (
        _served(0, 0, 10, "worker-1"),
        _served(1, 10, 25, "worker-1"),
        _served(2, 0, 30, "worker-2"),
        _served(3, 30, 40, "worker-2", status="cancelled"),  # no answer: no mark
    )
    rows = TimelineRows(Trace(0, lanes), by="workers")
    one, two = rows.labels.index("thread 1"), rows.labels.index("thread 2")
    assert sorted(rows.answered) == sorted([(one, 10 * MS), (one, 25 * MS), (two, 30 * MS)])
    assert marks_shown([rows.trace], False, False).answers


def test_a_big_run_s_answers_are_not_marked_by_thread():
    lanes = tuple(_served(i, i, i + 1, "worker-1") for i in range(ANSWER_MARKS_AT_MOST + 1))
    rows = TimelineRows(Trace(0, lanes), by="workers")
    assert rows.answered == []
    assert not marks_shown([rows.trace], False, False).answers
    # One lane per request marks them all, as before.
    assert len(TimelineRows(Trace(0, lanes), by="requests").answered) == len(lanes)


def test_answers_are_marked_by_thread_once_the_run_is_over():
    """Mid-run the requests sent so far do not say how many the run sends: marks for the
    first 64 of a bigger run went again with the 65th, and the key's entry with them
    (review46)."""
    running = Lane(
        2, "v", "running", None, None, 0, 40 * MS, (Segment(Kind.CPU, 0, 40 * MS, "w2"),)
    )
    lanes = (_served(0, 0, 10, "worker-1"), running)
    trace = Trace(0, lanes)
    assert TimelineRows(trace, by="workers").answered == []
    assert not marks_shown([trace], False, False).answers
    assert marks_shown([trace], True, False).answers  # one lane per request marks them live
