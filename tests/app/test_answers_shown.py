"""Answers as they arrive: a lane ends at its answer with a mark, Django's clean-up after it is
no grey "still waiting" tail, the queue band counts only requests still waiting, back-to-back
calls stay separate bars, threads that only ran Django's receivers share one row, workers are
in number order, and live figures count only what has ended."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from app.theme import LIGHT
from app.timeline.paint import paint_timeline
from app.timeline.rows import TimelineRows
from simulator.metrics.figures import EMPTY, FIGURE
from simulator.metrics.summary import summarize
from simulator.trace import Kind, Lane, Segment, Trace

from .kind_pixels import looks_like

MS = 1_000_000
LOOP = "asgi-loop"


def _lane(i: int, done_ms: int, *segs: tuple[Kind, int, int, str], status: str = "ok") -> Lane:
    segments = tuple(Segment(k, s * MS, e * MS, t) for k, s, e, t in segs)
    return Lane(i, "v", status, 200, None, 0, done_ms * MS, segments)  # type: ignore[arg-type]


def _staircase(n: int = 4) -> Trace:
    """Lesson 4's shape: request i sleeps on the loop from 100·i to 100·(i+1) ms and gets its
    answer then; its clean-up waits for the loop until every sleep is over (400 ms), then runs
    for a millisecond."""
    end = 100 * n
    lanes = tuple(
        _lane(
            i,
            100 * (i + 1),
            (Kind.QUEUED, 0, 100 * i, "queue"),
            (Kind.IO_BLOCKING, 100 * i, 100 * (i + 1), LOOP),
            (Kind.QUEUED, 100 * (i + 1), end, LOOP),
            (Kind.FRAMEWORK, end, end + 1, LOOP),
        )
        for i in range(n)
    )
    return Trace(0, lanes, LOOP)


def _paint(rows: TimelineRows, width: int = 1000, height: int = 400, **kw) -> tuple[QImage, object]:
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    trace = rows.trace
    geo = paint_timeline(
        painter,
        QRectF(0, 0, width, height),
        rows,
        LIGHT,
        t_from_ns=trace.t0_ns,
        t_to_ns=trace.last_ns + 10 * MS,
        **kw,
    )
    painter.end()
    return image, geo


def _middle(geo, row: int) -> int:
    return round(geo.row_top(row) + geo.row_px / 2)


def test_a_lane_ends_at_its_answer_with_a_mark_and_no_grey_tail(qapp):
    rows = TimelineRows(_staircase(), by="requests")
    image, geo = _paint(rows)
    y = _middle(geo, 0)  # request #1: answered at 100 ms
    between = [image.pixelColor(round(geo.x_of(ns * MS)), y) for ns in range(150, 390, 10)]
    assert not any(looks_like(p, "queued") for p in between)  # the old grey tail
    assert all(p in (QColor(LIGHT.background), QColor(LIGHT.grid)) for p in between)
    # The mark: the text colour just before the answer, over the blocking bar's end.
    mark = image.pixelColor(round(geo.x_of(100 * MS)) - 1, y)
    assert mark == QColor(LIGHT.foreground)
    assert rows.answered == [(0, 100 * MS), (1, 200 * MS), (2, 300 * MS), (3, 400 * MS)]
    # What Django did afterwards is a faint thin tail of framework only, never "queued".
    assert rows.tail_per_kind["queued"] == [] and len(rows.tail_per_kind["framework"]) == 4


def test_hovering_after_an_answer_finds_no_wait():
    rows = TimelineRows(_staircase(), by="requests")
    assert rows.segment_at(0, 250 * MS) is None
    assert rows.segment_at(0, 50 * MS).kind == Kind.IO_BLOCKING


def test_the_queue_band_counts_only_requests_not_yet_answered():
    rows = TimelineRows(_staircase(), by="workers")
    band = [(s // MS, e // MS, text) for r, s, e, _, text in rows.bar_texts if r == 0]
    # 3 wait while #1 sleeps, then 2, then 1; none once the last one runs. Before, the
    # answered ones' clean-up kept the band at "3 queued" to the end.
    assert band == [(0, 100, "3 queued"), (100, 200, "2 queued"), (200, 300, "1 queued")]


def test_back_to_back_calls_stay_separate_bars(qapp):
    """Lesson 7: four upstream calls in a row, 0.02 ms of Django between them (far below a
    pixel): four bars, not one."""
    segments: list[Segment] = []
    for i in range(4):
        start = i * 100 * MS + (20_000 if i else 0)
        if i:
            segments.append(Segment(Kind.FRAMEWORK, i * 100 * MS, start, "w"))
        segments.append(Segment(Kind.IO_BLOCKING, start, (i + 1) * 100 * MS, "w"))
    lane = Lane(0, "v", "ok", 200, None, 0, 400 * MS, tuple(segments))
    image, geo = _paint(TimelineRows(Trace(0, (lane,)), by="requests"), height=200)
    y = _middle(geo, 0)
    xs = range(round(geo.x_of(5 * MS)), round(geo.x_of(395 * MS)))
    breaks = [x for x in xs if not looks_like(image.pixelColor(x, y), "io_blocking")]
    starts = [x for i, x in enumerate(breaks) if i == 0 or x - breaks[i - 1] > 3]
    assert [round(geo.ns_at(x) / (100 * MS)) for x in starts] == [1, 2, 3]
    assert len(breaks) <= 3 * 3  # lines, not gaps


def test_threads_that_only_ran_djangos_receivers_share_one_row():
    lanes = tuple(
        _lane(
            i,
            200,
            (Kind.FRAMEWORK, 0, 1, LOOP),
            (Kind.IO_WAIT, 1, 200, LOOP),
            (Kind.FRAMEWORK, 200, 202, f"ThreadPoolExecutor-{i}_0"),
        )
        for i in range(8)
    )
    rows = TimelineRows(Trace(0, lanes, LOOP), by="workers")
    assert rows.labels == [
        "waiting",
        "event loop",
        "awaiting on the loop",
        "Django's own brief work",  # no count beside "threads held 0"
    ]
    assert len(rows.django_only) == 8


def test_a_thread_holding_a_views_work_keeps_its_own_row():
    """As "threads held at once" counts it: a view's wait, or a hand-off, holds a thread."""
    lanes = (
        _lane(0, 100, (Kind.IO_BLOCKING, 0, 100, "ThreadPoolExecutor-0_0")),
        _lane(1, 100, (Kind.FRAMEWORK, 0, 2, "ThreadPoolExecutor-1_0")),
        _lane(2, 100, (Kind.FRAMEWORK, 0, 2, "Thread-7"), (Kind.THREAD_HOP, 2, 100, "Thread-7")),
    )
    rows = TimelineRows(Trace(0, lanes, LOOP), by="workers")
    assert rows.labels[3:] == ["thread 1", "thread 2", "Django's own brief work"]


