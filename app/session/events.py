"""The signals a :class:`~app.session.Session` emits, as napari's models do with psygnal."""

from __future__ import annotations

from psygnal import Signal, SignalGroup

from simulator.scenario import Scenario
from simulator.trace import Run, Trace

from .state import Side

__all__ = ["SessionEvents"]


class SessionEvents(SignalGroup):
    """Everything a view of the session may want to redraw.

    Signals
    -------
    scenario(Side, Scenario)        a side's dials changed
    compare(bool)                   compare mode turned on or off
    lesson(Lesson | None)           a titled file was loaded (or the title dropped)
    running(bool)                   a run (or a queue of A then B) started or ended
    run_started(Side, Scenario)     one side began
    run_progressed(Side, Trace, int)  a snapshot of the live run and "now" (perf_counter ns)
    run_answered(Side, Run, int)    every request of the live run has its answer: the
                                    answers' figures (no segments), and how many answered
                                    requests Django is still tidying up after
    run_finished(Side, Run)         one side finished or was stopped
    verdict(str | None)             the A/B verdict, or none (a side is missing)
    prediction(Prediction | None)   the model's prediction was asked for (or dropped by a run)
    checked(PredictionCheck)        the model's check of the last run came after its end
                                    (worked out off the loop: a big run)
    shown_side(Side)                which side's figures the panels show
    error(str)                      a run could not happen; the text is for a person
    notice(str)                     a passing state for the status bar ("" ends it): the
                                    next run waits for views a stopped run left running
    """

    scenario = Signal(Side, Scenario)
    compare = Signal(bool)
    lesson = Signal(object)
    running = Signal(bool)
    run_started = Signal(Side, Scenario)
    run_progressed = Signal(Side, Trace, int)
    run_answered = Signal(Side, Run, int)
    run_finished = Signal(Side, Run)
    verdict = Signal(object)
    prediction = Signal(object)
    checked = Signal(object)
    shown_side = Signal(Side)
    error = Signal(str)
    notice = Signal(str)
