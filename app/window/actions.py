"""The window's actions (with their shortcuts) and its menus, built in one place.

Each action calls one slot the window hands in by name (its own methods, or its session's);
the menus only arrange them. The window keeps them as attributes (``window.run_action`` ...),
where the tests and ``app.main`` find them. Nothing here knows the window's class.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu, QMenuBar, QMessageBox, QWidget

from app.assets import LESSONS
from simulator.lessons import lesson_entries

__all__ = ["ACTIONS", "ActionSpec", "build_actions", "build_menus"]

Shortcut = str | QKeySequence.StandardKey | None


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One action: its name (``window.<name>_action``), text, shortcut and status tip."""

    name: str
    text: str
    shortcut: Shortcut
    tip: str = ""
    checkable: bool = False


ACTIONS = (
    ActionSpec("run", "&Run", "F5", "Send the requests (in compare mode: A, then B)"),
    ActionSpec("run_a", "Run &A only", "Ctrl+F5", "Re-run side A of the comparison"),
    ActionSpec("run_b", "Run &B only", "Shift+F5", "Re-run side B of the comparison"),
    ActionSpec(
        "predict",
        "&Predict (model)",
        "Ctrl+P",
        "Show what the model predicts for these dials, without running them",
    ),
    ActionSpec("compare", "&Compare A and B", "Ctrl+K", "Two runs, stacked on one time axis", True),
    ActionSpec("stop", "&Stop", "Esc", "Stop the run"),
    ActionSpec("replay", "Re&play", "Ctrl+R", "Replay the last run from the start"),
    ActionSpec("by_request", "By &request", "Ctrl+1", "One lane per request"),
    ActionSpec("by_worker", "By &worker", "Ctrl+2", "One lane per thread or event loop"),
    ActionSpec(
        "tails",
        "After-answer &tails",
        "Ctrl+T",
        "Show the thin bars of Django's work after a request's answer was sent",
        True,
    ),
    ActionSpec(
        "code",
        "The view's &code",
        "C",
        "The code of the view being run: under the lanes in presentation mode, else its tab",
    ),
    ActionSpec("zoom_in", "Zoom &in", QKeySequence.StandardKey.ZoomIn, "Zoom in on time"),
    ActionSpec("zoom_out", "Zoom &out", QKeySequence.StandardKey.ZoomOut, "Zoom out"),
    ActionSpec("fit", "&Fit to window", "Ctrl+0", "Show the whole run"),
    ActionSpec(
        "presentation",
        "&Presentation mode",
        "F11",
        "Large fonts, full screen, for projectors",
        True,
    ),
    ActionSpec(
        "dark", "&Dark theme", "Ctrl+Shift+D", "Switch between the light and the dark theme", True
    ),
    ActionSpec(
        "open",
        "&Open Scenario…",
        QKeySequence.StandardKey.Open,
        "Load dials from a scenario or lesson file",
    ),
    ActionSpec(
        "save",
        "&Save Scenario…",
        QKeySequence.StandardKey.Save,
        "Save the dials to a file you can hand to students",
    ),
    ActionSpec(
        "export",
        "&Export…",
        "Ctrl+E",
        "Save the timeline as a picture for slides, or the run as data",
    ),
    ActionSpec("quit", "&Quit", QKeySequence.StandardKey.Quit, "Close the window"),
    ActionSpec("about", "&About Django Async Lanes", None),
)


