"""In the window the label column is copied from a picture of it drawn once (a live run hands
the same labels on frame after frame): that picture shows exactly the words drawn one by one,
through new rows, a new theme, a smaller font and a new size."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QImage, QPainter, QPixmap

import app.timeline.label_column as label_column
from app.theme import DARK, LIGHT
from app.timeline.paint import paint_timeline
from app.timeline.rows import TimelineRows
from simulator.trace import Kind, Segment, Trace

from .answered_lanes import answered

MS = 1_000_000
LOOP = "asgi-loop"


def _rows(n: int) -> TimelineRows:
    lanes = tuple(
        answered(i, i * MS, (30 + i) * MS, Segment(Kind.IO_WAIT, i * MS, (30 + i) * MS, LOOP))
        for i in range(n)
    )
    return TimelineRows(Trace(0, lanes, LOOP, loop_blocked=((2 * MS, 5 * MS),)))


def _pixels(rows: TimelineRows, theme, font: QFont, size: tuple[int, int]) -> np.ndarray:
    picture = QPixmap(*size)  # a raster picture, as the window's
    painter = QPainter(picture)
    geo = paint_timeline(
        painter, QRectF(0, 0, *size), rows, theme, t_from_ns=0, t_to_ns=60 * MS, font=font
    )
    painter.end()
    assert geo.labels
    image = picture.toImage().convertToFormat(QImage.Format.Format_ARGB32)
    return np.frombuffer(image.constBits(), np.uint32).reshape(image.height(), -1).copy()


def test_the_label_column_from_its_picture_is_the_words_drawn_one_by_one(qapp, monkeypatch):
    small = QFont(qapp.font())
    small.setPointSizeF(max(6.0, small.pointSizeF() * 0.8))
    few, many = _rows(12), _rows(300)
    steps = [
        (few, LIGHT, qapp.font(), (700, 400)),
        (few, LIGHT, qapp.font(), (700, 400)),  # the same labels again: copied
        (few, DARK, qapp.font(), (700, 400)),  # the same labels, another theme
        (many, DARK, qapp.font(), (700, 400)),  # rows thinner than a line
        (few, DARK, small, (700, 400)),  # a smaller font
        (few, LIGHT, qapp.font(), (640, 300)),  # another size
        (few, LIGHT, qapp.font(), (700, 400)),
    ]
    label_column._COLUMNS.clear()
    copied = 0
    for k, (rows, theme, font, size) in enumerate(steps):
        before = len(label_column._COLUMNS)
        cached = _pixels(rows, theme, font, size)
        copied += len(label_column._COLUMNS) == before
        with monkeypatch.context() as words:
            words.setattr(label_column, "_column", lambda *_: None)
            drawn = _pixels(rows, theme, font, size)
        differ = np.argwhere(cached != drawn)
        assert not len(differ), (k, differ[:5].tolist())
    assert copied >= 2  # some frames were copied from a picture drawn before
