"""The class's way through the lessons, with no Qt: the quiz step, the class's guess, and a
history that Page Up walks back like an undo.

A presenter's clicker sends Page Down and Page Up, nothing else. Page Down from a lesson's
reveal opens the next lesson; Page Up from its question comes back to the previous lesson
**as the class left it**: at its reveal, with its runs and the class's guess, nothing run
again. Page Down then goes forward to the lesson it came from, again as it was left. A run
starts only from a question with no runs yet (or F5), so a double press never re-runs.

The window binds to :attr:`Classroom.events` (the quiz changed, a line for the status bar)
and calls :meth:`forward`, :meth:`back`, :meth:`choose`, :meth:`nudge`; a test drives the same
methods with a fake runner (tests/app/test_classroom.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from psygnal import Signal, SignalGroup

from simulator.errors import LanesError
from simulator.files.scenario_file import ScenarioFile, file_from_data, parse_file
from simulator.lessons import Lesson, lesson_entries
from simulator.lessons.format import lesson_from_data

from .model import Kept, Session
from .model_figures import ModelFigures
from .quiz import Quiz, QuizMove, QuizStep
from .state import Side

__all__ = ["Classroom", "ClassroomEvents", "Visit"]


class ClassroomEvents(SignalGroup):
    """quiz(Quiz | None): the step or the guess changed, or a lesson opened or closed;
    by(str): show the lanes this way (the reveal opens the view its lesson names);
    say(str): a line for the status bar."""

    quiz = Signal(object)
    by = Signal(str)
    say = Signal(str)


@dataclass(frozen=True, slots=True)
class Visit:
    """A lesson as the class left it: its file, its quiz (step and guess) and its runs."""

    path: Path
    file: ScenarioFile
    quiz: Quiz
    kept: Kept


class Classroom:
    """The lesson being taught over a :class:`~app.session.Session`, and where the class
    has been. ``folder`` holds the lessons Page Down walks through (those this machine can
    run, in their numbered order)."""

    def __init__(self, session: Session, folder: Path) -> None:
        self.session = session
        self.folder = folder
        self.events = ClassroomEvents()
        #: The model's figures for the reveal, each worked out once.
        self.model = ModelFigures()
        self.quiz: Quiz | None = None
        self.path: Path | None = None
        self._file: ScenarioFile | None = None
        self._back: list[Visit] = []
        self._forward: list[Visit] = []
        session.events.running.connect(self._on_running)
        # Each reveal opens on its one line: the whole text is asked for, every time.
        self.events.quiz.connect(self._fold_reveal)

    # -- opening ------------------------------------------------------------------------------
    def open(self, path: str | Path) -> ScenarioFile:
        """Load a scenario or lesson file, read once; a lesson opens on its question, with
        the lesson the class was on kept for Page Up. A broken file raises
        ``ScenarioError`` and changes nothing."""
        loaded = self._open(Path(path), keep_in=self._back)
        self._forward.clear()
        return loaded

    def _open(self, path: Path, *, keep_in: list[Visit]) -> ScenarioFile:
        data = parse_file(path)
        loaded = file_from_data(path, data)
        lesson: Lesson | None = None
        if "lesson" in data:
            try:
                lesson = lesson_from_data(path, data)
            except LanesError:
                lesson = None  # its dials still load; the quiz ends
        self.session.open(path, loaded)
        self._keep(keep_in)
        self.path, self._file = path, loaded
        self.quiz = Quiz(lesson) if lesson is not None else None
        # Close calls re-run, and the verdict is worded, by the lesson's figure and what its
        # answer expects: one verdict on screen, in the reveal and in gui --json.
        self.session.set_criterion(lesson.criterion if lesson is not None else None)
        if self.quiz is not None:
            # No lanes or figures of the last lesson under a new question.
            self.session.forget_runs()
        self.events.quiz.emit(self.quiz)
        return loaded

    def _keep(self, history: list[Visit]) -> None:
        """Keep the lesson the class is on, to come back to, before another opens."""
        if self.quiz is not None and self.path is not None and self._file is not None:
            history.append(Visit(self.path, self._file, self.quiz, self.session.keep()))

    def _return_to(self, visit: Visit) -> None:
        self.session.load(visit.file)
        self.path, self._file, self.quiz = visit.path, visit.file, visit.quiz
        self.session.set_criterion(visit.quiz.lesson.criterion)
        self.session.restore(visit.kept)
        self.events.quiz.emit(self.quiz)
        self._show_by()

    # -- the clicker --------------------------------------------------------------------------
    def forward(self) -> None:
        """Page Down: run from a question (once), reveal once measured, then the next lesson."""
        quiz = self.quiz
        if quiz is None:
            return
        if quiz.step is QuizStep.QUESTION and self._measured():
            self._set(quiz.measured())  # its runs are still here: never run them again
            return
        self.quiz, move = quiz.forward()
        if move is QuizMove.RUN:
            self.session.start()
        elif move is QuizMove.NEXT_LESSON:
            self._next(+1)
            return
        self._set(self.quiz)
        if self.quiz.step is QuizStep.REVEAL:
            self._show_by()

    def back(self) -> None:
        """Page Up: hide the answer, back to the question, then the previous lesson as the
        class left it."""
        quiz = self.quiz
        if quiz is None:
            return
        self.quiz, move = quiz.back()
        if move is QuizMove.PREVIOUS_LESSON:
            self._next(-1)
            return
        self._set(self.quiz)

    def choose(self, index: int) -> None:
        """The class picked choice ``index`` (0-based; keys 1–9)."""
        if self.quiz is not None:
            self._set(self.quiz.guess_choice(index))

    def guess(self, value: float) -> None:
        """The class's numeric guess (the slider)."""
        if self.quiz is not None and not self.quiz.lesson.choices:
            self._set(self.quiz.guess_number(value))

    def nudge(self, sign: int) -> None:
        """+ or −: the next step of the numeric guess's scale (:meth:`Quiz.nudged`)."""
        if self.quiz is not None and not self.quiz.lesson.choices:
            self._set(self.quiz.nudged(sign))

    def toggle_reveal(self) -> None:
        """B or "." (a clicker's blank-screen key): the reveal's whole text, or back to its
        one line. Only at a reveal; Page Down still moves on, as the status bar says."""
        if self.quiz is not None and self.quiz.step is QuizStep.REVEAL:
            view = self.session.view
            view.set_reveal_expanded(not view.reveal_expanded)
            self.events.quiz.emit(self.quiz)  # the status bar says what B does now

    @property
    def history(self) -> tuple[int, int]:
        """How many lessons Page Up and Page Down can come back to."""
        return len(self._back), len(self._forward)

    # -- steps --------------------------------------------------------------------------------
    def _set(self, quiz: Quiz) -> None:
        self.quiz = quiz
        self.events.quiz.emit(quiz)

    def _fold_reveal(self, quiz: Quiz | None) -> None:
        if quiz is None or quiz.step is not QuizStep.REVEAL:
            self.session.view.set_reveal_expanded(False)

    def _show_by(self) -> None:
        if self.quiz is not None and self.quiz.step is QuizStep.REVEAL:
            by = self.quiz.lesson.file.by
            if by is not None:
                self.events.by.emit(by)  # open the view the lesson names

    def _measured(self) -> bool:
        """Whether the lesson's runs are on hand (every side it compares)."""
        if self.quiz is None:
            return False
        sides = (Side.A, Side.B) if self.quiz.lesson.is_comparison else (Side.A,)
        return all(self.session.runs[side] is not None for side in sides)

    def _next(self, step: int) -> None:
        """Page Down past a reveal (``+1``) or Page Up past a question (``-1``): a lesson the
        class has been on comes back as it was left; otherwise the neighbour opens fresh."""
        came_from, going_to = (
            (self._back, self._forward) if step > 0 else (self._forward, self._back)
        )
        if going_to:
            self._keep(came_from)
            self._return_to(going_to.pop())
            return
        paths = [
            e.path
            for e in lesson_entries(self.folder)
            if e.lesson is not None and e.lesson.needs.unmet() is None
        ]
        here = self.path.resolve() if self.path else None
        index = next((i for i, p in enumerate(paths) if p.resolve() == here), -1)
        target = index + step
        if not 0 <= target < len(paths):
            self.events.say.emit(f"That is the {'last' if step > 0 else 'first'} lesson.")
            if self.quiz is not None:
                self._set(self.quiz)
            return
        self._open(paths[target], keep_in=came_from)

    def _on_running(self, running: bool) -> None:
        quiz = self.quiz
        if quiz is None:
            return
        if running and quiz.step is QuizStep.QUESTION:
            # F5 (or Run) instead of Page Down: the same step, the answer still hidden.
            self._set(quiz.forward()[0])
        elif not running and quiz.step is QuizStep.RUNNING and not self.session.queued:
            self._set(quiz.measured())
