"""The key names what the lanes draw: in each lesson's layout, every kind it names is drawn
on some row, and every kind drawn is named."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage, QPainter

from app.slides.layout import layout_slide
from app.slides.paint import paint_slide
from app.theme import FAILED, LIGHT, kinds_shown
from app.timeline.legend import legend_kinds
from app.timeline.rows import TimelineRows
from simulator.trace import KINDS
from tests.app.recorded_runs import load_runs, run_from_data


def _drawn(rows: TimelineRows) -> set[str]:
    spans = rows.spans
    return {KINDS[code] for code in np.unique(spans.kind).tolist()}


@pytest.mark.parametrize("number", range(1, 25))
def test_the_key_names_the_kinds_each_layout_draws(number):
    # Lesson 23's thread view named "client and network" under two processes' rows, which
    # draw no client's time (over sockets it is the lanes' start, by request).
    traces = [run_from_data(data, 0).trace for data in load_runs(number)[1]]
    for by in ("requests", "workers"):
        named = set(legend_kinds(traces, by)) - {FAILED}
        drawn = set().union(*(_drawn(TimelineRows(trace, by=by)) for trace in traces))
        assert named == drawn, by


def test_lesson_23_s_slide_by_thread_keys_no_colour_it_does_not_draw(qapp):
    runs = [run_from_data(data, 0) for data in load_runs(23)[1]]
    slide = layout_slide(runs, size=(1600, 900), by="workers")
    assert "client" not in slide.kinds and "cpu" in slide.kinds
    image = QImage(1600, 900, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    paint_slide(painter, slide)
    painter.end()
    client = LIGHT.color("client").rgb()
    rect = slide.legend_rect
    assert not any(
        image.pixel(x, y) == client
        for x in range(int(rect.left()), int(rect.right()))
        for y in range(int(rect.top()), int(rect.bottom()))
    )
    assert "client" in layout_slide(runs, size=(1600, 900), by="requests").kinds


@pytest.mark.slow
def test_the_window_s_key_follows_the_layout_on_screen(window):
    from PySide6.QtWidgets import QApplication

    from app.session import Side
    from app.session.state import Kept

    a, b = (run_from_data(data, 0) for data in load_runs(23)[1])
    window.set_compare(True)
    window.session.restore(Kept({Side.A: a, Side.B: b}, {Side.A: [], Side.B: []}, Side.B, None))
    window.set_by("worker")
    QApplication.processEvents()
    assert "client" not in window.stage.legend.kinds and "cpu" in window.stage.legend.kinds
    window.set_by("request")
    QApplication.processEvents()
    assert "client" in window.stage.legend.kinds


def _lanes_show(timeline) -> set[str]:
    """The kinds of its run whose colours ``timeline``'s lanes show on screen
    (:func:`_pixels_show`)."""
    image = timeline.grab().toImage()
    return _pixels_show(image, timeline._geometry, kinds_shown([timeline.rows.trace]))


def _pixels_show(image: QImage, geo, kinds) -> set[str]:
    """Of ``kinds``, those whose colours (fill, pattern over it, or faint: a tail) the lanes
    of ``image`` laid out as ``geo`` show, three pixels one over another at least (a bar's
    sliver; not a text's edge)."""
    from app.timeline.legend import TAIL_OPACITY

    from .kind_pixels import kind_mask, rgb_array

    def tall(mask: np.ndarray) -> bool:
        return bool((mask[:-2] & mask[1:-1] & mask[2:]).any())

    image = image.copy(
        round(geo.lanes_left) + 1,
        round(geo.lanes_top) + 1,
        round(geo.lanes_width) - 2,
        round(geo.lanes_height) - 2,
    )
    pixels = rgb_array(image)
    background = np.array(QColor(LIGHT.background).getRgb()[:3])

    def faint(kind: str) -> np.ndarray:  # a tail: the kind's colour, faint
        colour = np.array(LIGHT.color(kind).getRgb()[:3])
        over = np.rint(background * (1 - TAIL_OPACITY) + colour * TAIL_OPACITY)
        return (np.abs(pixels - over) <= 4).all(axis=2)

    return {kind for kind in kinds if tall(kind_mask(image, kind, slack=4) | faint(kind))}


@pytest.mark.parametrize(("number", "by"), [(11, "requests"), (11, "workers"), (21, "requests")])
def test_a_slide_s_key_names_the_kinds_its_pixels_show(qapp, number, by):
    # Lesson 11's slide named "waiting for a CPU core", lesson 21's "waiting for the GIL"
    # (0.56 ms, painted over by the next bar): no pixel of theirs showed either.
    runs = [run_from_data(data, 0) for data in load_runs(number)[1]]
    slide = layout_slide(runs, size=(1600, 900), by=by)
    image = QImage(1600, 900, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    paint_slide(painter, slide)
    painter.end()
    kinds = kinds_shown([run.trace for run in runs])
    shown = set().union(*(_pixels_show(image, b.geometry, kinds) for b in slide.timelines))
    assert set(slide.kinds) - {FAILED} == shown - {FAILED}
    assert len(shown) >= 3  # (queued, framework, and what the lesson is about)


def test_django_s_clean_up_is_drawn_in_the_key_s_one_faint_colour(qapp):
    # Lesson 24's in-process lanes waited for the GIL after their answers: drawn faint in
    # that kind's own green, a class read it as "client and network" on the side with no
    # client, and the key named a GIL wait no lane waited for.
    runs = [run_from_data(data, 0) for data in load_runs(24)[1]]
    cols = runs[0].trace.columns
    after = cols.end_ns > runs[0].trace.lane_columns.answer_ns()[cols.lane]
    assert (after & (cols.kind == KINDS.index("gil_wait"))).any()  # (else this shows nothing)
    slide = layout_slide(runs, size=(1600, 900), by="requests")
    image = QImage(1600, 900, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    paint_slide(painter, slide)
    painter.end()
    shown = set().union(*(_pixels_show(image, b.geometry, KINDS) for b in slide.timelines))
    assert "gil_wait" not in shown and "gil_wait" not in slide.kinds
    assert {"io_wait", "client", "framework"} <= shown


def test_the_pointer_on_a_tail_names_its_own_kind_and_that_it_came_after_the_answer(qtbot):
    # Drawn in the clean-up's one colour, a tail's piece of waiting for the GIL is named as
    # what it was, and as after the answer (a pink bar named "waiting for the GIL" alone
    # brought back the mismatch the key lost).
    from PySide6.QtCore import QPoint

    from app.timeline.spans import TAIL_KIND
    from app.widgets.timeline import QtTimeline
    from simulator.trace.columns import KIND_CODE

    trace = run_from_data(load_runs(24)[1][0], 0).trace
    timeline = QtTimeline()
    qtbot.addWidget(timeline)
    timeline.resize(1600, 400)
    timeline.set_trace(trace)
    timeline.grab()
    geo, rows = timeline._geometry, timeline.rows
    spans = rows.spans
    found = []
    for i in np.flatnonzero(spans.tail).tolist():
        row, middle = int(spans.row[i]), (int(spans.start[i]) + int(spans.end[i])) // 2
        seg = rows.segment_at(row, middle)
        on_screen = geo.x_of(middle) < geo.lanes_left + geo.lanes_width - 2
        if seg is not None and seg.kind == "gil_wait" and on_screen:
            found.append((row, middle, int(spans.kind[i])))
    assert found  # (lesson 24's A: Django's clean-up waited for the GIL)
    row, middle, drawn = found[0]
    assert drawn == KIND_CODE[TAIL_KIND]
    y = geo.row_top(row) + geo.row_px / 2
    text = timeline.describe_at(QPoint(round(geo.x_of(middle)), round(y)))
    assert "waiting for the GIL" in text and "after the answer: Django's clean-up" in text
    text = timeline.describe_at(
        QPoint(round(geo.x_of(trace.lanes[row].done_ns - 100_000)), round(y))
    )
    assert "after the answer" not in text


@pytest.mark.slow
@pytest.mark.parametrize("by", ["request", "worker"])
def test_the_window_s_key_names_the_kinds_its_pixels_show_at_this_zoom(window, qtbot, by):
    # Lessons 1 and 10 named "Django framework" at fit, though its slivers held no pixel:
    # the key names what the pixels show (Django's slivers, now specks where no bar is).
    from app.session import Side
    from app.session.state import Kept
    from app.widgets.timeline import KINDS_READ_MS

    run = run_from_data(load_runs(1)[1][0], 0)
    window.session.restore(
        Kept({Side.A: run, Side.B: None}, {Side.A: [], Side.B: []}, Side.A, None)
    )
    window.set_by(by)
    timeline = window.stage.timeline
    legend = window.stage.legend

    def settled() -> None:
        for _ in range(2):  # the paint, then the key told of what it drew
            timeline.repaint()
            qtbot.wait(2 * KINDS_READ_MS)

    settled()
    named = set(legend.kinds) - {FAILED}
    assert named == _lanes_show(timeline)
    _says_hairlines(legend.thin, timeline, named)
    # Zoomed in on one request's start, Django's work holds pixels: the key names it.
    lane = run.trace.lanes[-1]
    first = next(s for s in lane.segments if s.kind == "framework")
    timeline.set_view_range(first.start_ns - 100_000, first.end_ns + 100_000)
    settled()
    named = set(legend.kinds) - {FAILED}
    assert "framework" in named
    assert named == _lanes_show(timeline)
    assert "framework" not in legend.thin
    _says_hairlines(legend.thin, timeline, named)


def _says_hairlines(thin: frozenset[str], timeline, kinds: set[str]) -> None:
    """The key says "thin lines here" of no kind ``timeline``'s lanes show WIDE_PX columns wide or
    more anywhere, and of every kind whose bars they show narrower by two columns (a kind
    named for the faint clean-up drawn in its colour shows no bar): the lines drawn over
    bars, a thread's next request's start, may take a pixel of a bar WIDE_PX wide."""
    from app.timeline.drawn import WIDE_PX

    image = timeline.grab().toImage()
    widest = {kind: _widest(image, timeline._geometry, kind) for kind in kinds}
    assert thin <= {kind for kind, px in widest.items() if px < WIDE_PX}, widest
    assert thin >= {kind for kind, px in widest.items() if 1 <= px <= WIDE_PX - 2}, widest


def _widest(image: QImage, geo, kind: str) -> int:
    """The most pixel columns in a row that the lanes of ``image`` laid out as ``geo`` show
    in ``kind``'s colours (its fill, or its pattern over it)."""
    from .kind_pixels import kind_mask

    lanes = image.copy(
        round(geo.lanes_left), round(geo.lanes_top), round(geo.lanes_width), round(geo.lanes_height)
    )
    mask = np.pad(kind_mask(lanes, kind, slack=4).astype(np.int8), ((0, 0), (1, 1)))
    step = np.diff(mask, axis=1)
    starts, ends = np.nonzero(step == 1)[1], np.nonzero(step == -1)[1]
    return int((ends - starts).max()) if len(starts) else 0


@pytest.mark.parametrize(("number", "size"), [(1, (1600, 900)), (10, (1280, 720))])
def test_a_slide_s_key_says_which_kinds_its_lanes_draw_only_as_hairlines(qapp, number, size):
    # Lessons 1, 10 and 22 named "Django framework", a column a pixel wide at each
    # request's start, and a class looked for a bar (teacher43b, teacher44).
    from app.timeline.drawn import WIDE_PX
    from app.timeline.legend import THIN_LINES, legend_layout

    runs = [run_from_data(data, 0) for data in load_runs(number)[1]]
    slide = layout_slide(runs, size=size, by="requests")
    image = QImage(*size, QImage.Format.Format_RGB32)
    painter = _Texts(image)
    paint_slide(painter, slide)
    painter.end()
    widest = {
        kind: max(_widest(image, b.geometry, kind) for b in slide.timelines)
        for kind in slide.kinds
        if kind != FAILED
    }
    assert "framework" in slide.hairlines  # (else this shows nothing)
    assert slide.hairlines == {kind for kind, px in widest.items() if px < WIDE_PX}
    entries, _ = legend_layout(
        slide.legend_rect, slide.fonts.body, slide.kinds, marks=slide.marks,
        thin=slide.hairlines,
    )  # fmt: skip
    said = {what for what, label in entries if label.text.endswith(f"{THIN_LINES})")}
    assert said == slide.hairlines
    drawn = [text for text in _Texts.written if text.endswith(f"{THIN_LINES})")]  # painted
    assert len(drawn) == len(said) and any(t.startswith("Django framework") for t in drawn)


class _Texts(QPainter):
    """A painter that keeps every text it draws."""

    written: list[str] = []

    def __init__(self, device) -> None:
        super().__init__(device)
        _Texts.written = []

    def drawText(self, *args):  # noqa: N802 (Qt's name)
        _Texts.written += [arg for arg in args if isinstance(arg, str)]
        return super().drawText(*args)
