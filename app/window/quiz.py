"""Quiz mode in the window: Page Down / Page Up walk question → run → reveal → next lesson.

A presenter's clicker sends Page Down and Page Up; the actions are application-wide, so they
work whichever widget has the focus and in presentation mode (no menu bar). Keys 1–9 record
the class's choice, + and − move a numeric guess (only while a question is up). The steps,
the guess and the history of lessons are the Qt-free :class:`~app.session.classroom.Classroom`;
this binds its keys and its panel to it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from app.lesson_reveal import panel_text
from app.session import Side
from app.session.classroom import Classroom
from app.session.quiz import Quiz, QuizStep
from app.widgets.lesson_panel import QtLessonPanel
from simulator.lessons import Lesson
from simulator.trace import Run

__all__ = ["LESSON_GUIDE", "QtQuiz"]

#: Help ▸ Lesson guide.
LESSON_GUIDE = """<h3>Teaching with a lesson</h3>
<p>Open a lesson from the <b>Lessons</b> menu. It opens on its <b>question</b>; the answer
stays hidden.</p>
<ol>
<li>Read the question and let the class discuss. Record the class's guess: keys
<b>1</b>–<b>9</b> pick a choice; for a number, <b>+</b> starts at the bottom of round steps
and <b>−</b> at the top (or use the slider). The reveal says whether it counts as right: within
±25% of the measurement, or the step nearest it.</li>
<li><b>Page Down</b>: the lesson runs, for real, on the embedded Django site.</li>
<li><b>Page Down</b> again: the <b>reveal</b> — the answer in one line, the measured figure
beside the guess, and the lanes in the view the lesson names. <b>B</b> (or <b>.</b>, a
clicker's blank-screen key) opens the whole reveal: why, where to look, the model's
prediction; B again folds it. Page Down still moves on.</li>
<li><b>Page Down</b>: the next lesson. <b>Page Up</b> steps back (hide the answer, back to
the question, then the previous lesson as you left it: its reveal, its runs and the class's
guess; nothing runs again).</li>
</ol>
<p>A presenter's clicker sends Page Down / Page Up: the whole lesson runs from it.
Presentation mode (F11) gives the question the screen, keeps it as a line while the lanes
grow, and shows the view's code under the lanes with <b>C</b>. One page per lesson for the
teacher: <i>docs/teaching.md</i>.</p>"""


#: A lesson's runs, by the identity of each run of each side.
_RunsKey = tuple[tuple[str, tuple[int, ...]], ...]


def _key(runs: Mapping[str, Sequence[Run]]) -> _RunsKey:
    return tuple((side, tuple(map(id, side_runs))) for side, side_runs in runs.items())


class CoresCheck(QObject):
    """Whether the cores a lesson needs were free, measured once per set of runs that did not
    show the lesson (``with_cores_checked``'s rule, as ``lesson N --check``): about a second
    of burning CPU, so on a thread, never the window's; the answer comes back on the
    window's thread and ``done`` draws again. Once closed (:meth:`close`, the window closing),
    a thread that ends hands nothing over: a thread of ours posting to a Qt being torn down is
    the kind of end that once crashed the window's process (``site_process/parent.py``).

    The cores are measured alone: one check at a time, and none kept that a run of ours
    began during. "Run it again" is on screen while they are measured: a run started then
    (:meth:`running`) burned CPU beside the burners, and "no 2 free cores" was our own run,
    not the machine. Such a measure is dropped, and taken again when next asked (that run
    still shares the cores with the burners for what is left of the check, under a second)."""

    #: The runs' key, and the runs with the speedup (None: free); ``None``: dropped.
    _measured = Signal(object, object)

    def __init__(self, done: Callable[[], None], measure: Callable[[Lesson], float | None]) -> None:
        super().__init__()
        self._done, self._measure = done, measure
        #: Held by a thread from its check of :attr:`_closed` until its answer is posted, and
        #: by :meth:`close`: once that returns, no thread is posting or will post.
        self._lock = threading.Lock()
        self._closed = False
        #: Held by a thread while it measures: two checks at once would each see the other.
        self._measuring = threading.Lock()
        #: How many runs of ours have begun (counted on the window's thread, read by the
        #: threads: a measure asked before one began and ended after is dropped).
        self._begun = 0
        #: Per set of runs: the runs (kept, so their ids stay theirs) and what was measured.
        self._found: dict[_RunsKey, tuple[Mapping[str, Sequence[Run]], float | None]] = {}
        self._asked: set[_RunsKey] = set()
        self._measured.connect(self._on_measured)  # queued: emitted on the thread

    def found(self, runs: Mapping[str, Sequence[Run]]) -> float | None:
        entry = self._found.get(_key(runs))
        return None if entry is None else entry[1]

    def ask(self, lesson: Lesson, runs: Mapping[str, Sequence[Run]]) -> None:
        key = _key(runs)
        if key in self._asked:
            return
        self._asked.add(key)
        begun = self._begun

        def work() -> None:
            with self._measuring:
                try:
                    shared = self._measure(lesson)
                except Exception:  # no fork, no processes left: say nothing rather than guess
                    shared = None
            alone = begun == self._begun
            with self._lock:
                if not self._closed:
                    self._measured.emit(key, (runs, shared) if alone else None)

        threading.Thread(target=work, name="cores check", daemon=True).start()

    def running(self, going: bool) -> None:
        """A run of ours began (``going``) or ended: a measure it overlapped is dropped."""
        self._begun += going

    def close(self) -> None:
        """The window closes: a check still burning hands nothing over when it ends (its
        burners end on their own, a fraction of a second later)."""
        with self._lock:
            self._closed = True

    def _on_measured(
        self, key: _RunsKey, found: tuple[Mapping[str, Sequence[Run]], float | None] | None
    ) -> None:
        if found is None:  # taken beside a run of ours: asked again when shown again
            self._asked.discard(key)
            return
        while len(self._found) >= 8:  # the last few lessons' runs are all a class goes back to
            oldest = next(iter(self._found))
            self._found.pop(oldest)
            self._asked.discard(oldest)  # its runs may be gone, and their ids someone else's
        self._found[key] = found
        if found[1] is not None:
            self._done()


class QtQuiz:
    """The window's quiz: its panel and its keys, bound to a classroom (napari's
    ``QtDims(dims)``): it draws the classroom's quiz and keeps none of its own."""

    def __init__(
        self,
        parent: QWidget,
        classroom: Classroom,
        *,
        verdict: QLabel,
        measure_cores: Callable[[Lesson], float | None] = lambda lesson: (
            lesson.needs.cores_shared()
        ),
    ) -> None:
        self.parent, self.classroom, self.session = parent, classroom, classroom.session
        self._verdict = verdict
        #: The lesson's verdict line on screen once its runs are measured (``None``: the
        #: session's own verdict, if any): what the window's slide says too.
        self.line: str | None = None
        self.cores = CoresCheck(lambda: self._show(self.classroom.quiz), measure_cores)
        self.panel = QtLessonPanel()
        self.panel.guessed.connect(classroom.guess)
        self.next_action = self._action("Next step", "PgDown", classroom.forward)
        self.back_action = self._action("Previous step", "PgUp", classroom.back)
        self.more_action = self._action("Guess more", "+", lambda: classroom.nudge(+1))
        self.less_action = self._action("Guess less", "-", lambda: classroom.nudge(-1))
        self.choice_actions = [
            self._action(f"Choice {n}", str(n), lambda n=n: classroom.choose(n - 1))
            for n in range(1, 10)
        ]
        # A clicker's blank-screen key sends "." (or B): the reveal's whole text, or one line.
        self.expand_action = self._action("Why (the whole reveal)", "B", classroom.toggle_reveal)
        self.expand_action.setShortcuts([QKeySequence("B"), QKeySequence(".")])
        self.guide: QMessageBox | None = None  # the lesson guide while it is open
        self.guide_action = QAction("&Lesson guide", parent)
        self.guide_action.setShortcut(QKeySequence("F1"))
        self.guide_action.triggered.connect(self.show_guide)
        parent.addAction(self.guide_action)
        classroom.events.quiz.connect(self._show)
        self.session.events.running.connect(self._on_running)
        self.session.events.running.connect(self.cores.running)
        # After the stage's own handler: the lesson's line stays over the session's verdict
        # (while runs go, the session's; their end draws the quiz again).
        self.session.events.verdict.connect(self._on_verdict)
        self._show(classroom.quiz)

    def _on_running(self, running: bool) -> None:
        self._update_actions()
        if not running:  # F5 at the reveal ("run it again"): the runs now on screen judged
            self._show(self.classroom.quiz)

    def _on_verdict(self, _text: object) -> None:
        if not self.session.running:
            self._show(self.classroom.quiz)

    def _action(self, text: str, key: str, slot: object) -> QAction:
        action = QAction(text, self.parent)
        action.setShortcut(QKeySequence(key))
        # A clicker's keys work wherever the focus is, in every window of the app.
        action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(lambda checked=False: slot())  # type: ignore[operator]
        self.parent.addAction(action)
        return action

    @property
    def quiz(self) -> Quiz | None:
        return self.classroom.quiz

    def show_guide(self) -> None:
        """The guide beside the lesson, not over it: a modal box would swallow the clicker's
        Page Down until someone walked to the keyboard and clicked OK. Modeless, the
        application-wide shortcuts keep working while it is up (and while it has the focus)."""
        if self.guide is not None:
            self.guide.raise_()
            return
        box = QMessageBox(QMessageBox.Icon.Information, "Lesson guide", LESSON_GUIDE)
        box.setParent(self.parent, box.windowFlags())
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(lambda: setattr(self, "guide", None))
        self.guide = box
        box.show()

    def _runs(self, lesson: Lesson) -> dict[str, list[Run]]:
        """Every run of each side on screen (a close call's re-runs with the last one)."""
        sides = [Side.A, Side.B] if lesson.is_comparison else [Side.A]
        return {side.upper(): self.session.every_run(side) for side in sides}

    def _show(self, quiz: Quiz | None) -> None:
        self._update_actions()
        if quiz is None:
            self.line = None
            self.panel.hide()
            self.panel.aside.hide()
            return
        self.panel.set_scale(quiz.scale)
        runs = self._runs(quiz.lesson)
        expanded = self.session.view.reveal_expanded
        shared = self.cores.found(runs)
        text = panel_text(quiz, runs, self.classroom.model, expanded=expanded, cores_shared=shared)
        if text.check_cores:  # not shown on a lesson that needs free cores: were they?
            self.cores.ask(quiz.lesson, runs)
        # The slider only while the class may still change its guess.
        numeric = not quiz.lesson.choices and quiz.step is QuizStep.QUESTION
        # How large each part is, and which show at this step: the window's step layout.
        self.panel.show_text(text, numeric=numeric, number=quiz.number)
        # The lesson's verdict line in large type once measured (or "this run did not show
        # it"); before, the session's verdict as usual.
        self.line = text.verdict
        line = text.verdict if text.verdict is not None else self.session.verdict
        self._verdict.setText(line or "")
        self._verdict.setVisible(bool(line) and (self.session.compare or text.verdict is not None))
        self.classroom.events.say.emit(text.status)

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
        self.expand_action.setEnabled(quiz is not None and quiz.step is QuizStep.REVEAL)
