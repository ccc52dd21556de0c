"""A handful of rows are as tall a share of the screen at 1080p as at 720p: on the same
projector, 1080p's rows were a third thinner (44.7 px of 1080 against 44 of 720)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont

from app.timeline.geometry import MAX_ROW_PX, layout
from app.timeline.rows import TimelineRows
from simulator.trace import Kind, Lane, Segment, Trace

MS = 1_000_000


def _rows(n: int) -> TimelineRows:
    lanes = tuple(
        Lane(i, "v", "ok", 200, None, 0, 100 * MS, (Segment(Kind.IO_WAIT, 0, 100 * MS, "t"),))
        for i in range(n)
    )
    return TimelineRows(Trace(0, lanes, None), by="requests")


def _share(screen_height: int, text_px: int, n: int = 3) -> float:
    font = QFont()
    font.setPixelSize(text_px)  # presentation's text: 16 px at 720p, 24 at 1080p, 48 at 4K
    rect = QRectF(0, 0, screen_height * 16 / 9, screen_height * 0.75)
    return layout(rect, _rows(n), font, 0, 100 * MS).row_px / screen_height


@pytest.mark.parametrize("height, text_px", [(1080, 24), (2160, 48)])
def test_a_few_rows_are_as_tall_on_screen_at_any_size(qapp, height, text_px):
    assert _share(height, text_px) == pytest.approx(_share(720, 16), rel=0.05)


def test_the_desk_keeps_its_rows(qapp):
    font = QFont()
    font.setPixelSize(13)
    assert layout(QRectF(0, 0, 1200, 800), _rows(3), font, 0, 100 * MS).row_px == MAX_ROW_PX
