"""A band's count is written once where it stays the same between slivers too thin to write
on: lesson 9's waiting band read "29 29 29 29 29 29 29 queued 29" (a teacher's walk)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter

from app.slides.layout import layout_slide
from app.slides.paint import paint_slide
from tests.app.recorded_runs import load_runs, run_from_data


class _Recording(QPainter):
    """A painter that keeps the bar texts it writes, in order, with where."""

    written: list[tuple[str, float, float]] = []

    def drawText(self, *args):  # noqa: N802 (Qt's name)
        if len(args) == 3 and args[1] == Qt.AlignmentFlag.AlignCenter:
            rect, _, text = args
            self.written.append((text, rect.center().y(), rect.left()))
        return super().drawText(*args)


def test_a_band_s_count_is_not_written_again_beside_the_same_count():
    for number, size in ((2, (1280, 720)), (9, (1920, 2400))):  # (9: rows tall enough)
        runs = [run_from_data(data, 0) for data in load_runs(number)[1]]
        slide = layout_slide(runs, size=size, by="workers")
        image = QImage(*size, QImage.Format.Format_RGB32)
        _Recording.written = []
        painter = _Recording(image)
        paint_slide(painter, slide)
        painter.end()
        rows: dict[float, list[tuple[float, str]]] = {}
        for text, y, x in _Recording.written:
            rows.setdefault(round(y), []).append((x, text.split(" ", 1)[0]))
        assert rows, number
        for y, texts in rows.items():
            said = [text for _, text in sorted(texts)]
            repeats = [a for a, b in zip(said, said[1:], strict=False) if a == b]
            assert not repeats, (number, y, said)
