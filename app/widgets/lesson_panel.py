"""The lesson panel: the question above the lanes, the class's guess, and at the reveal the
answer beside the measurement. Shown only while a lesson (a file with ``[lesson]``) is open.

It sits in the window's centre column, so presentation mode (which hides the docks) keeps
it; its text follows the application font, sized for the projector there, and each step's
:class:`~app.session.view.StepLayout` sets how large the question is and how much of the
reveal shows (:meth:`QtLessonPanel.set_layout`).
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QSlider, QVBoxLayout

from app.fonts import scaled_font
from app.lesson_reveal import CLASS_SAID, PanelText
from app.qt_application import current_application
from app.session.view import StepLayout
from app.widgets.reveal_aside import QtRevealAside
from simulator.lessons.runner import BUSY_CORES

__all__ = ["LINE_SCALE", "QUESTION_SCALE", "QtElidedLabel", "QtLessonPanel"]

#: The question step's sizes on a projector, over the body text's: the question itself, its
#: choices, and the explanation and guess line (45, 38 and 28 px at 720p). The question has
#: the screen to itself: at 32/26/20 px the longest lesson's (18) used half of it, and the
#: back row reads the choices it votes on.
QUESTION_SCALE = {"question": 2.8, "choices": 2.4, "text": 1.75}
#: The question kept as a line while the lanes grow, and the reveal's strip.
LINE_SCALE = 1.25


class QtElidedLabel(QLabel):
    """One line: a bold lead (the verdict) and plain text cut with "…" at the right when the
    line is too narrow (the whole of it in the tooltip): the reveal's strip never takes a
    second line, and the verdict's words are the last to go. The class's wrong guess after
    a whole answer goes whole, without "…"."""

    def __init__(self) -> None:
        super().__init__()
        self._lead, self._full = "", ""
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def set_full_text(self, text: str, lead: str = "") -> None:
        self._lead, self._full = lead, text
        self.setToolTip(self.full_text())
        self._elide()

    def full_text(self) -> str:
        """The whole line, as plain text."""
        return (
            f"{self._lead}{_SEPARATOR}{self._full}"
            if self._lead and self._full
            else (self._lead or self._full)
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = self.contentsRect().width()
        bold = QFont(self.font())
        bold.setBold(True)
        if not self._full:  # the verdict alone (the whole answer beside the lanes)
            self.setText(f"<b>{html.escape(_lead_shown(self._lead, room, bold))}</b>")
            return
        # The verdict's details go, its ranges ("A 201 ms (201–203 ms)") and then its run
        # count ("; 3 runs each"), before the answer is cut (the class's wrong guess after a
        # whole answer is no reason: it goes, :func:`_aside_dropped`): at 720p lesson 17's
        # verdict took the whole line and its answer read "…", and lesson 15's read "No:
        # about the…", without the word that is the answer.
        leads = (
            self._lead,
            _without_ranges(self._lead),
            _without_runs(self._lead),
            _without_waits(_without_runs(self._lead)),
        )
        for lead in leads:
            head = lead + _SEPARATOR if lead else ""
            lead_px = QFontMetrics(bold).horizontalAdvance(head)
            rest = _at_a_word(
                self._full,
                self.fontMetrics().elidedText(
                    self._full, Qt.TextElideMode.ElideRight, room - lead_px
                ),
            )
            if _whole(self._full, rest):
                break
        else:
            # Last, what each side measured, where that shows more of the answer, at least
            # its gist (else the verdict gives way at a word, below): the figures' line
            # under the strip writes them too (presentation mode; the results panel else).
            # Lesson 18's read "Answer: More…" at 720p, the reason the class voted on cut;
            # lesson 15's "Answer: No…" beside "(A 401 ms, B 363 ms)", B's lead kept where
            # the answer's "about as late" was cut.
            shorter = _without_measured(lead)
            if shorter != lead:
                room_left = room - QFontMetrics(bold).horizontalAdvance(
                    shorter + _SEPARATOR if shorter else ""
                )
                more = _at_a_word(
                    self._full,
                    self.fontMetrics().elidedText(
                        self._full, Qt.TextElideMode.ElideRight, room_left
                    ),
                )
                gained = _answer_shown(self._full, more) > _answer_shown(self._full, rest)
                if gained and len(more) >= len(_gist(self._full)):
                    lead, rest = shorter, more
        if lead and len(rest) < len(_gist(self._full)):
            # Even the shortest verdict left the answer no word (a long line, a narrow
            # strip): lesson 23's "could not show it" with its speed-up ran past the edge,
            # cut mid-word by the label, and "Answer: A" was gone. The verdict gives way at a
            # word, down to what leaves the answer's gist ("Answer: A…").
            gist = _gist(self._full)
            room_for_lead = room - self.fontMetrics().horizontalAdvance(gist)
            lead_px = QFontMetrics(bold).horizontalAdvance(_SEPARATOR)
            lead = _at_a_word(
                lead,
                QFontMetrics(bold).elidedText(
                    lead, Qt.TextElideMode.ElideRight, room_for_lead - lead_px
                ),
            )
            lead_px += QFontMetrics(bold).horizontalAdvance(lead)
            rest = _at_a_word(
                self._full,
                self.fontMetrics().elidedText(
                    self._full, Qt.TextElideMode.ElideRight, room - lead_px
                ),
            )
        if lead and not _whole(self._full, rest):
            lead, rest = self._answer_whole(lead, room, bold) or (lead, rest)
        rest = _aside_dropped(self._full, rest)
        shown = f"<b>{html.escape(lead)}</b>{html.escape(_SEPARATOR)}" if lead else ""
        self.setText(f"<span style='white-space: pre'>{shown}{html.escape(rest)}</span>")

    def _answer_whole(self, lead: str, room: int, bold: QFont) -> tuple[str, str] | None:
        """The verdict cut at a word beside the whole answer, where the verdict keeps its
        own gist (:func:`_verdict_gist`); ``None`` where it would not: at 720p lesson 6's
        answer read "Answer: A…" beside "(A 376 ms, B 588 ms), on a busy machine", and "A"
        is a side's name, not an answer (teacher45)."""
        answer = _answer_of(self._full)
        shorter = _without_measured(lead)
        wide = QFontMetrics(bold)
        lead_room = room - self.fontMetrics().horizontalAdvance(answer)
        lead_room -= wide.horizontalAdvance(_SEPARATOR)
        cut = _at_a_word(shorter, wide.elidedText(shorter, Qt.TextElideMode.ElideRight, lead_room))
        if len(cut.removesuffix("…")) < len(_verdict_gist(shorter)):
            return None
        return cut, answer


