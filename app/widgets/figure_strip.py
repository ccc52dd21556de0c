"""The few figures a lesson is about, on one line under the header: presentation mode's
stand-in for the metrics panel, which would take a third of a projector's width."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFont, QFontMetricsF, QResizeEvent
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

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_text()  # (fitted to one line)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._update_text()

    def _update_text(self) -> None:
        """Write the lesson's figures of what is shown; in a comparison the side they are of
        ("A", "B") goes first, and the other side's finished run's follow on the same line
        (A's first, as their panels are); the model's say so first, in words a class reads
        from the back. Before a run the names stand with dashes, so the class knows what to
        watch for (a bare dash under the title reads as a glitch)."""
        shown = self._figures.shown
        figure = self._lesson_figure()
        this: Callable[[int], str]
        if shown is None:
            self.keys = ()
            names = (FIGURE[key].name for key in lesson_first(figure, BEFORE_A_RUN))
            # B's dashes while its site starts, A's lanes still on screen: say whose.
            side = self._figures.starting
            head = f"<b>{side.upper()}</b>: " if side is not None else ""
            dashes = head + " · ".join(f"{name} <b>{EMPTY}</b>" for name in names)
            this = lambda n: dashes  # noqa: E731 (as the other side's: one call for both)
        else:
            side = shown.side
            self.keys = keys = lesson_figures(shown.summary, shown.trace, figure)
            this = lambda n: _line(shown, keys[:n])  # noqa: E731
        other = self._figures.other
        if other is None:  # (one line too: wrapped beside the reveal's text at 1024×768,
            # the line took 23 px from the lanes it keeps the height of, review47)
            self.setText(self._fitted((this,), len(self.keys)))
            return
        other_keys = lesson_figures(other.summary, other.trace, figure)
        that = lambda n: _line(other, other_keys[:n])  # noqa: E731
        both = (that, this) if side == Side.B else (this, that)
        self.setText(self._fitted(both, max(len(self.keys), len(other_keys))))

    def _fitted(self, sides: tuple[Callable[[int], str], ...], most: int) -> str:
        """Each side's line (each of its first ``n`` figures) on one line, A's then B's,
        with as many of the figures a class reads first (the lesson's, then the makespan...)
        as fit the strip's width: a second line took a row of lanes' height from a
        projector's 720 lines."""
        bold = QFont(self.font())
        bold.setBold(True)  # (wider than the words: what fits in it fits)
        room = self.contentsRect().width()
        for n in range(max(most, 1), 0, -1):
            text = _GAP.join(line(n) for line in sides)
            plain = re.sub("<[^>]*>", "", text).replace("&nbsp;", " ")
            if QFontMetricsF(bold).horizontalAdvance(plain) <= room:
                break
        return text


#: Between the two sides' figures on the strip's one line.
_GAP = "&nbsp;&nbsp;&nbsp;&nbsp;"


def _line(shown: Shown, keys: tuple[str, ...]) -> str:
    """``B: makespan 1.61 s · p95 1.54 s`` for ``shown``'s figures of ``keys``."""
    summary = shown.summary
    parts = [
        f"{FIGURE[key].name}{FIGURE[key].so_far(shown.counting, summary.answered)}"
        f" <b>{FIGURE[key].text(summary)}</b>"
        for key in keys
    ]
    head = f"<b>{shown.side.upper()}</b>: " if shown.side is not None else ""
    if shown.predicted:
        head += "<b>Predicted</b> (model, not measured): "
    return head + " · ".join(parts)
