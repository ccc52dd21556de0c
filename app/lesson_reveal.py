"""What a lesson's panel says at each quiz step, as plain text (no Qt): a test reads it.

The reveal puts the class's guess beside what was measured and what the model predicted, on
the figure the lesson is about, then the answer, why, where to look, what to try next, and
whether each claim held on this run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.session.guess import NEAR_SHARE, judge_number
from app.session.model_figures import ModelFigures
from app.session.quiz import Quiz, QuizStep
from simulator.lessons import LessonRun, judge_lesson, wants_cores_checked
from simulator.metrics.figures import FIGURE
from simulator.trace import Run

__all__ = ["CLASS_SAID", "PanelText", "panel_text"]

#: Where the reveal's answer says what the class guessed, when it guessed wrong (the strip
#: drops it, not the answer, when the line is short: ``widgets.lesson_panel``).
CLASS_SAID = " (the class said: "

_LETTERS = "abcdefghi"

#: Figures the model does not predict: it never stops a run.
_NOT_MODELLED = frozenset({"cancelled"})


@dataclass(frozen=True, slots=True)
class PanelText:
    """The panel's lines: the question always, the rest by step."""

    question: str
    explanation: str
    choices: tuple[str, ...]
    guess: str
    status: str
    reveal: str
    #: The lesson's verdict line, in large type, once measured (``None`` before a run).
    verdict: str | None = None
    #: The reveal in one line of plain text: the answer and how the class's guess fared
    #: (the lanes keep the height; B or "." opens :attr:`reveal`).
    strip: str = ""
    #: The runs are measured and did not show the lesson's point on a lesson that needs free
    #: cores: whether they are free is worth measuring (then ``panel_text(cores_shared=)``).
    check_cores: bool = False


def _figure_line(judged: LessonRun, figures: ModelFigures) -> str:
    """The lesson's figure on each side: the one number the verdict also shows (the median
    and range of a side's runs), beside the model's prediction (worked out once a session)."""
    figure = judged.lesson.figure
    key = FIGURE[figure]
    calibration = figures.calibration
    parts = []
    for side, runs in judged.runs.items():
        label = f"{side} " if len(judged.runs) > 1 else ""
        model = " (not modelled)"
        if figure not in _NOT_MODELLED:
            value = figures.figure(figure, runs[0].scenario)
            model = f" (model: {key.unit.format(value)})"
        parts.append(f"{label}measured {judged.figure_text(side)}{model}")
    # ("model not calibrated" was jargon to a class: whose costs the prediction used.)
    costs = "this machine's" if calibration.calibrated else "default, not this machine's"
    return f"{key.caption}: " + " · ".join(parts) + f" · model: {costs} costs"


def _number_line(quiz: Quiz, judged: LessonRun) -> tuple[str, str]:
    """What counts as right for a numeric guess, said out loud: "the class said 1 s;
    measured 1.21 s: right (within ±25%)", of the median run (the verdict line's); as the
    reveal's line and as the strip's few words (its lead says what was measured)."""
    key = FIGURE[quiz.lesson.figure]
    measured = key.value(judged.shown[0].summary)
    said = key.unit.format(measured)
    if quiz.number is None or measured != measured:  # no guess, or nothing measured
        line = f"Class guess: {quiz.guess_text or 'none'}; measured {said}"
        return line, f"class guess: {quiz.guess_text or 'none'}"
    verdict = judge_number(quiz.number, measured, quiz.scale)
    guess = key.unit.format(quiz.number)
    share = f"±{NEAR_SHARE:.0%}"
    if verdict.right:
        why = f"within {share}" if verdict.close else "the nearest step"
        line = f"The class said {guess}; measured {said}: right"
        # The strip's lead already says what was measured.
        return f"<b>{line}</b> ({why})", f"the class said {guess}: right"
    line = f"The class said {guess}; measured {said}: not right"
    return (
        f"<b>{line}</b> (right: within {share}, "
        f"or the nearest step, {key.unit.format(verdict.nearest)})"
    ), f"the class said {guess}: not right"