def test_worker_rows_are_in_number_order():
    lanes = tuple(
        _lane(i, 10, (Kind.CPU, 0, 10, f"wsgi-worker-{n}")) for i, n in enumerate((16, 9, 22, 2))
    )
    rows = TimelineRows(Trace(0, lanes), by="workers")
    assert rows.labels[1:] == ["worker 2", "worker 9", "worker 16", "worker 22"]


def test_live_figures_count_only_what_has_ended():
    running = Lane(
        0,
        "v",
        "running",
        None,
        None,
        0,
        601 * MS,  # a running lane lasts until now
        (Segment(Kind.IO_BLOCKING, 0, 601 * MS, LOOP, open=True),),
    )
    # The loop has been blocked for 400 ms so far, one block still going: the strip draws it.
    live = Trace(
        0, (running,), LOOP, loop_blocked=((0, 201 * MS),), loop_blocking_now=(201 * MS, 601 * MS)
    )
    summary = summarize(live)
    assert FIGURE["makespan_ms"].text(summary) == EMPTY  # not "601 ms" with none answered
    assert FIGURE["throughput_rps"].text(summary) == EMPTY
    # The loop's blocks up to now are measured with no answer yet: "loop blocked —" beside
    # the red strip already drawn read as a contradiction (lessons 4 and 5 mid-run, teacher47).
    assert FIGURE["loop_blocked_ms"].text(summary) == "601 ms"
    answered = Lane(1, "v", "ok", 200, None, 0, 300 * MS, (Segment(Kind.CPU, 0, 300 * MS, "w"),))
    summary = summarize(Trace(0, (answered,), LOOP))
    assert FIGURE["makespan_ms"].text(summary) == "300 ms"  # finished: to the last answer
    # Live, the run so far lasted up to now, as its lanes and the red strip reach. Lesson 4
    # mid-run read "makespan so far 207 ms · loop blocked so far 201 ms" (both to the last
    # answer) beside lanes and a blocked loop reaching 355 ms: the figures a step behind.
    live = Trace(
        0,
        (answered, running),
        LOOP,
        loop_blocked=((0, 201 * MS),),
        loop_blocking_now=(201 * MS, 601 * MS),
    )
    summary = summarize(live)
    assert FIGURE["makespan_ms"].text(summary) == "601 ms"
    assert FIGURE["loop_blocked_ms"].text(summary) == "601 ms"  # never more than the makespan
    assert FIGURE["throughput_rps"].text(summary) == FIGURE["throughput_rps"].unit.format(1 / 0.601)
    assert FIGURE["loop_blocked_ms"].so_far(live=True) == " so far"
    # Before the first answer every such figure is a dash alone: a class read "makespan so
    # far — · p95 of 0 answered —" at the start of every live run (a teacher's walk).
    assert FIGURE["p95"].so_far(live=True, answered=0) == ""
    assert FIGURE["makespan_ms"].so_far(live=True, answered=0) == ""
    assert FIGURE["p95"].so_far(live=True, answered=5) == " of 5 answered"


