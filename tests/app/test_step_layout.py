"""Presentation mode laid out for each step of a lesson (issue 24): the question large with no
empty axis, the question kept while the lanes grow, the reveal in one line with the lanes
keeping the height (B or "." opens the whole text; Page Down still moves on), the code under
the lanes with its widest line whole. The state is the session's, tested without Qt; the
window's pictures are read by what they show."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from app.lesson_reveal import panel_text
from app.session import Session, Side
from app.session.classroom import Classroom
from app.session.quiz import Quiz, QuizStep
from app.session.view import View, step_layout
from simulator.lessons import load_lesson
from simulator.scenario import Scenario

from .fake_runs import FakeRun

LESSONS = Path(__file__).resolve().parents[2] / "assets" / "lessons"


def _view(*, presentation: bool, expanded: bool = False, code: bool = False) -> View:
    view = View()
    view.set_presentation(presentation)
    view.set_reveal_expanded(expanded)
    view.set_code_shown(code)
    return view


def test_each_step_has_its_layout_on_a_projector_and_at_the_desk():
    on, desk = _view(presentation=True), _view(presentation=False)
    question = step_layout(QuizStep.QUESTION, on, has_lanes=False)
    assert (question.question, question.choices, question.lanes) == ("large", True, False)
    # Back on a question whose runs are kept (Page Up): they show under it.
    assert step_layout(QuizStep.QUESTION, on, has_lanes=True).lanes
    # At the desk the question keeps the body size and the empty axis says "Press Run".
    desk_question = step_layout(QuizStep.QUESTION, desk, has_lanes=False)
    assert (desk_question.question, desk_question.choices, desk_question.lanes) == (
        "normal",
        True,
        True,
    )
    for step in (QuizStep.RUNNING, QuizStep.MEASURED):
        running = step_layout(step, on, has_lanes=True)
        assert (running.question, running.choices, running.lanes) == ("line", False, True)
        assert running.reveal == "none" and not running.dials_line
        assert step_layout(step, desk, has_lanes=True).dials_line
    reveal = step_layout(QuizStep.REVEAL, on, has_lanes=True)
    assert (reveal.question, reveal.reveal, reveal.lanes) == ("hidden", "strip", True)
    # B opens the whole text: beside the lanes on a projector (they keep the reveal's
    # height, and its rows), above them at the desk.
    opened = step_layout(QuizStep.REVEAL, _view(presentation=True, expanded=True), has_lanes=True)
    assert (opened.question, opened.reveal, opened.dials_line) == ("hidden", "beside", False)
    at_desk = step_layout(QuizStep.REVEAL, _view(presentation=False, expanded=True), has_lanes=True)
    assert (at_desk.question, at_desk.reveal) == ("normal", "full")
    # The code goes under the lanes on a projector only; the desk has its tab.
    assert step_layout(QuizStep.REVEAL, _view(presentation=True, code=True), has_lanes=True).code
    assert not step_layout(
        QuizStep.REVEAL, _view(presentation=False, code=True), has_lanes=True
    ).code
    assert step_layout(None, on, has_lanes=False) == step_layout(None, on, has_lanes=False)
    assert step_layout(None, on, has_lanes=False).lanes  # no lesson: the lanes, as ever


def test_the_view_says_each_new_state_once():
    view = View()
    seen: list[tuple[str, bool]] = []
    view.events.reveal_expanded.connect(lambda v: seen.append(("reveal", v)))
    view.events.code_shown.connect(lambda v: seen.append(("code", v)))
    view.set_reveal_expanded(True)
    view.set_reveal_expanded(True)
    view.set_code_shown(True)
    view.set_code_shown(False)
    assert seen == [("reveal", True), ("code", True), ("code", False)]


def test_b_opens_the_reveal_only_at_a_reveal_and_page_down_still_moves_on(tmp_path):
    for name in ("03-async-views.toml", "04-blocking-the-loop.toml"):
        shutil.copy(LESSONS / name, tmp_path)
    ran: list[Scenario] = []
    session = Session(runner=lambda scenario: FakeRun(scenario, ran, 0.005), frame_ms=2)
    classroom = Classroom(session, tmp_path)
    view = session.view

    async def lesson() -> None:
        classroom.open(tmp_path / "03-async-views.toml")
        classroom.toggle_reveal()  # B on the question: nothing to open
        assert not view.reveal_expanded
        classroom.forward()
        await session.wait()
        classroom.toggle_reveal()  # measured, the answer still hidden: B shows nothing
        assert not view.reveal_expanded
        classroom.forward()  # reveal
        classroom.toggle_reveal()
        assert view.reveal_expanded and classroom.quiz.step is QuizStep.REVEAL
        classroom.back()  # Page Up hides the answer: the next reveal opens on its one line
        assert not view.reveal_expanded
        classroom.forward()
        assert classroom.quiz.step is QuizStep.REVEAL and not view.reveal_expanded
        classroom.toggle_reveal()
        classroom.forward()  # Page Down with the whole text out: the next lesson, as it says
        assert classroom.path.name.startswith("04-") and not view.reveal_expanded

    asyncio.run(lesson())
    assert len(ran) == 1


def test_the_status_bar_says_what_page_down_and_b_do_at_a_reveal():
    lesson = load_lesson(LESSONS / "04-blocking-the-loop.toml")
    quiz = Quiz(lesson, step=QuizStep.REVEAL)
    folded = panel_text(quiz, {}).status
    assert folded.startswith("Page Down: next lesson") and "B: why" in folded
    opened = panel_text(quiz, {}, expanded=True).status
    assert opened.startswith("Page Down: next lesson") and "B: just the answer" in opened


def test_the_reveal_strip_is_one_line_with_the_answer_and_how_the_guess_fared():
    from simulator.metrics.summary import summarize
    from simulator.prediction.model import predict
    from simulator.trace import Run

    lesson = load_lesson(LESSONS / "04-blocking-the-loop.toml")
    trace = predict(lesson.file.a)
    run = Run(lesson.file.a, trace, summarize(trace))
    quiz = Quiz(lesson).nudged(+1)
    quiz = Quiz(lesson, step=QuizStep.REVEAL, number=quiz.number)
    text = panel_text(quiz, {"A": [run]})
    assert text.strip.startswith(f"Answer: {lesson.answer}")
    assert "the class said 0 ms: not right" in text.strip
    assert "\n" not in text.strip and "<" not in text.strip  # plain, one line
    assert panel_text(Quiz(lesson, step=QuizStep.MEASURED), {"A": [run]}).strip == ""


# -- the window, offscreen --------------------------------------------------------------------


@pytest.fixture
def presenting(qtbot, settings, monkeypatch):
    """A window on fake runs in presentation mode at 1280×720, with the text of a screen that
    size (the offscreen screen is 800×800); left again at the end, so the application's
    font is the desk's for the tests after this one."""
    from PySide6.QtGui import QFont

    from app.qt_application import current_application
    from app.window import presentation
    from app.window.main_window import QtMainWindow

    size = (1280, 720)
    font = QFont(current_application().font())
    real = presentation.presentation_text_px
    monkeypatch.setattr(presentation, "presentation_text_px", lambda _height: real(size[1]))
    ran: list[Scenario] = []
    session = Session(runner=lambda scenario: FakeRun(scenario, ran, 0.01))
    window = QtMainWindow(settings=settings, session=session)
    qtbot.addWidget(window)
    window.show()
    window.presentation_action.trigger()
    window.showNormal()  # no window manager offscreen: the size is the test's
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().width() == size[0])
    yield window
    if window.session.view.presentation:
        window.presentation_action.trigger()
    current_application().setFont(font)


