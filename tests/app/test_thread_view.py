"""The thread view: a queue band, the event loop, an "N awaiting" band and a lane per
thread, numbered requests on the bars; chosen by --by, a scenario file's ``by``, or the
screen (Export draws what is shown)."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from app.slides.export import export_picture, layout_slide
from app.theme import LIGHT
from app.timeline.rows import TimelineRows, thread_names
from simulator.errors import LanesError
from simulator.scenario import Scenario
from simulator.trace import Kind, Lane, Segment, Trace

from .kind_pixels import looks_like

ROOT = Path(__file__).resolve().parents[2]


def _share(image: QImage, y: float, x0: float, x1: float, kind: str) -> float:
    xs = range(round(x0), round(x1))
    return sum(looks_like(image.pixelColor(x, round(y)), kind) for x in xs) / len(xs)


def _lane(i: int, *segs: tuple[Kind, int, int, str]) -> Lane:
    segments = tuple(Segment(k, s, e, t) for k, s, e, t in segs)
    return Lane(i, "v", "ok", 200, None, segs[0][1], segs[-1][2], segments)


MS = 1_000_000
#: Three async requests on the loop: each waits in the queue, runs a little, then awaits.
TRACE = Trace(
    0,
    tuple(
        _lane(
            i,
            (Kind.QUEUED, 0, (i + 1) * 10 * MS, "queue"),
            (Kind.FRAMEWORK, (i + 1) * 10 * MS, (i + 2) * 10 * MS, "loop"),
            (Kind.IO_WAIT, (i + 2) * 10 * MS, 100 * MS, "loop"),
        )
        for i in range(3)
    ),
    loop_thread="loop",
)


def test_rows_are_the_queue_the_loop_what_awaits_and_the_threads():
    rows = TimelineRows(TRACE, by="worker")
    assert rows.labels == ["waiting", "event loop", "awaiting on the loop"]
    texts = [(row, s // MS, e // MS, text) for row, s, e, _, text in rows.bar_texts]
    assert (0, 0, 10, "3 queued") in texts and (0, 20, 30, "1 queued") in texts
    assert (2, 40, 100, "3 awaiting") in texts
    assert [t for r, *_, t in texts if r == 1] == ["#1", "#2", "#3"]  # numbered from 1


def test_threads_are_named_by_their_order_of_first_use():
    names = thread_names(["loop", "ThreadPoolExecutor-7_0", "wsgi-worker-2", "Thread-9"], "loop")
    assert names == {
        "loop": "event loop",
        "ThreadPoolExecutor-7_0": "thread 1",
        "wsgi-worker-2": "worker 2",
        "Thread-9": "thread 2",
    }


def test_a_real_servers_threads_keep_their_process_id_and_are_numbered_within_it():
    threads = ["pid 7 · ThreadPoolExecutor-0_1", "pid 7 · MainThread", "pid 9 · Thread-3"]
    threads.append("pid 7 · ThreadPoolExecutor-0_0")
    assert list(thread_names(threads, None).values()) == [
        "process 7 · thread 1",
        "process 7 · main thread",
        "process 9 · thread 1",
        "process 7 · thread 2",
    ]


@pytest.mark.slow
def test_a_thread_view_slide_shows_the_queue_band_and_the_blocked_loop(qapp, run, tmp_path):
    measured = run(view="async_blocking", mode="asgi", requests=4, io_ms=100)
    path = tmp_path / "workers.png"
    export_picture(path, [measured], by="worker")
    image = QImage(str(path))
    geo = layout_slide([measured], by="workers").timelines[0].geometry
    middle = lambda row: geo.row_top(row) + geo.row_px * 0.5  # noqa: E731
    x = geo.x_of
    t0 = measured.trace.t0_ns
    # Early on, three requests wait in the queue band while the loop sleeps for the first.
    first_sleep = next(s for s in measured.trace.lanes[0].segments if s.kind == "io_blocking")
    assert (
        _share(
            image, middle(0), x(first_sleep.start_ns) + 2, x(first_sleep.start_ns) + 30, "queued"
        )
        > 0.5
    )
    # The loop's lane is blocking I/O for most of the run: four sleeps of 100 ms, one by one.
    sleeping = x(t0 + 150 * MS), x(t0 + 350 * MS)
    assert _share(image, middle(1), *sleeping, "io_blocking") > 0.9
    awaiting = QColor(LIGHT.kinds["io_wait"]).getRgb()[:3]
    xs = range(round(sleeping[0]), round(sleeping[1]))
    assert not any(image.pixelColor(x, round(middle(1))).getRgb()[:3] == awaiting for x in xs)


def test_by_must_be_worker_or_request(qapp, tmp_path):
    with pytest.raises(LanesError, match="by must be 'worker' or 'request', not 'thread'"):
        export_picture(tmp_path / "x.png", [_fake_run()], by="thread")


def _fake_run():
    from simulator.metrics.summary import summarize
    from simulator.trace import Run

    return Run(Scenario(view="async_io"), TRACE, summarize(TRACE))


@pytest.mark.slow
def test_the_command_line_draws_the_thread_view_from_by_or_the_file(tmp_path):
    lesson = tmp_path / "lesson.toml"
    lesson.write_text('by = "worker"\n[scenario]\nview = "async_io"\nrequests = 3\nio_ms = 50\n')
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(ROOT)
    titles = {}
    for name, extra in (("file", []), ("flag", ["--by", "request"])):
        out = tmp_path / f"{name}.svg"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "app.launcher",
                "run",
                "--scenario",
                str(lesson),
                "--svg",
                str(out),
                *extra,
            ],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        root = ET.parse(out).getroot()
        titles[name] = [
            g.findtext("{http://www.w3.org/2000/svg}title")
            for g in root.iter("{http://www.w3.org/2000/svg}g")
            if g.get("class") == "lane"
        ]
    assert titles["file"][:3] == ["waiting", "event loop", "awaiting on the loop"]
    assert titles["flag"] == [f"request #{n} (ok)" for n in (1, 2, 3)]


def test_a_failed_requests_error_is_written_beside_its_lane():
    failed = Lane(
        4,
        "v",
        "error",
        500,
        "SynchronousOnlyOperation: You cannot call this from an async context\nmore",
        0,
        20 * MS,
        (Segment(Kind.FRAMEWORK, 0, 20 * MS, "loop"),),
    )
    rows = TimelineRows(Trace(0, (failed,), "loop"), by="request")
    assert rows.labels == ["#5"]
    assert rows.error_texts == [
        (
            0,
            20 * MS,
            "#5 failed: SynchronousOnlyOperation: You cannot call this from an async context",
        )
    ]


#: A worker thread with a long name, as a real server's lanes have (pid and thread).
LONG_NAMED = Trace(
    0,
    (_lane(0, (Kind.CPU, 0, 50 * MS, "pid 4194304 · ThreadPoolExecutor-0_1")),),
)


def test_compared_timelines_share_one_label_column_so_one_instant_sits_at_one_x(window):
    """A's label ("process 4194304 · thread 1") is wider than B's ("awaiting on the loop"):
    each alone would start its time axis at a different x, and 100 ms in A would sit beside
    some other instant in B. Compared, both take the wider column, on screen and on a slide.
    Each timeline only says how wide its labels want to be; the window gives both the width
    (neither reads the other)."""
    a, b = window.timeline, window.timeline_b
    window.session.view.set_by("workers")
    window.session.set_compare(True)
    for timeline, trace in ((a, LONG_NAMED), (b, TRACE)):
        timeline.set_trace(trace)
        timeline.resize(1200, 300)  # room for whole labels (the column is at most 30%)
    a.grab(), b.grab()  # paint: each measures its labels and says so
    a.grab(), b.grab()  # paint again with the width the window gave back
    assert a._geometry.lanes_left == b._geometry.lanes_left
    shared = a._geometry.lanes_left
    # B's labels are the wider now: A follows them while compared, not once compare is off.
    a.set_trace(TRACE), b.set_trace(LONG_NAMED)
    a.grab(), b.grab(), a.grab()
    assert a._geometry.lanes_left == shared
    window.session.set_compare(False)
    a.resize(1200, 300)
    a.grab()
    assert a._geometry.lanes_left < shared - 20  # the test means something: they differ alone
    assert not hasattr(a, "partner") and not hasattr(a, "trace")

    runs = [_fake_run(), _fake_run()]
    runs[0] = type(runs[0])(Scenario(view="sync_io"), LONG_NAMED, runs[0].summary)
    slide = layout_slide(runs, by="workers")
    single = layout_slide(runs[1:], by="workers")
    lefts = [block.geometry.lanes_left for block in slide.timelines]
    assert lefts[0] == lefts[1] > single.timelines[0].geometry.lanes_left + 20


def test_a_thread_handed_a_request_is_drawn_from_the_hand_off_on():
    """Lesson 15's thread view (8 sync views under ASGI, a busy machine): each thread's row
    began 20–50 ms after its request left the queue band, the request drawn nowhere
    meanwhile, though the legend listed "thread hand-off": the hand-off (waiting for the
    thread to run it: the GIL, a core) was left off the thread's row. It is drawn there, in
    its own colour, and the thread's bar runs on from it."""
    from simulator.trace.columns import KIND_CODE

    trace = Trace(
        0,
        (
            _lane(
                0,
                (Kind.QUEUED, 0, 10 * MS, "queue"),
                (Kind.FRAMEWORK, 10 * MS, 12 * MS, "loop"),
                (Kind.THREAD_HOP, 12 * MS, 40 * MS, "exec-1"),
                (Kind.IO_BLOCKING, 40 * MS, 100 * MS, "exec-1"),
            ),
        ),
        loop_thread="loop",
    )
    rows = TimelineRows(trace, by="worker")
    row = rows.labels.index("thread 1")
    spans = rows.spans
    on_row = spans.row == row
    starts, ends = spans.start[on_row].tolist(), spans.end[on_row].tolist()
    drawn = sorted(zip(starts, ends, spans.kind[on_row].tolist(), strict=True))
    assert drawn == [
        (12 * MS, 40 * MS, KIND_CODE[Kind.THREAD_HOP]),
        (40 * MS, 100 * MS, KIND_CODE[Kind.IO_BLOCKING]),
    ]


