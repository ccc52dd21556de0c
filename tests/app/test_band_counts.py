"""A band's count is written where its words do not fit: "7" where "7 queued" would not."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter

from app.theme import LIGHT
from app.timeline.marks import paint_bar_texts


class _Rows:
    """What the painter reads of a ``TimelineRows``: the words on its bars, and what is
    drawn under them (here, each text's own kind: nothing else)."""

    def __init__(self, texts: list[tuple[int, int, int, str, str]]) -> None:
        self.bar_texts = texts
        self.loop_row = None

    def row_kinds(self, row: int) -> tuple:
        none = np.zeros(0, np.int64)
        return none, none, none


def _inked_columns(text: str, band_px: int, font: QFont) -> int:
    """How many pixel columns of a band ``band_px`` wide the painter inked for ``text``."""
    image = QImage(200, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(font)
    rows = _Rows([(0, 0, band_px * 1_000_000, "queued", text)])
    paint_bar_texts(painter, rows, LIGHT, 0, 10**12, 0.0, 1e-6, 0.0, 30.0, 30.0)
    painter.end()
    return sum(any(image.pixelColor(x, y).lightness() < 128 for y in range(30)) for x in range(200))


def test_a_band_too_narrow_for_its_words_shows_its_count(qapp):
    font = QFont()
    font.setPixelSize(14)
    metrics = QFontMetricsF(font)
    whole, count = metrics.horizontalAdvance("7 queued"), metrics.horizontalAdvance("7")
    narrow = int(count + 10)  # room for "7", not for "7 queued"
    assert narrow < whole + 6
    inked = _inked_columns("7 queued", narrow, font)
    assert 0 < inked <= count + 2  # the count, alone
    # Where the words fit they are all written, and where not even the count does, nothing.
    assert _inked_columns("7 queued", int(whole + 12), font) > count + 2
    assert _inked_columns("7 queued", int(count + 2), font) == 0
