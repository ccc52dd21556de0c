"""A side's figure bar at the right of its title (see :mod:`app.timeline.figure_bar`;
:class:`~app.widgets.side_title.QtSideTitle` places it)."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.theme import LIGHT, Theme
from app.timeline.figure_bar import FigureBar, bar_block_width, paint_figure_bar

__all__ = ["QtFigureBar"]


class QtFigureBar(QWidget):
    """One side's bar of the lesson's figure, hidden while there is none to draw."""

    def __init__(self, parent: QWidget | None = None, *, theme: Theme = LIGHT) -> None:
        super().__init__(parent)
        self.theme = theme
        self.bar: FigureBar | None = None
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.hide()

    def set_bar(self, bar: FigureBar | None) -> None:
        self.bar = bar
        self.setVisible(bar is not None)
        self.updateGeometry()
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        if self.bar is None:
            return QSize(0, line)
        return QSize(math.ceil(bar_block_width(self.font(), self.bar)) + 8, line)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.bar is None:
            return
        painter = QPainter(self)
        paint_figure_bar(
            painter,
            QRectF(0, 0, self.width() - 4, self.height()),
            self.bar,
            self.theme,
            self.font(),
        )
        painter.end()
