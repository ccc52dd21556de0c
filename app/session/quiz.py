"""The quiz flow of a lesson, with no Qt: question → run → measured → reveal → next lesson.

A presenter's clicker sends Page Down and Page Up, nothing else, so the whole class session
is one line of steps walked forwards and backwards. The window asks :meth:`Quiz.forward`
what Page Down means now (start the run, reveal, open the next lesson) and does it; the
run's end moves the quiz on by itself (:meth:`Quiz.measured`). The class's guess (a choice,
or a number on a slider) is kept here, so the reveal can put it beside the measurement.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from simulator.lessons import Lesson

from .guess import guess_scale, step_from

__all__ = ["Quiz", "QuizMove", "QuizStep"]


class QuizStep(Enum):
    """Where the class is in a lesson."""

    QUESTION = "question"  # the question is up, the answer hidden; the guess is recorded
    RUNNING = "running"  # the lesson's runs are going
    MEASURED = "measured"  # the runs are done; the answer is still hidden
    REVEAL = "reveal"  # the answer, why, and the measurement beside the guess


class QuizMove(Enum):
    """What the window must do for a Page Down or Page Up."""

    NOTHING = "nothing"
    RUN = "run"
    SHOW = "show"  # redraw the panel for the new step
    NEXT_LESSON = "next lesson"
    PREVIOUS_LESSON = "previous lesson"


@dataclass(frozen=True, slots=True)
class Quiz:
    """A lesson in quiz mode: its step and the class's guess."""

    lesson: Lesson
    step: QuizStep = QuizStep.QUESTION
    #: The index of the choice the class picked, for a lesson with choices.
    choice: int | None = None
    #: The class's numeric guess, in the lesson figure's unit (ms), for one without.
    number: float | None = None

    def forward(self) -> tuple[Quiz, QuizMove]:
        """Page Down: run from the question, reveal once measured, then the next lesson."""
        if self.step is QuizStep.QUESTION:
            return replace(self, step=QuizStep.RUNNING), QuizMove.RUN
        if self.step is QuizStep.MEASURED:
            return replace(self, step=QuizStep.REVEAL), QuizMove.SHOW
        if self.step is QuizStep.REVEAL:
            return self, QuizMove.NEXT_LESSON
        return self, QuizMove.NOTHING  # running: the run ends by itself (or Esc stops it)

    def back(self) -> tuple[Quiz, QuizMove]:
        """Page Up: hide the answer again, back to the question, then the previous lesson."""
        if self.step is QuizStep.REVEAL:
            return replace(self, step=QuizStep.MEASURED), QuizMove.SHOW
        if self.step is QuizStep.MEASURED:
            return replace(self, step=QuizStep.QUESTION), QuizMove.SHOW
        if self.step is QuizStep.QUESTION:
            return self, QuizMove.PREVIOUS_LESSON
        return self, QuizMove.NOTHING

    def measured(self) -> Quiz:
        """The lesson's runs have finished (or been stopped)."""
        if self.step in (QuizStep.RUNNING, QuizStep.QUESTION):
            return replace(self, step=QuizStep.MEASURED)
        return self

    def guess_choice(self, index: int) -> Quiz:
        """The class picked choice ``index`` (0-based); out of range changes nothing."""
        if self.step is not QuizStep.QUESTION or not 0 <= index < len(self.lesson.choices):
            return self
        return replace(self, choice=index)

    @property
    def scale(self) -> tuple[float, ...]:
        """The steps + and − walk for a numeric guess (:func:`~app.session.guess.guess_scale`)."""
        return guess_scale(self.lesson.guess_max)

    def nudged(self, sign: int) -> Quiz:
        """+ (``sign`` > 0) or −: the next step of :attr:`scale`; from no guess, + starts at
        the bottom and − at the top, never in the middle where an answer may sit."""
        if self.lesson.choices:
            return self
        return self.guess_number(step_from(self.scale, self.number, sign))

    def guess_number(self, value: float) -> Quiz:
        """The class's number (ms), kept within 0 and the lesson's ``guess_max``."""
        if self.step is not QuizStep.QUESTION:
            return self
        return replace(self, number=max(0.0, min(value, self.lesson.guess_max)))

    @property
    def guess_text(self) -> str | None:
        """The class's guess as words, or ``None`` before one is recorded."""
        if self.choice is not None:
            return self.lesson.choices[self.choice]
        if self.number is not None:
            from simulator.metrics.figures import FIGURE

            return FIGURE[self.lesson.figure].unit.format(self.number)
        return None

    @property
    def guessed_right(self) -> bool | None:
        """For a lesson with choices: whether the class picked the answer."""
        if self.choice is None or self.lesson.answer_index is None:
            return None
        return self.choice == self.lesson.answer_index
