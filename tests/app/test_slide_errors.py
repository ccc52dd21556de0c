"""A lesson whose answer is an error writes it on its slide: lesson 12's slide wrote none of
its errors (its lanes filled their rect, no line was left under them) and lesson 11's cut
"SynchronousOnlyOperation" away to fit beside its lanes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PySide6.QtGui import QImage, QPainter

from app.slides.export import export_picture
from app.slides.layout import layout_slide
from app.slides.paint import paint_slide
from app.theme import LIGHT
from simulator.lessons import load_lesson
from tests.app.recorded_runs import load_runs, run_from_data


def _run(number: int):
    return [run_from_data(data, 0) for data in load_runs(number)[1]]


def _slide_12(size: tuple[int, int]):
    """Lesson 12's slide by request at ``size``, and its picture."""
    slide = layout_slide(
        _run(12), size=size, by="request", subtitle=load_lesson(load_runs(12)[0]).answer
    )
    image = QImage(*size, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    paint_slide(painter, slide)
    painter.end()
    return slide, image


@pytest.mark.parametrize("size", [(1600, 900), (1280, 720)])
def test_the_errors_of_lesson_12_s_slide_are_written_under_its_lanes(qapp, size):
    slide, image = _slide_12(size)
    block = slide.timelines[0]
    geo = block.geometry
    # The plate's border, in the error colour, across the lanes under the last one.
    error = LIGHT.color("error").rgb()
    left, right = int(geo.lanes_left) + 2, int(geo.lanes_left + geo.lanes_width * 0.6)
    below = range(int(geo.row_top(len(block.rows))) + 1, int(block.rect.bottom()))
    assert any(all(image.pixel(x, y) == error for x in range(left, right)) for y in below)


@pytest.mark.parametrize("number, words", [(11, "SynchronousOnlyOperation"), (12, "unawaited")])
@pytest.mark.parametrize("size", [(1600, 900), (1280, 720)])
def test_a_lesson_s_slide_names_the_error_its_answer_is_about(qapp, tmp_path, number, words, size):
    lesson = load_lesson(load_runs(number)[0])
    export_picture(
        tmp_path / "slide.svg",
        _run(number),
        size=size,
        by=lesson.file.by or "request",
        title=f"Lesson {number}: {lesson.title}",
        subtitle=f"{lesson.question} Answer: {lesson.answer}",  # as `lesson N` writes it
        figure=lesson.figure,
    )
    svg = ET.parse(tmp_path / "slide.svg").getroot()
    texts = [node.text or "" for node in svg.iter("{http://www.w3.org/2000/svg}text")]
    failed = [text for text in texts if " failed: " in text]
    assert failed and all(words in text for text in failed), failed


@pytest.mark.parametrize("size", [(1600, 900), (1280, 720)])
def test_lesson_12_s_slide_writes_django_s_whole_message_where_it_has_the_room(
    qapp, monkeypatch, size
):
    """Given one line, lesson 12's slide cut its error in the middle, "The view … an
    HttpResponse object.", dropping the "didn't return" its answer echoes, over half a slide
    of empty room; the window took two lines there already."""
    from app.timeline import marks

    written = []
    place = marks.place_errors

    def spy(*args):
        notes = place(*args)
        written.extend(note.text for note in notes)
        return notes

    monkeypatch.setattr(marks, "place_errors", spy)
    _slide_12(size)
    assert written and all("\n" in text and "…" not in text for text in written), written
    assert "didn't return an HttpResponse object" in written[0]
    assert written[0].endswith("You may need to add an 'await' into your view."), written
