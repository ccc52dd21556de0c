"""The window writes the bars' pixels into its picture with numpy, not through an image
handed to Qt: the same pixels Qt's own drawing gives, blended and clipped as Qt does."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from app.theme import DARK, LIGHT
from app.timeline import image_paint
from app.timeline.image_paint import LanesImage, blend_over
from app.timeline.paint import paint_timeline
from app.timeline.rows import TimelineRows

from .test_lanes_image import _trace

MS = 1_000_000
_FORMAT = QImage.Format.Format_ARGB32_Premultiplied


def _array(image: QImage) -> np.ndarray:
    lines = image.bytesPerLine() // 4
    return np.frombuffer(image.bits(), np.uint32).reshape(-1, lines)[:, : image.width()]


def test_blending_with_numpy_gives_what_qt_draws(qapp):
    """Every colour of the bars' table (faint tails among them) and random premultiplied
    colours, over the grid, the background and random pixels."""
    rng = np.random.default_rng(7)
    table = LanesImage()._colours_of(LIGHT)
    alpha = rng.integers(0, 256, 2000, dtype=np.uint32)
    rgb = (rng.integers(0, 2**24, 2000, dtype=np.uint32) & 0xFFFFFF).astype(np.uint64)
    scaled = [((rgb >> s & 0xFF) * alpha // 255) << s for s in (0, 8, 16)]
    randoms = (alpha.astype(np.uint64) << 24) | scaled[0] | scaled[1] | scaled[2]
    src = np.concatenate([table, randoms.astype(np.uint32)]).reshape(8, -1)
    under = [QColor(LIGHT.background).rgba(), QColor(LIGHT.grid).rgba(), 0xFF123456]
    dst = rng.choice(np.array(under, np.uint32), size=src.shape)
    dst[:, ::3] = rng.integers(0, 2**32, dst[:, ::3].shape, dtype=np.uint32) | 0xFF000000
    drawn = QImage(src.shape[1], src.shape[0], _FORMAT)
    _array(drawn)[...] = dst
    image = QImage(np.ascontiguousarray(src).data, src.shape[1], src.shape[0], _FORMAT)
    painter = QPainter(drawn)
    painter.drawImage(QPointF(0, 0), image)
    painter.end()
    mine = dst.copy()
    blend_over(mine, src)
    assert np.array_equal(mine, _array(drawn))


@pytest.mark.parametrize(
    ("width", "height", "point", "opaque"),
    [(900, 360, 9.5, True), (613, 97, 11.25, False)],  # (the window's picture is opaque)
)
def test_bars_written_into_the_picture_are_the_pixels_qt_draws_for_them(
    qapp, monkeypatch, width, height, point, opaque
):
    """The lanes' edges at fractional places (the label column's width follows the font):
    the pixels written are clipped to the lanes as Qt clips; faint tails over the grid."""
    monkeypatch.setattr(image_paint, "_QT_BLENDS", 10**9)  # every pixel written, none drawn
    rows = TimelineRows(_trace(7), by="requests")
    font = QFont()
    font.setPointSizeF(point)
    pictures = []
    for write in (False, True):
        for theme in (LIGHT, DARK):
            image = LanesImage()
            image.coarse_ok = False
            image.show(rows)
            picture = QImage(width, height, QImage.Format.Format_RGB32 if opaque else _FORMAT)
            picture.fill(0)
            pixels = _array(picture) if write else None
            painter = QPainter(picture)
            paint_timeline(
                painter,
                QRectF(0, 0, width, height),
                rows,
                theme,
                t_from_ns=-3 * MS,
                t_to_ns=131 * MS,
                font=font,
                lanes=lambda p, g, r, image=image, pixels=pixels, theme=theme: image.paint(
                    p, g, theme, None, True, r, pixels
                ),
            )
            painter.end()
            pictures.append(_array(picture).copy())
    for drawn, written in zip(pictures[:2], pictures[2:], strict=True):
        assert len(np.unique(written)) > 8
        assert np.array_equal(drawn, written), np.argwhere(drawn != written)[:5].tolist()
