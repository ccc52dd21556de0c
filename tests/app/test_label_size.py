"""A row's name is written in nearly the text around it (0.85 of it) on a slide of thirty
threads, and a smaller font is taken only where it names more."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QFontInfo

from app.slides.layout import layout_slide
from app.timeline.geometry import layout
from app.timeline.labels import SMALLEST, labelled
from app.timeline.rows import TimelineRows
from tests.app.recorded_runs import load_runs, run_from_data


def test_lesson_9_s_slide_names_its_rows_in_text_a_class_reads(qapp):
    # Lesson 9's slide by thread (B: thirty threads) at 1280×720 named its rows in 10 px
    # under 13 px text (0.75 of it), and A's four rows in the same 9.5 px rows as B's.
    _, runs = load_runs(9)
    slide = layout_slide([run_from_data(d, 0) for d in runs], size=(1280, 720), by="workers")
    body = QFontInfo(slide.fonts.body).pixelSize()
    for block in slide.timelines:
        font, placed = labelled(block.geometry, block.rows, slide.fonts.body)
        assert QFontInfo(font).pixelSize() >= round(body * SMALLEST), (body, font.pixelSize())
        texts = [label.text for label in placed]
        assert {"event loop", "loop blocked", "awaiting on the loop"} <= set(texts), texts
        for i, a in enumerate(placed):
            for b in placed[i + 1 :]:
                inter = a.rect.intersected(b.rect)
                assert inter.width() <= 0.5 or inter.height() <= 0.5, (a.text, b.text)
    a_texts = [label.text for label in labelled(*_block(slide, 0))[1]]
    assert "waiting" in a_texts and "Django's own brief work" in a_texts, a_texts


def test_a_slide_of_thirty_threads_names_every_row_it_draws(qapp):
    """Lesson 9's B on a 1600×900 slide named "thread 2, thread 4, …", each label between
    two rows, and not its queue band: rows too thin to be named share one with their alike
    neighbours, as in presentation mode ("threads 3–5 alike"), and each row is named."""
    _, runs = load_runs(9)
    slide = layout_slide([run_from_data(d, 0) for d in runs], by="workers")
    geometry, rows, font = _block(slide, 1)
    texts = [label.text for label in labelled(geometry, rows, font)[1]]
    assert {"waiting", "event loop", "awaiting on the loop"} <= set(texts), texts
    assert len(rows) < 30 and set(rows.labels) <= set(texts), (rows.labels, texts)


def _block(slide, i: int):
    block = slide.timelines[i]
    return block.geometry, block.rows, slide.fonts.body


def test_a_smaller_font_is_taken_only_where_it_names_more(qapp):
    # Lesson 9's B by thread under a 16 px font. In rows of 9.5 px every other thread is
    # named in 16 px as in 12 (the old 0.75), and the bands beside the loop in neither: the
    # font stays. In rows of 13.7 px, 14 px names the queue band and the await band.
    _, runs = load_runs(9)
    rows = TimelineRows(run_from_data(runs[1], 0).trace, by="workers")
    font = QFont()
    font.setPixelSize(16)
    seen = {}
    for height in (360, 500, 800):
        geo = layout(QRectF(0, 0, 1200, height), rows, font, 0, 1)
        small, placed = labelled(geo, rows, font)
        seen[round(geo.row_px, 1)] = (small.pixelSize(), [label.text for label in placed])
    (thin, (px_thin, names_thin)), (mid, (px_mid, names_mid)), (tall, (px_tall, _)) = seen.items()
    assert thin < 10 and px_thin == 16 and "thread 2" in names_thin, seen
    assert 12 < mid < 16 and round(16 * SMALLEST) <= px_mid < 16, seen
    assert {"waiting", "awaiting on the loop"} <= set(names_mid), seen
    assert tall > 19 and px_tall == 16, seen