#: One request answered at 10 ms, after 9 ms of CPU on thread 1; the loop then waited 30 ms
#: for the GIL to tidy up after it (Django's clean-up).
CLEANED_UP = Trace(
    0,
    (
        Lane(
            0,
            "v",
            "ok",
            200,
            None,
            0,
            10 * MS,
            (
                Segment(Kind.QUEUED, 0, 1 * MS, "queue"),
                Segment(Kind.CPU, 1 * MS, 10 * MS, "t1"),
                Segment(Kind.GIL_WAIT, 10 * MS, 40 * MS, "asgi-loop"),
            ),
        ),
    ),
    loop_thread="asgi-loop",
)


def test_django_s_clean_up_after_an_answer_is_a_thin_faint_tail_with_no_number():
    # Lesson 15's loop row read "#2" on 30 ms of waiting for the GIL long after #2's
    # answer: "#2 still being served". After its answer, a request's work on a thread or
    # the loop is drawn as one lane per request draws it: a tail, numbered nowhere.
    from app.timeline.spans import TAIL_KIND
    from simulator.trace.columns import KIND_CODE

    rows = TimelineRows(CLEANED_UP, by="workers")
    spans, loop = rows.spans, rows.labels.index("event loop")
    on_loop = spans.row == loop
    assert on_loop.any() and spans.tail[on_loop].all()
    assert set(spans.kind[on_loop].tolist()) == {KIND_CODE[TAIL_KIND]}
    assert not spans.tail[spans.row == rows.labels.index("thread 1")].any()
    assert [text for row, *_, text in rows.bar_texts if row == loop] == []
    assert [text for *_, text in rows.bar_texts if text.startswith("#")] == ["#1"]  # thread 1