def _body_px(window) -> int:
    from PySide6.QtGui import QFontInfo

    from app.qt_application import current_application

    return QFontInfo(current_application().font()).pixelSize()


def _px(widget) -> int:
    from PySide6.QtGui import QFontInfo

    return QFontInfo(widget.font()).pixelSize()


def _settle(qtbot, qloop, window) -> None:
    qloop.run_until_complete(asyncio.sleep(0.05))
    qtbot.wait(20)


@pytest.mark.slow
def test_a_lesson_in_presentation_mode_question_run_reveal_and_code(qtbot, qloop, presenting):
    window = presenting
    panel, height = window.quiz.panel, window.height()
    body = _body_px(window)
    window.open_scenario_file(LESSONS / "12-missing-await.toml")
    _settle(qtbot, qloop, window)
    # The question: twice the body text, its choices large, no empty axis under it.
    assert panel.question.isVisible() and _px(panel.question) >= 2 * body >= 32
    assert panel.choices.isVisible() and _px(panel.choices) >= 1.5 * body
    assert not window.timeline.isVisible() and not window.legend.isVisible()
    assert not window.figure_strip.isVisible() and not window.replay.isVisible()

    window.quiz.next_action.trigger()  # Page Down: run
    assert window.timeline.isVisible() and not panel.isVisible()
    # The question stays, as the header's line in the title's place.
    assert window.header.text() == "What does the visitor get?"
    assert body < _px(window.header) < 2 * body
    qloop.run_until_complete(window.wait_idle())
    _settle(qtbot, qloop, window)

    window.quiz.next_action.trigger()  # Page Down: reveal
    _settle(qtbot, qloop, window)
    assert panel.strip.isVisible() and not panel.reveal.isVisible()
    assert panel.strip.height() < 2.2 * _px(panel.strip)  # one line
    assert "Answer: An error" in panel.strip.text()
    assert window.timeline.height() >= 0.7 * height, (window.timeline.height(), height)
    status = window.statusBar().currentMessage()
    assert status.startswith("Page Down: next lesson") and "B: why" in status

    lanes = window.timeline.geometry()
    window.quiz.expand_action.trigger()  # B: the whole reveal, beside the lanes
    _settle(qtbot, qloop, window)
    aside = panel.aside
    assert aside.isVisible() and "<b>Why:</b>" in aside.label.text()
    assert aside.label.text().startswith("<b>What does the visitor get?</b>")
    # Larger than the body text where the column has room (read from the back, teacher47).
    assert _px(aside.label) > body and aside.fits()
    assert not panel.reveal.isVisible() and panel.strip.isVisible()
    assert aside.x() > window.timeline.x() + window.timeline.width()  # at the lanes' right
    # The lanes keep the reveal's height (and so its rows), giving up width.
    assert window.timeline.height() == lanes.height() and window.timeline.y() == lanes.y()
    assert window.timeline.width() < 0.7 * lanes.width()
    assert "B: just the answer" in window.statusBar().currentMessage()
    window.quiz.expand_action.trigger()
    assert not aside.isVisible() and panel.strip.isVisible()
    _settle(qtbot, qloop, window)
    assert window.timeline.geometry() == lanes

    window.code_action.trigger()  # C: the code under the lanes, every line whole
    _settle(qtbot, qloop, window)
    code = window.code
    assert code.isVisible() and code.window() is window and not window.docks[1].isVisible()
    assert code.y() > window.timeline.y()  # under the lanes
    assert code.widest_line_shown()
    assert code.browser.horizontalScrollBar().maximum() == 0
    assert code.browser.verticalScrollBar().maximum() == 0  # every line, no scrolling
    assert _px(code.browser) >= 0.7 * body
    assert "return render_front_page(dials)" in code.browser.toPlainText()
    window.code_action.trigger()
    assert window.side_tabs.indexOf(code) >= 0  # back in its tab

    window.presentation_action.trigger()  # leaving: the desk as it was
    assert window.docks[1].isVisible() and window.side_tabs.count() == 2