def _lead_shown(verdict: str, room: int, bold: QFont) -> str:
    """``verdict`` alone on a line ``room`` px wide: its details go as they go beside an
    answer (its ranges, its run count, what each side measured, which the figures' line
    under it writes, its waits) before it is cut at a word."""
    wide = QFontMetrics(bold)
    shorter = _without_runs(verdict)
    gist = _without_measured(shorter)
    for lead in (verdict, _without_ranges(verdict), shorter, gist, _without_waits(gist)):
        if wide.horizontalAdvance(lead) <= room:
            return lead
    return _at_a_word(lead, wide.elidedText(lead, Qt.TextElideMode.ElideRight, room))


def _verdict_gist(verdict: str) -> str:
    """A verdict up to where its first clause ends past its label: who came out ahead, and
    by what: "Verdict: A: p50 1.6× lower in every run, on a busy machine" → "Verdict: A: p50
    1.6× lower in every run" (its winner's own ": " ends no clause)."""
    lead = verdict.find(": ") + 2 if ": " in verdict else 0
    return _first_clause(verdict, lead, (" (", ", ", "; "))


def _first_clause(text: str, lead: int, marks: tuple[str, ...]) -> str:
    """``text`` up to where its first clause past ``lead`` ends at one of ``marks`` (all of
    it where none does): the rule of an answer's gist and of a verdict's."""
    ends = [i for mark in marks if (i := text.find(mark, lead)) > lead]
    return text[: min(ends)] if ends else text


def _without_ranges(verdict: str) -> str:
    """The verdict without its runs' ranges: "A 201 ms (201–203 ms)" → "A 201 ms" (a
    bracket with no range, "(A 3.25 s, B 638 ms)", is what was measured: it stays)."""
    return re.sub(r" \([^()]*–[^()]*\)", "", verdict)


def _without_runs(verdict: str) -> str:
    """:func:`_without_ranges`, and without how many runs each side had: "…, within 8%;
    3 runs each" → "…, within 8%"; "(A 478 ms, B 446 ms; 3 runs each)" → "(A 478 ms, B 446
    ms)"."""
    return re.sub(r"; \d+ runs each", "", _without_ranges(verdict))