def test_the_pointer_on_a_thread_view_s_tail_says_it_came_after_the_answer(qtbot):
    from PySide6.QtCore import QPoint

    from app.widgets.timeline import QtTimeline

    timeline = QtTimeline()
    qtbot.addWidget(timeline)
    timeline.resize(1200, 300)
    timeline.set_by("workers")
    timeline.set_trace(CLEANED_UP)
    timeline.grab()
    geo, rows = timeline._geometry, timeline.rows

    def said(row: str, ns: int) -> str:
        y = geo.row_top(rows.labels.index(row)) + geo.row_px / 2
        return timeline.describe_at(QPoint(round(geo.x_of(ns)), round(y))) or ""

    assert "CPU" in said("thread 1", 5 * MS) and "after the answer" not in said("thread 1", 5 * MS)
    assert "waiting for the GIL" in said("event loop", 30 * MS)
    assert "after the answer" in said("event loop", 30 * MS)


def test_overlapping_clean_ups_on_one_row_are_as_faint_as_one(qapp, tmp_path):
    """Slide 9's grouped thread rows drew several threads' clean-up after their answers one
    over another, their faintness adding up to solid "Django framework" (teacher43b)."""
    from simulator.metrics.summary import summarize
    from simulator.trace import Run

    def lane(i: int, answered_ms: int, tidied_ms: int | None) -> Lane:
        segments = (Segment(Kind.CPU, 0, answered_ms * MS, f"t{i}"),)
        if tidied_ms is not None:  # the loop waits for the GIL to tidy up after the answer
            segments += (Segment(Kind.GIL_WAIT, tidied_ms * MS, 100 * MS, "asgi-loop"),)
        return Lane(i, "v", "ok", 200, None, 0, answered_ms * MS, segments)

    # Two clean-ups on the loop, from 60 and 75 ms; the last answer at 110 ms.
    lanes = (lane(0, 60, 60), lane(1, 70, 75), lane(2, 110, None))
    trace = Trace(0, lanes, loop_thread="asgi-loop")
    measured = Run(Scenario(view="async_io", requests=3), trace, summarize(trace))
    path = tmp_path / "tails.png"
    export_picture(path, [measured], by="worker")
    image = QImage(str(path))
    block = layout_slide([measured], by="workers").timelines[0]
    geo = block.geometry
    assert geo.t_to_ns >= 100 * MS  # (the clean-ups are on the slide)
    y = round(geo.row_top(block.rows.labels.index("event loop")) + geo.row_px / 2)
    alone = image.pixelColor(round(geo.x_of(67 * MS)), y).getRgb()
    both = image.pixelColor(round(geo.x_of(85 * MS)), y).getRgb()
    assert alone == both
    assert alone[:3] != QColor(LIGHT.background).getRgb()[:3]  # (drawn: a faint tail)
