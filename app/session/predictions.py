"""The model beside the measurements: the prediction shown instead of a run, and the model's
makespan checked against each run that finishes.

A part of :class:`~app.session.Session` of its own: what the model says is never mixed with
what was measured, and asking it for thousands of requests must not freeze the window.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from simulator.metrics.summary import summarize
from simulator.prediction.calibration import load_costs
from simulator.scenario import Scenario
from simulator.trace import Run, Trace

from .events import SessionEvents
from .off_loop import loop_running, off_loop
from .state import Prediction, PredictionCheck

__all__ = ["AT_ONCE_LIMIT", "PREDICT_WITH_RUN_LIMIT", "Predictions"]

#: Runs up to this size get the model's prediction beside the measurement.
PREDICT_WITH_RUN_LIMIT = 2000
#: Up to this many requests the model is worked out on the window's loop (tens of ms);
#: beyond, with a loop running, on a thread of its own: 1,000 requests take 0.3–0.4 s, which
#: froze the window as each run ended.
AT_ONCE_LIMIT = 100


class Predictions:
    """The prediction on screen (``shown``) and the model's check of a finished run.

    Parameters
    ----------
    predictor
        The model's trace for a scenario.
    events
        The session's signals: ``prediction`` when the shown one changes, ``error`` when
        the model fails off the loop.
    """

    def __init__(self, predictor: Callable[[Scenario], Trace], events: SessionEvents) -> None:
        self._predictor = predictor
        self._events = events
        self.shown: Prediction | None = None
        #: How many times the model was asked or its answer dropped: one worked out off the
        #: loop is shown only if neither happened since it was asked (a newer question, a
        #: new lesson, a run, each replaced it).
        self._asked = 0
        self._task: asyncio.Future[None] | None = None
        self._checking: asyncio.Future[None] | None = None

    def ask(self, scenario: Scenario) -> Prediction | None:
        """Show the model's prediction for ``scenario``: at once up to
        :data:`AT_ONCE_LIMIT` requests; beyond, with a loop running, on a thread of its own
        (``events.prediction`` brings it; ``None`` is returned now)."""
        self._asked += 1
        if scenario.requests > AT_ONCE_LIMIT and loop_running():
            self._task = asyncio.ensure_future(self._off_loop(scenario, self._asked))
            return None
        self._show(scenario, self._predictor(scenario))
        return self.shown

    def drop(self) -> None:
        """No prediction on screen (a run or a new lesson replaces it), nor any asked
        before."""
        self._asked += 1
        self._set(None)

    def check(self, run: Run, later: Callable[[PredictionCheck], None]) -> PredictionCheck | None:
        """The model's makespan beside ``run``'s (``None`` if stopped, too big, or of a url:
        the model knows only the lesson site). Up to :data:`AT_ONCE_LIMIT` requests (or with
        no loop running) returned at once; beyond, worked out on a thread of its own and
        handed to ``later`` (``None`` is returned now)."""
        if run.stopped or run.scenario.requests > PREDICT_WITH_RUN_LIMIT or run.scenario.url:
            return None
        if run.scenario.requests > AT_ONCE_LIMIT and loop_running():
            self._checking = asyncio.ensure_future(self._check_off_loop(run, later))
            return None
        return self._checked(run, self._predicted_makespan(run.scenario))

    def _predicted_makespan(self, scenario: Scenario) -> float:
        return summarize(self._predictor(scenario)).makespan_ms

    @staticmethod
    def _checked(run: Run, predicted_ms: float) -> PredictionCheck:
        return PredictionCheck(predicted_ms, run.summary.makespan_ms, load_costs().calibrated)

    async def _check_off_loop(self, run: Run, later: Callable[[PredictionCheck], None]) -> None:
        try:
            predicted = await off_loop(self._predicted_makespan, run.scenario, name="predict")
        except Exception as exc:
            self._events.error.emit(f"The prediction failed: {type(exc).__name__}: {exc}")
            return
        later(self._checked(run, predicted))

    def _show(self, scenario: Scenario, trace: Trace) -> None:
        self._set(Prediction(scenario=scenario, trace=trace, summary=summarize(trace)))

    async def _off_loop(self, scenario: Scenario, asked: int) -> None:
        try:
            trace = await off_loop(self._predictor, scenario, name="predict")
        except Exception as exc:
            if asked == self._asked:
                self._events.error.emit(f"The prediction failed: {type(exc).__name__}: {exc}")
            return
        if asked == self._asked:  # nothing replaced it meanwhile
            self._show(scenario, trace)

    def _set(self, prediction: Prediction | None) -> None:
        if prediction is not self.shown:
            self.shown = prediction
            self._events.prediction.emit(prediction)