#: A busy machine's waits, as a verdict says them (:data:`~simulator.lessons.runner.
#: BUSY_CORES`'s parenthesis, its figure any).
_BUSY_WAITS = re.compile(
    "[^()]*?".join(map(re.escape, re.split(r"\{[^}]*\}", BUSY_CORES[BUSY_CORES.index(" (") :])))
)


def _without_waits(verdict: str) -> str:
    """The verdict without how long a busy machine made the runs wait for a core: "…, on a
    busy machine (waiting for a core 21% of the time it had work)" → "…, on a busy
    machine" (the details say it, and the strip's tooltip): lesson 23's reveal at 720p
    cut its answer to "Answer: A…" beside it (teacher45)."""
    return _BUSY_WAITS.sub("", verdict)


def _without_measured(verdict: str) -> str:
    """:func:`_without_runs`, and without what each side measured: "A: framework 1.8× lower
    (A 1.62 ms, B 2.87 ms)" → "A: framework 1.8× lower"; "about the same p50: A 201 ms,
    B 202 ms, within 1%" → "about the same p50: within 1%"."""
    shorter = re.sub(r" \(A [^()]*, B [^()]*\)", "", _without_runs(verdict))
    return re.sub(r"(?<=: )A [^,();]+, B [^,();]+, (?=within )", "", shorter)


_SEPARATOR = "  ·  "


def _at_a_word(full: str, elided: str) -> str:
    """``elided`` (``full`` cut with "…") cut back to its last whole word: "About the
    same…", not "About the same: bo…" (half a word the class reads as a word)."""
    if elided == full or not elided.endswith("…"):
        return elided
    kept = elided[:-1]
    if kept and full[len(kept)] not in " ,;:·":
        kept = kept[: kept.rindex(" ")] if " " in kept else ""
    kept = kept.rstrip(" ,;:·—")
    if full[len(kept) :].lstrip(" ").startswith(tuple(m.strip() for m in _CLAUSE_ENDS)):
        # Cut where a clause ends: "A, the one that computes in one go…" before its "  — not
        # the guess (…)" is the whole answer, not "A…".
        return kept + "…"
    # Back to the end of a clause, where the text has one past its leading label ("Answer:"):
    # "About the same…", not "About the same: both overlap the…", an answer's gist and
    # the first words of its reason, cut mid-sentence.
    lead = _after_label(kept)
    clause = max(kept.rfind(mark, lead) for mark in _CLAUSE_ENDS)
    if clause > lead:
        kept = kept[:clause]
    return kept + "…"


def _answer_of(full: str) -> str:
    """``full`` up to the class's wrong guess: "Not the guess. Answer: More: all seven cost
    thread hand-offs (the class said: …)" → "Not the guess. Answer: More: all seven cost
    thread hand-offs"."""
    at = full.find(CLASS_SAID)
    return full[:at] if at >= 0 else full


def _answer_shown(full: str, shown: str) -> int:
    """How much of ``full``'s answer ``shown`` (``full`` cut with "…") shows: the class's
    wrong guess after it counts for nothing."""
    return min(len(shown.removesuffix("…")), len(_answer_of(full)))


def _aside_dropped(full: str, shown: str) -> str:
    """``shown`` (``full`` cut with "…") without what it kept of the class's wrong guess
    after the whole answer, and without the "…": "Not the guess. Answer: No, about the same
    (the class said…" → "Not the guess. Answer: No, about the same". A "…" after a whole
    answer read as one cut (teacher41: lessons 2, 9, 11, 12, 16 and 18), and "Not the
    guess." says the rest."""
    return _answer_of(full) if shown != full and _whole(full, shown) else shown


def _whole(full: str, shown: str) -> bool:
    """Whether ``shown`` (``full``, cut with "…" or not) shows all of its answer."""
    return _answer_shown(full, shown) >= len(_answer_of(full))


def _after_label(text: str) -> int:
    """Where the text after its leading label starts: after "Answer: " (which "Not the
    guess. " may come before), else after the first ": ", else 0."""
    at = text.find(_ANSWER)
    if at >= 0:
        return at + len(_ANSWER)
    return text.find(": ") + 2 if ": " in text else 0


_ANSWER = "Answer: "


def _gist(full: str) -> str:
    """``full`` up to the end of its first clause past its leading label, cut with "…":
    "Answer: A: 2 worker processes" → "Answer: A…", "Not the guess. Answer: A…" (the least of
    an answer a class needs)."""
    first = _first_clause(full, _after_label(full), _CLAUSE_ENDS)
    return first + "…" if first != full else full


