"""The model beside the measurements: the prediction shown instead of a run, and the model's
makespan checked against each run that finishes.

A part of :class:`~app.session.Session` of its own: what the model says is never mixed with
what was measured, and asking it for thousands of requests must not freeze the window.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable

from simulator.metrics.summary import summarize
from simulator.prediction.calibration import load_costs
from simulator.scenario import Scenario
from simulator.trace import Run, Trace

from .events import SessionEvents
from .off_loop import OneThread, loop_running
from .state import Prediction, PredictionCheck

__all__ = ["AT_ONCE_LIMIT", "PREDICT_WITH_RUN_LIMIT", "Predictions"]

#: Runs up to this size get the model's prediction beside the measurement.
PREDICT_WITH_RUN_LIMIT = 2000
#: Up to this many requests the model is worked out on the window's loop (tens of ms);
#: beyond, with a loop running, on a thread of its own: 1,000 requests take 0.3–0.4 s, which
#: froze the window as each run ended.
AT_ONCE_LIMIT = 100


class Predictions:
    """The prediction on screen (``shown``) and the model's check of each finished run.

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
        #: One thread at a time for Predict, one for the checks: a newer question
        #: supersedes the one waiting (off_loop.py).
        self._answers = OneThread(predictor, name="predict")
        self._checks = OneThread(self._predicted_makespan, name="model check")
        #: Each run's check, kept with the run while it lives (by identity: a run is not
        #: hashed), so a check that came while another lesson was shown is there again
        #: with its run.
        self._of_run: dict[int, tuple[weakref.ref[Run], PredictionCheck]] = {}

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

    def close(self) -> None:
        """The window closes: nothing asked is shown, and no thread of the model's hands
        anything to the loop any more (one may still be working: it is not waited for)."""
        self._asked += 1
        self._answers.close()
        self._checks.close()

    def check(self, run: Run, later: Callable[[PredictionCheck], None]) -> None:
        """Work out the model's makespan beside ``run``'s, kept with it (:meth:`check_of`;
        none if stopped, too big, or of a url: the model knows only the lesson site). Up to
        :data:`AT_ONCE_LIMIT` requests (or with no loop running) at once; beyond, on a
        thread of its own, and ``later`` is told it when it comes."""
        if run.stopped or run.scenario.requests > PREDICT_WITH_RUN_LIMIT or run.scenario.url:
            return
        if run.scenario.requests > AT_ONCE_LIMIT and loop_running():
            asyncio.ensure_future(self._check_off_loop(run, later))
            return
        self.keep(run, self._checked(run, self._predicted_makespan(run.scenario)))

    def check_of(self, run: Run | None) -> PredictionCheck | None:
        """The model's check of ``run`` (``None``: none, or not yet come)."""
        entry = self._of_run.get(id(run)) if run is not None else None
        return entry[1] if entry is not None and entry[0]() is run else None

    def keep(self, run: Run, check: PredictionCheck) -> None:
        """Keep ``check`` with ``run`` (for as long as the run lives)."""
        self._of_run = {key: kept for key, kept in self._of_run.items() if kept[0]() is not None}
        self._of_run[id(run)] = (weakref.ref(run), check)

    def _predicted_makespan(self, scenario: Scenario) -> float:
        return summarize(self._predictor(scenario)).makespan_ms

    @staticmethod
    def _checked(run: Run, predicted_ms: float) -> PredictionCheck:
        return PredictionCheck(predicted_ms, run.summary.makespan_ms, load_costs().calibrated)

    async def _check_off_loop(self, run: Run, later: Callable[[PredictionCheck], None]) -> None:
        try:
            predicted = await self._checks.run(run.scenario)
        except Exception as exc:
            self._events.error.emit(f"The prediction failed: {type(exc).__name__}: {exc}")
            return
        if predicted is not None:  # (None: a newer run's check superseded it, or closed)
            self.keep(run, check := self._checked(run, predicted))
            later(check)

    def _show(self, scenario: Scenario, trace: Trace) -> None:
        self._set(Prediction(scenario=scenario, trace=trace, summary=summarize(trace)))

    async def _off_loop(self, scenario: Scenario, asked: int) -> None:
        try:
            trace = await self._answers.run(scenario)
        except Exception as exc:
            if asked == self._asked:
                self._events.error.emit(f"The prediction failed: {type(exc).__name__}: {exc}")
            return
        if trace is not None and asked == self._asked:  # nothing replaced it meanwhile
            self._show(scenario, trace)

    def _set(self, prediction: Prediction | None) -> None:
        if prediction is not self.shown:
            self.shown = prediction
            self._events.prediction.emit(prediction)
