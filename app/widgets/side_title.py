"""A side's title over its lanes in compare mode, with the lesson's figure bar at its right.

The bar (:class:`~app.widgets.figure_bar.QtFigureBar`) sits over the title's line, so the
title's words are elided ("…") where they would run under it: at 1024 px wide lesson 18's
"Framework / request" was written over "every 25 ms". They are cut as a slide's heading is
(:data:`~app.timeline.figure_bar.TITLE_ELIDE`: in the middle). The whole title is its
tooltip.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from app.timeline.figure_bar import TITLE_ELIDE, FigureBar
from app.widgets.figure_bar import QtFigureBar

__all__ = ["QtSideTitle"]

#: Room kept between the title's last word and the bar's caption, in px.
_GAP = 12


class QtSideTitle(QLabel):
    """A side's title, "**A**: the run's label — its state", and the figure bar at its right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._letter, self._words = "", ""
        self.figure_bar = QtFigureBar(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addStretch(1)
        layout.addWidget(self.figure_bar, 0, Qt.AlignmentFlag.AlignVCenter)

    def set_title(self, letter: str, words: str) -> None:
        """``letter`` in bold, then ``words``, as much of them as fits beside the bar."""
        self._letter, self._words = letter, words
        self._fit()

    def set_bar(self, bar: FigureBar | None) -> None:
        self.figure_bar.set_bar(bar)
        self._fit()

    def full_text(self) -> str:
        """The whole title, as plain text (the tooltip's when it is elided)."""
        return f"{self._letter}: {self._words}"

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presentation mode's text
            self._fit()

    def _fit(self) -> None:
        bold = QFont(self.font())
        bold.setBold(True)
        room = self.contentsRect().width() - QFontMetricsF(bold).horizontalAdvance(self._letter)
        room -= QFontMetricsF(self.font()).horizontalAdvance(": ")
        if self.figure_bar.bar is not None:
            room -= self.figure_bar.sizeHint().width() + _GAP
        words = QFontMetricsF(self.font()).elidedText(self._words, TITLE_ELIDE, max(0.0, room))
        shown = f"<b>{html.escape(self._letter)}</b>: {html.escape(words)}"
        if shown != self.text():
            self.setText(shown)
        self.setToolTip(self.full_text() if words != self._words else "")