#: Where a clause ends: an answer's gist before its reason, a figure before its range.
_CLAUSE_ENDS = (": ", " (", "; ", ", ", " — ")


class QtLessonPanel(QFrame):
    """Question, choices or slider and, at the reveal, the answer (what Page Down does next
    is in the window's status bar).

    ``guessed(float)`` is emitted when the slider moves (a numeric guess, in ms)."""

    guessed = Signal(float)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("lessonPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        column = self._column = QVBoxLayout(self)
        column.setContentsMargins(8, 2, 8, 2)
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
        self.strip = QtElidedLabel()
        self.strip.setObjectName("lessonStrip")
        for widget in (self.question, self.explanation, self.choices):
            column.addWidget(widget)
        column.addLayout(guess_row)
        column.addWidget(self.strip)
        column.addWidget(self.reveal)
        column.addStretch(1)  # a question with the screen to itself stays at the top
        #: The whole reveal beside the lanes on a projector: the window places it.
        self.aside = QtRevealAside()
        self._text: PanelText | None = None
        self._numeric = False
        self.layout_shown = StepLayout("normal", True, True, "full", True, False)
        self.hide()

    def set_layout(self, layout: StepLayout) -> None:
        """Size and show the parts as the step's layout says, from the body font's size."""
        self.layout_shown = layout
        # The application's font, not this widget's: a new one (presentation mode) reaches
        # the widgets by posted events, after this runs.
        base = current_application().font()
        size = layout.question
        if size == "large":
            self.question.setFont(scaled_font(base, QUESTION_SCALE["question"], bold=True))
            self.choices.setFont(scaled_font(base, QUESTION_SCALE["choices"]))
            for label in (self.explanation, self.guess):
                label.setFont(scaled_font(base, QUESTION_SCALE["text"]))
        else:
            scale = LINE_SCALE if size == "line" else 1.0
            self.question.setFont(scaled_font(base, scale, bold=True))
            for label in (self.choices, self.explanation, self.guess):
                label.setFont(QFont(base))
        self.strip.setFont(scaled_font(base, LINE_SCALE))
        self._show_parts()

    def strip_height(self) -> int:
        """How tall the panel is showing the strip alone (the reveal's one line), in its
        font now, whether shown or not."""
        margins = self._column.contentsMargins()
        frame = 2 * self.frameWidth() + margins.top() + margins.bottom()
        return frame + self.strip.sizeHint().height()

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
        self._text, self._numeric = text, numeric
        self.question.setText(text.question)
        self.explanation.setText(text.explanation)
        self.choices.setText("\n".join(text.choices))
        self.guess.setText(text.guess)
        self.reveal.setText(text.reveal)
        self.aside.set_text(text.question, text.reveal)
        self._show_parts()
        if numeric:  # no guess yet: the slider at its start, not at the last lesson's guess
            self.slider.blockSignals(True)
            near = (
                0
                if number is None
                else min(range(len(self._scale)), key=lambda i: abs(self._scale[i] - number))
            )
            self.slider.setValue(near)
            self.slider.blockSignals(False)

    def _show_parts(self) -> None:
        text, layout = self._text, self.layout_shown
        if text is None:
            return
        asking = layout.question in ("large", "normal") and layout.reveal == "none"
        # As a line, the question is the header's (the window's title line): no panel.
        self.question.setVisible(layout.question in ("large", "normal"))
        self.explanation.setVisible(bool(text.explanation) and asking)
        self.choices.setVisible(bool(text.choices) and layout.choices)
        # While the lanes grow the question is one line; the status bar keeps the guess.
        self.guess.setVisible(bool(text.guess) and asking)
        self.slider.setVisible(self._numeric and asking)
        # The verdict leads the strip: one line for the answer and what was measured; the
        # verdict alone where the whole answer is beside the lanes.
        beside = layout.reveal == "beside" and bool(text.verdict)  # (none: the answer's line)
        self.strip.set_full_text("" if beside else text.strip, text.verdict or "")
        self.strip.setVisible(bool(text.strip) and layout.reveal in ("strip", "beside"))
        self.reveal.setVisible(bool(text.reveal) and layout.reveal == "full")
        self.aside.setVisible(bool(text.reveal) and layout.reveal == "beside")
        parts = (self.question, self.explanation, self.choices, self.guess, self.strip)
        self.setVisible(any(not part.isHidden() for part in (*parts, self.reveal)))
