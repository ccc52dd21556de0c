"""The request numbers written on a worker's bars read on every kind's colour at a desk's
11 px: their strokes sit on the bar's plain colour (no pattern lines between them), in black
or white, whichever stands 4.5:1 against it. White "#1" on cross-hatched red was faint."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from app.theme import LIGHT, contrast_ratio
from app.timeline.geometry import TimelineGeometry
from app.timeline.image_paint import LanesImage
from app.timeline.overlay import bar_sizes
from app.timeline.paint import paint_timeline
from app.timeline.rows import TimelineRows
from simulator.trace import Kind, Lane, Segment, Trace

from .kind_pixels import rgb_array

MS = 1_000_000
WORKER = "wsgi-worker-1"
#: What a worker's bar may be under its number.
ON_WORKERS = (
    Kind.IO_BLOCKING,
    Kind.CPU,
    Kind.GIL_WAIT,
    Kind.CORE_WAIT,
    Kind.SQL,
    Kind.FRAMEWORK,
    Kind.VIEW,
    Kind.THREAD_HOP,
)


def _trace(kind: Kind) -> Trace:
    """One request on one worker: a moment of Django, then ``kind`` for 100 ms."""
    segs = (
        Segment(Kind.FRAMEWORK, 0, MS // 2, WORKER),
        Segment(kind, MS // 2, 100 * MS, WORKER),
    )
    return Trace(0, (Lane(0, "v", "ok", 200, None, 0, 100 * MS, segs),), None)


def _font() -> QFont:
    font = QFont()
    font.setPixelSize(11)  # the desk's size at 1280×720 and 1920×1080
    return font


def _paint(trace: Trace) -> tuple[QImage, TimelineGeometry, int]:
    """``trace`` by worker, painted as the window paints it, 900×200: the picture, its
    geometry and worker 1's row."""
    rows = TimelineRows(trace, by="worker")
    lanes = LanesImage()
    lanes.coarse_ok = False
    lanes.show(rows)
    image = QImage(900, 200, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    geo = paint_timeline(
        painter,
        QRectF(0, 0, 900, 200),
        rows,
        LIGHT,
        t_from_ns=0,
        t_to_ns=110 * MS,
        font=_font(),
        lanes=lambda p, g, r: lanes.paint(p, g, LIGHT, None, True, r),
    )
    painter.end()
    return image, geo, rows.labels.index("worker 1")


@pytest.mark.parametrize("kind", ON_WORKERS)
def test_a_request_number_reads_on_its_bar_whatever_the_kind(qapp, kind):
    image, geo, row = _paint(_trace(kind))
    _, height, _ = bar_sizes(geo.row_px, geo.group)
    assert height >= 8  # tall enough to write in (and to draw patterns on)
    # Where the painter writes "#1": centred on the bar. Its glyphs alone, painted apart.
    y = geo.row_top(row) + (geo.row_px - height) / 2
    box = QRectF(geo.x_of(0), y, geo.x_of(100 * MS) - geo.x_of(0), height)
    glyphs = QImage(image.size(), QImage.Format.Format_ARGB32)
    glyphs.fill(QColor("black"))
    painter = QPainter(glyphs)
    painter.setFont(_font())
    painter.setPen(QColor("white"))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, "#1")
    painter.end()
    ink = rgb_array(glyphs)[:, :, 0]
    inked = np.argwhere(ink > 0)
    assert len(inked), "no number written"
    (top, left), (bottom, right) = inked.min(axis=0), inked.max(axis=0)
    near = np.zeros_like(ink, bool)  # a glyph's pixels and those next to them
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            near |= np.roll(np.roll(ink > 0, dy, 0), dx, 1)
    pixels = rgb_array(image)
    fill = np.array(LIGHT.color(kind).getRgb()[:3])
    area = (slice(top - 2, bottom + 3), slice(left - 2, right + 3))  # the strokes, and around
    between = ~near[area]
    plain = (np.abs(pixels[area] - fill) <= 12).all(axis=2)
    assert plain[between].mean() > 0.97, f"{kind}: pattern lines among the strokes"
    strokes = pixels[area][ink[area] == 255]
    assert len(strokes)
    colour = "#{:02X}{:02X}{:02X}".format(*np.median(strokes, axis=0).astype(int))
    assert contrast_ratio(colour, LIGHT.kinds[kind]) >= 4.5, (kind, colour)


