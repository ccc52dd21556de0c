"""What the window remembers between sessions: its geometry, the dials, compare and theme."""

from __future__ import annotations

import json

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import QMainWindow

from app.session import Session, Side
from simulator.errors import LanesError
from simulator.scenario import Scenario

__all__ = ["restore_window", "save_window", "saved_dark", "saved_scenario"]

_SCENARIO_KEYS = {Side.A: "dials/scenario", Side.B: "dials/scenario_b"}


def _flag(settings: QSettings, key: str) -> bool:
    return str(settings.value(key, "false")).lower() == "true"


def saved_scenario(settings: QSettings, side: Side) -> Scenario:
    """The dials saved for ``side``, or the defaults."""
    text = settings.value(_SCENARIO_KEYS[side], "")
    if text:
        try:
            return Scenario.from_dict(json.loads(str(text)))
        except (ValueError, TypeError, RecursionError, LanesError):
            pass  # dials saved by another version: start from the defaults
    return Scenario()


def saved_dark(settings: QSettings) -> bool:
    """Whether the dark theme was on when the window last closed."""
    return _flag(settings, "view/dark")


def restore_window(window: QMainWindow, settings: QSettings, session: Session) -> None:
    """Geometry, docks and compare mode as they were left."""
    geometry = settings.value("window/geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
        if _flag(settings, "window/maximized"):
            # Qt drops a maximised state whose normal size does not fit this screen (left
            # maximised at 1920×1080, the next start at 1280×720 opened at 1182×603).
            window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
    else:  # the first start: the whole screen, as a teacher wants it
        window.resize(1500, 900)
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
    state = settings.value("window/state")
    if isinstance(state, QByteArray):
        window.restoreState(state)
    session.set_compare(_flag(settings, "view/compare"))


def save_window(
    window: QMainWindow,
    settings: QSettings,
    session: Session,
    *,
    dark: bool,
    desk: tuple[QByteArray, QByteArray] | None = None,
    maximized: bool = False,
) -> None:
    """Geometry (``maximized`` or not), docks, dials, compare and theme; ``desk`` is the
    geometry and dock state from before presentation mode (for the class, not for the next
    start: the desk's layout is what is kept)."""
    geometry, state = desk if desk is not None else (window.saveGeometry(), window.saveState())
    settings.setValue("window/geometry", geometry)
    settings.setValue("window/maximized", maximized)
    settings.setValue("window/state", state)
    for side, key in _SCENARIO_KEYS.items():
        settings.setValue(key, json.dumps(session.scenario(side).to_dict()))
    settings.setValue("view/compare", session.compare)
    settings.setValue("view/dark", dark)
    settings.sync()