def _action(parent: QWidget, spec: ActionSpec, slot: Callable[[], object]) -> QAction:
    action = QAction(spec.text, parent)
    if spec.shortcut is not None:
        action.setShortcut(QKeySequence(spec.shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if spec.tip:
        action.setStatusTip(spec.tip)
        shortcut = action.shortcut().toString()
        action.setToolTip(f"{spec.tip} ({shortcut})" if spec.shortcut else spec.tip)
    action.setCheckable(spec.checkable)
    action.triggered.connect(lambda checked=False: slot())
    parent.addAction(action)
    return action


def build_actions(parent: QWidget, slots: Mapping[str, Callable[[], object]]) -> dict[str, QAction]:
    """Every action of :data:`ACTIONS`, keyed by name, each calling ``slots[name]`` (the
    About box needs none)."""
    slots = {"about": lambda: _show_about(parent), **slots}
    return {spec.name: _action(parent, spec, slots[spec.name]) for spec in ACTIONS}


def _show_about(parent: QWidget) -> None:
    QMessageBox.about(
        parent,
        "About Django Async Lanes",
        "<p><b>Django Async Lanes</b> runs a real Django site (its ASGI and WSGI "
        "handlers, real views, middleware, ORM and HTTP calls) and draws, from "
        "measurement, how it schedules each request.</p>"
        "<p>Nothing is simulated: every lane is timed on one clock while the site runs.</p>",
    )


def _lessons_menu(menu: QMenu, open_lesson: Callable[[Path], object]) -> None:
    """One entry per lesson file, numbered and titled with its question. A broken file, or a
    lesson this machine cannot run (a server not installed, too few cores), is greyed out and
    says why in its own text, never hidden: a teacher reads the menu, not its tooltips."""
    for entry in lesson_entries(LESSONS):
        if entry.lesson is None:
            problem = entry.wrong or entry.problem or "broken"  # (without the file's path)
            action = QAction(f"{entry.number}. {entry.path.name}: broken: {_short(problem)}", menu)
            action.setEnabled(False)
            action.setToolTip(entry.problem or "")
            action.setStatusTip(entry.problem or "")
        elif (unmet := entry.lesson.needs.unmet()) is not None:
            action = QAction(f"{entry.number}. {entry.title} ({_short(unmet)})", menu)
            action.setEnabled(False)
            action.setToolTip(unmet)
            action.setStatusTip(unmet)
        else:
            action = QAction(f"{entry.number}. {entry.title}", menu)
            action.triggered.connect(lambda checked=False, p=entry.path: open_lesson(p))
        menu.addAction(action)
    menu.setToolTipsVisible(True)


def _short(text: str, limit: int = 90) -> str:
    """``text`` cut to ``limit`` characters for a menu entry (the tooltip keeps it whole)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def build_menus(
    bar: QMenuBar,
    actions: Mapping[str, QAction],
    *,
    open_lesson: Callable[[Path], object],
    docks: Iterable[QDockWidget],
    guide: QAction,
) -> dict[str, QMenu]:
    """File, Lessons, Run, View and Help, keyed by those names in lower case."""
    a = actions
    file_menu = bar.addMenu("&File")
    file_menu.addAction(a["open"])
    file_menu.addAction(a["save"])
    file_menu.addSeparator()
    file_menu.addAction(a["export"])
    file_menu.addSeparator()
    file_menu.addAction(a["quit"])
    lessons_menu = bar.addMenu("&Lessons")
    _lessons_menu(lessons_menu, open_lesson)
    run_menu = bar.addMenu("&Run")
    for name in ("run", "stop", "replay", "predict"):
        run_menu.addAction(a[name])
    run_menu.addSeparator()
    for name in ("compare", "run_a", "run_b"):
        run_menu.addAction(a[name])
    view_menu = bar.addMenu("&View")
    for name in ("by_request", "by_worker", "tails", "code"):
        view_menu.addAction(a[name])
    view_menu.addSeparator()
    for name in ("zoom_in", "zoom_out", "fit"):
        view_menu.addAction(a[name])
    view_menu.addSeparator()
    view_menu.addAction(a["presentation"])
    view_menu.addAction(a["dark"])
    view_menu.addSeparator()
    for dock in docks:
        view_menu.addAction(dock.toggleViewAction())
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(guide)
    help_menu.addAction(a["about"])
    return {
        "lessons": lessons_menu,
        "file": file_menu,
        "run": run_menu,
        "view": view_menu,
        "help": help_menu,
    }
