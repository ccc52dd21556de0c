"""The colour key under the timeline: the kinds on screen, flowing over as many lines as the
width needs (painted by :func:`~app.timeline.legend.draw_legend`), each entry's whole name
in its tooltip (the key shows the short ones where the whole ones take over two lines)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize
from PySide6.QtGui import QFontMetricsF, QHelpEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.theme import LEGEND_KINDS, LIGHT, Theme
from app.timeline.geometry import PlacedLabel
from app.timeline.legend import (
    NO_MARKS,
    Marks,
    draw_legend,
    entry_at,
    legend_layout,
    thin_label,
    whole_label,
)

__all__ = ["QtLegend"]


def _key_rect(width: float, height: float) -> QRectF:
    """Where the key is drawn in a widget this size: inside a margin."""
    return QRectF(8, 4, width - 16, height)


class QtLegend(QWidget):
    """The colour key under the timeline, flowing over as many lines as the width needs."""

    def __init__(self, parent: QWidget | None = None, *, theme: Theme = LIGHT) -> None:
        super().__init__(parent)
        self.theme = theme
        #: The marks the key explains besides the kinds (the thin after-answer bars at
        #: first, as the window draws them).
        self.marks = Marks(tails=True)
        self.kinds: tuple[str, ...] = LEGEND_KINDS
        self.thin: frozenset[str] = frozenset()  # of them, drawn only as hairlines
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    @property
    def tails_shown(self) -> bool:
        return self.marks.tails

    @property
    def answers_shown(self) -> bool:
        return self.marks.answers

    def set_kinds(
        self,
        kinds: tuple[str, ...],
        marks: Marks = NO_MARKS,
        thin: frozenset[str] = frozenset(),
    ) -> None:
        """Explain ``kinds`` (those on screen; ``thin``: of them, those drawn only as
        hairlines), and the ``marks`` shown besides them."""
        self.kinds = kinds
        self.thin = thin
        self.marks = marks
        self._fit_height()

    def _fit_height(self) -> None:
        self.setFixedHeight(self.heightForWidth(self.width()))
        self.update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # presentation mode: more lines
            self._fit_height()
        super().changeEvent(event)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        from PySide6.QtGui import QImage

        image = QImage(1, 1, QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        height = self._draw(painter, _key_rect(width, 1000))
        painter.end()
        return int(height + 8)

    def sizeHint(self) -> QSize:
        return QSize(900, self.heightForWidth(900))

    def minimumSizeHint(self) -> QSize:
        return QSize(200, int(QFontMetricsF(self.font()).height() * 1.6))

    def resizeEvent(self, event) -> None:
        self.setFixedHeight(self.heightForWidth(self.width()))
        super().resizeEvent(event)

    def event(self, event: QEvent) -> bool:
        """Hovered, an entry's whole name (the key may show the short one, to keep the lanes
        their rows)."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            what = self.entry_at(QPointF(event.pos()))
            if what is None:
                QToolTip.hideText()
            else:
                whole = whole_label(what)
                whole = thin_label(whole) if what in self.thin else whole
                QToolTip.showText(event.globalPos(), whole, self)
            return True
        return super().event(event)

    def entry_at(self, point: QPointF) -> str | None:
        """The entry at ``point`` (widget coordinates), as painted; ``None`` between them."""
        return entry_at(
            _key_rect(self.width(), self.height()),
            self.font(),
            self.kinds,
            point,
            marks=self.marks,
            thin=self.thin,
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        self._draw(painter, _key_rect(self.width(), self.height()))
        painter.end()

    def placed(self) -> list[PlacedLabel]:
        """The entries' names as painted (widget coordinates)."""
        rect = _key_rect(self.width(), self.height())
        entries, _ = legend_layout(
            rect,
            self.font(),
            self.kinds,
            marks=self.marks,
            thin=self.thin,
        )
        return [label for _, label in entries]

    def _draw(self, painter: QPainter, rect: QRectF) -> float:
        """The legend in ``rect``; the height it took (measuring and painting lay it out
        alike, so the widget is as tall as what it paints)."""
        return draw_legend(
            painter,
            rect,
            self.theme,
            self.font(),
            self.kinds,
            marks=self.marks,
            thin=self.thin,
        )
