"""The window's actions (with their shortcuts) and its menus, built in one place.

Each action calls one method of the window or of its session; the menus only arrange them.
The actions are set as attributes of the window (``window.run_action`` ...), where the tests
and ``app.main`` find them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

from app.assets import LESSONS
from app.session import Side
from simulator.lessons import lesson_entries

if TYPE_CHECKING:
    from app.window.main_window import QtMainWindow

__all__ = ["build_actions", "build_menus"]


def _action(
    window: QtMainWindow,
    text: str,
    shortcut: str | QKeySequence | QKeySequence.StandardKey | None,
    slot: Callable[[], object],
    tip: str = "",
    *,
    checkable: bool = False,
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({action.shortcut().toString()})" if shortcut else tip)
    action.setCheckable(checkable)
    action.triggered.connect(lambda checked=False: slot())
    window.addAction(action)
    return action


def _fit_all(w: QtMainWindow) -> None:
    for timeline in w.timelines.values():
        timeline.fit()


def build_actions(w: QtMainWindow) -> None:
    """Every action of the window, with its shortcut and status tip."""
    w.run_action = _action(
        w, "&Run", "F5", lambda: w.start_run(), "Send the requests (in compare mode: A, then B)"
    )
    w.run_a_action = _action(
        w,
        "Run &A only",
        "Ctrl+F5",
        lambda: w.start_run([Side.A]),
        "Re-run side A of the comparison",
    )
    w.run_b_action = _action(
        w,
        "Run &B only",
        "Shift+F5",
        lambda: w.start_run([Side.B]),
        "Re-run side B of the comparison",
    )
    w.predict_action = _action(
        w,
        "&Predict (model)",
        "Ctrl+P",
        w.show_prediction,
        "Show what the model predicts for these dials, without running them",
    )
    w.compare_action = _action(
        w,
        "&Compare A and B",
        "Ctrl+K",
        lambda: w.session.set_compare(w.compare_action.isChecked()),
        "Two runs, stacked on one time axis",
        checkable=True,
    )
    w.stop_action = _action(w, "&Stop", "Esc", w.stop_run, "Stop the run")
    w.replay_action = _action(
        w, "Re&play", "Ctrl+R", w.replay.play, "Replay the last run from the start"
    )
    w.by_request_action = _action(
        w, "By &request", "Ctrl+1", lambda: w.by_tabs.setCurrentIndex(0), "One lane per request"
    )
    w.by_worker_action = _action(
        w,
        "By &worker",
        "Ctrl+2",
        lambda: w.by_tabs.setCurrentIndex(1),
        "One lane per thread or event loop",
    )
    w.tails_action = _action(
        w,
        "After-answer &tails",
        "Ctrl+T",
        lambda: w.set_tails_shown(w.tails_action.isChecked()),
        "Show the thin bars of Django's work after a request's answer was sent",
        checkable=True,
    )
    w.tails_action.setChecked(True)
    w.zoom_in_action = _action(
        w,
        "Zoom &in",
        QKeySequence.StandardKey.ZoomIn,
        lambda: w.timeline.zoom(1.5),
        "Zoom in on time",
    )
    w.zoom_out_action = _action(
        w,
        "Zoom &out",
        QKeySequence.StandardKey.ZoomOut,
        lambda: w.timeline.zoom(1 / 1.5),
        "Zoom out",
    )
    w.fit_action = _action(
        w,
        "&Fit to window",
        "Ctrl+0",
        lambda: _fit_all(w),
        "Show the whole run",
    )
    w.presentation_action = _action(
        w,
        "&Presentation mode",
        "F11",
        lambda: w.presentation.set_on(w.presentation_action.isChecked()),
        "Large fonts, full screen, for projectors",
        checkable=True,
    )
    w.dark_action = _action(
        w,
        "&Dark theme",
        "Ctrl+Shift+D",
        w.presentation.follow_dark_action,
        "Switch between the light and the dark theme",
        checkable=True,
    )
    w.open_action = _action(
        w,
        "&Open Scenario…",
        QKeySequence.StandardKey.Open,
        w.files.ask_open,
        "Load dials from a scenario or lesson file",
    )
    w.save_action = _action(
        w,
        "&Save Scenario…",
        QKeySequence.StandardKey.Save,
        w.files.ask_save,
        "Save the dials to a file you can hand to students",
    )
    w.export_action = _action(
        w,
        "&Export…",
        "Ctrl+E",
        w.files.ask_export,
        "Save the timeline as a picture for slides, or the run as data",
    )
    w.quit_action = _action(w, "&Quit", QKeySequence.StandardKey.Quit, w.close, "Close the window")
    w.about_action = _action(w, "&About Django Async Lanes", None, lambda: _show_about(w))


def _show_about(w: QtMainWindow) -> None:
    QMessageBox.about(
        w,
        "About Django Async Lanes",
        "<p><b>Django Async Lanes</b> runs a real Django site (its ASGI and WSGI "
        "handlers, real views, middleware, ORM and HTTP calls) and draws, from "
        "measurement, how it schedules each request.</p>"
        "<p>Nothing is simulated: every lane is timed on one clock while the site runs.</p>",
    )


def _lessons_menu(w: QtMainWindow, menu: QMenu) -> None:
    """One entry per lesson file, numbered and titled with its question. A broken file, or a
    lesson this machine cannot run (a server not installed, too few cores), is greyed out and
    says why in its own text, never hidden: a teacher reads the menu, not its tooltips."""
    for entry in lesson_entries(LESSONS):
        if entry.lesson is None:
            problem = entry.problem or "broken"
            # The file's path leads the problem; the menu already names the file.
            problem = problem.removeprefix(f"{entry.path}: ")
            action = QAction(f"{entry.number}. {entry.path.name}: broken: {_short(problem)}", w)
            action.setEnabled(False)
            action.setToolTip(entry.problem or "")
            action.setStatusTip(entry.problem or "")
        elif (unmet := entry.lesson.needs.unmet()) is not None:
            action = QAction(f"{entry.number}. {entry.title} ({_short(unmet)})", w)
            action.setEnabled(False)
            action.setToolTip(unmet)
            action.setStatusTip(unmet)
        else:
            action = QAction(f"{entry.number}. {entry.title}", w)
            action.triggered.connect(lambda checked=False, p=entry.path: w.open_scenario_file(p))
        menu.addAction(action)
    menu.setToolTipsVisible(True)


def _short(text: str, limit: int = 90) -> str:
    """``text`` cut to ``limit`` characters for a menu entry (the tooltip keeps it whole)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def build_menus(w: QtMainWindow) -> dict[str, QMenu]:
    """File, Lessons, Run, View and Help, keyed by those names in lower case."""
    bar = w.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(w.open_action)
    file_menu.addAction(w.save_action)
    file_menu.addSeparator()
    file_menu.addAction(w.export_action)
    file_menu.addSeparator()
    file_menu.addAction(w.quit_action)
    lessons_menu = bar.addMenu("&Lessons")
    _lessons_menu(w, lessons_menu)
    run_menu = bar.addMenu("&Run")
    for action in (w.run_action, w.stop_action, w.replay_action, w.predict_action):
        run_menu.addAction(action)
    run_menu.addSeparator()
    for action in (w.compare_action, w.run_a_action, w.run_b_action):
        run_menu.addAction(action)
    view_menu = bar.addMenu("&View")
    for action in (w.by_request_action, w.by_worker_action, w.tails_action):
        view_menu.addAction(action)
    view_menu.addSeparator()
    for action in (w.zoom_in_action, w.zoom_out_action, w.fit_action):
        view_menu.addAction(action)
    view_menu.addSeparator()
    view_menu.addAction(w.presentation_action)
    view_menu.addAction(w.dark_action)
    view_menu.addSeparator()
    for dock in w.docks:
        view_menu.addAction(dock.toggleViewAction())
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(w.quiz.guide_action)
    help_menu.addAction(w.about_action)
    return {
        "lessons": lessons_menu,
        "file": file_menu,
        "run": run_menu,
        "view": view_menu,
        "help": help_menu,
    }
