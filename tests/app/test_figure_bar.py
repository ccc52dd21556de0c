"""Lesson 18's answer (Django's own time per request) drawn beside the lanes: a bar per side
in the framework colour, as long as the measured figure, on the slide and in the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from app.session import Side
from app.session.state import Kept
from app.slides.layout import SlideLayout, layout_slide
from app.slides.paint import paint_slide
from app.theme import LIGHT
from app.timeline.figure_bar import figure_bars
from simulator.lessons import load_lesson
from simulator.metrics.figures import FIGURE
from tests.app.recorded_runs import load_runs, run_from_data


def _lesson(number: int):
    path, runs = load_runs(number)
    return load_lesson(path), [run_from_data(data, 0) for data in runs]


def test_a_figure_of_one_kind_of_the_lanes_is_a_bar_per_side_and_others_are_not():
    lesson, (a, b) = _lesson(18)
    bars = figure_bars([[a.summary], [b.summary]], lesson.figure)
    figure = FIGURE[lesson.figure]
    assert [bar.text for bar in bars] == [figure.text(a.summary), figure.text(b.summary)]
    assert {bar.kind for bar in bars} == {"framework"}
    ratio = figure.value(a.summary) / figure.value(b.summary)
    assert ratio < 0.9  # the answer: A's is lower
    assert bars[1].fraction == 1.0 and bars[0].fraction == pytest.approx(ratio)
    nine, (a9, b9) = _lesson(9)  # threads held: no colour stands for it, no bar
    assert figure_bars([[a9.summary], [b9.summary]], nine.figure) == ()
    assert figure_bars([[a.summary]], lesson.figure) == ()  # one side: nothing to compare
    # Measured three times a side: the median, and the range, as the verdict writes them.
    thrice = figure_bars([[a.summary] * 2 + [b.summary], [b.summary] * 3], lesson.figure)
    assert thrice[0].text.startswith(figure.text(a.summary) + " (")
    assert thrice[0].fraction == pytest.approx(ratio)
    # Each side leaves room for the wider value ("1.55 (1.55–2.33) ms"), so both fit whole.
    assert thrice[1].widest == thrice[0].text


def _framework_columns(image: QImage, rect: QRectF) -> int:
    """How many columns of ``rect`` hold a pixel of the framework colour (its fill)."""
    colour = LIGHT.color("framework").rgb()
    columns = set()
    for x in range(int(rect.left()), int(rect.right())):
        for y in range(int(rect.top()), int(rect.bottom())):
            if image.pixel(x, y) == colour:
                columns.add(x)
                break
    return len(columns)


def _bar_widths(slide: SlideLayout) -> list[int]:
    """The framework bar beside each timeline's heading on ``slide`` painted at 1600×900,
    measured in pixel columns."""
    image = QImage(1600, 900, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    paint_slide(painter, slide)
    painter.end()
    return [_framework_columns(image, block.heading_rect) for block in slide.timelines]


def test_lesson_18_s_slide_draws_each_side_s_framework_time_as_a_bar(qapp):
    # Its answer was in the verdict's words only: the framework bars on the lanes are 2-3 px
    # on a 730 ms axis. Each heading now carries a bar as long as the side's measured figure.
    lesson, runs = _lesson(18)
    slide = layout_slide(runs, size=(1600, 900), by="workers", figure=lesson.figure)
    widths = _bar_widths(slide)
    figure = FIGURE[lesson.figure]
    a, b = (figure.value(run.summary) for run in runs)
    assert widths[1] > 100, widths
    assert widths[0] / widths[1] == pytest.approx(a / b, abs=0.03), (widths, a / b)


def test_a_slide_of_sides_measured_several_times_writes_each_bar_s_median_and_range(qapp):
    # The slide drew each side's median run and gave its bar that run's figure alone, where
    # the window's bar and the verdict write "1.55 (1.55–2.33) ms": the slide, the same.
    lesson, (a, b) = _lesson(18)
    every = [[a, a, b], [b, b, b]]
    slide = layout_slide(
        [a, b], size=(1600, 900), by="workers", figure=lesson.figure, every_run=every
    )
    window_bars = figure_bars([[run.summary for run in side] for side in every], lesson.figure)
    drawn = [block.bar for block in slide.timelines]
    assert [bar.text for bar in drawn if bar] == [bar.text for bar in window_bars]
    assert "–" in drawn[0].text and "–" not in drawn[1].text  # A's three differ, B's do not
    # Each heading says which of its side's runs it draws (A's median is its first).
    assert slide.text.headings[0].endswith(" — run 1 of 3, the median"), slide.text.headings
    assert slide.text.headings[1].endswith(" — run 1 of 3, the median"), slide.text.headings
    widths = _bar_widths(slide)
    figure = FIGURE[lesson.figure]
    ratio = figure.value(a.summary) / figure.value(b.summary)  # the medians' ratio
    assert widths[0] / widths[1] == pytest.approx(ratio, abs=0.03), (widths, ratio)


@pytest.mark.slow
def test_the_window_shows_the_bars_beside_the_titles_of_a_lesson_s_two_finished_runs(window):
    lesson, (a, b) = _lesson(18)
    window.set_compare(True)
    window.session.set_criterion(lesson.criterion)
    window.session.restore(Kept({Side.A: a, Side.B: b}, {Side.A: [], Side.B: []}, Side.B, None))
    QApplication.processEvents()
    bars = window.stage.figure_bars
    texts = [FIGURE[lesson.figure].text(run.summary) for run in (a, b)]
    assert [bars[side].bar.text for side in Side] == texts
    assert all(bars[side].isVisible() for side in Side)
    # A lesson's B ends (run_finished) before the session stops running: the bars come then.
    session = window.session
    session._running = True
    session.events.run_finished.emit(Side.B, b)
    assert not any(bars[side].isVisible() for side in Side)
    session._running = False
    session.events.running.emit(False)
    assert all(bars[side].isVisible() for side in Side)
    # A scenario file without a lesson opened over them (its runs kept): the verdict judges
    # the makespan, and no bar is left of the lesson's figure; the lesson's figure again,
    # its bars again.
    window.session.set_criterion(None)
    assert not any(bars[side].isVisible() for side in Side)
    window.session.set_criterion(lesson.criterion)
    assert all(bars[side].isVisible() for side in Side)
    window.session.set_criterion(load_lesson(load_runs(9)[0]).criterion)  # another figure
    window.stage.show_run(Side.B, b)
    assert not any(bars[side].isVisible() for side in Side)


@pytest.mark.slow
def test_the_window_s_export_writes_the_bars_as_the_window_does(window, tmp_path):
    import xml.etree.ElementTree as ET

    # A close call's re-runs: the window's bars write each side's median and range; the
    # slide it exports (Ctrl+E) wrote the median alone.
    lesson, (a, b) = _lesson(18)
    _, (a2, _) = _lesson(18)
    _, (_, b2) = _lesson(18)  # A measured once as B's figure: three different values
    window.set_compare(True)
    window.session.set_criterion(lesson.criterion)
    samples = {Side.A: [a, a2, b2], Side.B: [b]}
    window.session.restore(Kept({Side.A: a, Side.B: b}, samples, Side.B, None))
    QApplication.processEvents()
    written = window.stage.figure_bars[Side.A].bar.text
    assert "–" in written
    window.export_to(tmp_path / "slide.svg", "svg")
    svg = ET.parse(tmp_path / "slide.svg").getroot()
    texts = [(node.text or "").strip() for node in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert written in texts  # the bar's own words (the verdict's line has them too)


@pytest.mark.slow
def test_a_side_s_title_is_never_written_under_its_figure_bar(window):
    # At 1024×768 beside the dials, lesson 18's "Framework / request" was written over
    # "· every 25 ms · Django's default middleware": the title's words end before the bar
    # now, elided, and the whole title is its tooltip.
    from PySide6.QtGui import QTextDocument

    lesson, (a, b) = _lesson(18)
    window.resize(1024, 768)
    window.set_compare(True)
    window.session.set_criterion(lesson.criterion)
    window.session.restore(Kept({Side.A: a, Side.B: b}, {Side.A: [], Side.B: []}, Side.B, None))
    for _ in range(3):
        QApplication.processEvents()
    for side in Side:
        title, bar = window.stage.side_titles[side], window.stage.figure_bars[side]
        assert bar.isVisible()
        written = QTextDocument()
        written.setDefaultFont(title.font())
        written.setHtml(title.text())
        assert written.idealWidth() <= bar.x(), (side, title.text(), bar.x())
        assert written.toPlainText().startswith(f"{side.upper()}: ")
        if side == Side.B:  # what B changed, at its title's end, is kept: cut in the middle
            assert written.toPlainText().endswith("middleware"), written.toPlainText()
    assert window.stage.side_titles[Side.B].toolTip() == f"B: {b.scenario.label}"
