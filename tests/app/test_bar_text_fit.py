"""A bar's text is written inside its bar: slide 19's "16 queued" in 16 px rows lost its
descenders under the next row's bars."""

from __future__ import annotations

from PySide6.QtGui import QImage, QPainter

from app.slides.layout import layout_slide
from app.slides.paint import paint_slide
from tests.app.recorded_runs import load_runs, run_from_data


def test_a_bar_s_text_is_written_inside_its_bar_on_a_slide_of_thin_rows(qapp):
    """Slide 19's "16 queued" in 16 px rows lost its descenders under the next row's bars:
    a text taller than its bar is written a little smaller, inside it."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFontMetricsF

    class Recording(QPainter):
        written: list[tuple[str, float, float]] = []

        def drawText(self, *args):  # noqa: N802 (Qt's name)
            if len(args) == 3 and args[1] == Qt.AlignmentFlag.AlignCenter:
                rect, _, text = args
                self.written.append((text, QFontMetricsF(self.font()).height(), rect.height()))
            return super().drawText(*args)

    runs = [run_from_data(data, 0) for data in load_runs(19)[1]]
    slide = layout_slide(runs, size=(1600, 900), by="workers")
    image = QImage(1600, 900, QImage.Format.Format_RGB32)
    painter = Recording(image)
    paint_slide(painter, slide)
    painter.end()
    queued = [w for w in Recording.written if w[0].endswith("queued")]
    assert queued, Recording.written
    assert all(text_h <= bar_h + 0.5 for _, text_h, bar_h in Recording.written), queued
