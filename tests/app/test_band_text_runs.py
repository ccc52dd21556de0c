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

    written: list[tuple[str, float, float, float]] = []

    def drawText(self, *args):  # noqa: N802 (Qt's name)
        if len(args) == 3 and args[1] == Qt.AlignmentFlag.AlignCenter:
            rect, _, text = args
            self.written.append((text, rect.center().y(), rect.left(), rect.right()))
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
        rows: dict[float, list[tuple[float, float, str]]] = {}
        for text, y, x0, x1 in _Recording.written:
            rows.setdefault(round(y), []).append((x0, x1, text.split(" ", 1)[0]))
        assert rows, number
        for y, texts in rows.items():
            said = sorted(texts)
            # The same count again on the bar next to it (closer than a text's width).
            repeats = [
                (a, b)
                for a, b in zip(said, said[1:], strict=False)
                if a[2] == b[2] and b[0] - a[1] < 60
            ]
            assert not repeats, (number, y, said)


def test_the_same_count_far_apart_is_written_each_time():
    from app.timeline.marks import _widest_of_each_run

    # A second wave of 29 queued, 500 px after the first: counted again.
    waves = [(3, 0.0, 200.0, "queued", "29 queued"), (3, 700.0, 880.0, "queued", "29")]
    never = lambda row, x_from, x_to: False  # noqa: E731 (the band drawn all along)
    assert _widest_of_each_run(waves, 60, never) == waves
    # A run of 29s between slivers: the widest alone, however long the run.
    run = [(3, x, x + w, "queued", "29") for x, w in ((0, 30), (32, 90), (124, 20), (146, 20))]
    assert _widest_of_each_run(run, 60, never) == [run[1]]
    # Lesson 17's waves of "1 awaiting", 40 px apart with nothing drawn between: each
    # counted (written on the widest alone, the other four read as something else).
    waves = [(5, x, x + 160, "io_wait", "1 awaiting") for x in (0, 200, 400, 600, 800)]
    assert _widest_of_each_run(waves, 60, lambda row, x_from, x_to: True) == waves


def test_every_wave_of_lesson_17_s_awaiting_band_is_counted(qapp):
    runs = [run_from_data(data, 0) for data in load_runs(17)[1]]
    slide = layout_slide(runs, size=(1280, 720), by="workers")
    image = QImage(1280, 720, QImage.Format.Format_RGB32)
    _Recording.written = []
    painter = _Recording(image)
    paint_slide(painter, slide)
    painter.end()
    awaiting = [text for text, *_ in _Recording.written if text.endswith("awaiting")]
    assert len(awaiting) >= 5, _Recording.written
