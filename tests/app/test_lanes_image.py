"""The window's lanes as one image of per-pixel summaries: the same picture as a rectangle per
segment where a pixel holds one kind, the kind holding most of a pixel where it holds many,
and a zoom, pan or resize that recomputes nothing of the finished lanes' layout."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from app.theme import LIGHT
from app.timeline.image_paint import LanesImage
from app.timeline.live_spans import LiveRequestSpans
from app.timeline.paint import paint_timeline
from app.timeline.rows import TimelineRows
from simulator.trace import Kind, Lane, Segment, Trace

from .answered_lanes import answered
from .kind_pixels import looks_like

MS = 1_000_000
LOOP = "asgi-loop"
KINDS = (Kind.QUEUED, Kind.FRAMEWORK, Kind.IO_WAIT, Kind.CPU, Kind.GIL_WAIT)


def _trace(n: int = 6) -> Trace:
    """``n`` requests of five kinds in 20 ms steps, each answered at 100 ms + 10·i and
    tidied up 10 ms after (a tail)."""
    lanes = []
    for i in range(n):
        segs = [Segment(kind, j * 20 * MS, (j + 1) * 20 * MS, LOOP) for j, kind in enumerate(KINDS)]
        segs[-1] = Segment(Kind.GIL_WAIT, 80 * MS, (110 + 10 * i) * MS, LOOP)
        segs.append(Segment(Kind.FRAMEWORK, (110 + 10 * i) * MS, (120 + 10 * i) * MS, LOOP))
        lanes.append(Lane(i, "v", "ok", 200, None, 0, (100 + 10 * i) * MS, tuple(segs)))
    return Trace(0, tuple(lanes), LOOP)


def paint(
    rows: TimelineRows,
    lanes: LanesImage | None,
    width=900,
    height=360,
    t_to=130 * MS,
    cutoff_ns: int | None = None,
):
    """``rows`` painted (by ``lanes``' image, or the exact painter), and their geometry."""
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    geo = paint_timeline(
        painter,
        QRectF(0, 0, width, height),
        rows,
        LIGHT,
        t_from_ns=0,
        t_to_ns=t_to,
        cutoff_ns=cutoff_ns,
        lanes=None
        if lanes is None
        else (lambda p, g, r: lanes.paint(p, g, LIGHT, cutoff_ns, True, r)),
    )
    painter.end()
    return image, geo


def _close(a: QColor, b: QColor, slack: int = 3) -> bool:
    """The same colour, but for the rounding of a faint bar's blend."""
    return all(abs(p - q) <= slack for p, q in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))


@pytest.mark.parametrize("height", [360, 90])  # rows of 44 px (patterns), and of 10 px
def test_the_image_painter_draws_the_pixels_of_the_exact_one(qapp, height):
    rows = TimelineRows(_trace(), by="requests")
    exact, geo = paint(rows, None, height=height)
    image = LanesImage()
    image.coarse_ok = False  # the exact level, as the frame after the first draws it
    image.show(rows)
    drawn, same_geo = paint(rows, image, height=height)
    assert same_geo == geo
    for row in range(len(rows)):
        y = round(geo.row_top(row) + geo.row_px / 2)
        xs = range(round(geo.lanes_left) + 1, round(geo.lanes_left + geo.lanes_width) - 1)
        agree = sum(_close(exact.pixelColor(x, y), drawn.pixelColor(x, y)) for x in xs) / len(xs)
        assert agree > 0.97, (row, agree)  # all but the pixels where two kinds meet
        for j, kind in enumerate(KINDS[:-1]):  # the middle of each bar is its kind's
            x = round(geo.x_of((j * 20 + 10) * MS))
            assert looks_like(drawn.pixelColor(x, y), kind), (row, kind)
        # The tail after the answer: faint framework in the image too, not a full bar.
        x = round(geo.x_of((115 + 10 * row) * MS))
        assert _close(drawn.pixelColor(x, y), exact.pixelColor(x, y))
        assert not _close(drawn.pixelColor(x, y), QColor(LIGHT.background))


