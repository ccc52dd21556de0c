"""What the window remembers between sessions: its geometry, the dials, compare and theme."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt

from app.session import Side
from simulator.errors import LanesError
from simulator.scenario import Scenario

if TYPE_CHECKING:
    from app.window.main_window import QtMainWindow

__all__ = ["restore_window", "save_window", "saved_scenario"]

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


def restore_window(w: QtMainWindow) -> None:
    """Geometry, docks, compare mode and theme as they were left."""
    geometry = w.settings.value("window/geometry")
    if isinstance(geometry, QByteArray):
        w.restoreGeometry(geometry)
    else:  # the first start: the whole screen, as a teacher wants it
        w.resize(1500, 900)
        w.setWindowState(w.windowState() | Qt.WindowState.WindowMaximized)
    state = w.settings.value("window/state")
    if isinstance(state, QByteArray):
        w.restoreState(state)
    w.session.set_compare(_flag(w.settings, "view/compare"))
    w.dark_action.setChecked(_flag(w.settings, "view/dark"))
    w.apply_theme(w.presentation.theme)


def save_window(w: QtMainWindow) -> None:
    settings = w.settings
    presenting = w.presentation.on and w.presentation.normal_state is not None
    # Presentation mode is for the class, not for the next start: keep the desk's layout.
    geometry = w.presentation.normal_geometry if presenting else None
    state = w.presentation.normal_state if presenting else None
    settings.setValue("window/geometry", geometry or w.saveGeometry())
    settings.setValue("window/state", state or w.saveState())
    for side, key in _SCENARIO_KEYS.items():
        settings.setValue(key, json.dumps(w.session.scenario(side).to_dict()))
    settings.setValue("view/compare", w.session.compare)
    settings.setValue("view/dark", w.dark_action.isChecked())
    settings.sync()
