"""The few figures a lesson is about, on one line under the header: presentation mode's
stand-in for the metrics panel, which would take a third of a projector's width."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QWidget

from app.session.figures import Figures, Shown
from app.session.state import Side
from simulator.metrics.figures import EMPTY, FIGURE, lesson_first
from simulator.metrics.summary import Summary
from simulator.trace import Trace

__all__ = ["QtFigureStrip", "lesson_figures"]


#: What the line shows before any run: the figures every run has.
BEFORE_A_RUN = ("makespan_ms", "p95", "threads_held_peak")


def lesson_figures(summary: Summary, trace: Trace, figure: str | None = None) -> tuple[str, ...]:
    """The keys of the figures a class needs for this run: the one the lesson asks about
    (``figure``) first, then how long it took, how many threads it held at once, whether the
    event loop was blocked (only where there is one), and failures (only if some request
    failed). Lesson 6 and 17 ask for the p50, 18 for Django's time per request, 19 for the
    database connections: none of them was on the line the class reads."""
    keys = list(lesson_first(figure, BEFORE_A_RUN))
    if trace.loop_thread is not None and "loop_blocked_ms" not in keys:
        keys.append("loop_blocked_ms")
    if summary.failed and "failed" not in keys:
        keys.append("failed")
    return tuple(keys)


class QtFigureStrip(QLabel):
    """``makespan 1.61 s · p95 1.54 s · threads held 8 · loop blocked 0 ms`` in large type.

    It follows the session's :class:`~app.session.figures.Figures`, as the metrics panel
    does, and keeps no run: both read the one trace on screen when they draw."""

    def __init__(
        self,
        figures: Figures,
        parent: QWidget | None = None,
        *,
        lesson_figure: Callable[[], str | None] = lambda: None,
    ) -> None:
        super().__init__(parent)
        #: The figure the lesson on screen is about (its verdict's), read at each update.
        self._lesson_figure = lesson_figure
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
        ("A", "B") goes first, and the other side's finished run has a line of its own (A's
        above B's, as their panels are); the model's say so first, in words a class reads
        from the back. Before a run the names stand with dashes, so the class knows what to
        watch for (a bare dash under the title reads as a glitch)."""
        shown = self._figures.shown
        figure = self._lesson_figure()
        if shown is None:
            self.keys = ()
            names = (FIGURE[key].name for key in lesson_first(figure, BEFORE_A_RUN))
            # B's dashes while its site starts, A's lanes still on screen: say whose.
            side = self._figures.starting
            head = f"<b>{side.upper()}</b>: " if side is not None else ""
            line = head + " · ".join(f"{name} <b>{EMPTY}</b>" for name in names)
        else:
            side = shown.side
            self.keys = lesson_figures(shown.summary, shown.trace, figure)
            line = _line(shown, self.keys)
        lines = [line]
        other = self._figures.other
        if other is not None:
            keys = lesson_figures(other.summary, other.trace, figure)
            lines.insert(0 if side == Side.B else 1, _line(other, keys))
        self.setText("<br>".join(lines))


def _line(shown: Shown, keys: tuple[str, ...]) -> str:
    """``B: makespan 1.61 s · p95 1.54 s`` for ``shown``'s figures of ``keys``."""
    summary = shown.summary
    parts = [
        f"{FIGURE[key].name}{FIGURE[key].so_far(shown.live)} <b>{FIGURE[key].text(summary)}</b>"
        for key in keys
    ]
    head = f"<b>{shown.side.upper()}</b>: " if shown.side is not None else ""
    if shown.predicted:
        head += "<b>Predicted</b> (model, not measured): "
    return head + " · ".join(parts)
