"""Slides of a run and of an A/B comparison: sizes, colours where the trace puts them, formats.

Pixel checks find the lanes through the geometry the slide was laid out with
(:func:`app.slides.export.layout_slide`), never through hard-coded coordinates.
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from app.slides.export import (
    TAIL_NOTE,
    export_picture,
    layout_slide,
    metrics_line,
    slide_text,
)
from app.theme import LIGHT
from app.timeline.paint import TimelineRows, paint_timeline
from simulator.errors import LanesError
from simulator.hosting.engine import run_scenario
from simulator.metrics.figures import FIGURE
from simulator.metrics.summary import Summary, summarize
from simulator.metrics.verdict import verdict
from simulator.scenario import Scenario
from simulator.trace import Lane, Run, Segment, Trace

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def sync_run() -> Run:
    """Three requests of 100 ms on one WSGI worker: each waits for the one before."""
    return run_scenario(Scenario(view="sync_io", mode="wsgi", workers=1, requests=3, io_ms=100))


@pytest.fixture(scope="module")
def async_run() -> Run:
    return run_scenario(Scenario(view="async_io", requests=3, io_ms=20))


def _png_size(path) -> tuple[int, int]:
    image = QImage(str(path))
    assert not image.isNull()
    return image.width(), image.height()


# --- sizes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("scale, expected", [(1, (1600, 900)), (2, (3200, 1800))])
def test_png_has_the_pixels_of_its_scale(qapp, sync_run, tmp_path, scale, expected):
    path = tmp_path / f"slide@{scale}x.png"
    export_picture(path, [sync_run], scale=scale)
    assert _png_size(path) == expected


def test_png_at_4x_of_a_small_slide(qapp, sync_run, tmp_path):
    path = tmp_path / "small@4x.png"
    export_picture(path, [sync_run], scale=4, size=(400, 225))
    assert _png_size(path) == (1600, 900)


def test_fonts_are_readable_on_a_projected_slide(qapp, sync_run, async_run):
    fonts = layout_slide([sync_run, async_run]).fonts
    assert fonts.title.pixelSize() == 28 and fonts.title.bold()
    assert fonts.verdict.bold()
    for font in (fonts.subtitle, fonts.heading, fonts.body, fonts.metrics, fonts.verdict):
        assert font.pixelSize() >= 16


# --- colours where the trace puts them -------------------------------------------------------


def _blend(base: QColor, over: QColor, alpha: float) -> QColor:
    return QColor(
        *(
            round(b + (o - b) * alpha)
            for b, o in zip(base.getRgb()[:3], over.getRgb()[:3], strict=True)
        )
    )


def _near(pixel: QColor, colour: QColor, tolerance: int = 24) -> bool:
    return all(
        abs(a - b) <= tolerance
        for a, b in zip(pixel.getRgb()[:3], colour.getRgb()[:3], strict=True)
    )


def _samples(image: QImage, scale: float, y: float, x0: float, x1: float) -> list[QColor]:
    """The pixels along the logical line ``y`` from ``x0`` to ``x1``."""
    row = round(y * scale)
    return [image.pixelColor(x, row) for x in range(round(x0 * scale), round(x1 * scale))]


def _share(pixels: list[QColor], *colours: QColor) -> float:
    return sum(any(_near(p, c) for c in colours) for p in pixels) / len(pixels)


def _first_third(geo, row: int) -> tuple[float, float, float]:
    y = geo.row_top(row) + geo.row_px / 2
    return y, geo.lanes_left + 2, geo.lanes_left + geo.lanes_width / 3


def _time_share(lane: Lane, kind: str, geo, x0: float, x1: float) -> float:
    """The share of the time between ``x0`` and ``x1`` the lane spent in ``kind``: what the
    pixels there must show, whatever a busy machine made of the run."""
    t0, t1 = geo.ns_at(x0), geo.ns_at(x1)
    spent = sum(
        max(0, min(seg.end_ns, t1) - max(seg.start_ns, t0))
        for seg in lane.segments
        if seg.kind == kind
    )
    return spent / max(1, t1 - t0)


@pytest.mark.parametrize("scale", [1, 2])
def test_lanes_show_the_colours_of_their_segments(qapp, sync_run, tmp_path, scale):
    path = tmp_path / "slide.png"
    export_picture(path, [sync_run], scale=scale)
    image = QImage(str(path))
    geo = layout_slide([sync_run]).timelines[0].geometry
    assert geo.rows == 3
    blocking = QColor(LIGHT.kinds["io_blocking"])
    hatched = _blend(blocking, QColor(LIGHT.text_on("io_blocking")), 150 / 255)
    queued = QColor(LIGHT.kinds["queued"])
    queued_lines = _blend(queued, QColor(LIGHT.text_on("queued")), 150 / 255)
    first_lane, last_lane = sync_run.trace.lanes[0], sync_run.trace.lanes[2]

    # The first request holds the only worker from the start: blocking I/O for most of the
    # first third (how much, the trace says: on a busy machine Django's own start takes more).
    y, x0, x1 = _first_third(geo, 0)
    measured = _time_share(first_lane, "io_blocking", geo, x0, x1)
    assert measured > 0.5
    assert _share(_samples(image, scale, y, x0, x1), blocking, hatched) == pytest.approx(
        measured, abs=0.08
    )
    # The last one waits for two others: queued over the first third, never blocking there.
    y, x0, x1 = _first_third(geo, 2)
    measured = _time_share(last_lane, "queued", geo, x0, x1)
    assert measured > 0.8
    last = _samples(image, scale, y, x0, x1)
    assert _share(last, queued, queued_lines) == pytest.approx(measured, abs=0.08)
    assert _time_share(last_lane, "io_blocking", geo, x0, x1) == 0
    assert _share(last, blocking, hatched) == 0


def test_a_comparison_shows_both_runs_on_one_time_axis(qapp, sync_run, async_run, tmp_path):
    path = tmp_path / "compare.png"
    export_picture(path, [sync_run, async_run])
    image = QImage(str(path))
    slide = layout_slide([sync_run, async_run])
    a, b = (block.geometry for block in slide.timelines)
    assert (a.rows, b.rows) == (3, 3)
    assert b.lanes_top > a.lanes_top + a.rows * a.row_px  # B is stacked below A
    # One time axis: the same ms lands on the same x in both.
    assert (a.lanes_left, a.lanes_width) == (b.lanes_left, b.lanes_width)
    assert a.t_to_ns - a.t_from_ns == b.t_to_ns - b.t_from_ns == slide.t_span_ns
    assert slide.t_span_ns >= sync_run.trace.last_ns - sync_run.trace.t0_ns

    blocking = QColor(LIGHT.kinds["io_blocking"])
    hatched = _blend(blocking, QColor(LIGHT.text_on("io_blocking")), 150 / 255)
    awaiting = QColor(LIGHT.kinds["io_wait"])
    awaiting_lines = _blend(awaiting, QColor(LIGHT.text_on("io_wait")), 150 / 255)
    assert _share(_samples(image, 1, *_first_third(a, 0)), blocking, hatched) > 0.8
    # B's lanes await I/O where it took place, and are empty once B is done (A still runs).
    b_io = next(s for s in async_run.trace.lanes[0].segments if s.kind == "io_wait")
    y = b.row_top(0) + b.row_px / 2
    assert (
        _share(
            _samples(image, 1, y, b.x_of(b_io.start_ns) + 2, b.x_of(b_io.end_ns) - 2),
            awaiting,
            awaiting_lines,
        )
        > 0.9
    )
    late_from, late_to = a.lanes_left + a.lanes_width * 0.7, a.lanes_left + a.lanes_width * 0.8
    assert sync_run.trace.last_ns > a.ns_at(late_to)
    assert async_run.trace.last_ns < b.ns_at(late_from)
    background = QColor(LIGHT.background), QColor(LIGHT.grid)
    assert _share(_samples(image, 1, y, late_from, late_to), *background) == 1
    a_last = a.row_top(2) + a.row_px / 2
    assert _share(_samples(image, 1, a_last, late_from, late_to), *background) < 0.1


def test_painting_lane_by_lane_gives_the_same_pixels(qapp, sync_run, async_run):
    for run in (sync_run, async_run):
        rows = TimelineRows(run.trace)
        t0 = run.trace.t0_ns
        images = []
        for before_lane in (None, lambda row: None):
            image = QImage(900, 300, QImage.Format.Format_RGB32)
            painter = QPainter(image)
            font = QFont()
            font.setPixelSize(14)
            paint_timeline(
                painter,
                QRectF(0, 0, 900, 300),
                rows,
                LIGHT,
                t_from_ns=t0,
                t_to_ns=t0 + int((run.trace.last_ns - t0) * 1.03),
                font=font,
                before_lane=before_lane,
            )
            painter.end()
            images.append(image)
        assert images[0] == images[1]


# --- text ------------------------------------------------------------------------------------


def test_the_comparison_slide_says_the_verdict_and_both_runs_dials(sync_run, async_run):
    text = slide_text([sync_run, async_run])
    assert text.verdict == verdict(sync_run, async_run)
    assert "sooner" in text.verdict
    assert text.title == "sync_io · WSGI ×1 · io 100 ms  vs  async_io · ASGI · io 20 ms"
    assert text.subtitle == "Both: 3 req"
    assert text.headings == (
        f"A: {sync_run.scenario.label}",
        f"B: {async_run.scenario.label}",
    )
    assert text.metrics == (f"A: {metrics_line(sync_run)}", f"B: {metrics_line(async_run)}")
    assert slide_text([sync_run, async_run], title="Lesson 2").title == "Lesson 2"


def test_a_single_run_slide_is_titled_by_its_dials(sync_run):
    text = slide_text([sync_run])
    assert text.title == sync_run.scenario.label
    assert text.subtitle.startswith("Sync view with blocking I/O")
    assert (text.headings, text.verdict) == ((), None)
    titled = slide_text([sync_run], title="One worker")
    assert (titled.title, titled.subtitle) == ("One worker", sync_run.scenario.label)


def test_the_figures_line_reads_at_a_glance():
    summary = Summary(
        requests=8,
        ok=6,
        failed=2,
        cancelled=0,
        answered=8,
        makespan_ms=1612.0,
        throughput_rps=4.963,
        latency_ms={"p50": 800.0, "p95": 1544.0, "p99": 1600.0, "max": 1611.0},
        peak_in_flight=8,
        threads_used=1,
        loop_blocked_ms=0.0,
        framework_ms_per_request=0.85,
    )
    run = Run(Scenario(view="sync_io", mode="wsgi"), Trace(t0_ns=0, lanes=()), summary)
    assert metrics_line(run) == (
        "makespan 1.61 s · p95 1.54 s · 4.96 req/s · peak in flight 8 · "
        "threads used 1 (0 held at once) · no event loop (WSGI) · framework 0.85 ms/req · 2 failed"
    )
    for rps, shown in ((2.0, "2.00 req/s"), (99.97, "100 req/s"), (1234.5, "1234 req/s")):
        faster = Run(run.scenario, run.trace, dataclasses.replace(summary, throughput_rps=rps))
        assert shown in metrics_line(faster)
    # gunicorn's workers run Django's WSGI handler, with no loop; uvicorn's run it on a loop
    # no monitor of ours watches (lesson 23's slide said "loops not watched" for gunicorn).
    for mode, loop in (("gunicorn", "no event loop (WSGI)"), ("uvicorn", "loops not watched")):
        served = Run(Scenario(view="sync_io", mode=mode), run.trace, summary)
        assert f" · {loop}" in metrics_line(served), mode


def test_a_lesson_s_slide_leads_each_line_with_the_figure_it_asks_about(sync_run, async_run):
    # Lesson 6's slide opened each line on the makespan and gave no p50 at all, the figure
    # its question asks about (the window's figure line led with it already).
    p50 = FIGURE["p50"]
    text = slide_text([sync_run, async_run], figure="p50")
    assert text.metrics == (
        f"A: p50 {p50.text(sync_run.summary)} · {metrics_line(sync_run)}",
        f"B: p50 {p50.text(async_run.summary)} · {metrics_line(async_run)}",
    )
    held = FIGURE["threads_held_peak"].text(sync_run.summary)
    line = metrics_line(sync_run, "threads_held_peak")  # lessons 2, 3, 8, 9, 13
    assert line.startswith(f"threads held {held} · makespan ")
    assert "held at once" not in line  # said once, first
    # Lesson 9's A read "threads held 0 · … · threads 31": the threads used, named so.
    used = FIGURE["threads_used"].text(sync_run.summary)
    assert f" · threads used {used} · " in line and f" · threads {used} · " not in line
    assert metrics_line(sync_run, "db_connections_peak").startswith("DB connections ")
    framework = metrics_line(async_run, "framework_ms_per_request")  # lesson 18
    assert framework.startswith("framework ") and framework.count("framework") == 1
    assert metrics_line(sync_run, "failed").startswith("0 failed · makespan ")  # lessons 11, 12
    assert metrics_line(sync_run, "makespan_ms") == metrics_line(sync_run)
    # The slide the command line writes for a lesson gets the lesson's figure.
    slide = layout_slide([sync_run, async_run], figure="p50")
    assert slide.text.metrics == text.metrics


def _hand_run(tail_ms: float) -> Run:
    """One 100 ms request on a worker; Django works on ``tail_ms`` after the answer."""
    ms = 1_000_000
    end = int((100 + tail_ms) * ms)
    segments = (Segment("io_blocking", 0, 100 * ms, "w"),)
    if tail_ms:
        segments += (Segment("framework", 100 * ms, end, "w"),)
    trace = Trace(t0_ns=0, lanes=(Lane(0, "sync_io", "ok", 200, None, 0, 100 * ms, segments),))
    return Run(Scenario(view="sync_io", mode="wsgi", requests=1), trace, summarize(trace))


def test_thin_bars_are_explained_when_some_can_be_seen():
    assert slide_text([_hand_run(tail_ms=5)]).note == TAIL_NOTE
    assert slide_text([_hand_run(tail_ms=0.01)]).note is None  # narrower than a pixel
    assert slide_text([_hand_run(tail_ms=0)]).note is None
    assert slide_text([_hand_run(tail_ms=0), _hand_run(tail_ms=5)]).note == TAIL_NOTE


def test_both_layouts_draw_django_s_clean_up_thin_and_faint_and_their_slides_say_so():
    """Lesson 6's slide (by worker) once read "Thin faint bars: …" under lanes that drew a
    thread's work whole; and lesson 15's thread view drew "#2" on the loop's clean-up after
    #2's answer, read as "#2 still being served". Both layouts draw the work after an answer
    thin and faint now, and each slide's note says what those bars are."""
    run = _hand_run(tail_ms=5)
    for by in ("request", "worker"):
        slide = layout_slide([run], by=by)
        assert slide.text.note == TAIL_NOTE
        assert slide.timelines[0].rows.spans.tail.any()  # drawn thin and faint