def _painted(segs: tuple[Segment, ...], at_ms: float = 50) -> np.ndarray:
    """One request's bar on a worker, painted as the window paints it: the pixels of the
    bar's middle rows, 5 px either side of ``at_ms`` (50: under the plate centred on it)."""
    image, geo, row = _paint(Trace(0, (Lane(0, "v", "ok", 200, None, 0, 100 * MS, segs),), None))
    middle = round(geo.row_top(row) + geo.row_px / 2)
    x = round(geo.x_of(round(at_ms * MS)))
    return rgb_array(image)[middle - 2 : middle + 3, x - 5 : x + 6]


def _has(pixels: np.ndarray, kind: Kind) -> bool:
    fill = np.array(LIGHT.color(kind).getRgb()[:3])
    return bool((np.abs(pixels - fill) <= 12).all(axis=2).any())


def _inked(pixels: np.ndarray) -> bool:
    """Whether a text's strokes are there: pure black or white among the pixels."""
    return bool(((pixels <= 10).all(axis=2) | (pixels >= 245).all(axis=2)).any())


def test_a_number_hides_no_mix_on_a_bar_its_plate_would_mostly_cover(qapp):
    # Lesson 18: "#18" on a plate of one kind hid the whole of a 36 px bar a third of which
    # was stripes of two other kinds (teacher44). A 32 px bar: computing 0.5 ms, waiting
    # for the GIL 0.25 ms.
    segs, at = [], 48 * MS
    while at < 52 * MS:
        segs.append(Segment(Kind.CPU, at, at + MS // 2, WORKER))
        segs.append(Segment(Kind.GIL_WAIT, at + MS // 2, at + 3 * MS // 4, WORKER))
        at += 3 * MS // 4
    pixels = _painted(tuple(segs))
    assert _has(pixels, Kind.CPU) and _has(pixels, Kind.GIL_WAIT) and not _inked(pixels)


def test_a_long_striped_bar_keeps_its_number_and_its_stripes(qapp):
    # Lesson 23's B, threads taking turns at the GIL all along their bars, kept 2 numbers
    # of 10 when no plate could hide a mix (review45): a plate that takes half the bar at
    # most goes at its middle, and the stripes show on the rest of it.
    segs = _striped(0, 100)
    assert _inked(_painted(segs))
    assert _has(_painted(segs, 25), Kind.GIL_WAIT) and _has(_painted(segs, 75), Kind.GIL_WAIT)


def _striped(start_ms: int, end_ms: int) -> tuple[Segment, ...]:
    """A bar of 100 ms computing, with stripes of waiting for the GIL from ``start_ms`` to
    ``end_ms``: computing 1 ms, waiting 0.5 ms."""
    segs, at = [Segment(Kind.CPU, 0, start_ms * MS, WORKER)], start_ms * MS
    while at < end_ms * MS:
        segs.append(Segment(Kind.CPU, at, at + MS, WORKER))
        segs.append(Segment(Kind.GIL_WAIT, at + MS, at + 3 * MS // 2, WORKER))
        at += 3 * MS // 2
    return (*segs, Segment(Kind.CPU, at, 100 * MS, WORKER))


def test_a_number_goes_where_its_bar_is_plain_rather_than_hide_a_mix(qapp):
    # On a busy machine lesson 23's A waited for a core in the first half of some bars.
    segs = _striped(10, 60)
    assert _has(_painted(segs), Kind.GIL_WAIT)  # the stripes at the middle, not hidden
    written = [_inked(_painted(segs, ms)) for ms in range(62, 100, 2)]
    assert any(written)  # its number, on the plain part


def test_a_sliver_of_django_under_a_number_leaves_it_written(qapp):
    segs = (
        Segment(Kind.CPU, 0, 50 * MS, WORKER),
        Segment(Kind.FRAMEWORK, 50 * MS, 50 * MS + MS // 10, WORKER),
        Segment(Kind.CPU, 50 * MS + MS // 10, 100 * MS, WORKER),
    )
    pixels = _painted(segs)
    assert _inked(pixels) and _has(pixels, Kind.CPU)
