"""Quiz mode driven by a presenter's keys only: question → guess → run → reveal → next."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.lesson_reveal import panel_text
from app.session.quiz import Quiz, QuizMove, QuizStep
from simulator.lessons import load_lesson

LESSONS = Path(__file__).resolve().parents[2] / "assets" / "lessons"


def test_the_steps_walk_forwards_and_back_without_qt():
    lesson = load_lesson(LESSONS / "03-async-views.toml")
    quiz = Quiz(lesson).guess_choice(2)
    assert quiz.guess_text == "8" and quiz.guessed_right is False
    quiz, move = quiz.forward()
    assert (quiz.step, move) == (QuizStep.RUNNING, QuizMove.RUN)
    assert quiz.forward()[1] is QuizMove.NOTHING  # a run ends by itself
    quiz = quiz.measured()
    assert "Answer" not in panel_text(quiz, {}).reveal  # measured, still hidden
    quiz, move = quiz.forward()
    assert quiz.step is QuizStep.REVEAL
    assert "<b>Answer:</b> 0  — not the guess" in panel_text(quiz, {}).reveal
    assert quiz.forward()[1] is QuizMove.NEXT_LESSON
    assert quiz.back()[0].step is QuizStep.MEASURED
    assert Quiz(lesson).back()[1] is QuizMove.PREVIOUS_LESSON


def _key(window, key) -> None:
    from pytestqt.qtbot import QtBot

    # Sent to whatever has the focus: the shortcuts are application-wide.
    target = window.focusWidget() or window.timeline
    QtBot.keyClick(target, key)


@pytest.mark.slow
def test_a_class_session_by_page_down_and_page_up_only(window, qloop):
    window.open_scenario_file(LESSONS / "03-async-views.toml")  # as gui --lesson does
    quiz = window.quiz
    panel = quiz.panel
    assert panel.isVisible() and "How many threads" in panel.question.text()
    assert not panel.reveal.isVisible()  # the answer is hidden
    assert window.session.runs["a"] is None
    window.set_by("request")

    _key(window, Qt.Key.Key_3)  # the class says "8"
    assert quiz.quiz.choice == 2 and "▶ (c) 8" in panel.choices.text()
    _key(window, Qt.Key.Key_PageDown)  # run
    assert quiz.quiz.step is QuizStep.RUNNING
    qloop.run_until_complete(window.wait_idle())
    assert quiz.quiz.step is QuizStep.MEASURED and not panel.reveal.isVisible()
    # The class watches the lanes with the question kept as the header's line.
    assert not panel.isVisible() and "How many threads" in window.header.text()
    assert "class guess: 8" in window.statusBar().currentMessage()

    _key(window, Qt.Key.Key_PageDown)  # reveal: one line, the lanes keep the height
    assert panel.strip.isVisible() and not panel.reveal.isVisible()
    assert "  ·  Not the guess. Answer: 0" in panel.strip.full_text()
    _key(window, Qt.Key.Key_B)  # the whole reveal
    reveal = panel.reveal.text()
    assert panel.reveal.isVisible() and "<b>Answer:</b> 0" in reveal
    assert "not the guess" in reveal  # the class said 8
    assert "Threads held at once: measured 0 (model: 0)" in reveal
    assert "model: default, not this machine's costs" in reveal  # (no calibration here)
    assert window.by_tabs.currentIndex() == 1  # the lesson's thread view, opened by the reveal

    _key(window, Qt.Key.Key_PageUp)  # hide the answer again
    assert quiz.quiz.step is QuizStep.MEASURED and not panel.reveal.isVisible()
    _key(window, Qt.Key.Key_PageDown)
    measured = window.session.runs["a"]
    _key(window, Qt.Key.Key_PageDown)  # next lesson, on its question
    classroom = window.classroom
    assert classroom.path is not None and classroom.path.name.startswith("04-")
    assert quiz.quiz.step is QuizStep.QUESTION and not panel.reveal.isVisible()
    assert "time.sleep" in window.header.text() and not window.timeline.rows.trace.lanes
    _key(window, Qt.Key.Key_PageUp)  # back to the previous lesson: its reveal, as it was left
    assert classroom.path.name.startswith("03-")
    assert quiz.quiz.step is QuizStep.REVEAL and quiz.quiz.choice == 2
    assert panel.strip.isVisible() and "Not the guess. " in panel.strip.full_text()
    assert window.session.runs["a"] is measured and not window.session.running
    assert len(window.timeline.rows.trace.lanes) == measured.scenario.requests  # its lanes, again


def test_the_lessons_menu_numbers_the_questions_and_greys_out_what_cannot_run_saying_why(
    qtbot, qloop, settings, monkeypatch, tmp_path
):
    import importlib.util
    import shutil

    from app.window import actions as qt_window_actions
    from app.window.main_window import QtMainWindow

    # As deep as an installed app's lessons in a virtualenv's site-packages: a message
    # quotes a long path by its end, and the menu, naming the file, strips that quote.
    folder = tmp_path / ("site-packages/" * 6) / "app/_assets/lessons"
    folder.mkdir(parents=True)
    shutil.copy(LESSONS / "03-async-views.toml", folder)
    (folder / "04-broken.toml").write_text("title = 'x'\n[scenario]\n", encoding="utf-8")
    shutil.copy(LESSONS / "24-in-process-vs-uvicorn.toml", folder)
    monkeypatch.setattr(qt_window_actions, "LESSONS", folder)
    find_spec = importlib.util.find_spec  # a machine without the servers extra
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "uvicorn" else find_spec(name, *a),
    )
    window = QtMainWindow(settings=settings)
    qtbot.addWidget(window)
    actions = window.menus["lessons"].actions()
    texts = [a.text() for a in actions]
    assert texts[:2] == [
        "3. 8 async views waiting at once: how many threads do they hold?",
        "4. 04-broken.toml: broken: not a lesson: it has no [lesson] table",
    ]
    assert texts[2].startswith("24. 10 async views") and texts[2].endswith(
        "(needs uvicorn: pip install 'django-async-lanes[servers]')"
    )
    assert [a.isEnabled() for a in actions] == [True, False, False]
    assert "no [lesson] table" in actions[1].toolTip()
    assert "pip install 'django-async-lanes[servers]'" in actions[2].toolTip()
    help_texts = [a.text() for a in window.menus["help"].actions()]
    assert "&Lesson guide" in help_texts


@pytest.mark.slow
def test_the_lesson_guide_leaves_the_clicker_its_page_down(window, qtbot, qloop):
    from pytestqt.qtbot import QtBot

    window.open_scenario_file(LESSONS / "03-async-views.toml")
    window.quiz.guide_action.trigger()  # F1
    guide = window.quiz.guide
    assert guide is not None and guide.isVisible() and not guide.isModal()
    QtBot.keyClick(guide, Qt.Key.Key_3)  # the class's choice, typed with the guide up
    assert window.quiz.quiz.choice == 2
    QtBot.keyClick(guide, Qt.Key.Key_PageDown)  # the clicker, with the guide up
    assert window.quiz.quiz.step is QuizStep.RUNNING
    qloop.run_until_complete(window.wait_idle())
    assert window.quiz.quiz.step is QuizStep.MEASURED
    window.quiz.guide_action.trigger()  # F1 again: the same guide, not a second one
    assert window.quiz.guide is guide