# --- SVG and PDF -----------------------------------------------------------------------------


def _lane_groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "lane"]


def test_svg_has_one_group_per_request_lane(qapp, sync_run, tmp_path):
    path = tmp_path / "slide.svg"
    export_picture(path, [sync_run])
    root = ET.parse(path).getroot()
    assert root.get("viewBox") == "0 0 1600 900"
    groups = _lane_groups(root)
    assert [g.get("id") for g in groups] == ["lane-0", "lane-1", "lane-2"]
    for group in groups:
        assert group.find(f".//{SVG}rect") is not None
    # No lane marker is left behind, and text falls back to a generic family.
    text = path.read_text(encoding="utf-8")
    assert "lanes-export-lane" not in text
    assert all("sans-serif" in t.get("font-family", "sans-serif") for t in root.iter(f"{SVG}text"))


def test_svg_of_a_comparison_holds_both_runs_and_the_verdict(qapp, sync_run, async_run, tmp_path):
    path = tmp_path / "compare.svg"
    export_picture(path, [sync_run, async_run])
    root = ET.parse(path).getroot()
    ids = [g.get("id") for g in _lane_groups(root)]
    assert ids == [f"{side}-lane-{i}" for side in "ab" for i in range(3)]
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert verdict(sync_run, async_run) in texts
    assert f"A: {sync_run.scenario.label}" in texts


