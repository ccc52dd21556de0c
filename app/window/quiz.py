"""Quiz mode in the window: Page Down / Page Up walk question → run → reveal → next lesson.

A presenter's clicker sends Page Down and Page Up; the actions are application-wide, so they
work whichever widget has the focus and in presentation mode (no menu bar). Keys 1–9 record
the class's choice, + and − move a numeric guess (only while a question is up). The steps
themselves are the Qt-free :class:`~app.session.quiz.Quiz`; this wires them to the window.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

from app.assets import LESSONS
from app.lesson_reveal import panel_text
from app.session import Side
from app.session.quiz import Quiz, QuizMove, QuizStep
from app.widgets.lesson_panel import QtLessonPanel
from app.window.replay import explain_shown
from simulator.errors import LanesError
from simulator.lessons import Lesson, lesson_entries, load_lesson
from simulator.trace import Run, Trace

if TYPE_CHECKING:
    from app.window.main_window import QtMainWindow

__all__ = ["LESSON_GUIDE", "QtQuiz"]

#: Help ▸ Lesson guide.
LESSON_GUIDE = """<h3>Teaching with a lesson</h3>
<p>Open a lesson from the <b>Lessons</b> menu. It opens on its <b>question</b>; the answer
stays hidden.</p>
<ol>
<li>Read the question and let the class discuss. Record the class's guess: keys
<b>1</b>–<b>9</b> pick a choice, <b>+</b> / <b>−</b> (or the slider) set a number.</li>
<li><b>Page Down</b>: the lesson runs, for real, on the embedded Django site.</li>
<li><b>Page Down</b> again: the <b>reveal</b> — the answer, the measured figure beside the
guess and the model's prediction, why, and where to look (the view switches to the one the
lesson names).</li>
<li><b>Page Down</b>: the next lesson. <b>Page Up</b> steps back (hide the answer, back to
the question, the previous lesson).</li>
</ol>
<p>A presenter's clicker sends Page Down / Page Up: the whole lesson runs from it.
Presentation mode (F11) keeps the lesson panel. One page per lesson for the teacher:
<i>docs/teaching.md</i>.</p>"""


class QtQuiz:
    """The window's quiz: its panel, its actions, and the lesson being taught."""

    def __init__(self, window: QtMainWindow) -> None:
        self.window = window
        self.panel = QtLessonPanel()
        self.panel.guessed.connect(self._on_slider)
        self.quiz: Quiz | None = None
        self.path: Path | None = None
        self.next_action = self._action("Next step", "PgDown", self.forward)
        self.back_action = self._action("Previous step", "PgUp", self.back)
        self.more_action = self._action("Guess more", "+", lambda: self._nudge(+1))
        self.less_action = self._action("Guess less", "-", lambda: self._nudge(-1))
        self.choice_actions = [
            self._action(f"Choice {n}", str(n), lambda n=n: self.choose(n - 1))
            for n in range(1, 10)
        ]
        self.guide_action = QAction("&Lesson guide", window)
        self.guide_action.setShortcut(QKeySequence("F1"))
        self.guide_action.triggered.connect(self.show_guide)
        window.addAction(self.guide_action)
        window.session.events.running.connect(self._on_running)
        self._update_actions()

    def _action(self, text: str, key: str, slot: object) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(key))
        # A clicker's keys work wherever the focus is, in every window of the app.
        action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(lambda checked=False: slot())  # type: ignore[operator]
        self.window.addAction(action)
        return action

    # -- what the window calls --------------------------------------------------------------
    def file_opened(self, path: str | Path) -> None:
        """A file was loaded into the dials: a lesson starts its quiz, anything else ends it."""
        try:
            lesson = load_lesson(path)
        except LanesError:
            self.quiz, self.path = None, None
            self.panel.hide()
            self.window.session.set_criterion(None)
        else:
            self.path = Path(path)
            self.quiz = Quiz(lesson)
            # The session re-runs close calls and words its verdict by the lesson's figure and
            # what its answer expects: one verdict on screen, in the reveal and in gui --json.
            self.window.session.set_criterion(lesson.criterion)
            self.panel.set_range(lesson.guess_max)
            self._blank()
        self._show()

    def _blank(self) -> None:
        """No lanes or figures of the last lesson under a new question."""
        w = self.window
        w.session.forget_runs()
        for timeline in w.timelines.values():
            timeline.set_trace(Trace(t0_ns=0, lanes=()))
        w.metrics.clear()
        w.figure_strip.show_figures(None, None)
        w.replay.set_duration(0)
        explain_shown(w)  # the legend of what is on screen: nothing yet

    def forward(self) -> None:
        if self.quiz is None:
            return
        self.quiz, move = self.quiz.forward()
        self._do(move)

    def back(self) -> None:
        if self.quiz is None:
            return
        self.quiz, move = self.quiz.back()
        self._do(move)

    def choose(self, index: int) -> None:
        if self.quiz is not None:
            self.quiz = self.quiz.guess_choice(index)
            self._show()

    def show_guide(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "Lesson guide", LESSON_GUIDE)
        box.setParent(self.window, box.windowFlags())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # -- steps ------------------------------------------------------------------------------
    def _do(self, move: QuizMove) -> None:
        w = self.window
        if move is QuizMove.RUN:
            w.start_run()
        elif move is QuizMove.NEXT_LESSON:
            self._open_neighbour(+1)
            return
        elif move is QuizMove.PREVIOUS_LESSON:
            self._open_neighbour(-1)
            return
        if self.quiz is not None and self.quiz.step is QuizStep.REVEAL:
            by = self.quiz.lesson.file.by
            if by is not None:
                w.set_by(by)  # open the view the lesson names
        self._show()

    def _open_neighbour(self, step: int) -> None:
        entries = [
            e
            for e in lesson_entries(LESSONS)
            if e.lesson is not None and e.lesson.needs.unmet() is None
        ]
        paths = [e.path for e in entries]
        here = self.path.resolve() if self.path else None
        index = next((i for i, p in enumerate(paths) if p.resolve() == here), -1)
        target = index + step
        if not 0 <= target < len(paths):
            edge = "last" if step > 0 else "first"
            self.window.statusBar().showMessage(f"That is the {edge} lesson.")
            if self.quiz is not None and step < 0:
                self._show()
            return
        self.window.open_scenario_file(paths[target])

    def _on_running(self, running: bool) -> None:
        quiz = self.quiz
        if running and quiz is not None and quiz.step is QuizStep.QUESTION:
            # F5 (or Run) instead of Page Down: the same step, the answer still hidden.
            self.quiz, _ = quiz.forward()
            self._show()
            return
        if running or quiz is None or quiz.step is not QuizStep.RUNNING:
            self._update_actions()
            return
        if self.window.session.queued:
            return  # A is done, B still to run
        self.quiz = quiz.measured()
        self._show()

    def _on_slider(self, value: float) -> None:
        if self.quiz is not None and not self.quiz.lesson.choices:
            self.quiz = self.quiz.guess_number(value)
            self._show()

    def _nudge(self, sign: int) -> None:
        quiz = self.quiz
        if quiz is None or quiz.lesson.choices:
            return
        step = max(10.0, round(quiz.lesson.guess_max / 30, -1))
        start = quiz.number if quiz.number is not None else quiz.lesson.guess_max / 2
        self.quiz = quiz.guess_number(start + sign * step)
        self._show()

    def _runs(self, lesson: Lesson) -> dict[str, list[Run]]:
        """Every run of each side on screen (a close call's re-runs with the last one)."""
        sides = [Side.A, Side.B] if lesson.is_comparison else [Side.A]
        return {side.upper(): self.window.session.every_run(side) for side in sides}

    def _show(self) -> None:
        quiz = self.quiz
        self._update_actions()
        if quiz is None:
            self.panel.hide()
            return
        runs = self._runs(quiz.lesson)
        text = panel_text(quiz, runs)
        self.panel.show_text(text, numeric=not quiz.lesson.choices, number=quiz.number)
        if quiz.step in (QuizStep.RUNNING, QuizStep.MEASURED):
            # While the lanes grow the class watches them: the header asks the question, the
            # status bar keeps the guess, and the lanes get the panel's room.
            self.panel.hide()
        # The reveal's verdict line in large type (or "this run did not show it"); before
        # the reveal, the session's verdict as usual.
        session, label = self.window.session, self.window.verdict
        line = text.verdict if text.verdict is not None else session.verdict
        label.setText(line or "")
        label.setVisible(bool(line) and (session.compare or text.verdict is not None))
        self.window.statusBar().showMessage(text.status)

    def _update_actions(self) -> None:
        quiz = self.quiz
        asking = quiz is not None and quiz.step is QuizStep.QUESTION
        choices = len(quiz.lesson.choices) if quiz is not None else 0
        for n, action in enumerate(self.choice_actions):
            action.setEnabled(asking and n < choices)
        for action in (self.more_action, self.less_action):
            action.setEnabled(asking and choices == 0)
        for action in (self.next_action, self.back_action):
            action.setEnabled(quiz is not None)
