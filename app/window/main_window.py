"""The main window: dials on the left, lanes in the middle, metrics and code on the right.

The window draws a :class:`~app.session.Session`: its centre (:class:`~app.window.stage.Stage`)
listens to the session's events, and the window adds what a desktop window has: actions and
menus (``actions``), which of them can be used now (``enabled``), the status bar's line
(``status``), file dialogs (``files``), presentation mode (``presentation``), remembered
settings (``settings``) and the quiz (``quiz``). Each part is handed the session and what it
draws, never the window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QPushButton,
    QTabWidget,
    QWidget,
)

from app.assets import LESSONS
from app.qt_application import current_application
from app.session import Session, Side
from app.session.classroom import Classroom
from app.session.quiz import Quiz, QuizStep
from app.session.runner import Runner
from app.theme import Theme, apply_theme
from app.timeline.rows import by_value
from app.widgets.dials import QtDials
from app.widgets.timeline import QtTimeline
from app.window.actions import build_actions, build_menus
from app.window.enabled import EnabledActions
from app.window.files import NOTHING_TO_EXPORT, WindowFiles, export_runs
from app.window.layout import DeskDocks, build_layout
from app.window.presentation import CodeInCentre, PresentationMode
from app.window.quiz import QtQuiz
from app.window.settings import restore_window, save_window, saved_dark, saved_scenario
from app.window.stage import Stage
from app.window.status import StatusLine
from app.window.steps import StepLayoutView
from simulator.errors import LanesError
from simulator.files.scenario_file import ScenarioFile
from simulator.trace import Run

if TYPE_CHECKING:
    from simulator.hosting.site_process import SiteProcess

__all__ = ["QtMainWindow"]


class QtMainWindow(QMainWindow):
    """The window a teacher projects. ``closed`` is emitted once the window has really closed
    (after any run in progress has stopped).

    Parameters
    ----------
    settings
        Where geometry and dials are remembered (default: the application's).
    session
        The model to draw; by default a new one, with the dials last used.
    runner
        What a new session runs scenarios with (default: the real engine in a process of its
        own, :class:`~simulator.hosting.site_process.SiteProcess`, ended with the window).
    """

    closed = Signal()

    # Set from build_actions (app.window.actions): ``<name>_action``.
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
    code_action: QAction
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
    # Set from build_layout (app.window.layout).
    run_button: QPushButton
    stop_button: QPushButton
    export_button: QPushButton
    side_tabs: QTabWidget
    docks: tuple[QDockWidget, QDockWidget]

    def __init__(
        self,
        settings: QSettings | None = None,
        session: Session | None = None,
        runner: Runner | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        # A site's process this window made itself (no runner handed in): ended with it.
        self._own_site: SiteProcess | None = None
        if session is None:
            if runner is None:
                runner = self._own_site = _live_runner()
            session = Session(
                runner=runner,
                scenario_a=saved_scenario(self.settings, Side.A),
                scenario_b=saved_scenario(self.settings, Side.B),
            )
        self.session = session
        # A live frame is timed whole: the paints its widgets posted are delivered in it.
        self.session.settle_frame = QApplication.sendPostedEvents
        self.setWindowTitle("Django Async Lanes")
        self._close_when_stopped = False
        self._closed = False

        self.stage = Stage(self.session)
        # The stage's widgets, by the names the tests and app.main know.
        st = self.stage
        self.header, self.verdict, self.legend, self.replay = (
            st.header,
            st.verdict,
            st.legend,
            st.replay,
        )
        self.timeline, self.timeline_b, self.timelines = st.timeline, st.timeline_b, st.timelines
        self.side_titles, self.figure_strip, self.by_tabs = (
            st.side_titles,
            st.figure_strip,
            st.by_tabs,
        )
        self.metrics, self.code = st.metrics, st.code
        self.dials = QtDials(self.session, Side.A)
        self.dials_b = QtDials(self.session, Side.B)
        self.dials_tabs = QTabWidget()
        self.dials_tabs.addTab(self.dials, "Run A")
        self.dials_tabs.addTab(self.dials_b, "Run B")
        self.status = StatusLine(self, self.session, closing=lambda: self._close_when_stopped)
        self.files = WindowFiles(
            self,
            self.settings,
            self.session,
            open_file=self.open_scenario_file,
            export=self.export_to,
            say=self.status.say,
        )
        self.classroom = Classroom(self.session, LESSONS)
        self.quiz = QtQuiz(self, self.classroom, verdict=self.verdict)
        self._build()
        self._connect()
        # After presentation mode's own handlers: each step's layout takes the screen's sizes.
        self.steps = StepLayoutView(
            self.classroom,
            self.stage,
            self.quiz.panel,
            self.verdict,
            self._column,
            CodeInCentre(self.code, self.side_tabs, self._bottom, self.legend),
        )
        self._on_compare_changed(self.session.compare)
        restore_window(self, self.settings, self.session)
        self.session.view.set_dark(saved_dark(self.settings))
        self.apply_theme(self.presentation.theme)
        self.stage._on_scenario_changed(Side.A, self.session.scenario(Side.A))
        self.enabled.update()
        self.status.say("Set the dials, then press Run (F5).")

    # -- construction ---------------------------------------------------------------------
    def _build(self) -> None:
        """Actions, layout, presentation mode and menus, each handed what it needs."""
        timelines, view = self.timelines.values(), self.session.view
        slots: dict[str, Callable[[], object]] = {
            "run": lambda: self.start_run(),
            "run_a": lambda: self.start_run([Side.A]),
            "run_b": lambda: self.start_run([Side.B]),
            "predict": self.show_prediction,
            "compare": lambda: self.session.set_compare(self.compare_action.isChecked()),
            "stop": self.stop_run,
            "replay": self.replay.play,
            "by_request": lambda: view.set_by("requests"),
            "by_worker": lambda: view.set_by("workers"),
            "tails": lambda: view.set_tails(self.tails_action.isChecked()),
            "code": self._show_code,
            "zoom_in": lambda: self.timeline.zoom(1.5),
            "zoom_out": lambda: self.timeline.zoom(1 / 1.5),
            "fit": lambda: self._fit_all(timelines),
            "presentation": lambda: view.set_presentation(self.presentation_action.isChecked()),
            "dark": lambda: view.set_dark(self.dark_action.isChecked()),
            "open": self.files.ask_open,
            "save": self.files.ask_save,
            "export": self.files.ask_export,
            "quit": self.close,
        }
        actions = build_actions(self, slots)
        for name, action in actions.items():
            setattr(self, f"{name}_action", action)
        self.tails_action.setChecked(view.tails)
        column: list[tuple[QWidget, int]] = [
            (self.quiz.panel, 0),
            (self.figure_strip, 0),
        ]
        column += [(self.verdict, 0), (self.by_tabs, 0)]
        for side in Side:
            column += [(self.side_titles[side], 0), (self.timelines[side], 1)]
        placed = build_layout(
            self,
            top=self.header,
            column=column,
            aside=self.quiz.panel.aside,
            bottom=[self.legend, self.replay],
            dials=self.dials_tabs,
            actions=actions,
            results=[(self.metrics, "Metrics"), (self.code, "Code")],
        )
        self.run_button, self.stop_button = placed.run_button, placed.stop_button
        buttons = {"run": placed.run_button, "stop": placed.stop_button}
        buttons["export"] = placed.export_button
        self.enabled = EnabledActions(self.session, actions, buttons, self.dials_tabs, self.replay)
        self._column, self._bottom = placed.column, placed.bottom
        self.stage.share_height_in(placed.column)
        self.export_button, self.side_tabs, self.docks = (
            placed.export_button,
            placed.side_tabs,
            placed.docks,
        )
        self.desk_docks = DeskDocks(self, *self.docks)  # tabs on a narrow screen
        self.presentation = PresentationMode(
            self,
            view=view,
            headings=[self.header, self.verdict],
            docks=self.docks,
            strip=self.figure_strip,
            aside=[self.by_tabs],
            apply_theme=self.apply_theme,
        )
        self.menus = build_menus(
            self.menuBar(),
            actions,
            open_lesson=self.open_scenario_file,
            docks=self.docks,
            guide=self.quiz.guide_action,
        )

    def _show_code(self) -> None:
        """C: on a projector the code under the lanes, or away again; at the desk its tab."""
        view = self.session.view
        if view.presentation:
            view.set_code_shown(not view.code_shown)
        else:
            self.docks[1].show()
            self.docks[1].raise_()  # its tab, when the docks share a side
            self.side_tabs.setCurrentWidget(self.code)

    @staticmethod
    def _fit_all(timelines: Iterable[QtTimeline]) -> None:
        for timeline in timelines:
            timeline.fit()

    def _connect(self) -> None:
        """After the stage's: the status bar, the enabled actions and errors follow it."""
        events = self.session.events
        events.compare.connect(self._on_compare_changed)
        events.running.connect(self._on_running_changed)
        events.shown_side.connect(self._on_shown_side_changed)
        view = self.session.view.events
        for signal in (view.by, view.tails, view.dark, view.presentation):
            signal.connect(lambda _: self._on_view_changed())
        view.dark.connect(lambda _: self.apply_theme(self.presentation.theme))
        view.presentation.connect(self.presentation.set_on)
        self.classroom.events.say.connect(self.status.say)
        self.classroom.events.by.connect(self.set_by)
        self.classroom.events.quiz.connect(self._on_quiz)
        self.dials_tabs.currentChanged.connect(
            lambda index: self.session.show_side(Side.B if index == 1 else Side.A)
        )

    def _on_quiz(self, quiz: Quiz | None) -> None:
        if quiz is not None and quiz.step is QuizStep.QUESTION and not self.session.shown_runs():
            self.stage.blank()  # no lanes or figures of the last lesson under a new question

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
            self.status.say("Stopping: requests still on a thread finish their view…")
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
        """Load a scenario or lesson file into the dials (a lesson opens on its question); a
        broken file raises ScenarioError and leaves the dials as they were."""
        loaded = self.classroom.open(path)
        if loaded.by is not None:
            self.set_by(loaded.by)
        self.stage.show_header(loaded.a)
        if self.classroom.quiz is None:
            self.status.say(f"Loaded {Path(path).name}. Press Run (F5).")
        return loaded

    def export_to(self, path: str | Path, kind: str) -> None:
        """Write what is shown to ``path``: ``kind`` is a key of ``EXPORT_KINDS``."""
        runs, shown = self.session.shown_runs(), self.session.shown_run()
        if not runs or shown is None:
            raise LanesError(NOTHING_TO_EXPORT)
        # A lesson's measured runs: the line the window shows, whether they showed its point.
        title, verdict = self.session.lesson_title, self.quiz.line or self.session.verdict
        theme, by = self.presentation.theme, self.session.view.by
        figure = self.session.criterion.figure  # the figure line's lead, on the slide too
        # Each side's every run (a close call's re-runs): the slide's bars write their range.
        every = [self.session.every_run(side) for side in self.session.sides]
        export_runs(
            path,
            kind,
            runs,
            shown,
            title=title,
            theme=theme,
            by=by,
            verdict=verdict,
            figure=figure,
            every_run=[side for side in every if side],
        )

    def set_tails_shown(self, shown: bool) -> None:
        """Draw (or hide) the thin after-answer tails; the legend says what they are."""
        self.session.view.set_tails(shown)

    def set_by(self, by: str) -> None:
        """Lanes per request or per worker (``"request"``/``"worker"`` or the layout names)."""
        self.session.view.set_by("workers" if by_value(by) == "workers" else "requests")

    def _on_view_changed(self) -> None:
        """The menu's check marks follow the view, whoever changed it."""
        view = self.session.view
        self.tails_action.setChecked(view.tails)
        self.dark_action.setChecked(view.dark)
        self.presentation_action.setChecked(view.presentation)

    def apply_theme(self, theme: Theme) -> None:
        apply_theme(current_application(), theme)
        self.stage.set_theme(theme)

    # -- drawing the session ----------------------------------------------------------------
    def _on_running_changed(self, running: bool) -> None:
        if running:  # its figures grow beside its lanes
            self.desk_docks.show_results()
        if not running and self._close_when_stopped:
            # The run's task ends once this returns; closeEvent can accept by then.
            QTimer.singleShot(0, self.close)

    def _on_shown_side_changed(self, side: Side) -> None:
        self.dials_tabs.setCurrentIndex(1 if side is Side.B else 0)
        self._label_metrics_tab()

    def _label_metrics_tab(self) -> None:
        side = self.session.shown_side
        label = f"Metrics of {side.upper()}" if self.session.compare else "Metrics"
        self.side_tabs.setTabText(self.side_tabs.indexOf(self.metrics), label)

    def _on_compare_changed(self, on: bool) -> None:
        self.compare_action.setChecked(on)
        self.dials_tabs.setTabVisible(1, on)
        self.dials_tabs.tabBar().setVisible(on)
        self._label_metrics_tab()

    # -- closing ------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        """Close cleanly: a run in progress is stopped first, then the window closes."""
        if self.session.running:
            self._close_when_stopped = True
            self.session.stop()
            self.status.say("Stopping the run before closing…")
            event.ignore()
            return
        self.replay.pause()
        dark, desk = self.session.view.dark, self.presentation.desk
        maximized = self.presentation.was_maximized if desk is not None else self.isMaximized()
        save_window(self, self.settings, self.session, dark=dark, desk=desk, maximized=maximized)
        event.accept()
        self.session.close()  # the model's threads hand nothing more to this loop
        self.quiz.cores.close()  # nor does a check of the cores still burning
        if self._own_site is not None:
            self._own_site.close()
        if not self._closed:
            self._closed = True
            self.closed.emit()


def _live_runner() -> SiteProcess:
    """The real engine in a process of its own, started at the first run; imported only when
    a window makes its own session (the session's package stays free of Django:
    :mod:`app.main` and tests hand theirs in)."""
    from simulator.hosting.site_process import SiteProcess

    return SiteProcess()