def test_pdf_is_one_landscape_page(qapp, sync_run, async_run, tmp_path):
    path = tmp_path / "compare.pdf"
    export_picture(path, [sync_run, async_run], title="One worker against ASGI")
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", data)) == 1
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)
    assert float(box.group(1)) > float(box.group(2))


# --- errors ----------------------------------------------------------------------------------


def test_an_unknown_suffix_is_refused(qapp, sync_run, tmp_path):
    with pytest.raises(LanesError, match=r"must end in \.png, \.svg or \.pdf"):
        export_picture(tmp_path / "slide.jpg", [sync_run])
    assert not (tmp_path / "slide.jpg").exists()


@pytest.mark.parametrize("name", ["slide.png", "slide.svg", "slide.pdf"])
def test_an_unwritable_path_is_a_lanes_error(qapp, sync_run, tmp_path, name):
    with pytest.raises(LanesError, match=r"cannot write .*missing"):
        export_picture(tmp_path / "missing" / name, [sync_run])


def test_three_runs_are_refused(qapp, sync_run, tmp_path):
    with pytest.raises(LanesError, match="one run or two"):
        export_picture(tmp_path / "x.png", [sync_run] * 3)


def test_a_title_with_control_characters_still_makes_an_svg_and_a_pdf(qapp, sync_run, tmp_path):
    """Whoever typed the title (the command line, a file, the window's Export dialog), a bell
    or a tab in it must not make the SVG invalid XML: they are left out as whitespace."""
    title = "bell\x07 and\ttab\x1b[31m"
    export_picture(tmp_path / "t.svg", [sync_run], title=title, subtitle="sub\x00title")
    texts = [
        "".join(t.itertext()) for t in ET.parse(tmp_path / "t.svg").getroot().iter(f"{SVG}text")
    ]
    assert "bell and tab [31m" in texts and "sub title" in texts
    export_picture(tmp_path / "t.pdf", [sync_run], title=title)
    assert (tmp_path / "t.pdf").read_bytes().startswith(b"%PDF")


