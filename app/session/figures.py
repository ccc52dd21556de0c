"""The figures on screen, with no Qt: which trace the metrics panel and presentation mode's
line of figures show, and its summary, worked out once for both.

Several things decide it, each in the session: a run starting (no figures yet), its live
snapshots (a few times a second at most, and less often while they cost more: the figures
of thousands of lanes and the plots cost tens of ms; the trace's columns are carried from
one snapshot to the next, :class:`~simulator.trace.live_columns.LiveColumns`, so a frame
reads only the lanes that changed), a run finishing, the side chosen in compare mode, the
model's prediction, and the replay's playhead (the run as it stood then: the final figures
would give the ending away). :class:`Figures` follows those events and says what to draw;
the widgets bind to :attr:`Figures.events` and read :attr:`Figures.shown` when they draw
(napari's ``QtDims(dims)``), so no widget keeps a run or reads another's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from psygnal import Signal, SignalGroup

from simulator.metrics.replay import trace_at
from simulator.metrics.summary import Summary, summarize
from simulator.scenario import Scenario
from simulator.trace import Run, Trace
from simulator.trace.live_columns import LiveColumns

from .close_call import on_screen
from .model import Session
from .state import Prediction, Side

__all__ = [
    "EVERY_FRAME_LANES",
    "LIVE_COST_SHARE",
    "LIVE_PERIOD_NS",
    "Figures",
    "FiguresEvents",
    "Shown",
]

#: How often the figures of a big live run, and every live run's plots, are refreshed: at
#: most this often (a class reads them a few times a second)...
LIVE_PERIOD_NS = 250_000_000
#: ... and at most this share of the time (what they cost, measured each time: on a busy
#: machine they take longer, and the lanes and the site's threads come first).
LIVE_COST_SHARE = 0.2
#: Up to this many lanes, a live run's figures and plots are refreshed every frame, so they
#: keep up with the picture ("loop blocked" grows with the red strip) and with each other.
EVERY_FRAME_LANES = 100


@dataclass(frozen=True, slots=True)
class Shown:
    """A trace whose figures are on screen.

    Attributes
    ----------
    trace
        The run's trace (finished, live, or cut at the replay's playhead) or the model's.
    summary
        Its figures.
    side
        The side it is of, named in compare mode (``None``: one run on screen).
    predicted
        The model's, not a measurement: every caption says so.
    live
        A run still going, or replayed up to its playhead: its makespan, throughput and
        latencies are the answers' so far, and their captions say so (``Figure.so_far``).
    requests
        How many requests the run sends (``None``: not said): once all are answered its
        figures are final, Django still tidying up or not (:attr:`counting`).
    """

    trace: Trace
    summary: Summary
    side: Side | None = None
    predicted: bool = False
    live: bool = False
    requests: int | None = None

    @property
    def counting(self) -> bool:
        """Whether its figures still count answers to come: live, and not every request of
        the run answered ("makespan so far 249 ms · p95 of 10 answered" beside "10 of 10
        requests answered" read as figures still moving; a teacher's walk)."""
        done = self.requests is not None and self.summary.answered >= self.requests
        return self.live and not done


class FiguresEvents(SignalGroup):
    """shown(bool): other figures (or none) are on screen; the flag says whether the plots
    are due too (live, they are redrawn less often than the figures)."""

    shown = Signal(bool)


class Figures:
    """What the figures show (:attr:`shown`, ``None``: no run yet), following a session.

    Parameters
    ----------
    session
        The session to follow; ``None`` for figures set only with :meth:`show` (a test, or
        a picture of one trace).
    """

    def __init__(self, session: Session | None = None) -> None:
        self.events = FiguresEvents()
        self.shown: Shown | None = None
        #: In compare mode, the other side's finished run beside :attr:`shown` (``None``:
        #: not run yet, running, or one run on screen): presentation mode's line of figures
        #: gives each panel its own, so the one line never sits, named B's, over A's lanes.
        self.other: Shown | None = None
        #: With no figures shown, the side whose run has started and has none yet (compare
        #: mode; ``None`` otherwise): while B's site starts, A's lanes stay on screen and
        #: the dashes are B's, which the figure line says.
        self.starting: Side | None = None
        self._session = session
        self._live_shown_ns = 0
        self._live_period_ns = LIVE_PERIOD_NS
        self._live_requests: int | None = None  # how many the live run sends
        self._live_columns = LiveColumns()
        # The summary worked out with a live snapshot on the frame's worker thread, what
        # that took of its CPU, and the snapshot it is of.
        self._prepared: tuple[Trace, Summary, int] | None = None
        if session is not None:
            self._follow(session)

    def show(
        self,
        trace: Trace | None,
        summary: Summary | None = None,
        *,
        side: Side | None = None,
        predicted: bool = False,
        plots: bool = True,
        live: bool = False,
        starting: Side | None = None,
        requests: int | None = None,
    ) -> None:
        """Show ``trace``'s figures (``summary`` is worked out if not given; ``None``: no
        figures). ``plots=False``: only the figures are due, the plots draw what they drew.
        ``live``: the run is still going. ``starting``: with no trace, the side whose run
        has started (:attr:`starting`)."""
        other = self._other_of(starting if trace is None else side)
        if trace is None:
            kept = self.other
            same = kept is other or (kept and other and kept.trace is other.trace)
            if self.shown is None and self.starting == starting and same:
                return
            self.shown, self.starting = None, starting
        else:
            self.starting = None
            summary = summary if summary is not None else summarize(trace)
            self.shown = Shown(trace, summary, side, predicted, live, requests)
        self.other = other
        self.events.shown.emit(plots)

    def _other_of(self, side: Side | None) -> Shown | None:
        """The figures of the side other than ``side`` (``None``: one run on screen) as its
        panel shows it (:func:`~app.session.close_call.on_screen`): its finished run, or as
        it stood at the replay's playhead; none if it has not run, runs, or waits to run."""
        s = self._session
        if side is None or s is None:
            return None
        run = on_screen(s, side.other)
        if run is None:
            return None
        ms = s.view.replay_ms
        if ms < 0 or s.running:
            return Shown(run.trace, run.summary, side.other)
        cut = trace_at(run.trace, run.trace.t0_ns + int(ms * 1e6))
        return Shown(cut, summarize(cut), side.other, live=True, requests=run.scenario.requests)

    # -- following the session -----------------------------------------------------------------
    def _follow(self, session: Session) -> None:
        events = session.events
        events.run_started.connect(self._on_run_started)
        events.run_progressed.connect(self._on_run_progressed)
        events.run_answered.connect(self._on_run_answered)
        session.prepare_frame.append(self._prepare)
        events.run_finished.connect(self._on_run_finished)
        events.shown_side.connect(self._on_shown_side)
        events.compare.connect(self._on_compare)
        events.prediction.connect(self._on_prediction)
        events.scenario.connect(self._on_scenario)
        session.view.events.replay_ms.connect(self._on_playhead)

    @property
    def _s(self) -> Session:
        assert self._session is not None  # only the handlers of a followed session ask
        return self._session

    def _side(self, side: Side) -> Side | None:
        """The side, named only in compare mode."""
        return side if self._s.compare else None

    def _show_run(self, side: Side, run: Run) -> None:
        self.show(run.trace, run.summary, side=self._side(side))

    def _on_run_started(self, side: object, scenario: object) -> None:
        # How many requests the run sends: as it started, whatever the dials say meanwhile.
        self._live_requests = scenario.requests if isinstance(scenario, Scenario) else None
        self._live_shown_ns = 0
        self._live_period_ns = LIVE_PERIOD_NS
        self._live_columns = LiveColumns()  # nothing of the last run's is kept
        self.show(None, starting=self._side(side) if isinstance(side, Side) else None)

    def _due(self, trace: Trace, now_ns: int) -> bool:
        """Whether a live snapshot's figures are due, and with them its plots: a small
        run's at every frame. (Figures without their plots read "Answered 7, p50 so far
        877 ms" over "Latency of 6 answered requests, p50 777 ms", lesson 4: the two are
        due together.)"""
        due = now_ns - self._live_shown_ns >= self._live_period_ns
        return due or len(trace.lanes) <= EVERY_FRAME_LANES

    def _prepare(self, trace: Trace, now_ns: int) -> None:
        """On the frame's worker thread, before the window draws ``trace``: its columns,
        from the last snapshot's (the timeline reads them too), and its figures if due."""
        self._prepared = None
        self._live_columns.fill(trace)
        if self._due(trace, now_ns):
            cpu = time.thread_time_ns()
            self._prepared = (trace, summarize(trace), time.thread_time_ns() - cpu)

    def _on_run_progressed(self, side: Side, trace: Trace, now_ns: int) -> None:
        if not self._due(trace, now_ns):
            return
        start = time.perf_counter_ns()
        prepared, self._prepared = self._prepared, None
        if prepared is not None and prepared[0] is trace:
            summary, cost = prepared[1], prepared[2]
        else:  # a frame not prepared (the session's own stream prepares every one)
            self._live_columns.fill(trace)
            summary, cost = summarize(trace), 0
        requests = self._live_requests
        self.show(trace, summary, side=self._side(side), plots=True, live=True, requests=requests)
        # What the figures and the plots cost, drawn: their share of the time.
        cost += time.perf_counter_ns() - start
        self._live_shown_ns = now_ns
        self._live_period_ns = max(LIVE_PERIOD_NS, round(cost / LIVE_COST_SHARE))

    def _on_run_answered(self, side: Side, answers: Run, tidying: int) -> None:
        """Every request answered: the answers' figures, final, while Django tidies up (the
        server's read "not measured" until the run's end brings them), the plots too: left
        as the last live frame drew them, they contradicted the figures beside them for the
        seconds Django tidies ("no answered requests yet" beside "Succeeded 3 000"). Their
        paint amid Django's threads waits for the GIL (a second at 10,000 requests), once."""
        self._show_run(side, answers)

    def _on_run_finished(self, side: Side, run: Run) -> None:
        self._show_side_run()

    def _on_shown_side(self, side: Side) -> None:
        self._show_side_run()

    def _on_compare(self, on: bool) -> None:
        """A run's figures name their side only in compare mode: say so, or stop saying it."""
        shown, s = self.shown, self._s
        if shown is not None and not shown.predicted and not s.running and s.view.replay_ms < 0:
            self._show_side_run()

    def _show_side_run(self) -> None:
        """The shown side's run (the figures follow the dials tab, A or B, in compare mode);
        a side not run yet leaves the figures as they are."""
        side = self._s.shown_side
        run = self._s.runs[side]
        if run is not None:
            self._show_run(side, run)

    def _on_prediction(self, prediction: Prediction | None) -> None:
        if prediction is not None:  # (a run replaces it on screen as it starts)
            self.show(prediction.trace, prediction.summary, predicted=True)

    def _on_scenario(self, side: object, scenario: object) -> None:
        """Runs forgotten (a new lesson's question): no figures of the last lesson."""
        s = self._s
        if not s.running and s.prediction is None and not any(s.runs.values()):
            self.show(None)

    def _on_playhead(self, ms: float) -> None:
        """The shown side's run as it stood ``ms`` after its first send (``< 0``: all of it)."""
        s = self._s
        side = s.shown_side
        run = s.runs[side]
        if run is None or s.running:
            return
        if ms < 0:
            self._show_run(side, run)
        else:
            cut = trace_at(run.trace, run.trace.t0_ns + int(ms * 1e6))
            requests = run.scenario.requests  # (as it stood: "so far", all answered or not)
            self.show(cut, side=self._side(side), live=True, requests=requests)
