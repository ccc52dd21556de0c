"""The lesson panel: the question above the lanes, the class's guess, and at the reveal the
answer beside the measurement. Shown only while a lesson (a file with ``[lesson]``) is open.

It sits in the window's centre column, so presentation mode (which hides the docks) keeps
it; its text follows the application font, sized for the projector there.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSlider, QVBoxLayout

from app.lesson_reveal import PanelText

__all__ = ["QtLessonPanel"]


class QtLessonPanel(QFrame):
    """Question, choices or slider and, at the reveal, the answer (what Page Down does next
    is in the window's status bar).

    ``guessed(float)`` is emitted when the slider moves (a numeric guess, in ms)."""

    guessed = Signal(float)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("lessonPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 4, 8, 4)
        column.setSpacing(2)
        self.question = QLabel()
        self.question.setObjectName("lessonQuestion")
        self.question.setWordWrap(True)
        font = self.question.font()
        font.setBold(True)
        self.question.setFont(font)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.choices = QLabel()
        self.choices.setWordWrap(True)
        guess_row = QHBoxLayout()
        self.guess = QLabel()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Page Down belongs to the quiz
        self._scale: tuple[float, ...] = (0.0,)
        self.slider.valueChanged.connect(lambda i: self.guessed.emit(self._scale[i]))
        guess_row.addWidget(self.guess)
        guess_row.addWidget(self.slider, 1)
        self.reveal = QLabel()
        self.reveal.setObjectName("lessonReveal")
        self.reveal.setWordWrap(True)
        self.reveal.setTextFormat(Qt.TextFormat.RichText)
        for widget in (self.question, self.explanation, self.choices):
            column.addWidget(widget)
        column.addLayout(guess_row)
        column.addWidget(self.reveal)
        self.hide()

    def set_scale(self, scale: tuple[float, ...]) -> None:
        """The slider's notches for a numeric guess: the steps + and − walk (the quiz's
        scale), so the mouse and the clicker say the same round numbers."""
        self._scale = scale
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(scale) - 1)
        self.slider.setSingleStep(1)
        self.slider.setPageStep(1)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.blockSignals(False)

    def show_text(self, text: PanelText, *, numeric: bool, number: float | None) -> None:
        self.question.setText(text.question)
        self.explanation.setText(text.explanation)
        self.explanation.setVisible(bool(text.explanation))
        self.choices.setText("\n".join(text.choices))
        self.choices.setVisible(bool(text.choices))
        self.guess.setText(text.guess)
        self.guess.setVisible(bool(text.guess))
        self.slider.setVisible(numeric)
        if numeric:  # no guess yet: the slider at its start, not at the last lesson's guess
            self.slider.blockSignals(True)
            near = (
                0
                if number is None
                else min(range(len(self._scale)), key=lambda i: abs(self._scale[i] - number))
            )
            self.slider.setValue(near)
            self.slider.blockSignals(False)
        self.reveal.setText(text.reveal)
        self.reveal.setVisible(bool(text.reveal))
        self.show()
