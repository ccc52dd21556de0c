"""The time axis's labels, as the class reads them: zoomed in or out, no two ticks read alike."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QImage, QPainter

from app.theme import LIGHT
from app.timeline.axis import paint_axis
from app.timeline.geometry import TimelineGeometry
from simulator.trace import Trace


class _Recording(QPainter):
    """A painter that keeps the words it writes."""

    def __init__(self, image: QImage) -> None:
        super().__init__(image)
        self.words: list[str] = []

    def drawText(self, *args: object) -> None:  # noqa: N802 (Qt's name)
        self.words.append(str(args[-1]))
        super().drawText(*args)  # type: ignore[call-overload]


def _labels(t0_ms: float, span_ms: float) -> list[str]:
    image = QImage(1600, 300, QImage.Format.Format_ARGB32)
    geo = TimelineGeometry(
        QRectF(0, 0, 1600, 300), 150, 0, 24, 24, 10, 40, 250, 10, 25, 1,
        int(t0_ms * 1e6), int((t0_ms + span_ms) * 1e6),
    )  # fmt: skip
    painter = _Recording(image)
    try:
        paint_axis(painter, geo, Trace(0, ()), LIGHT, QFont())
    finally:
        painter.end()
    return painter.words


def test_ticks_a_fraction_of_a_millisecond_apart_read_apart(qapp):
    # Request #11 of lesson 18 zoomed to 1 ms: "252 ms" was written under three ticks.
    labels = _labels(251.9, 1.0)
    assert len(labels) >= 4
    assert len(set(labels)) == len(labels), labels
    assert "252.2 ms" in labels


def test_no_two_ticks_read_alike_at_any_zoom(qapp):
    for span_ms in (0.01, 0.3, 1, 7, 45, 300, 2_000, 13_000, 90_000):
        for t0_ms in (0.0, 3.7, 251.9, 12_345.6):
            labels = _labels(t0_ms, span_ms)
            assert len(set(labels)) == len(labels), (t0_ms, span_ms, labels)


def test_round_ticks_stay_short(qapp):
    assert _labels(0.0, 1_000.0)[:3] == ["0", "100 ms", "200 ms"]
    assert "1 s" in _labels(0.0, 2_000.0)
