"""The window laid out for each step of a lesson: it draws :func:`~app.session.view.step_layout`.

The step (the classroom's quiz), whether the reveal's whole text and the code panel are out
(the session's view) are state; this only follows their events and sizes the parts: the
question large with no empty axis, the question kept as the header's line while the lanes
grow, the
reveal in one line while the lanes keep the height, the code under the lanes.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout

from app.session.classroom import Classroom
from app.session.view import StepLayout, step_layout
from app.widgets.lesson_panel import QtLessonPanel
from app.widgets.timeline import MIN_HEIGHT, MIN_HEIGHT_UNDER_TEXT
from app.window.presentation import CodeInCentre
from app.window.stage import Stage

__all__ = ["StepLayoutView"]


class StepLayoutView:
    """Draws the step's layout over the stage, the lesson panel and the code panel."""

    def __init__(
        self,
        classroom: Classroom,
        stage: Stage,
        panel: QtLessonPanel,
        verdict: QLabel,
        column: QVBoxLayout,
        code: CodeInCentre,
    ) -> None:
        self.classroom, self.session = classroom, classroom.session
        self._stage, self._panel, self._column, self._code = stage, panel, column, code
        self._verdict = verdict
        view = self.session.view.events
        # After presentation mode has set the screen's font: the sizes are taken from it.
        for signal in (view.presentation, view.reveal_expanded, view.code_shown):
            signal.connect(lambda _: self.apply())
        classroom.events.quiz.connect(lambda _: self.apply())
        events = self.session.events
        events.run_finished.connect(lambda *_: self.apply())
        events.prediction.connect(lambda _: self.apply())
        events.compare.connect(lambda _: self.apply())
        events.verdict.connect(lambda _: self.apply())
        self.apply()

    def layout(self) -> StepLayout:
        """The layout of the step the class is on, as the view stands."""
        quiz = self.classroom.quiz
        session = self.session
        has_lanes = bool(session.shown_runs()) or session.prediction is not None
        return step_layout(quiz.step if quiz else None, session.view, has_lanes=has_lanes)

    def apply(self) -> None:
        layout = self.layout()
        self._panel.set_layout(layout)
        presentation = self.session.view.presentation
        quiz = self.classroom.quiz
        question = quiz.lesson.question if quiz is not None and layout.question == "line" else None
        self._stage.set_step_parts(
            lanes=layout.lanes,
            figures=presentation,
            dials_line=layout.dials_line,
            question=question,
        )
        # With the lanes away the question has the screen; otherwise the lanes take the height
        # (but what the reveal's whole text leaves them).
        self._column.setStretchFactor(self._panel, 0 if layout.lanes else 1)
        least = MIN_HEIGHT_UNDER_TEXT if layout.reveal == "full" else MIN_HEIGHT
        for timeline in self._stage.timelines.values():
            timeline.setMinimumHeight(least)
        self._code.set_shown(layout.code)
        # In a lesson the verdict's line is as tall as the strip's panel that takes its place
        # at the reveal: the lanes keep their room, and their rows' grouping, from one step to
        # the next (lesson 18's threads regrouped under the class as the answer came,
        # teacher44, teacher45).
        self._verdict.setMinimumHeight(self._panel.strip_height() if quiz is not None else 0)
        if layout.reveal in ("strip", "beside"):  # the verdict leads the strip's one line
            self._verdict.hide()
