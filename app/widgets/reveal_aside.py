"""The reveal's whole text beside the lanes, on a projector (the lesson's "B: why").

Above the lanes, the whole text took half of a 720p screen and left the lanes a fifth:
lesson 9's thirty threads, one row each at the reveal, were drawn as one row, "threads 1–30
overlaid", on the very screen whose text says "a thread per request" (teacher46). Beside
them, the lanes keep the reveal's height, and with it the rows the class just read; they
give up width instead, which only spreads each millisecond over fewer pixels.

The text is as large as fits the column's height in :data:`FIT_RANGE` of the body text's
size: larger than the body where it is short (at the body's size, lesson 1's filled under half
the column, and the back row could not read it, teacher47), down to the least where it is
long; longer still, it scrolls.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from app.fonts import scaled_font
from app.qt_application import current_application

__all__ = ["FIT_RANGE", "SHARE", "QtRevealAside"]

#: The share of the centre's width the text takes: at 1280×720, 500 px of text (about 55
#: characters a line, a book's measure) beside 760 px of lanes.
SHARE = 0.4
#: The text's size, fitted to the height, ranges over these shares of the body text's.
FIT_RANGE = (0.8, 1.4)


class QtRevealAside(QScrollArea):
    """The question and the reveal's whole text (``app.lesson_reveal.PanelText.reveal``), in
    a column of its own; hidden but at a reveal opened on a projector."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("revealAside")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Its width is its share of the centre (the layout's stretch), not its text's hint.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        inner = QWidget()
        column = self._column = QVBoxLayout(inner)
        column.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel()
        self.label.setObjectName("revealAsideText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.label)
        column.addStretch(1)
        self.setWidget(inner)
        self.hide()

    def set_text(self, question: str, reveal: str) -> None:
        """The question (plain text), then the reveal's whole text (rich text)."""
        lead = f"<b>{html.escape(question)}</b><br>" if question else ""
        self.label.setText(lead + reveal)
        self._fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def fits(self) -> bool:
        """Whether the whole text shows without scrolling."""
        return self._text_height(self.label.font()) <= self.viewport().height()

    def _text_height(self, font: QFont) -> int:
        self.label.setFont(font)
        margins = self._column.contentsMargins()
        width = self.viewport().width() - margins.left() - margins.right()
        return self.label.heightForWidth(width) + margins.top() + margins.bottom()

    def _fit(self) -> None:
        """The largest size in :data:`FIT_RANGE` at which the whole text fits the height
        (the least if none does: then it scrolls)."""
        if not self.isVisible() or self.viewport().width() <= 0:
            return
        base = current_application().font()
        room = self.viewport().height()
        steps = 12
        for i in range(steps + 1):
            share = FIT_RANGE[1] - (FIT_RANGE[1] - FIT_RANGE[0]) * i / steps
            font = scaled_font(base, share)
            if self._text_height(font) <= room:
                return
        # (left at the least: it scrolls)