def test_a_sites_error_with_control_characters_is_written_beside_its_lane_in_an_svg(
    qapp, sync_run, tmp_path
):
    """The error comes from someone's site (``--url``): an escape code in it must not make
    the SVG unreadable."""
    lanes = list(sync_run.trace.lanes)
    lanes[0] = dataclasses.replace(lanes[0], status="error", error="Boom\x1b[31m\x00\x07 end")
    trace = dataclasses.replace(sync_run.trace, lanes=tuple(lanes))
    run = dataclasses.replace(sync_run, trace=trace, summary=summarize(trace))
    export_picture(tmp_path / "e.svg", [run])
    texts = [
        "".join(t.itertext()) for t in ET.parse(tmp_path / "e.svg").getroot().iter(f"{SVG}text")
    ]
    assert "#1 failed: Boom [31m end" in texts


def test_the_last_answer_line_stands_at_the_last_answer_not_a_later_time_out(qapp, tmp_path):
    ms = 1_000_000

    def lane(i: int, code: int | None, done_ms: int) -> Lane:
        client = Segment("client", 0, done_ms * ms, "client")
        status = "ok" if code == 200 else "error"
        return Lane(i, "/", status, code, None if code == 200 else "x", 0, done_ms * ms, (client,))

    # Answered by 150 ms (a 500 last); one request timed out at 3 s with no answer.
    trace = Trace(t0_ns=0, lanes=(lane(0, 200, 100), lane(1, 500, 150), lane(2, None, 3000)))
    run = Run(Scenario(view="sync_io"), trace, summarize(trace))
    path = tmp_path / "slide.png"
    export_picture(path, [run], scale=1)
    image = QImage(str(path))
    block = layout_slide([run]).timelines[0]
    geo, label = block.geometry, block.end_label_rect
    ink = QColor(LIGHT.foreground)
    columns = [
        x
        for x in range(int(geo.lanes_left) - 2, int(geo.lanes_left + geo.lanes_width) + 2)
        if any(
            _near(image.pixelColor(x, y), ink, 60)
            for y in range(int(label.top()), int(label.bottom()))
        )
    ]
    # "last answer 150 ms" near the axis' start (x of 150 ms of 3 s, clamped to the lanes),
    # not at the right edge where the time-out ended.
    assert columns and columns[0] <= geo.x_of(150 * ms) + 2
    assert columns[-1] < geo.lanes_left + geo.lanes_width / 2
