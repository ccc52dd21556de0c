"""Runs scenarios on the window's asyncio loop (qasync) and reports progress as Qt signals."""

from __future__ import annotations

import asyncio
import time

from PySide6.QtCore import QObject, QTimer, Signal

from simulator.errors import LanesError
from simulator.hosting.engine import LiveRun
from simulator.scenario import Scenario
from simulator.trace import Run, Trace

__all__ = ["RunController"]


class RunController(QObject):
    """Starts a :class:`~simulator.hosting.engine.LiveRun`, streams snapshots, stops it on request.

    The client runs on the window's loop; the site runs on the engine's own threads, so a
    view that blocks the site's loop never freezes the window.

    Signals
    -------
    started(Scenario)
    progressed(Trace, int)   a snapshot and "now" (perf_counter ns), about 30 times a second
    finished(Run)            the finished (or stopped) run
    failed(str)              the run could not happen; the message is for a person
    """

    started = Signal(object)
    progressed = Signal(object, object)  # (Trace, int ns): ns overflow a C int
    finished = Signal(object)
    failed = Signal(str)

    #: Snapshot period while a run is live.
    FRAME_MS = 33

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._live: LiveRun | None = None
        self._task: asyncio.Task[None] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(self.FRAME_MS)
        self._timer.timeout.connect(self._emit_progress)
        self.last_run: Run | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, scenario: Scenario) -> None:
        """Start a run of ``scenario``; ignored while one is running."""
        if self.running:
            return
        self._live = LiveRun(scenario)
        self._task = asyncio.ensure_future(self._run(self._live))
        self._timer.start(self.FRAME_MS)
        self.started.emit(scenario)

    def stop(self) -> None:
        """Stop the run: unsent requests are never sent, lanes in flight end as cancelled."""
        if self._live is not None and self.running:
            self._live.stop()

    async def wait(self) -> None:
        """Wait until the current run (if any) has ended."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self, live: LiveRun) -> None:
        try:
            run = await live.run()
        except LanesError as exc:
            self.failed.emit(str(exc))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # never a traceback in a teacher's face; say what happened
            self.failed.emit(f"The run failed: {type(exc).__name__}: {exc}")
        else:
            self.last_run = run
            self.finished.emit(run)
        finally:
            self._timer.stop()

    def _emit_progress(self) -> None:
        live = self._live
        if live is None or not live.started:
            return
        now = time.perf_counter_ns()
        trace: Trace = live.snapshot(now)
        self.progressed.emit(trace, now)
        # A frame of thousands of lanes costs tens of ms, and it competes with the site for
        # the GIL: keep the window's share of the time to about a third, whatever the size.
        spent_ms = (time.perf_counter_ns() - now) / 1e6
        self._timer.setInterval(max(self.FRAME_MS, int(spent_ms * 3)))