def test_the_thread_view_image_draws_the_pixels_of_the_exact_one(qapp):
    """The thread view: the queue band, the loop's row and its awaiting band, numbers on the
    bars and hairlines between requests, over the image as over the rectangles."""
    rows = TimelineRows(_trace(), by="workers")
    exact, geo = paint(rows, None)
    image = LanesImage()
    image.coarse_ok = False
    image.show(rows)
    drawn, _ = paint(rows, image)
    xs = range(round(geo.lanes_left) + 1, round(geo.lanes_left + geo.lanes_width) - 1)
    ys = range(round(geo.lanes_top) + 1, round(geo.lanes_top + len(rows) * geo.row_px) - 1)
    agree = sum(_close(exact.pixelColor(x, y), drawn.pixelColor(x, y)) for x in xs for y in ys)
    assert agree / (len(xs) * len(ys)) > 0.97
    assert any(not _close(drawn.pixelColor(x, y), QColor(LIGHT.background)) for x in xs for y in ys)


def test_a_pixel_of_many_lanes_shows_the_kind_holding_most_of_it(qapp):
    """120 lanes on 30 pixel rows: four lanes a pixel. Three of each four compute while one
    waits for I/O: the pixel is CPU's colour, whichever the exact painter drew last."""
    lanes = tuple(
        answered(
            i, 0, 100 * MS, Segment(Kind.IO_WAIT if i % 4 == 0 else Kind.CPU, 0, 100 * MS, LOOP)
        )
        for i in range(120)
    )
    rows = TimelineRows(Trace(0, lanes, LOOP), by="requests")
    image = LanesImage()
    image.coarse_ok = False
    image.show(rows)
    drawn, geo = paint(rows, image, height=round(30 + 40), t_to=110 * MS)
    assert geo.group > 1
    x = round(geo.x_of(50 * MS))
    ys = range(round(geo.lanes_top) + 1, round(geo.lanes_top) + 120 // geo.group - 1)
    assert all(looks_like(drawn.pixelColor(x, y), Kind.CPU) for y in ys)


def test_zoom_pan_and_resize_lay_out_no_finished_lane_again(qtbot, monkeypatch):
    """Counted, not timed: once a run is drawn, a zoom, a pan or a resize builds no rows and
    splits no lane again, and a view seen before is read from the cached tiles."""
    from app.timeline import rows as rows_module
    from app.timeline import spans as spans_module
    from app.widgets.timeline import QtTimeline

    widget = QtTimeline()
    qtbot.addWidget(widget)
    widget.resize(900, 400)
    widget.set_trace(_trace(40))
    widget.grab()
    widget.lanes_image.coarse_ok = False
    widget.grab()
    calls: list[str] = []
    real_split, real_rows = spans_module.request_spans, rows_module.TimelineRows.__post_init__
    monkeypatch.setattr(
        spans_module, "request_spans", lambda *a: calls.append("split") or real_split(*a)
    )
    monkeypatch.setattr(rows_module, "request_spans", spans_module.request_spans)
    monkeypatch.setattr(
        rows_module.TimelineRows,
        "__post_init__",
        lambda self: calls.append("rows") or real_rows(self),
    )
    tiles = widget.lanes_image.tiles
    assert tiles is not None
    for step in (lambda: widget.zoom(1.5), lambda: widget.resize(700, 300)):
        step()
        widget.grab()
        widget.lanes_image.coarse_ok = False
        widget.grab()
    seen, computed = widget.view_range(), tiles.computed
    widget.pan(0.2)
    widget.grab()
    widget.set_view_range(*seen)  # back to a view drawn before: every tile is cached
    widget.grab()
    assert calls == [] and widget.lanes_image.tiles is tiles
    assert tiles.computed == computed


def test_a_live_runs_lanes_are_split_once_each_as_the_engine_builds_them(monkeypatch):
    """Each frame reads only the lanes the engine built anew since the last: a lane handed
    again as the same object (settled, or in flight and unchanged) is not split again."""
    from app.timeline import live_spans as spans_module

    read: list[int] = []
    real = spans_module.lanes_spans
    monkeypatch.setattr(
        spans_module,
        "lanes_spans",
        lambda rows, lanes, *first: read.append(len(lanes)) or real(rows, lanes, *first),
    )
    full = _trace(6)
    running = [
        Lane(i, "v", "running", None, None, 0, 0, lane.segments[:2])
        for i, lane in enumerate(full.lanes)
    ]
    live = LiveRequestSpans()
    for done in [*range(7), 6]:  # one more request answered each frame; then none
        live.update(Trace(0, full.lanes[:done] + tuple(running[done:]), LOOP))
    # Six in flight; then each frame the one just answered; then nothing.
    assert read == [6] + [1] * 6
    spans, whole = live.spans, TimelineRows(full).spans

    def bars(of):
        return sorted(zip(of.row.tolist(), of.start.tolist(), of.end.tolist(), strict=True))

    assert bars(spans) == bars(whole)


@pytest.mark.parametrize("exact", [True, False])
def test_more_rows_than_pixel_rows_still_fill_the_lanes_height(qapp, exact):
    """1,000 rows in a few hundred pixel rows share them, and the last rows are drawn at the
    bottom of the lanes area, not halfway down (rows rounded to half a pixel each)."""
    rows = TimelineRows(_trace(700), by="requests")
    image = LanesImage()
    image.coarse_ok = False
    image.show(rows)
    drawn, geo = paint(rows, None if exact else image, height=560)
    assert geo.group > 1
    bottom = geo.lanes_top + geo.lanes_height
    assert geo.row_top(len(rows)) == pytest.approx(bottom, abs=1)
    x = round(geo.x_of(50 * MS))  # the middle of every lane's I/O wait
    assert looks_like(drawn.pixelColor(x, round(bottom) - 2), Kind.IO_WAIT)
    assert looks_like(drawn.pixelColor(x, round(geo.lanes_top) + 1), Kind.IO_WAIT)
    assert geo.row_at(bottom - 1) >= len(rows) - 2


def _failing(n: int, tail_ms: int = 0) -> Trace:
    """``n`` requests failing at the same moment with a long error, on rows too thin for a
    line of text; with ``tail_ms``, Django's clean-up goes on that long after the answers."""
    error = "ValueError: the view returned an unawaited coroutine instead of a response " * 2
    lanes = []
    for i in range(n):
        segs = [Segment(Kind.IO_WAIT, 0, 100 * MS, LOOP)]
        if tail_ms:
            segs.append(Segment(Kind.FRAMEWORK, 100 * MS, (100 + tail_ms) * MS, LOOP))
        lanes.append(Lane(i, "v", "error", 500, error, 0, 100 * MS, tuple(segs)))
    return Trace(0, tuple(lanes), LOOP)


@pytest.mark.parametrize("n, tail_ms", [(12, 0), (12, 5_000), (3, 5_000)])
def test_texts_over_the_lanes_are_never_written_over_each_other(qapp, n, tail_ms):
    """Errors on neighbouring thin rows, and the note on Django's clean-up, each placed
    clear of the others or left out (where the errors leave it room, the note is there);
    and never wider than the lanes. (The lanes end halfway: errors go in room no bar takes.)"""
    rows = TimelineRows(_failing(n, tail_ms), by="requests")
    image = QImage(640, 200, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    geo = paint_timeline(
        painter, QRectF(0, 0, 640, 200), rows, LIGHT, t_from_ns=0, t_to_ns=200 * MS
    )
    painter.end()
    assert geo.notes, "no error written at all"
    for i, a in enumerate(geo.notes):
        assert a.rect.left() >= geo.lanes_left - 0.5
        assert a.rect.right() <= geo.lanes_left + geo.lanes_width + 0.5
        for b in geo.notes[i + 1 :]:
            assert not a.rect.intersects(b.rect), (a.text, b.text)
    if n == 3:
        assert any("clean-up" in note.text for note in geo.notes)
