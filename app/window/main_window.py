"""The main window: dials on the left, lanes in the middle, metrics and code on the right.

The window draws a :class:`~app.session.Session`: it listens to the session's events and
calls its methods, and keeps no run of its own. Its actions and menus, file dialogs,
presentation mode and remembered settings each live in a module of their own
(``actions``, ``files``, ``presentation``, ``settings``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTabBar,
    QTabWidget,
)

from app.qt_application import current_application
from app.session import Lesson, Prediction, Session, Side
from app.status_text import finished_text, running_text, started_text
from app.theme import Theme, apply_theme
from app.timeline.rows import by_value
from app.widgets.code_panel import QtCode
from app.widgets.dials import QtDials
from app.widgets.figure_strip import QtFigureStrip
from app.widgets.metrics_panel import QtMetrics
from app.widgets.replay_bar import QtReplayBar
from app.widgets.timeline import QtLegend, QtTimeline
from app.window.actions import build_actions, build_menus
from app.window.files import NOTHING_TO_EXPORT, WindowFiles, export_runs
from app.window.layout import build_layout
from app.window.presentation import PresentationMode, heading_font
from app.window.quiz import QtQuiz
from app.window.replay import explain_shown, follow_playhead, load_replay
from app.window.settings import restore_window, save_window, saved_scenario
from simulator.errors import LanesError
from simulator.files.scenario_file import ScenarioFile
from simulator.scenario import Scenario
from simulator.trace import Run, Trace

__all__ = ["QtMainWindow"]

METRICS_PERIOD_NS = 250_000_000


class QtMainWindow(QMainWindow):
    """The window a teacher projects. ``closed`` is emitted once the window has really closed
    (after any run in progress has stopped).

    Parameters
    ----------
    settings
        Where geometry and dials are remembered (default: the application's).
    session
        The model to draw; by default a new one, with the dials last used.
    """

    closed = Signal()

    # Set by build_actions (app.window.actions).
    run_action: QAction
    run_a_action: QAction
    run_b_action: QAction
    predict_action: QAction
    compare_action: QAction
    stop_action: QAction
    replay_action: QAction
    by_request_action: QAction
    by_worker_action: QAction
    tails_action: QAction
    zoom_in_action: QAction
    zoom_out_action: QAction
    fit_action: QAction
    presentation_action: QAction
    dark_action: QAction
    open_action: QAction
    save_action: QAction
    export_action: QAction
    quit_action: QAction
    about_action: QAction
    # Set by build_layout (app.window.layout).
    run_button: QPushButton
    stop_button: QPushButton
    export_button: QPushButton
    side_tabs: QTabWidget
    docks: tuple[QDockWidget, QDockWidget]

    def __init__(self, settings: QSettings | None = None, session: Session | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        self.session = session or Session(
            scenario_a=saved_scenario(self.settings, Side.A),
            scenario_b=saved_scenario(self.settings, Side.B),
        )
        self.setWindowTitle("Django Async Lanes")
        self._close_when_stopped = False
        self._metrics_shown_ns = 0
        self._closed = False

        self.header = QLabel()
        self.header.setFont(heading_font(self.header.font()))
        self.header.setWordWrap(True)
        self.dials = QtDials(self.session, Side.A)
        self.dials_b = QtDials(self.session, Side.B)
        self.dials_tabs = QTabWidget()
        self.dials_tabs.addTab(self.dials, "Run A")
        self.dials_tabs.addTab(self.dials_b, "Run B")
        self.timeline = QtTimeline()
        self.timeline_b = QtTimeline()
        self.timelines = {Side.A: self.timeline, Side.B: self.timeline_b}
        self.timeline.partner, self.timeline_b.partner = self.timeline_b, self.timeline
        self.side_titles = {Side.A: QLabel(), Side.B: QLabel()}
        self.verdict = QLabel()
        self.verdict.setObjectName("verdict")
        self.verdict.setFont(self.header.font())
        self.verdict.setWordWrap(True)
        self.legend = QtLegend()
        self.figure_strip = QtFigureStrip()
        self.figure_strip.hide()  # presentation mode's stand-in for the metrics panel
        self.replay = QtReplayBar()
        self.metrics = QtMetrics()
        self.code = QtCode()
        self.by_tabs = QTabBar()
        self.by_tabs.addTab("One lane per request")
        self.by_tabs.addTab("One lane per thread / event loop")
        self.by_tabs.setExpanding(False)
        self.files = WindowFiles(self)
        self.presentation = PresentationMode(self)
        self.quiz = QtQuiz(self)

        build_actions(self)
        build_layout(self)
        self.menus = build_menus(self)
        self._connect()
        self._on_compare_changed(self.session.compare)
        restore_window(self)
        self._on_scenario_changed(Side.A, self.session.scenario(Side.A))
        self._update_enabled()
        self.statusBar().showMessage("Set the dials, then press Run (F5).")

    # -- construction ---------------------------------------------------------------------
    def _connect(self) -> None:
        events = self.session.events
        events.scenario.connect(self._on_scenario_changed)
        events.compare.connect(self._on_compare_changed)
        events.lesson.connect(self._on_lesson_changed)
        events.running.connect(self._on_running_changed)
        events.run_started.connect(self._on_run_started)
        events.run_progressed.connect(self._on_run_progressed)
        events.run_finished.connect(self._on_run_finished)
        events.verdict.connect(self._on_verdict_changed)
        events.prediction.connect(self._on_prediction_changed)
        events.shown_side.connect(self._on_shown_side_changed)
        events.error.connect(self._on_run_failed)
        events.notice.connect(lambda text: self.statusBar().showMessage(text))
        self.dials_tabs.currentChanged.connect(
            lambda index: self.session.show_side(Side.B if index == 1 else Side.A)
        )
        for timeline in self.timelines.values():  # a hovered segment lights its line of code
            timeline.segmentHovered.connect(self.code.highlight_file_line)
        self.timeline.viewChanged.connect(lambda: self._sync_view(Side.A))
        self.timeline_b.viewChanged.connect(lambda: self._sync_view(Side.B))
        self.by_tabs.currentChanged.connect(self._on_by_changed)
        self.replay.playheadChanged.connect(self._on_playhead_changed)
        self.metrics.shown.connect(
            lambda: self.figure_strip.show_figures(
                self.metrics.trace,
                self.metrics.summary,
                self.session.shown_side.upper() if self.session.compare else "",
            )
        )

    # -- what the actions call --------------------------------------------------------------
    @property
    def compare(self) -> bool:
        return self.session.compare

    def set_compare(self, on: bool) -> None:
        """Show one run, or two stacked on one time axis with a verdict."""
        self.session.set_compare(on)

    def start_run(self, sides: Iterable[Side | str] | None = None) -> None:
        """Run the dials: side A, or in compare mode A then B (or the ``sides`` given)."""
        self.session.start(sides)

    async def wait_idle(self) -> None:
        """Wait until no run is going and none is queued (compare mode runs A, then B)."""
        await self.session.wait()

    def stop_run(self) -> None:
        if self.session.running:
            self.statusBar().showMessage("Stopping: requests still on a thread finish their view…")
            self.session.stop()
        elif self.replay.playing:
            self.replay.stop()

    def show_prediction(self) -> None:
        """What the model predicts for side A: labelled, never mixed with measurements."""
        self.session.predict(Side.A)

    def shown_runs(self) -> list[Run]:
        """The runs on screen: A, or A and B in compare mode (those that have run)."""
        return self.session.shown_runs()

    def open_scenario_file(self, path: str | Path) -> ScenarioFile:
        """Load a scenario or lesson file into the dials; a broken file raises ScenarioError
        and leaves the dials as they were."""
        loaded = self.session.open(path)
        if loaded.by is not None:
            self.set_by(loaded.by)
        self._show_header(loaded.a)
        self.statusBar().showMessage(f"Loaded {Path(path).name}. Press Run (F5).")
        self.quiz.file_opened(path)  # a lesson opens on its question
        return loaded

    def export_to(self, path: str | Path, kind: str) -> None:
        """Write what is shown to ``path``: ``kind`` is a key of ``EXPORT_KINDS``."""
        runs, shown = self.session.shown_runs(), self.session.shown_run()
        if not runs or shown is None:
            raise LanesError(NOTHING_TO_EXPORT)
        title, verdict = self.session.lesson_title, self.session.verdict
        theme, by = self.presentation.theme, self.timeline.by
        export_runs(path, kind, runs, shown, title=title, theme=theme, by=by, verdict=verdict)

    def set_tails_shown(self, shown: bool) -> None:
        """Draw (or hide) the thin after-answer tails; the legend says what they are."""
        self.tails_action.setChecked(shown)
        for timeline in self.timelines.values():
            timeline.set_tails_shown(shown)
        explain_shown(self)

    def set_by(self, by: str) -> None:
        """Lanes per request or per worker (``"request"``/``"worker"`` or the layout names)."""
        self.by_tabs.setCurrentIndex(1 if by_value(by) == "workers" else 0)

    def apply_theme(self, theme: Theme) -> None:
        apply_theme(current_application(), theme)
        for timeline in self.timelines.values():
            timeline.set_theme(theme)
        self.legend.set_theme(theme)
        self.code.set_dark(theme.dark)
        self.metrics.update()

    # -- drawing the session ----------------------------------------------------------------
    def _update_enabled(self) -> None:
        running, compare = self.session.running, self.session.compare
        for action in (self.run_action, self.compare_action, self.predict_action):
            action.setEnabled(not running)
        self.run_a_action.setEnabled(not running and compare)
        self.run_b_action.setEnabled(not running and compare)
        self.run_button.setEnabled(not running)
        self.stop_action.setEnabled(running or self.replay.playing)
        self.stop_button.setEnabled(running)
        self.dials_tabs.setEnabled(not running)
        self.replay_action.setEnabled(not running and self.session.runs[Side.A] is not None)
        self.export_action.setEnabled(not running and bool(self.session.shown_runs()))
        self.export_button.setEnabled(self.export_action.isEnabled())

    def _on_running_changed(self, running: bool) -> None:
        self._update_enabled()
        if running:
            self.replay.set_duration(0)
        elif self._close_when_stopped:
            # The run's task ends once this returns; closeEvent can accept by then.
            QTimer.singleShot(0, self.close)

    def _on_run_started(self, side: Side, scenario: Scenario) -> None:
        self._show_header(scenario, "running…")
        self._show_side_title(side, scenario, "running…")
        if self.session.compare and side is Side.A:
            # B's lanes from before would stand beside the new A as if they belonged to it.
            waits = Side.B in self.session.queued
            self.timeline_b.set_trace(Trace(t0_ns=0, lanes=()) if waits else self.timeline_b.trace)
            self._show_side_title(
                Side.B, self.session.scenario(Side.B), "runs after A" if waits else "previous run"
            )
        self.timelines[side].fit()
        self.metrics.clear()
        if self.session.compare:  # the live figures are the running side's
            self.session.show_side(side)
        self.statusBar().showMessage(started_text(scenario, side if self.session.compare else None))

    def _on_run_progressed(self, side: Side, trace: Trace, now_ns: int) -> None:
        self.timelines[side].set_trace(trace, live=True, now_ns=now_ns)
        if self.session.compare:  # one axis while B runs too, and one label column
            self._share_time_axis(live_span_ns=now_ns - trace.t0_ns)
        # Figures for thousands of lanes cost tens of ms: refresh them a few times a second.
        if now_ns - self._metrics_shown_ns >= METRICS_PERIOD_NS:
            self._metrics_shown_ns = now_ns
            self.metrics.set_trace(trace)
        self.statusBar().showMessage(running_text(trace, side if self.session.compare else None))

    def _on_run_finished(self, side: Side, run: Run) -> None:
        self._show_run(side, run)
        if self.session.queued or self._close_when_stopped:
            return
        check = self.session.check
        predicted = check.predicted_ms if check else None
        self.statusBar().showMessage(finished_text(run, predicted))

    def _on_run_failed(self, message: str) -> None:
        self._show_header(self.session.scenario(Side.A), "could not run")
        self.statusBar().showMessage(message)
        if not self._close_when_stopped:
            # Window-modal but not blocking: no nested event loop inside the session's task.
            box = QMessageBox(QMessageBox.Icon.Warning, "The run could not start", message)
            box.setParent(self, box.windowFlags())
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()

    def _show_run(self, side: Side, run: Run) -> None:
        """A finished run on one side: lanes, figures, replay."""
        state = "stopped" if run.stopped else ""
        self._show_header(run.scenario, state)
        self._show_side_title(side, run.scenario, state)
        self.timelines[side].set_trace(run.trace)
        self._show_metrics_of_shown_side()
        self._share_time_axis()
        load_replay(self)
        explain_shown(self)
        self._update_enabled()

    def _on_verdict_changed(self, text: str | None) -> None:
        self.verdict.setText(text or "")
        self.verdict.setVisible(self.session.compare and bool(text))  # no empty line

    def _on_prediction_changed(self, prediction: Prediction | None) -> None:
        if prediction is None:
            return  # a run replaces it on screen as it starts
        self.timeline.set_trace(prediction.trace)
        self.metrics.set_trace(prediction.trace, prediction.summary)
        self.header.setText(f"PREDICTION (model, not measured)\n{prediction.scenario.label}")
        self.replay.set_duration(0)
        self.statusBar().showMessage(
            f"The model predicts a makespan of {prediction.summary.makespan_ms:.0f} ms. "
            "Press Run (F5) to measure it."
        )

    def _show_side_title(self, side: Side, scenario: Scenario, state: str = "") -> None:
        self.side_titles[side].setText(
            f"<b>{side.upper()}</b>: {scenario.label}" + (f" — {state}" if state else "")
        )

    def _show_header(self, scenario: Scenario, state: str = "") -> None:
        """The lesson's title (while its dials are unchanged), the dials, and the state."""
        lesson = self.session.lesson
        if self.session.compare:
            self.header.setText(lesson.title if lesson is not None else "Compare A and B")
            return
        text = scenario.label + (f"  —  {state}" if state else "")
        if lesson is not None and lesson.matches(scenario):
            text = f"{lesson.title}\n{text}"
        self.header.setText(text)

    def _show_idle_header(self) -> None:
        run_a = self.session.runs[Side.A]
        self._show_header(run_a.scenario if run_a is not None else self.session.scenario(Side.A))

    def _on_scenario_changed(self, side: Side, scenario: Scenario) -> None:
        if side == self.session.shown_side:
            self.code.set_view(scenario.view)
        if not self.session.running and self.session.runs[Side.A] is None:
            self._show_header(self.session.scenario(Side.A))
        for each in Side:
            if self.session.runs[each] is None:
                self._show_side_title(each, self.session.scenario(each))

    def _on_lesson_changed(self, lesson: Lesson | None) -> None:
        self._show_idle_header()

    def _on_shown_side_changed(self, side: Side) -> None:
        self.dials_tabs.setCurrentIndex(1 if side is Side.B else 0)
        self.code.set_view(self.session.scenario(side).view)
        self._show_metrics_of_shown_side()

    def _show_metrics_of_shown_side(self) -> None:
        """The metrics panel follows the dials tab (A or B) in compare mode."""
        side = self.session.shown_side
        label = f"Metrics of {side.upper()}" if self.session.compare else "Metrics"
        self.side_tabs.setTabText(self.side_tabs.indexOf(self.metrics), label)
        run = self.session.runs[side]
        if run is not None:
            self.metrics.set_trace(run.trace, run.summary)

    def _on_compare_changed(self, on: bool) -> None:
        self.compare_action.setChecked(on)
        self.dials_tabs.setTabVisible(1, on)
        self.dials_tabs.tabBar().setVisible(on)
        for side in Side:
            self.side_titles[side].setVisible(on)
        self.timeline_b.setVisible(on)
        self.verdict.setVisible(on and bool(self.verdict.text()))
        self._share_time_axis()
        self._show_idle_header()
        self._update_enabled()

    def _share_time_axis(self, live_span_ns: int = 0) -> None:
        """In compare mode both timelines span the longer run, so the faster ends sooner;
        while one runs, A's finished lanes stretch with B's growing axis."""
        spans = [run.trace.last_ns - run.trace.t0_ns for run in self.session.shown_runs()]
        if live_span_ns > 0:  # in 5% steps: the finished side is redrawn as it grows, not per frame
            live_span_ns = int(1.05 ** math.ceil(math.log(live_span_ns, 1.05)))
        floor = max(spans + [live_span_ns]) if self.session.compare else 0
        for timeline in self.timelines.values():
            timeline.set_span_floor(floor)

    def _sync_view(self, source: Side) -> None:
        """Zooming or panning one timeline moves the other to the same times from its start."""
        if not self.session.compare:
            return
        other = self.timelines[source.other]
        other.set_view_offsets(self.timelines[source].view_offsets())

    def _on_by_changed(self, index: int) -> None:
        for timeline in self.timelines.values():
            timeline.set_by("workers" if index == 1 else "requests")

    def _on_playhead_changed(self, ms: float) -> None:
        follow_playhead(self, ms)

    # -- closing ------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        """Close cleanly: a run in progress is stopped first, then the window closes."""
        if self.session.running:
            self._close_when_stopped = True
            self.session.stop()
            self.statusBar().showMessage("Stopping the run before closing…")
            event.ignore()
            return
        self.replay.pause()
        save_window(self)
        event.accept()
        if not self._closed:
            self._closed = True
            self.closed.emit()