def panel_text(
    quiz: Quiz,
    runs: Mapping[str, Sequence[Run]],
    model: ModelFigures | None = None,
    *,
    expanded: bool = False,
    cores_shared: float | None = None,
) -> PanelText:
    """The panel's text for ``quiz`` at its step; ``runs`` are the lesson's finished runs,
    every run of each side (a close call runs each side three times); ``model`` the session's
    model figures (worked out once; a fresh one if not given); ``expanded``: the reveal's
    whole text is out (the status bar says what B does); ``cores_shared``: what measuring
    the cores after these runs found, when :attr:`PanelText.check_cores` asked for it
    (:func:`~simulator.lessons.with_cores_checked`'s rule)."""
    lesson = quiz.lesson
    judged = judge_lesson(lesson, runs, cores_shared=cores_shared)
    # Once the class has guessed, the guess line says it all: the lanes get the room.
    asking = quiz.step is QuizStep.QUESTION
    choices = tuple(
        f"{'▶ ' if quiz.choice == i else ''}({_LETTERS[i]}) {choice}"
        for i, choice in enumerate(lesson.choices)
        if asking
    )
    guess = quiz.guess_text
    if quiz.step is QuizStep.REVEAL:
        guess_line = ""  # the answer line (or "the class said …: right") says it
    elif not asking:  # the guess is kept while the class watches; no keys change it now
        guess_line = f"Class guess: {guess or 'none'}"
    elif lesson.choices:
        guess_line = (
            f"Class guess: {guess}"
            if guess
            else f"Class guess: press 1–{len(lesson.choices)} " + "to record it"
        )
    else:
        # Before a guess, the slider's ends said: its notches alone gave the class no number
        # to guess by (a teacher's walk, lessons 4 and 22).
        unit, scale = FIGURE[lesson.figure].unit, quiz.scale
        ends = f"{unit.format(scale[0])} to {unit.format(scale[-1])}"
        guess_line = (
            f"Class guess: {guess} (+/− to change)"
            if guess
            else f"Class guess: no guess yet (+ / −: from {ends})"
        )
    said = f" · class guess: {guess}" if guess else ""
    status = {
        QuizStep.QUESTION: "Page Down: run it",
        QuizStep.RUNNING: f"Measuring…{said}",
        QuizStep.MEASURED: f"Measured. Page Down: reveal the answer (Page Up: back){said}",
        QuizStep.REVEAL: "Page Down: next lesson · Page Up: hide the answer · "
        + ("B: just the answer" if expanded else "B: why, and where to look"),
    }[quiz.step]
    strip = ""
    reveal = ""
    # Once measured, the large-type line is the lesson's one verdict (``LessonRun.line``),
    # before the reveal too: lesson 23 on a busy machine read "runs overlapped, no winner"
    # over its finished lanes and then "could not show it: no 2 free cores" over the same.
    measured = quiz.step in (QuizStep.MEASURED, QuizStep.REVEAL)
    verdict = judged.line if measured and judged.runs else None
    if quiz.step is QuizStep.REVEAL:
        lines = []
        right = quiz.guessed_right
        mark = "" if right is None else "  — the class was right" if right else "  — not the guess"
        said = f"{CLASS_SAID}{guess})" if guess and lesson.choices and not right else ""
        lines.append(f"<b>Answer:</b> {lesson.answer}{mark}{said}")
        # The one line says first whether the class was right: at 720p a long answer is
        # cut, and lessons 15, 16 and 24 lost "— the class was right" with it.
        first = "" if right is None else "The class was right. " if right else "Not the guess. "
        strip = f"{first}Answer: {lesson.answer}{said}"
        if judged.runs:
            lines.append(_figure_line(judged, model or ModelFigures()))
            if not lesson.choices:
                number, short = _number_line(quiz, judged)
                lines.insert(1, number)
                strip += f"  ·  {short}"
        lines.append(f"<b>Why:</b> {lesson.why}")
        lines.append(f"<b>Look at:</b> {lesson.look_at} <b>Try next:</b> {lesson.follow_up}")
        if lesson.myth:
            lines.append(f"<b>Myth:</b> {lesson.myth}")
        if judged.runs:
            held = sum(r.held for r in judged.results)
            failed = "; ".join(r.claim.says for r in judged.results if not r.held)
            lines.append(
                f"Claims on this run: {held} of {len(judged.results)} held"
                + (f" (not: {failed})" if failed else "")
            )
            if judged.cores_line is not None:
                lines.append(judged.cores_line)
        reveal = "<br>".join(lines)
    return PanelText(
        question=lesson.question,
        explanation=lesson.explanation if asking else "",
        choices=choices,
        guess=guess_line,
        status=status,
        reveal=reveal,
        verdict=verdict,
        strip=strip,
        check_cores=quiz.step in (QuizStep.MEASURED, QuizStep.REVEAL)
        and cores_shared is None
        and wants_cores_checked(judged),
    )