def test_a_long_clean_up_after_the_last_answer_does_not_stretch_the_picture(qapp):
    """In the window, the site's clean-up after the last answer can wait for the GIL while the
    window draws (370 ms after a 240 ms run was seen): the picture ends a little past the last
    answer and says how long the clean-up went on."""
    from app.timeline.rows import picture_end_ns

    short = _staircase()  # 1 ms of clean-up after 400 ms: drawn whole
    assert picture_end_ns(short) == short.last_ns
    lanes = (
        *short.lanes[:-1],
        _lane(3, 400, (Kind.IO_BLOCKING, 300, 400, LOOP), (Kind.GIL_WAIT, 400, 1000, LOOP)),
    )
    long = Trace(0, lanes, LOOP)
    assert picture_end_ns(long) == 420 * MS  # the last answer, and 5% more
    rows = TimelineRows(long, by="workers")
    image, geo = _paint(rows)  # t_to: last segment + 10 ms, so nothing is cut...
    assert not _has_text_colour(image, geo)
    image = QImage(1000, 400, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    geo = paint_timeline(
        painter, QRectF(0, 0, 1000, 400), rows, LIGHT, t_from_ns=0, t_to_ns=picture_end_ns(long)
    )
    painter.end()
    assert _has_text_colour(image, geo)  # ... until the view ends before the clean-up does


def _has_text_colour(image: QImage, geo) -> bool:
    """Whether the muted note is written at the top right of the lanes."""
    muted = QColor(LIGHT.muted)
    y0 = round(geo.lanes_top)
    x1 = round(geo.lanes_left + geo.lanes_width)
    return any(
        image.pixelColor(x, y) == muted for x in range(x1 - 200, x1) for y in range(y0, y0 + 14)
    )


def test_an_empty_thread_view_still_says_what_it_waits_for(qapp):
    """B's thread view while A runs: not a bare "waiting" label, but "B runs after A."."""
    rows = TimelineRows(Trace(0, ()), by="workers")
    blank, _ = _paint(rows, height=200)
    said, geo = _paint(rows, height=200, empty_text="B runs after A.")
    top, left = round(geo.lanes_top), round(geo.lanes_left)
    differs = [
        (x, y)
        for x in range(left, left + 200)
        for y in range(top, top + 40)
        if said.pixelColor(x, y) != blank.pixelColor(x, y)
    ]
    assert differs  # the words are written where the lanes would be
