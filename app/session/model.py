"""The session: what the window shows and runs, with no Qt (napari's ``ViewerModel``).

The window, the dials and the timelines listen to :attr:`Session.events` and call its
methods, the metrics panel and the figure line through :class:`~app.session.figures.Figures`;
"the current run" lives here, and they read it when they draw.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterable
from pathlib import Path

from simulator.errors import LanesError, ScenarioError
from simulator.files.scenario_file import ScenarioFile, load_scenario_file
from simulator.metrics.comparison import RERUN_ORDER, Comparison, Criterion
from simulator.metrics.verdict import comparison_verdict
from simulator.prediction.model import predict
from simulator.scenario import Scenario
from simulator.trace import Run, Trace
from simulator.trace.collector import paused_collection, settle
from simulator.upstream_address import refuse_unless_allowed

from .client_loop import OffLoopRun
from .events import SessionEvents
from .live import FRAME_MS, LiveFrames, Prepare, tidying_notice, wait_for_leftovers
from .predictions import Predictions
from .runner import Leftover, Runner
from .samples import every_run, final_medians, rerun_after
from .state import Kept, Lesson, Prediction, PredictionCheck, Side
from .view import View

__all__ = ["FRAME_MS", "Kept", "Session"]


class Session:
    """Scenarios A and B, their runs, the run queue, the verdict, the prediction, the lesson.

    **Usage**::

        session = Session(runner=LiveRun)
        session.events.run_finished.connect(lambda side, run: print(side, run.summary))
        session.set_scenario(Side.A, Scenario(view="sync_io", requests=4))
        await session.run()

    Parameters
    ----------
    runner
        Makes the handle of one run: the app hands in the real engine in a process of its
        own, :class:`~simulator.hosting.site_process.SiteProcess` (:mod:`app.main`; or
        :class:`~simulator.hosting.engine.LiveRun`, the site in this process), a test a
        fake, so this package imports no Django.
    predictor
        The model's trace for a scenario (default :func:`~simulator.prediction.model.predict`).
    frame_ms
        How often a live run's snapshot is taken, at the least.

    Attributes
    ----------
    events
        The signals (see :class:`~app.session.events.SessionEvents`).
    runs
        Each side's run on screen, a close call's median one (``None``: not run). Read only.
    live_trace
        The running side's latest snapshot, ``None`` when nothing runs.
    criterion
        What the verdict judges (see :meth:`set_criterion`).
    """

    def __init__(
        self,
        *,
        runner: Runner,
        predictor: Callable[[Scenario], Trace] = predict,
        frame_ms: float = FRAME_MS,
        scenario_a: Scenario | None = None,
        scenario_b: Scenario | None = None,
    ) -> None:
        self.events = SessionEvents()
        #: How the runs are shown (lanes by request or worker, tails, palette, presentation
        #: mode, the replay's position): the widgets follow its events.
        self.view = View()
        self._runner = runner
        self._predictions = Predictions(predictor, self.events)
        self._frame_s = frame_ms / 1000
        self._scenarios = {Side.A: scenario_a or Scenario(), Side.B: scenario_b or Scenario()}
        self._compare = False
        self.runs: dict[Side, Run | None] = {Side.A: None, Side.B: None}
        self.live_trace: Trace | None = None
        self._queue: list[Side] = []
        self._running_side: Side | None = None
        self._running = False
        self._handle: OffLoopRun | None = None
        self._task: asyncio.Future[None] | None = None
        self._last_side: Side | None = None
        self._shown_side = Side.A
        self._verdict: str | None = None
        #: Hosts a loaded file's upstream URL may call besides this machine (``--allow-host``).
        self.allowed_hosts: tuple[str, ...] = ()
        # The thread a stopped run left closing its server while abandoned views finish.
        self._leftover: Leftover | None = None
        #: Run at the end of each live frame and timed with it: the window delivers the
        #: paints its widgets asked for (:func:`~app.session.live.stream_frames`).
        self.settle_frame: Callable[[], None] | None = None
        #: Run with each live snapshot on the worker thread that took it, before the window
        #: draws it (no Qt): the figures' columns and summary (:mod:`app.session.figures`).
        self.prepare_frame: list[Prepare] = []
        self._lesson: Lesson | None = None
        #: Every run of each side since Run ran both (a close call runs each twice more).
        self.samples: dict[Side, list[Run]] = {Side.A: [], Side.B: []}
        #: Whether the runs going (or gone) are a comparison's, A then B, kept in :attr:`samples`.
        self.sampling = False
        self.criterion = Criterion()

    # -- what is set ------------------------------------------------------------------------
    def scenario(self, side: Side | str = Side.A) -> Scenario:
        return self._scenarios[Side(side)]

    def set_scenario(self, side: Side | str, scenario: Scenario) -> None:
        """Change one side's dials (a run in progress keeps the dials it started with)."""
        side = Side(side)
        if scenario == self._scenarios[side]:
            return
        self._scenarios[side] = scenario
        self.events.scenario.emit(side, scenario)

    @property
    def compare(self) -> bool:
        """Compare mode: Run runs A then B, and the verdict says which was faster."""
        return self._compare

    def set_compare(self, on: bool) -> None:
        if on == self._compare:
            return
        self._compare = on
        if not on:
            self.show_side(Side.A)
        self.events.compare.emit(on)
        self._update_verdict()

    @property
    def lesson(self) -> Lesson | None:
        return self._lesson

    @property
    def lesson_title(self) -> str | None:
        return self._lesson.title if self._lesson is not None else None

    def load(self, loaded: ScenarioFile) -> None:
        """Put a scenario or lesson file's dials on the sides (and its title, if it has one)."""
        self.set_scenario(Side.A, loaded.a)
        if loaded.b is not None:
            self.set_scenario(Side.B, loaded.b)
        self.set_compare(loaded.b is not None)
        if loaded.title:
            self._lesson = Lesson(title=loaded.title, file=loaded)
            self.events.lesson.emit(self._lesson)

    def open(self, path: str | Path, loaded: ScenarioFile | None = None) -> ScenarioFile:
        """Load a file (``loaded``: already read from ``path``); a broken one raises
        ``ScenarioError`` and changes nothing, and so does one whose upstream is not this
        machine unless :attr:`allowed_hosts` names it (a file handed around must not send
        requests to a stranger)."""
        loaded = loaded if loaded is not None else load_scenario_file(path)
        for scenario in (loaded.a, loaded.b):
            if scenario is not None:
                try:
                    refuse_unless_allowed(scenario.upstream_url, self.allowed_hosts)
                    refuse_unless_allowed(scenario.url, self.allowed_hosts, key="url")
                except ScenarioError as exc:
                    raise ScenarioError.in_file(path, str(exc), key=exc.key) from None
        self.load(loaded)
        return loaded

    def forget_runs(self) -> None:
        """Drop both sides' runs (not while running): a new lesson starts on its question,
        with no answer from the last lesson's lanes on screen."""
        if self._running:
            return
        self.runs = {Side.A: None, Side.B: None}
        self.samples = {Side.A: [], Side.B: []}
        self._last_side = None
        self._predictions.drop()  # the model's answer is an answer too
        self._update_verdict()
        for side in Side:  # views redraw each side as not run yet
            self.events.scenario.emit(side, self._scenarios[side])

    def keep(self) -> Kept:
        """The runs on both sides as they are now, for :meth:`restore`."""
        samples = {side: list(runs) for side, runs in self.samples.items()}
        return Kept(dict(self.runs), samples, self._last_side, self.check)

    def restore(self, kept: Kept) -> None:
        """Put back runs kept earlier (not while running): each side is shown as it
        finished (``run_finished``), nothing runs again."""
        if self._running:
            return
        self.forget_runs()
        self.runs = dict(kept.runs)
        self.samples = {side: list(runs) for side, runs in kept.samples.items()}
        self._last_side = kept.last_side
        if kept.check is not None and (run := self.last_run) is not None:
            self._predictions.keep(run, kept.check)
        for side, run in self.runs.items():
            if run is not None:
                self.events.run_finished.emit(side, run)
        self._update_verdict()

    def to_file(self) -> ScenarioFile:
        """The dials as a scenario file (side B only in compare mode)."""
        b = self._scenarios[Side.B] if self._compare else None
        return ScenarioFile(title=None, a=self._scenarios[Side.A], b=b)

    # -- what is shown ---------------------------------------------------------------------
    @property
    def shown_side(self) -> Side:
        """The side whose figures the panels show (always A outside compare mode)."""
        return self._shown_side if self._compare else Side.A

    def show_side(self, side: Side | str) -> None:
        side = Side(side)
        if side != self._shown_side:
            self._shown_side = side
            self.events.shown_side.emit(side)

    @property
    def sides(self) -> tuple[Side, ...]:
        """The sides on screen: A, or A and B in compare mode."""
        return (Side.A, Side.B) if self._compare else (Side.A,)

    def shown_runs(self) -> list[Run]:
        """The runs on screen: A, or A and B in compare mode (those that have run)."""
        return [run for side in self.sides if (run := self.runs[side]) is not None]

    def shown_run(self) -> Run | None:
        """The run of the shown side, or A's when that side has none."""
        return self.runs[self.shown_side] or self.runs[Side.A]

    @property
    def last_run(self) -> Run | None:
        """The run that finished last, on whichever side."""
        return self.runs[self._last_side] if self._last_side is not None else None

    @property
    def verdict(self) -> str | None:
        """Which side was faster and by how much, once both have run in compare mode."""
        return self._verdict

    def set_criterion(self, criterion: Criterion | None) -> None:
        """Judge comparisons (and re-run close calls) by a lesson's figure and what its
        answer expects; ``None``: by makespan, expecting nothing."""
        self.criterion = criterion or Criterion()
        self._update_verdict()

    def every_run(self, side: Side | str) -> list[Run]:
        """The side's run on screen, with every other run of a close call."""
        return every_run(self.runs[Side(side)], self.samples[Side(side)])

    def comparison(self) -> Comparison | None:
        """The runs on screen as one comparison (every run of a close call), or ``None``."""
        a, b = self.every_run(Side.A), self.every_run(Side.B)
        return Comparison.of_runs(a, b, self.criterion) if self._compare and a and b else None

    @property
    def prediction(self) -> Prediction | None:
        """The model's prediction shown instead of a run (the next run drops it)."""
        return self._predictions.shown

    @property
    def check(self) -> PredictionCheck | None:
        """The model against the run that finished last (``None`` if stopped, too big, or
        not come yet: beyond 100 requests it is worked out off the loop)."""
        return self._predictions.check_of(self.last_run)

    # -- running ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._running

    @property
    def running_side(self) -> Side | None:
        """The side whose run is going now (``None`` between two sides' runs too)."""
        return self._running_side

    @property
    def queued(self) -> tuple[Side, ...]:
        """Sides waiting for the running one to finish (B, while A runs in compare mode)."""
        return tuple(self._queue)

    def start(self, sides: Iterable[Side | str] | None = None) -> bool:
        """Run side A, or in compare mode A then B (or the ``sides`` given, in order).

        Returns whether a run started: not while one runs, nor B outside compare mode.
        Needs an asyncio loop (in the app, Qt's through qasync).
        """
        if self._running:
            return False
        order = [Side(s) for s in sides] if sides is not None else list(self.sides)
        if not order or (Side.B in order and not self._compare):
            return False
        self._queue = order
        self.sampling = order == [Side.A, Side.B]
        if self.sampling:
            self.samples = {Side.A: [], Side.B: []}
        self._running = True
        self._predictions.drop()
        self.events.running.emit(True)
        self._task = asyncio.ensure_future(self._run_queue())
        return True

    async def run(self, sides: Iterable[Side | str] | None = None) -> None:
        """Start (see :meth:`start`) and wait until every queued side has run."""
        self.start(sides)
        await self.wait()

    def stop(self) -> None:
        """Stop the run: the queued side never runs, lanes in flight end as cancelled."""
        self._queue.clear()
        if self._handle is not None:
            self._handle.stop()

    async def wait(self) -> None:
        """Wait until no run is going and none is queued."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    def close(self) -> None:
        """The window closes: the model's answers still worked out on threads are dropped,
        never handed to a loop whose Qt is being torn down."""
        self._predictions.close()

    def predict(self, side: Side | str = Side.A) -> Prediction | None:
        """Ask the model about a side's dials without running them (not while running).

        Up to :data:`~app.session.predictions.AT_ONCE_LIMIT` requests it takes tens of ms
        and is returned at once. Beyond, it can take most of a minute: with a loop running
        (the window's) it is worked out on a thread of its own, the loop stays free, and
        ``events.prediction`` brings it (``None`` is returned now)."""
        if self._running:
            return None
        return self._predictions.ask(self._scenarios[Side(side)])

    async def _run_queue(self) -> None:
        try:
            while self._queue:
                run = await self._run_side(self._queue.pop(0))
                why = rerun_after(self.samples, self.criterion) if self.sampling else None
                if run is None or run.stopped:
                    self._queue.clear()
                elif not self._queue and why:
                    self.events.notice.emit(why)
                    self._queue = [Side(letter.lower()) for letter in RERUN_ORDER]
        finally:
            self._queue.clear()
            self._running = False
            self._running_side = None
            self._handle = None
            self.live_trace = None
            settle(full=False)  # the runs kept are not walked again (collector.py)
            self.events.running.emit(False)

    async def _run_side(self, side: Side) -> Run | None:
        scenario = self._scenarios[side]
        handle = self._runner(scenario)
        self._handle = client = OffLoopRun(handle)  # its client runs on a loop of its own
        self._running_side = side
        self.runs[side] = None
        self._update_verdict()
        if self._compare:  # the figures of a live run are the running side's
            self.show_side(side)
        self.events.run_started.emit(side, scenario)
        await wait_for_leftovers(self._leftover, self.events.notice.emit)
        frames = LiveFrames(
            handle,
            client.answered,
            self._frame_s,
            functools.partial(self._frame, side),
            self.settle_frame,
            self.prepare_frame,
            functools.partial(self._answers, side),
        )
        try:
            run = await client.run()
        except LanesError as exc:
            self.events.error.emit(str(exc))
            kept = getattr(exc, "measured", None)  # a run cut short from outside keeps it
            if not isinstance(kept, Run):
                return None
            run = kept
        except Exception as exc:  # never a traceback in a teacher's face; say what happened
            self.events.error.emit(f"The run failed: {type(exc).__name__}: {exc}")
            return None
        finally:
            answers_shown = frames.answers_shown
            await frames.close()
            self._running_side = None  # its run has ended: its end is not shown as running
            self._leftover = getattr(handle, "leftover", None)
            if answers_shown:
                self.events.notice.emit("")  # the tidying it told of is over
        if self.sampling:
            self.samples[side].append(run)
            run = self._show_medians(side, run)
        self.runs[side] = run
        self._last_side = side
        self._predictions.check(run, lambda check: self._checked(run, check))
        # Drawn with the collector paused: the final trace's objects, just made, would have
        # the widgets' first allocations walk every object of the run (seconds at 10,000
        # requests); the queue's end settles them once (collector.py).
        with paused_collection():
            self.events.run_finished.emit(side, run)
        self._update_verdict()
        return run

    def _checked(self, run: Run, check: PredictionCheck) -> None:
        """The model's check of a big ``run``, worked out off the loop: told if that run is
        still the last (else kept with it, for when its lesson is shown again)."""
        if run is self.last_run:
            self.events.checked.emit(check)

    def _frame(self, side: Side, trace: Trace, now_ns: int) -> None:
        self.live_trace = trace
        self.events.run_progressed.emit(side, trace, now_ns)

    def _answers(self, side: Side, answers: Run, tidying: int) -> None:
        self.events.run_answered.emit(side, answers, tidying)
        if tidying:
            self.events.notice.emit(tidying_notice(tidying))

    def _show_medians(self, side: Side, run: Run) -> Run:
        """After a close call's re-runs each side shows its median run: the verdict's number."""
        medians = final_medians(self.samples, run, self.criterion.figure, bool(self._queue))
        if medians is None:
            return run
        if (other := medians.get(side.other)) is not None and other is not self.runs[side.other]:
            self.runs[side.other] = other
            self.events.run_finished.emit(side.other, other)
        return medians[side]

    def _update_verdict(self) -> None:
        comparison = self.comparison()
        text = comparison_verdict(comparison) if comparison is not None else None
        if text != self._verdict:
            self._verdict = text
            self.events.verdict.emit(text)
