"""The few figures a lesson is about, on one line under the header: presentation mode's
stand-in for the metrics panel, which would take a third of a projector's width."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from app.session.figures import Figures
from simulator.metrics.figures import EMPTY, FIGURE
from simulator.metrics.summary import Summary
from simulator.trace import Trace

__all__ = ["QtFigureStrip", "lesson_figures"]


#: What the line shows before any run: the figures every run has.
BEFORE_A_RUN = ("makespan_ms", "p95", "threads_held_peak")


def lesson_figures(summary: Summary, trace: Trace) -> tuple[str, ...]:
    """The keys of the figures a class needs for this run: how long it took, how many
    threads it held at once, whether the event loop was blocked (only where there is one),
    and failures (only if some request failed)."""
    keys = list(BEFORE_A_RUN)
    if trace.loop_thread is not None:
        keys.append("loop_blocked_ms")
    if summary.failed:
        keys.append("failed")
    return tuple(keys)


class QtFigureStrip(QLabel):
    """``makespan 1.61 s · p95 1.54 s · threads held 8 · loop blocked 0 ms`` in large type.

    It follows the session's :class:`~app.session.figures.Figures`, as the metrics panel
    does, and keeps no run: both read the one trace on screen when they draw."""

    def __init__(self, figures: Figures, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureStrip")
        self.setWordWrap(True)
        self._figures = figures
        self.keys: tuple[str, ...] = ()
        self._update_text()
        figures.events.shown.connect(self._on_shown)

    def _on_shown(self, plots: bool) -> None:
        self._update_text()

    def _update_text(self) -> None:
        """Write the lesson's figures of what is shown; in a comparison the side they are of
        ("A", "B") goes first; the model's say so first, in words a class reads from the
        back. Before a run the names stand with dashes, so the class knows what to watch
        for (a bare dash under the title reads as a glitch)."""
        shown = self._figures.shown
        if shown is None:
            self.keys = ()
            names = (FIGURE[key].name for key in BEFORE_A_RUN)
            self.setText(" · ".join(f"{name} <b>{EMPTY}</b>" for name in names))
            return
        summary = shown.summary
        self.keys = lesson_figures(summary, shown.trace)
        parts = [
            f"{FIGURE[key].name}{FIGURE[key].so_far(shown.live)} <b>{FIGURE[key].text(summary)}</b>"
            for key in self.keys
        ]
        head = f"<b>{shown.side.upper()}</b>: " if shown.side is not None else ""
        if shown.predicted:
            head += "<b>Predicted</b> (model, not measured): "
        self.setText(head + " · ".join(parts))
