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


def test_marks_too_close_to_tell_apart_are_counted_as_a_crowd():
    import numpy as np

    from app.timeline.answer_counts import answer_crowds

    rows = np.array([0, 0, 0, 1, 1, 2], np.int64)
    xs = np.array([10.0, 14.0, 100.0, 50.0, 200.0, 7.0])
    assert answer_crowds(rows, xs, reach=5.0) == [(0, 14.0, 2)]  # a lone mark is no crowd
    assert answer_crowds(rows, xs, reach=200.0) == [(0, 100.0, 3), (1, 200.0, 2)]


def test_answers_landing_together_at_a_row_s_end_say_how_many(qapp):
    """Lesson 6's B: ten answers within a few ms on the loop's row drew as two thick marks
    (teacher46). After the row's last bar, the last crowd's count; the same picture without
    answers together has none."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    from app.theme import LIGHT
    from app.timeline.paint import paint_timeline

    def picture(lanes: tuple[Lane, ...]) -> tuple[QImage, object]:
        rows = TimelineRows(Trace(0, lanes), by="workers")
        image = QImage(900, 200, QImage.Format.Format_RGB32)
        image.fill(QColor(LIGHT.background))
        font = QFont()
        font.setPixelSize(14)
        painter = QPainter(image)
        painter.setFont(font)
        rect = QRectF(0, 0, 900, 200)
        geo = paint_timeline(painter, rect, rows, LIGHT, t_from_ns=0, t_to_ns=90 * MS, font=font)
        painter.end()
        return image, geo

    def ink_after(image: QImage, geo, x_from: float) -> int:
        """Dark pixels right of ``x_from`` inside the lanes (the count's text)."""
        right = int(geo.lanes_left + geo.lanes_width) - 1
        return sum(
            QColor(image.pixel(x, y)).lightness() < 100
            for x in range(int(x_from), right)
            for y in range(int(geo.lanes_top), int(geo.lanes_top + geo.lanes_height))
        )

    def quick(i: int, each_ns: int) -> Lane:  # served for ``each_ns`` from 76 ms, in turn
        start, end = 76 * MS + i * each_ns, 76 * MS + (i + 1) * each_ns
        segments = (Segment(Kind.QUEUED, 0, start, "queue"), Segment(Kind.CPU, start, end, "w"))
        return Lane(i, "v", "ok", 200, None, 0, end, segments)

    # Eight requests answered 0.2 ms (2 px) apart on one worker's row: one thick mark.
    image, geo = picture(tuple(quick(i, MS // 5) for i in range(8)))
    assert ink_after(image, geo, geo.x_of(78 * MS) + 3) > 20  # "×8"
    # A lone answer after the crowd: the crowd is not the row's last, and a count after the
    # row's end would say its eight came then (lesson 13's slide, "×7" past its eighth).
    late = Lane(
        8,
        "v",
        "ok",
        200,
        None,
        0,
        80 * MS,
        (Segment(Kind.QUEUED, 0, 79 * MS, "queue"), Segment(Kind.CPU, 79 * MS, 80 * MS, "w")),
    )
    image, geo = picture((*(quick(i, MS // 5) for i in range(8)), late))
    assert ink_after(image, geo, geo.x_of(80 * MS) + 3) == 0
    # 1 ms (10 px) apart, each mark told apart: no count (lesson 18's thirty, evenly
    # spaced, read "×30" as a burst at the end, teacher47).
    image, geo = picture(tuple(quick(i, MS) for i in range(8)))
    assert ink_after(image, geo, geo.x_of(84 * MS) + 3) == 0
    # Answered one by one as each is served: no crowd, nothing after the last.
    apart = tuple(_served(i, 10 * i, 10 * i + 10, "worker-1") for i in range(8))
    image, geo = picture(apart)
    assert ink_after(image, geo, geo.x_of(80 * MS) + 3) == 0
