"""Which of the window's actions and buttons can be used now, from the session's state.

Nothing that starts a run, predicts, or changes the dials while a run goes; Run A and Run B
only when comparing; Stop while a run or a replay goes; Replay once A has run; Export once
something is on screen. Recomputed whenever the session's running state, its compare mode,
a finished run or the replay changes.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton, QTabWidget

from app.session import Session, Side
from app.widgets.replay_bar import QtReplayBar

__all__ = ["EnabledActions"]


class EnabledActions:
    """Keeps ``actions`` (by name, :func:`~app.window.actions.build_actions`) and the Run,
    Stop and Export buttons enabled as the session allows."""

    def __init__(
        self,
        session: Session,
        actions: Mapping[str, QAction],
        buttons: Mapping[str, QPushButton],
        dials_tabs: QTabWidget,
        replay: QtReplayBar,
    ) -> None:
        self.session, self._actions, self._buttons = session, actions, buttons
        self._dials_tabs, self._replay = dials_tabs, replay
        events = session.events
        for signal in (events.running, events.compare):
            signal.connect(lambda _: self.update())
        events.run_finished.connect(lambda *_: self.update())
        replay.playheadChanged.connect(lambda _: self.update_stop())

    def update(self) -> None:
        session, actions, buttons = self.session, self._actions, self._buttons
        running, compare = session.running, session.compare
        for name in ("run", "compare", "predict"):
            actions[name].setEnabled(not running)
        actions["run_a"].setEnabled(not running and compare)
        actions["run_b"].setEnabled(not running and compare)
        buttons["run"].setEnabled(not running)
        self.update_stop()
        buttons["stop"].setEnabled(running)
        self._dials_tabs.setEnabled(not running)
        actions["replay"].setEnabled(not running and session.runs[Side.A] is not None)
        actions["export"].setEnabled(not running and bool(session.shown_runs()))
        buttons["export"].setEnabled(actions["export"].isEnabled())

    def update_stop(self) -> None:
        self._actions["stop"].setEnabled(self.session.running or self._replay.playing)
