"""The main window: dials on the left, lanes in the middle, metrics and code on the right."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTabBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from simulator.errors import LanesError
from simulator.files import write_chrome_trace, write_csv, write_json
from simulator.files.scenario_file import ScenarioFile, load_scenario_file, save_scenario_file
from simulator.metrics.summary import summarize
from simulator.metrics.verdict import verdict
from simulator.prediction.model import predict
from simulator.scenario import Scenario
from simulator.trace import Run, Trace

from .assets import LESSONS
from .qt_code import QtCode
from .qt_dials import QtDials
from .qt_metrics import QtMetrics
from .qt_replay import QtReplayBar
from .qt_timeline import QtLegend, QtTimeline
from .run_controller import RunController
from .theme import DARK, LIGHT, Theme, apply_theme

__all__ = ["QtMainWindow"]

PRESENTATION_POINT_SIZE = 20.0
METRICS_PERIOD_NS = 250_000_000
#: Runs up to this size get the model's prediction beside the measurement (a few ms).
PREDICT_WITH_RUN_LIMIT = 2000

#: What File ▸ Export can write: kind -> (suffix, picture scale).
EXPORT_KINDS: dict[str, tuple[str, float]] = {
    "png": (".png", 1.0),
    "png2": (".png", 2.0),
    "png4": (".png", 4.0),
    "svg": (".svg", 1.0),
    "pdf": (".pdf", 1.0),
    "json": (".json", 1.0),
    "csv": (".csv", 1.0),
    "trace": (".json", 1.0),
}
EXPORT_FILTERS = {
    "png": "Picture, PNG 1× (*.png)",
    "png2": "Picture, PNG 2× for slides (*.png)",
    "png4": "Picture, PNG 4× for print (*.png)",
    "svg": "Picture, SVG (*.svg)",
    "pdf": "Picture, PDF (*.pdf)",
    "json": "Run data, JSON (*.json)",
    "csv": "Segments, CSV (*.csv)",
    "trace": "Chrome trace for Perfetto (*.json)",
}


class QtMainWindow(QMainWindow):
    """The window a teacher projects. ``closed`` is emitted once the window has really closed
    (after any run in progress has stopped)."""

    closed = Signal()

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        self.setWindowTitle("Django Async Lanes")
        self._normal_point_size = QApplication.font().pointSizeF()
        self._close_when_stopped = False
        self._metrics_shown_ns = 0
        self._lesson: tuple[Scenario, str] | None = None
        self._dials_were_visible = True
        self._closed = False
        #: The last run of each side ("a", and "b" in compare mode).
        self.runs: dict[str, Run | None] = {"a": None, "b": None}
        self._running_side = "a"
        self._queued_sides: list[str] = []

        self.controller = RunController(self)
        self.header = QLabel()
        header_font = QFont(self.header.font())
        header_font.setPointSizeF(header_font.pointSizeF() * 1.25)
        header_font.setBold(True)
        self.header.setFont(header_font)
        self.dials = QtDials(self._saved_scenario())
        self.dials_b = QtDials(self._saved_scenario("b"))
        self.dials_tabs = QTabWidget()
        self.dials_tabs.addTab(self.dials, "Run A")
        self.dials_tabs.addTab(self.dials_b, "Run B")
        self.timeline = QtTimeline()
        self.timeline_b = QtTimeline()
        self.timelines = {"a": self.timeline, "b": self.timeline_b}
        self.side_titles = {"a": QLabel(), "b": QLabel()}
        self.verdict = QLabel()
        self.verdict.setObjectName("verdict")
        self.verdict.setFont(header_font)
        self.verdict.setWordWrap(True)
        self.legend = QtLegend()
        self.replay = QtReplayBar()
        self.metrics = QtMetrics()
        self.code = QtCode()
        self.header.setWordWrap(True)
        self.by_tabs = QTabBar()
        self.by_tabs.addTab("One lane per request")
        self.by_tabs.addTab("One lane per thread / event loop")
        self.by_tabs.setExpanding(False)

        self._build_actions()
        self._build_layout()
        self._build_menus()
        self._connect()
        self._restore()
        self._on_scenario_changed(self.dials.scenario)
        self._set_running(False)
        self.statusBar().showMessage("Set the dials, then press Run (F5).")

    # -- construction ---------------------------------------------------------------------
    def _action(
        self, text: str, shortcut: str | QKeySequence | None, slot, tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(f"{tip} ({action.shortcut().toString()})" if shortcut else tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.run_action = self._action(
            "&Run", "F5", lambda: self.start_run(), "Send the requests (in compare mode: A, then B)"
        )
        self.run_a_action = self._action(
            "Run &A only",
            "Ctrl+F5",
            lambda: self.start_run(["a"]),
            "Re-run side A of the comparison",
        )
        self.run_b_action = self._action(
            "Run &B only",
            "Shift+F5",
            lambda: self.start_run(["b"]),
            "Re-run side B of the comparison",
        )
        self.predict_action = self._action(
            "&Predict (model)",
            "Ctrl+P",
            self.show_prediction,
            "Show what the model predicts for these dials, without running them",
        )
        self.compare_action = self._action(
            "&Compare A and B",
            "Ctrl+K",
            self._on_compare_toggled,
            "Two runs, stacked on one time axis",
        )
        self.compare_action.setCheckable(True)
        self.stop_action = self._action("&Stop", "Esc", self.stop_run, "Stop the run")
        self.replay_action = self._action(
            "Re&play", "Ctrl+R", self.replay.play, "Replay the last run from the start"
        )
        self.by_request_action = self._action(
            "By &request", "Ctrl+1", lambda: self.by_tabs.setCurrentIndex(0), "One lane per request"
        )
        self.by_worker_action = self._action(
            "By &worker",
            "Ctrl+2",
            lambda: self.by_tabs.setCurrentIndex(1),
            "One lane per thread or event loop",
        )
        self.zoom_in_action = self._action(
            "Zoom &in",
            QKeySequence.StandardKey.ZoomIn,
            lambda: self._active_timeline().zoom(1.5),
            "Zoom in on time",
        )
        self.zoom_out_action = self._action(
            "Zoom &out",
            QKeySequence.StandardKey.ZoomOut,
            lambda: self._active_timeline().zoom(1 / 1.5),
            "Zoom out",
        )
        self.fit_action = self._action(
            "&Fit to window", "Ctrl+0", self._fit_all, "Show the whole run"
        )
        self.presentation_action = self._action(
            "&Presentation mode",
            "F11",
            self._on_presentation_toggled,
            "Large fonts, full screen, for projectors",
        )
        self.presentation_action.setCheckable(True)
        self.dark_action = self._action(
            "&Dark theme",
            "Ctrl+Shift+D",
            self._on_dark_toggled,
            "Switch between the light and the dark theme",
        )
        self.dark_action.setCheckable(True)
        self.open_action = self._action(
            "&Open Scenario…",
            QKeySequence.StandardKey.Open,
            self._on_open,
            "Load dials from a scenario or lesson file",
        )
        self.save_action = self._action(
            "&Save Scenario…",
            QKeySequence.StandardKey.Save,
            self._on_save,
            "Save the dials to a file you can hand to students",
        )
        self.export_action = self._action(
            "&Export…",
            "Ctrl+E",
            self._on_export,
            "Save the timeline as a picture for slides, or the run as data",
        )
        self.quit_action = self._action(
            "&Quit", QKeySequence.StandardKey.Quit, self.close, "Close the window"
        )
        self.about_action = self._action("&About Django Async Lanes", None, self._on_about)

    def _build_layout(self) -> None:
        centre = QWidget()
        column = QVBoxLayout(centre)
        column.setContentsMargins(8, 6, 8, 4)
        column.addWidget(self.header)
        column.addWidget(self.verdict)
        column.addWidget(self.by_tabs)
        for side in ("a", "b"):
            column.addWidget(self.side_titles[side])
            column.addWidget(self.timelines[side], 1)
        column.addWidget(self.legend)
        column.addWidget(self.replay)
        self.setCentralWidget(centre)

        dials_panel = QWidget()
        dials_column = QVBoxLayout(dials_panel)
        dials_column.addWidget(self.dials_tabs)
        buttons = QHBoxLayout()
        self.run_button = QPushButton("▶  Run")
        self.run_button.setToolTip("Send the requests (F5)")
        self.run_button.clicked.connect(self.run_action.trigger)
        self.stop_button = QPushButton("■  Stop")
        self.stop_button.setToolTip("Stop the run (Esc)")
        self.stop_button.clicked.connect(self.stop_action.trigger)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip(
            "Save the timeline as a picture for slides, or the run as data (Ctrl+E)"
        )
        self.export_button.clicked.connect(self.export_action.trigger)
        for button in (self.run_button, self.stop_button, self.export_button):
            button.setMinimumHeight(int(button.sizeHint().height() * 1.4))
            buttons.addWidget(button)
        dials_column.addLayout(buttons)
        dials_column.addStretch(1)
        dials_dock = QDockWidget("Dials", self)
        dials_dock.setObjectName("dialsDock")
        dials_dock.setWidget(dials_panel)
        dials_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dials_dock)

        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(self.metrics, "Metrics")
        self.side_tabs.addTab(self.code, "Code")
        side_dock = QDockWidget("Results", self)
        side_dock.setObjectName("resultsDock")
        side_dock.setWidget(self.side_tabs)
        side_dock.setFeatures(dials_dock.features())
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, side_dock)
        self.docks = (dials_dock, side_dock)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        file_menu.addAction(self.save_action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        lessons_menu = bar.addMenu("&Lessons")
        for path in sorted(LESSONS.glob("*.toml")):
            try:
                title = load_scenario_file(path).title or path.stem
            except LanesError:
                continue  # a broken lesson file is skipped, not fatal
            action = QAction(title, self)
            action.triggered.connect(lambda checked=False, p=path: self.open_scenario_file(p))
            lessons_menu.addAction(action)
        run_menu = bar.addMenu("&Run")
        for action in (self.run_action, self.stop_action, self.replay_action, self.predict_action):
            run_menu.addAction(action)
        run_menu.addSeparator()
        for action in (self.compare_action, self.run_a_action, self.run_b_action):
            run_menu.addAction(action)
        view_menu = bar.addMenu("&View")
        for action in (self.by_request_action, self.by_worker_action):
            view_menu.addAction(action)
        view_menu.addSeparator()
        for action in (self.zoom_in_action, self.zoom_out_action, self.fit_action):
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.presentation_action)
        view_menu.addAction(self.dark_action)
        view_menu.addSeparator()
        for dock in self.docks:
            view_menu.addAction(dock.toggleViewAction())
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about_action)
        self.menus = {
            "lessons": lessons_menu,
            "file": file_menu,
            "run": run_menu,
            "view": view_menu,
            "help": help_menu,
        }

    def _connect(self) -> None:
        self.dials.scenarioChanged.connect(self._on_scenario_changed)
        self.dials_b.scenarioChanged.connect(self._on_scenario_changed)
        self.dials_tabs.currentChanged.connect(self._on_side_tab_changed)
        self.timeline.viewChanged.connect(lambda: self._sync_view("a"))
        self.timeline_b.viewChanged.connect(lambda: self._sync_view("b"))
        self.controller.started.connect(self._on_run_started)
        self.controller.progressed.connect(self._on_run_progressed)
        self.controller.finished.connect(self._on_run_finished)
        self.controller.failed.connect(self._on_run_failed)
        self.by_tabs.currentChanged.connect(self._on_by_changed)
        self.replay.playheadChanged.connect(self._on_playhead_changed)

    # -- settings ---------------------------------------------------------------------------
    def _saved_scenario(self, side: str = "a") -> Scenario:
        text = self.settings.value("dials/scenario" if side == "a" else "dials/scenario_b", "")
        if text:
            try:
                return Scenario.from_dict(json.loads(str(text)))
            except (ValueError, TypeError, LanesError):
                pass  # dials saved by another version: start from the defaults
        return Scenario()

    def _restore(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1500, 900)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        compare = str(self.settings.value("view/compare", "false")).lower() == "true"
        self.set_compare(compare)
        dark = str(self.settings.value("view/dark", "false")).lower() == "true"
        self.dark_action.setChecked(dark)
        self.apply_theme(DARK if dark else LIGHT)

    def _save(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("dials/scenario", json.dumps(self.dials.scenario.to_dict()))
        self.settings.setValue("dials/scenario_b", json.dumps(self.dials_b.scenario.to_dict()))
        self.settings.setValue("view/compare", self.compare_action.isChecked())
        self.settings.setValue("view/dark", self.dark_action.isChecked())
        self.settings.sync()

    # -- scenario files ------------------------------------------------------------------
    def open_scenario_file(self, path: str | Path) -> ScenarioFile:
        """Load a scenario or lesson file into the dials; a broken file raises ScenarioError
        and leaves the dials as they were."""
        loaded = load_scenario_file(path)
        self.dials.set_scenario(loaded.a)
        if loaded.b is not None:
            self.dials_b.set_scenario(loaded.b)
        self.set_compare(loaded.b is not None)
        if loaded.title:
            self._lesson = (loaded.a, loaded.title)
        self._show_header(loaded.a)
        self.statusBar().showMessage(f"Loaded {Path(path).name}. Press Run (F5).")
        return loaded

    def _on_open(self) -> None:
        folder = str(self.settings.value("files/scenario_dir", str(LESSONS)))
        path, _ = QFileDialog.getOpenFileName(
            self, "Open scenario", folder, "Scenario files (*.toml *.json)"
        )
        if not path:
            return
        self.settings.setValue("files/scenario_dir", str(Path(path).parent))
        try:
            self.open_scenario_file(path)
        except LanesError as exc:
            QMessageBox.warning(self, "This scenario file cannot be used", str(exc))

    def _on_save(self) -> None:
        folder = str(self.settings.value("files/scenario_dir", str(Path.home())))
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save scenario",
            str(Path(folder) / "scenario.toml"),
            "TOML (*.toml);;JSON (*.json)",
        )
        if not path:
            return
        self.settings.setValue("files/scenario_dir", str(Path(path).parent))
        try:
            b = self.dials_b.scenario if self.compare else None
            save_scenario_file(path, ScenarioFile(title=None, a=self.dials.scenario, b=b))
        except LanesError as exc:
            QMessageBox.warning(self, "The scenario could not be saved", str(exc))
        else:
            self.statusBar().showMessage(f"Saved {Path(path).name}.")

    def export_to(self, path: str | Path, kind: str) -> None:
        """Write what is shown to ``path``: ``kind`` is a key of :data:`EXPORT_KINDS`."""
        runs = self.shown_runs()
        if not runs:
            raise LanesError("Run the scenario first: there is nothing to export yet.")
        suffix, scale = EXPORT_KINDS[kind]
        if suffix in (".png", ".svg", ".pdf"):
            from .export_picture import export_picture

            title = self._lesson[1] if self._lesson is not None else None
            theme = DARK if self.dark_action.isChecked() else LIGHT
            export_picture(path, runs, title=title, scale=scale, theme=theme)
        elif kind == "trace":
            write_chrome_trace(runs, path)
        elif kind == "csv":
            write_csv(runs[-1] if len(runs) == 1 else self.runs[self._current_side()], path)
        else:
            write_json(runs[0] if len(runs) == 1 else self.runs[self._current_side()], path)

    def _current_side(self) -> str:
        side = "b" if self.dials_tabs.currentIndex() == 1 else "a"
        return side if self.runs[side] is not None else "a"

    def _on_export(self) -> None:
        if not self.shown_runs():
            self.statusBar().showMessage("Run the scenario first: there is nothing to export yet.")
            return
        folder = Path(str(self.settings.value("files/export_dir", str(Path.home()))))
        filters = {label: kind for kind, label in EXPORT_FILTERS.items()}
        stem = "compare" if self.compare else self.dials.scenario.view
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export", str(folder / f"{stem}.png"), ";;".join(filters), next(iter(filters))
        )
        if not path:
            return
        kind = filters.get(chosen, "png")
        suffix = EXPORT_KINDS[kind][0]
        if not path.lower().endswith(suffix):
            path = str(Path(path).with_suffix("")) + suffix
        self.settings.setValue("files/export_dir", str(Path(path).parent))
        try:
            self.export_to(path, kind)
        except (LanesError, OSError) as exc:
            QMessageBox.warning(self, "Export failed", str(exc))
        else:
            self.statusBar().showMessage(f"Exported {Path(path).name}.")

    # -- running ----------------------------------------------------------------------------
    def start_run(self, sides: list[str] | None = None) -> None:
        """Run the dials: side A, or in compare mode A then B (or the ``sides`` given)."""
        if self.controller.running:
            return
        if sides is None:
            sides = ["a", "b"] if self.compare else ["a"]
        if "b" in sides and not self.compare:
            return
        self.replay.set_duration(0)
        self._queued_sides = list(sides[1:])
        self._start_side(sides[0])

    async def wait_idle(self) -> None:
        """Wait until no run is going and none is queued (compare mode runs A, then B)."""
        while self.controller.running or self._queued_sides:
            await self.controller.wait()
            await asyncio.sleep(0.02)

    def _start_side(self, side: str) -> None:
        self._running_side = side
        self.controller.start((self.dials if side == "a" else self.dials_b).scenario)

    def stop_run(self) -> None:
        if self.controller.running:
            self.statusBar().showMessage("Stopping: requests still on a thread finish their view…")
            self.controller.stop()
        elif self.replay.playing:
            self.replay.stop()
        self._queued_sides.clear()

    def _set_running(self, running: bool) -> None:
        for action in (
            self.run_action,
            self.run_a_action,
            self.run_b_action,
            self.compare_action,
            self.predict_action,
        ):
            action.setEnabled(not running)
        self.run_a_action.setEnabled(not running and self.compare)
        self.run_b_action.setEnabled(not running and self.compare)
        self.run_button.setEnabled(not running)
        self.stop_action.setEnabled(running or self.replay.playing)
        self.stop_button.setEnabled(running)
        self.dials_tabs.setEnabled(not running)
        self.replay_action.setEnabled(not running and self.runs["a"] is not None)
        self.export_action.setEnabled(not running and bool(self.shown_runs()))
        self.export_button.setEnabled(self.export_action.isEnabled())

    def _on_run_started(self, scenario: Scenario) -> None:
        self._set_running(True)
        side = self._running_side
        self.runs[side] = None
        self.verdict.clear()
        self._show_header(scenario, "running…")
        self._show_side_title(side, scenario, "running…")
        self.timelines[side].fit()
        self.metrics.clear()
        if self.compare:  # the live figures are the running side's
            self.dials_tabs.setCurrentIndex(1 if side == "b" else 0)
        self.statusBar().showMessage("Running…")

    def _on_run_progressed(self, trace: Trace, now_ns: int) -> None:
        self.timelines[self._running_side].set_trace(trace, live=True, now_ns=now_ns)
        # Figures for thousands of lanes cost tens of ms: refresh them a few times a second.
        if now_ns - self._metrics_shown_ns >= METRICS_PERIOD_NS:
            self._metrics_shown_ns = now_ns
            self.metrics.set_trace(trace)
        answered = sum(lane.status != "running" for lane in trace.lanes)
        self.statusBar().showMessage(
            f"Running{' ' + self._running_side.upper() if self.compare else ''}… "
            f"{answered} of {len(trace.lanes)} requests answered"
        )

    def _on_run_finished(self, run: Run) -> None:
        self.show_run(run, self._running_side)
        if self._queued_sides and not run.stopped and not self._close_when_stopped:
            # The controller's task ends once this slot returns: start the next side then.
            QTimer.singleShot(0, lambda: self._start_side(self._queued_sides.pop(0)))
            return
        self._queued_sides.clear()
        s = run.summary
        done = "Stopped" if run.stopped else "Done"
        failed = f", {s.failed} failed" if s.failed else ""
        cancelled = f", {s.cancelled} cancelled" if s.cancelled else ""
        self.statusBar().showMessage(
            f"{done}: {s.ok} answered in {run.trace.ms(run.trace.end_ns):.0f} ms"
            f"{failed}{cancelled}."
            f"{self._prediction_note(run)}  Replay: Ctrl+R."
        )
        if self._close_when_stopped:
            # After this slot returns the run's task is over, so closeEvent can accept.
            QTimer.singleShot(0, self.close)

    def _on_run_failed(self, message: str) -> None:
        self._queued_sides.clear()
        self._set_running(False)
        self._show_header(self.dials.scenario, "could not run")
        self.statusBar().showMessage(message)
        if self._close_when_stopped:
            QTimer.singleShot(0, self.close)
        else:
            QMessageBox.warning(self, "The run could not start", message)

    def show_run(self, run: Run, side: str = "a") -> None:
        """Show a finished run on one side: lanes, figures, replay, and the verdict."""
        self.runs[side] = run
        self._show_header(run.scenario, "stopped" if run.stopped else "")
        self._show_side_title(side, run.scenario, "stopped" if run.stopped else "")
        self.timelines[side].set_trace(run.trace)
        self._show_metrics_of_current_side()
        self._share_time_axis()
        runs = self.shown_runs()
        self.replay.set_duration(max(r.trace.ms(r.trace.last_ns) for r in runs))
        if self.compare and len(runs) == 2:
            self.verdict.setText(verdict(*runs))
        self._set_running(False)

    def show_prediction(self) -> None:
        """Draw what the model predicts for side A's dials: always labelled, never mixed
        with measurements (the next Run replaces it)."""
        if self.controller.running:
            return
        scenario = self.dials.scenario
        trace = predict(scenario)
        summary = summarize(trace)
        self.timeline.set_trace(trace)
        self.metrics.set_trace(trace, summary)
        self.header.setText(f"PREDICTION (model, not measured)\n{scenario.label}")
        self.replay.set_duration(0)
        self.statusBar().showMessage(
            f"The model predicts a makespan of {summary.makespan_ms:.0f} ms. "
            "Press Run (F5) to measure it."
        )

    def _prediction_note(self, run: Run) -> str:
        """ " (the model predicted …)", the check of the model against this measurement."""
        if run.stopped or run.scenario.requests > PREDICT_WITH_RUN_LIMIT:
            return ""
        predicted = summarize(predict(run.scenario)).makespan_ms
        return f"  The model predicted {predicted:.0f} ms."

    def shown_runs(self) -> list[Run]:
        """The runs on screen: A, or A and B in compare mode (those that have run)."""
        sides = ("a", "b") if self.compare else ("a",)
        return [run for side in sides if (run := self.runs[side]) is not None]

    def _show_side_title(self, side: str, scenario: Scenario, state: str = "") -> None:
        self.side_titles[side].setText(
            f"<b>{side.upper()}</b>: {scenario.label}" + (f" — {state}" if state else "")
        )

    def _show_header(self, scenario: Scenario, state: str = "") -> None:
        """The lesson's title (while its dials are unchanged), the dials, and the state."""
        if self.compare:
            lesson = self._lesson[1] if self._lesson is not None else ""
            self.header.setText(lesson or "Compare A and B")
            return
        text = scenario.label + (f"  —  {state}" if state else "")
        if self._lesson is not None and self._lesson[0] == scenario:
            text = f"{self._lesson[1]}\n{text}"
        self.header.setText(text)

    # -- slots --------------------------------------------------------------------------------
    def _on_scenario_changed(self, scenario: Scenario) -> None:
        self.code.set_view(scenario.view)
        if not self.controller.running and self.runs["a"] is None:
            self._show_header(scenario)
        for side, dials in (("a", self.dials), ("b", self.dials_b)):
            if self.runs[side] is None:
                self._show_side_title(side, dials.scenario)

    def _on_side_tab_changed(self, index: int) -> None:
        dials = self.dials_b if index == 1 else self.dials
        self.code.set_view(dials.scenario.view)
        self._show_metrics_of_current_side()

    def _show_metrics_of_current_side(self) -> None:
        """The metrics panel follows the dials tab (A or B) in compare mode."""
        side = "b" if self.compare and self.dials_tabs.currentIndex() == 1 else "a"
        run = self.runs[side]
        label = f"Metrics of {side.upper()}" if self.compare else "Metrics"
        self.side_tabs.setTabText(self.side_tabs.indexOf(self.metrics), label)
        if run is not None:
            self.metrics.set_trace(run.trace, run.summary)

    @property
    def compare(self) -> bool:
        return self.compare_action.isChecked()

    def set_compare(self, on: bool) -> None:
        """Show one run, or two stacked on one time axis with a verdict."""
        self.compare_action.setChecked(on)
        self.dials_tabs.setTabVisible(1, on)
        self.dials_tabs.tabBar().setVisible(on)
        if not on:
            self.dials_tabs.setCurrentIndex(0)
        for side in ("a", "b"):
            self.side_titles[side].setVisible(on)
        self.timeline_b.setVisible(on)
        self.verdict.setVisible(on)
        self.run_a_action.setEnabled(on and not self.controller.running)
        self.run_b_action.setEnabled(on and not self.controller.running)
        self._share_time_axis()
        if self.runs["a"] is not None:
            self._show_header(self.runs["a"].scenario)
        else:
            self._show_header(self.dials.scenario)

    def _on_compare_toggled(self) -> None:
        self.set_compare(self.compare_action.isChecked())

    def _active_timeline(self) -> QtTimeline:
        return self.timeline

    def _fit_all(self) -> None:
        for timeline in self.timelines.values():
            timeline.fit()

    def _share_time_axis(self) -> None:
        """In compare mode both timelines span the longer run, so the faster ends sooner."""
        spans = [run.trace.last_ns - run.trace.t0_ns for run in self.shown_runs()]
        floor = max(spans, default=0) if self.compare else 0
        for timeline in self.timelines.values():
            timeline.set_span_floor(floor)

    def _sync_view(self, source: str) -> None:
        """Zooming or panning one timeline moves the other to the same times from its start."""
        if not self.compare:
            return
        other = self.timelines["b" if source == "a" else "a"]
        other.set_view_offsets(self.timelines[source].view_offsets())

    def _on_by_changed(self, index: int) -> None:
        for timeline in self.timelines.values():
            timeline.set_by("workers" if index == 1 else "requests")

    def _on_playhead_changed(self, ms: float) -> None:
        for timeline in self.timelines.values():
            t0 = timeline.trace.t0_ns
            timeline.set_cutoff(None if ms < 0 else t0 + int(ms * 1e6))
        self.stop_action.setEnabled(self.controller.running or self.replay.playing)

    def _on_presentation_toggled(self) -> None:
        on = self.presentation_action.isChecked()
        size = PRESENTATION_POINT_SIZE if on else self._normal_point_size
        app = QApplication.instance()
        font = app.font()
        font.setPointSizeF(size)
        # Widgets follow the application font unless they chose their own (the header and
        # the metrics' big figures scale from it themselves).
        app.setFont(font)
        header_font = QFont(font)
        header_font.setPointSizeF(size * 1.25)
        header_font.setBold(True)
        self.header.setFont(header_font)
        self.verdict.setFont(header_font)
        dials_dock = self.docks[0]
        if on:
            # The lanes are the show: the dials step aside (View ▸ Dials brings them back;
            # F5 runs them as they are).
            self._dials_were_visible = dials_dock.isVisible()
            dials_dock.hide()
            self.apply_theme(DARK)
            self.showFullScreen()
        else:
            dials_dock.setVisible(self._dials_were_visible)
            self.apply_theme(DARK if self.dark_action.isChecked() else LIGHT)
            self.showNormal()

    def _on_dark_toggled(self) -> None:
        self.apply_theme(DARK if self.dark_action.isChecked() else LIGHT)

    def apply_theme(self, theme: Theme) -> None:
        app = QApplication.instance()
        if app is not None:
            apply_theme(app, theme)
        for timeline in self.timelines.values():
            timeline.set_theme(theme)
        self.legend.set_theme(theme)
        self.code.set_dark(theme.dark)
        self.metrics.update()

    def _on_about(self) -> None:
        QMessageBox.about(
            self,
            "About Django Async Lanes",
            "<p><b>Django Async Lanes</b> runs a real Django site (its ASGI and WSGI "
            "handlers, real views, middleware, ORM and HTTP calls) and draws, from "
            "measurement, how it schedules each request.</p>"
            "<p>Nothing is simulated: every lane is timed on one clock while the site runs.</p>",
        )

    # -- closing ------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        """Close cleanly: a run in progress is stopped first, then the window closes."""
        if self.controller.running:
            self._close_when_stopped = True
            self.controller.stop()
            self.statusBar().showMessage("Stopping the run before closing…")
            event.ignore()
            return
        self.replay.pause()
        self._save()
        event.accept()
        if not self._closed:
            self._closed = True
            self.closed.emit()