@pytest.mark.slow
def test_a_numeric_question_leaves_the_lanes_most_of_the_height_once_run(qtbot, qloop, presenting):
    window = presenting
    window.open_scenario_file(LESSONS / "04-blocking-the-loop.toml")
    window.quiz.more_action.trigger()  # the class's guess
    window.quiz.next_action.trigger()
    qloop.run_until_complete(window.wait_idle())
    _settle(qtbot, qloop, window)
    assert window.timeline.height() >= 0.7 * window.height()  # the question kept as a line
    assert window.header.text() == load_lesson(LESSONS / "04-blocking-the-loop.toml").question
    assert "class guess: 0 ms" in window.statusBar().currentMessage()
    window.quiz.next_action.trigger()
    _settle(qtbot, qloop, window)
    strip = window.quiz.panel.strip.full_text()
    assert "the class said 0 ms: not right" in strip
    assert strip.startswith("Measured: makespan")  # the lead says what was measured
    assert window.timeline.height() >= 0.7 * window.height()
    assert window.header.text().count("\n") == 0  # the title alone: the lanes take the line
    assert window.session.runs[Side.A] is not None


@pytest.mark.parametrize("width, body_px", [(1264, 16), (1904, 24)], ids=["720p", "1080p"])
def test_every_views_code_fits_its_widest_line_under_the_lanes(qtbot, width, body_px):
    from app.widgets.code_panel import FIT_RANGE, QtCode
    from simulator.catalog import lesson_views

    code = QtCode()
    qtbot.addWidget(code)
    code.resize(width, 300)
    code.show()
    code.set_fit(body_px, max_height=round(width * 9 / 16 * 0.4))
    smallest = body_px
    for name in lesson_views():
        code.set_view(name)
        code.set_fit(body_px, max_height=round(width * 9 / 16 * 0.4))
        qtbot.wait(1)
        assert code.widest_line_shown(), name
        assert code.browser.horizontalScrollBar().maximum() == 0, name
        assert code.browser.verticalScrollBar().maximum() == 0, name  # every line
        smallest = min(smallest, code.browser.font().pixelSize())
    # Large enough for the back row even for the widest view (98 characters).
    assert smallest >= round(body_px * FIT_RANGE[0])


