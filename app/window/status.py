"""The status bar's line: what the session is doing, in a sentence; and the box for a run
that could not start.

Started, how far a run has got, finished (with the prediction's check), what the model
predicts, the session's and the classroom's notices: each event of the session becomes the
line the teacher reads at the bottom of the window. Handed the window only for its status
bar and as the box's parent; it reads the session, and ``closing`` says whether the window
is waiting for a run to stop before it closes (then nothing more is said).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox

from app.session import Prediction, Session, Side
from app.session.close_call import status_lead
from app.status_text import finished_text, running_text, started_text
from simulator.scenario import Scenario
from simulator.trace import Run, Trace

__all__ = ["StatusLine"]


class StatusLine:
    """Says in the window's status bar what the session is doing."""

    def __init__(self, window: QMainWindow, session: Session, closing: Callable[[], bool]) -> None:
        self._window, self.session, self._closing = window, session, closing
        self._requests: dict[Side, int] = {}  # how many each side's run will send
        self._finished: Run | None = None  # the run that finished last
        self._said = ""  # what the line said of it
        events = session.events
        events.run_started.connect(self._on_run_started)
        events.run_progressed.connect(self._on_run_progressed)
        events.run_finished.connect(self._on_run_finished)
        events.prediction.connect(self._on_prediction_changed)
        events.checked.connect(self._on_checked)
        events.error.connect(self._on_run_failed)
        events.notice.connect(self.say)

    def say(self, text: str) -> None:
        self._window.statusBar().showMessage(text)

    def _side(self, side: Side) -> Side | None:
        """The side, named only when comparing."""
        return side if self.session.compare else None

    def _on_run_started(self, side: Side, scenario: Scenario) -> None:
        self._requests[side] = scenario.requests
        self.say(status_lead(self.session, side, started_text(scenario, self._side(side))))

    def _on_run_progressed(self, side: Side, trace: Trace, now_ns: int) -> None:
        text = running_text(trace, self._side(side), self._requests.get(side, 0))
        self.say(status_lead(self.session, side, text))  # a close call's re-run says so

    def _on_run_finished(self, side: Side, run: Run) -> None:
        self._finished = run
        self._say_finished()

    def _say_finished(self) -> None:
        """The last run's end, with the model's check once there is one."""
        run = self._finished
        if run is None or self.session.queued or self._closing():
            return
        # The model's check is of the run that finished last: beside another (a lesson
        # returned to draws each side's run again, B's last) it said another run's figure.
        check = self.session.check if run is self.session.last_run else None
        predicted = check.predicted_ms if check else None
        self._said = finished_text(run, predicted, check.calibrated if check else None)
        self.say(self._said)

    def _on_checked(self, _check: object) -> None:
        """A big run's check, come after its end: joins the line that says that end, not
        what the line said since (a prediction asked, a file saved, a next run's lines)."""
        if self._window.statusBar().currentMessage() == self._said:
            self._say_finished()

    def _on_run_failed(self, message: str) -> None:
        self.say(message)
        if not self._closing():
            # Window-modal but not blocking: no nested event loop inside the session's task.
            box = QMessageBox(QMessageBox.Icon.Warning, "The run could not start", message)
            box.setParent(self._window, box.windowFlags())
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()

    def _on_prediction_changed(self, prediction: Prediction | None) -> None:
        if prediction is None:  # a run replaced it
            return
        self.say(
            f"The model predicts a makespan of {prediction.summary.makespan_ms:.0f} ms. "
            "Press Run (F5) to measure it."
        )
