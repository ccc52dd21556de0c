"""How the runs are shown, with no Qt: which view of the lanes, the after-answer tails, the
palette, presentation mode, the replay's position, whether the reveal's full text and the
code panel are out, and so what each quiz step lays out (:func:`step_layout`).

Menus, keys, tabs and the replay bar change it; the widgets follow its events (napari's
``QtDims(dims)``), so a state is never read off another widget or a checked menu entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from psygnal import Signal, SignalGroup

from .quiz import QuizStep

__all__ = ["By", "StepLayout", "View", "ViewEvents", "step_layout"]

#: The lanes' layouts: one lane per request, or one per thread and the event loop.
By = Literal["requests", "workers"]


class ViewEvents(SignalGroup):
    """by(str), tails(bool), dark(bool), presentation(bool), replay_ms(float),
    reveal_expanded(bool), code_shown(bool): each emitted when that part of the view changed
    (``replay_ms`` < 0: the whole run, no replay)."""

    by = Signal(str)
    tails = Signal(bool)
    dark = Signal(bool)
    presentation = Signal(bool)
    replay_ms = Signal(float)
    reveal_expanded = Signal(bool)
    code_shown = Signal(bool)


class View:
    """The view state of a session; every setter emits only on a change."""

    def __init__(self) -> None:
        self.events = ViewEvents()
        self.by: By = "requests"
        self.tails = True
        self.dark = False
        self.presentation = False
        self.replay_ms = -1.0
        #: The reveal's whole text (why, where to look, the claims) rather than its one line.
        self.reveal_expanded = False
        #: The code panel under the lanes in presentation mode (the desk has its own tab).
        self.code_shown = False

    def set_by(self, by: By) -> None:
        """``"requests"`` or ``"workers"`` (a file's ``"worker"`` is turned into that by
        :func:`app.timeline.rows.by_value` first)."""
        if by not in ("requests", "workers"):
            raise ValueError(f"by must be 'requests' or 'workers', not {by!r}")
        if by != self.by:
            self.by = by
            self.events.by.emit(by)

    def set_tails(self, shown: bool) -> None:
        if shown != self.tails:
            self.tails = shown
            self.events.tails.emit(shown)

    def set_dark(self, dark: bool) -> None:
        if dark != self.dark:
            self.dark = dark
            self.events.dark.emit(dark)

    def set_presentation(self, on: bool) -> None:
        if on != self.presentation:
            self.presentation = on
            self.events.presentation.emit(on)

    def set_replay_ms(self, ms: float) -> None:
        """Where the replay's playhead is, in ms from the first send (< 0: not replaying)."""
        ms = max(-1.0, ms)
        if ms != self.replay_ms:
            self.replay_ms = ms
            self.events.replay_ms.emit(ms)

    def set_reveal_expanded(self, expanded: bool) -> None:
        """The reveal's whole text (``True``) or its one-line strip; the classroom folds it
        back whenever the class leaves a reveal."""
        if expanded != self.reveal_expanded:
            self.reveal_expanded = expanded
            self.events.reveal_expanded.emit(expanded)

    def set_code_shown(self, shown: bool) -> None:
        if shown != self.code_shown:
            self.code_shown = shown
            self.events.code_shown.emit(shown)


#: How the lesson panel shows the question: ``large`` (the question step on a projector: the
#: class reads it from the back row), ``line`` (kept, smaller, while the lanes grow),
#: ``normal`` (at the desk) or ``hidden``.
QuestionSize = Literal["large", "line", "normal", "hidden"]
#: The reveal: not yet, its one-line strip (the lanes keep the height), its whole text above
#: the lanes (at the desk), or the verdict's line above and its whole text beside them (on a
#: projector: the lanes keep the reveal's height, and its rows; above them, the text left
#: lesson 9's thirty threads one row, teacher46).
RevealShown = Literal["none", "strip", "full", "beside"]


@dataclass(frozen=True, slots=True)
class StepLayout:
    """What the window's centre shows at one step of a lesson; the window draws it."""

    question: QuestionSize
    choices: bool
    #: The lanes, their legend, the replay bar and the line of figures; off while a question
    #: is up with nothing measured, so no empty 0–10 ms axis takes the screen.
    lanes: bool
    reveal: RevealShown
    #: The header's line of dials under the lesson's title.
    dials_line: bool
    #: The code panel under the lanes (presentation mode; the desk has its Code tab).
    code: bool


def step_layout(step: QuizStep | None, view: View, *, has_lanes: bool) -> StepLayout:
    """The layout of quiz step ``step`` (``None``: no lesson open) as ``view`` stands;
    ``has_lanes``: a run or a prediction is there to draw.

    In presentation mode the question step gives the question and its choices the screen;
    once the class watches the run, the question stays as a line, the dials' line goes and
    the lanes take the height; the reveal is one line (:attr:`View.reveal_expanded` opens its
    whole text beside the lanes, the line kept). At the desk the panel keeps its usual size
    and the empty axis shows, and the whole text opens above the lanes.
    """
    on = view.presentation
    code = on and view.code_shown
    if step is None:
        return StepLayout("hidden", False, True, "none", True, code)
    if step is QuizStep.QUESTION:
        return StepLayout(
            "large" if on else "normal", True, has_lanes or not on, "none", True, code
        )
    if step is QuizStep.REVEAL:
        if view.reveal_expanded and on:
            return StepLayout("hidden", False, True, "beside", False, code)
        if view.reveal_expanded:
            return StepLayout("normal", False, True, "full", True, code)
        return StepLayout("hidden", False, True, "strip", not on, code)
    return StepLayout("line", False, True, "none", not on, code)