@pytest.mark.slow
def test_the_whole_reveal_and_two_sides_lanes_fit_a_720p_screen(
    qtbot, qloop, presenting, monkeypatch
):
    """Lesson 23 at 1280×720, full screen: the details ended at "Claims on this run: 1 of 2
    held", the line after it, what was measured of the cores, cut off: the least the lanes of
    both sides took (120 px each) and the whole text came to more than the screen. Beside
    the lanes, the whole text shows without scrolling, and the lanes keep their least."""
    from simulator.lessons.runner import LessonRun

    waited = (
        "Measured in the run: its threads waited for a CPU core 57% of the time they had work"
        " (another program held the cores)"
    )
    monkeypatch.setattr(LessonRun, "cores_line", property(lambda self: waited))
    window = presenting
    panel = window.quiz.panel
    window.open_scenario_file(LESSONS / "23-processes-vs-threads-for-cpu.toml")
    window.quiz.next_action.trigger()  # run
    qloop.run_until_complete(window.wait_idle())
    _settle(qtbot, qloop, window)
    window.quiz.next_action.trigger()  # reveal
    window.quiz.expand_action.trigger()  # B: the whole reveal, beside the lanes
    _settle(qtbot, qloop, window)
    aside = panel.aside
    assert aside.isVisible() and aside.label.text().endswith(waited)
    assert aside.fits()  # the whole text, no scrolling
    assert aside.verticalScrollBar().maximum() == 0
    assert aside.geometry().bottom() < 720
    # Beside it, the header, the verdict and both sides' lanes; under both, the key.
    column, under = window._column, window._bottom
    least = column.spacing() * (column.count() + under.count())
    least += window.statusBar().sizeHint().height() + window.header.sizeHint().height()
    widgets = [lay.itemAt(i).widget() for lay in (column, under) for i in range(lay.count())]
    for widget in widgets:
        if widget is None or not widget.isVisible():
            continue
        if widget is panel:  # its whole text, at its width
            least += panel.heightForWidth(panel.width())
        else:
            least += max(widget.minimumHeight(), widget.minimumSizeHint().height())
    assert least <= 720, least


@pytest.mark.slow
def test_the_key_s_words_for_rows_of_several_never_flip_the_lanes(qtbot, qloop, presenting):
    """32 alike requests at 1280×720 on a projector: the key's entry for "alike" tipped it
    into short names, a line shorter; the lanes gained the line, the 32 rows fitted, the
    entry went, the key took its line back: key and lanes flipped every 100 ms (review47)."""
    from simulator.metrics.summary import summarize
    from simulator.trace import Kind, Lane, Run, Segment, Trace

    ms = 1_000_000
    segments = (
        Segment(Kind.IO_BLOCKING, 0, 10 * ms, "w"),
        Segment(Kind.THREAD_HOP, 10 * ms, 20 * ms, "w"),
    )
    lanes = tuple(Lane(i, "sync_io", "ok", 200, None, 0, 20 * ms, segments) for i in range(32))
    trace = Trace(0, lanes)
    run = Run(Scenario(view="sync_io", requests=32), trace, summarize(trace))
    window = presenting
    from app.session.state import Kept

    window.session.restore(
        Kept({Side.A: run, Side.B: None}, {Side.A: [], Side.B: []}, Side.A, None)
    )
    qtbot.wait(600)  # (the key is read 100 ms after each paint)
    heights, rows = set(), set()
    for _ in range(40):
        qtbot.wait(25)
        heights.add(window.legend.height())
        rows.add(len(window.timeline.rows))
    assert len(heights) == 1 and len(rows) == 1, (heights, rows)
