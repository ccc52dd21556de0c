"""The colour key of the lanes: a swatch and a name per kind, flowing over lines."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from app.theme import FAILED, KIND_LABELS, LEGEND_KINDS, Theme, kinds_shown
from app.timeline.by_worker import drawn_kinds
from app.timeline.geometry import PlacedLabel
from app.timeline.grouping import ALIKE, OVERLAID
from app.timeline.marks import loop_blocked_drawn
from app.timeline.rows import by_value
from app.timeline.spans import TAIL_KIND, longest_tail_ns, request_kinds
from app.timeline.worker_answers import answer_marked
from simulator.trace import LOOP_BLOCKED_MS, Trace

#: How strongly Django's work after an answer is drawn (see ``TimelineRows.tail_per_kind``).
TAIL_OPACITY = 0.45

__all__ = [
    "ANSWER_LABEL",
    "BLOCKED_LABEL",
    "MAX_FULL_LINES",
    "NO_MARKS",
    "Marks",
    "TAIL_LABEL",
    "draw_legend",
    "entry_at",
    "legend_kinds",
    "legend_layout",
    "marks_shown",
    "short_label",
    "thin_label",
    "whole_label",
]

#: The legend's words for the thin faint bars: a student must not read "every request
#: finished at the end" from Django's clean-up after the answers.
TAIL_LABEL = "thin, faint: Django's clean-up after the answer (no one waits; Ctrl+T hides)"
#: The legend's words for the mark at the end of an answered lane.
ANSWER_LABEL = "answer received"
#: The legend's words for the loop-blocked strip's red: lessons 4-6 rest on it, and their
#: "Look at" names it, but the key did not (teacher44, teacher45).
BLOCKED_LABEL = (
    f"loop blocked (one step held the event loop {LOOP_BLOCKED_MS:g} ms or more: nothing else ran)"
)


#: Past this many lines the legend names each kind in its short form (the words before the
#: parenthesis; the entry's tooltip and the pointer on a bar say the whole label), so the
#: lanes keep the screen at 720p.
MAX_FULL_LINES = 2
#: The short forms of the two marks, for the same reason: the thin faint swatch says how
#: the bars look, its word what they are (both layouts draw them since 2026-12-07, and an
#: eighth entry's 47 characters took lessons 9's and 15's details at 720p a second line:
#: 15's staircase lost its counts, 9's thirty threads their second row). "after answer"
#: said when, which the faint bars' place says too, and not what: two teachers' reviews
#: found it told a pupil nothing (teacher43b, teacher44).
SHORT_EXTRAS = {
    "blocked": "loop blocked",
    "answer": ANSWER_LABEL,
    "tail": "clean-up",
    ALIKE: "alike: did the same, one row",
    OVERLAID: "overlaid: drawn over each other",
}


@dataclass(frozen=True)
class Marks:
    """Which of the marks drawn beside the kinds' bars the key explains: the loop-blocked
    strip's red (``blocked``), the answer's mark (``answers``), the thin faint bars of
    Django's clean-up after it (``tails``)."""

    blocked: bool = False
    answers: bool = False
    tails: bool = False
    #: The words of rows that stand for several (``grouping.ALIKE``, ``grouping.OVERLAID``):
    #: "threads 1–2 alike" and "threads 1–30 overlaid" were on screen, and neither was
    #: explained anywhere (teacher46).
    grouped: frozenset[str] = frozenset()

    def shown(self) -> list[str]:
        """Their entries, in the key's order."""
        named = (("blocked", self.blocked), ("answer", self.answers), ("tail", self.tails))
        words = [word for word in (ALIKE, OVERLAID) if word in self.grouped]
        return [what for what, shown in named if shown] + words


#: No mark explained: the kinds alone.
NO_MARKS = Marks()


def marks_shown(
    traces: Sequence[Trace],
    by_request: bool,
    tails_shown: bool,
    grouped: Collection[str] = (),
) -> Marks:
    """Which marks the key names for ``traces``: the loop-blocked strip's red (it draws a
    block), the answer's mark (some lane has one; by thread, a run few enough to mark them,
    :func:`~app.timeline.worker_answers.answer_marked`), the thin after-answer bars
    (``tails_shown`` and some are drawn, in either layout), and the words of rows drawn for
    several (``grouped``: :func:`~app.timeline.grouping.grouped_words` of the rows drawn)."""
    tails = tails_shown and any(map(longest_tail_ns, traces))
    if by_request:  # (from the lanes' columns: a live frame's 10,000 lanes, every frame)
        answers = any(t.lane_columns.is_status("ok").any() for t in traces)
    else:
        answers = any(map(answer_marked, traces))
    return Marks(any(map(loop_blocked_drawn, traces)), answers, tails, frozenset(grouped))


def legend_kinds(
    traces: Sequence[Trace], by: str, painted: Collection[str] | None = None
) -> tuple[str, ...]:
    """The kinds the key names for ``traces`` laid out ``by`` request or thread: those some
    lane shows (:func:`~app.theme.kinds_shown`), less, in the thread view, those it draws on
    no row (:func:`~app.timeline.by_worker.drawn_kinds`): lesson 23's key named "client and
    network" over two processes' rows, which draw no client's time. With ``painted`` (the
    kinds the window's picture shows, :attr:`~app.timeline.image_paint.LanesImage.
    drawn_kinds`), only those: a pixel shows the kind holding most of it, and lessons 1 and
    10 named "Django framework" at fit, whose slivers were under every pixel. By request, a
    kind only some tails hold is named by the tails' one entry (:data:`~app.timeline.spans.
    TAIL_KIND`). (A failed request's mark is drawn over the picture, always.)"""
    kinds = kinds_shown(traces)
    if not any(len(trace.columns.kind) for trace in traces):
        return kinds  # (nothing to show yet: the whole key)
    if painted is not None:
        kinds = tuple(kind for kind in kinds if kind in painted or kind == FAILED)
    # A tail is drawn in one colour (either layout: ``spans.drawn_parts``).
    drawn_by = drawn_kinds if by_value(by) == "workers" else request_kinds
    drawn = set().union(*map(drawn_by, traces)) | {FAILED}
    return tuple(kind for kind in kinds if kind in drawn)


def short_label(label: str) -> str:
    """A label's name without its explanation: "waiting for the GIL (ready, but…)" →
    "waiting for the GIL"."""
    return label.split(" (", 1)[0]


#: The marks' whole names (:data:`SHORT_EXTRAS` their short ones).
WHOLE_EXTRAS = {
    "blocked": BLOCKED_LABEL,
    "answer": ANSWER_LABEL,
    "tail": TAIL_LABEL,
    ALIKE: "alike: several that did about the same, in one row",
    OVERLAID: "overlaid: several drawn over each other in one row",
}


def whole_label(what: str) -> str:
    """An entry's whole name: a kind's label with its explanation, or a mark's
    (``"blocked"``, ``"answer"``, ``"tail"``, ``"alike"``, ``"overlaid"``): what the key's
    tooltip says."""
    return WHOLE_EXTRAS.get(what) or KIND_LABELS[what]


#: What the key says of a kind the picture draws only as thin lines (none of its bars
#: :data:`~app.timeline.drawn.WIDE_PX` wide), and its swatch is a thin line too: lessons
#: 1, 10 and 22 named "Django framework", a column a pixel wide at each request's start,
#: and a class looked for a bar (teacher43b, teacher44). "· hairlines" read as a second
#: entry, in a word a pupil does not know (teacher45).
THIN_LINES = "thin lines here"


def thin_label(name: str) -> str:
    """``name`` of a kind drawn only as thin lines: "Django framework (thin lines here)";
    "waiting for a CPU core (every core was busy; thin lines here)"."""
    if name.endswith(")"):
        return f"{name[:-1]}; {THIN_LINES})"
    return f"{name} ({THIN_LINES})"


def _entries(
    kinds: Sequence[str],
    marks: Marks,
    short: bool,
    thin: Collection[str] = (),
) -> list[tuple[str, str]]:
    whats = [*kinds, *marks.shown()]
    if short:
        named = [SHORT_EXTRAS.get(what) or short_label(whole_label(what)) for what in whats]
    else:
        named = [whole_label(what) for what in whats]
    return [
        (what, thin_label(name) if what in thin else name)
        for what, name in zip(whats, named, strict=True)
    ]


#: An entry's swatch, as wide as this many times its height, and the space after it (before
#: its name) and after its name (before the next swatch), in lines of the key's text. At 1.6
#: swatches and a whole line after each name, lesson 9's seven kinds and the after-answer
#: entry took two lines at 1280×720 and 1920×1080 in presentation mode, and the second line
#: cost its thirty threads a row of lanes (teacher43b). Each swatch sits close to its own
#: name, three times closer than to the name before it, so the entries read apart.
SWATCH_WIDE = 1.2
TEXT_GAP = 0.15
ENTRY_GAP = 0.5


def _swatch(fm: QFontMetricsF) -> tuple[float, float]:
    """A swatch's width and height for the key's font."""
    height = fm.height() * 0.9
    return height * SWATCH_WIDE, height


def _lead(fm: QFontMetricsF) -> float:
    """From an entry's left edge to its name: the swatch and the space after it."""
    return _swatch(fm)[0] + fm.height() * TEXT_GAP


def _entry_width(fm: QFontMetricsF, label: str) -> float:
    """An entry's whole width: its swatch, its name and the space before the next."""
    return _lead(fm) + fm.horizontalAdvance(label) + fm.height() * ENTRY_GAP


def _flow(fm: QFontMetricsF, labels: Sequence[str], width: float) -> list[tuple[float, int]]:
    """Where each entry named ``labels`` goes on lines ``width`` wide: its left edge from the
    line's start, and its line (0 first). An entry goes on to the next line where it would
    not fit (the space after a line's last name need not)."""
    x, line, places = 0.0, 0, []
    for label in labels:
        step = _entry_width(fm, label)
        if x > 0 and x + step - fm.height() * ENTRY_GAP > width:
            x, line = 0.0, line + 1
        places.append((x, line))
        x += step
    return places


def _lines(entries: list[tuple[str, str]], fm: QFontMetricsF, width: float) -> int:
    places = _flow(fm, [label for _, label in entries], width)
    return places[-1][1] + 1 if places else 1


def legend_layout(
    rect: QRectF,
    font: QFont,
    kinds: Sequence[str] = LEGEND_KINDS,
    *,
    marks: Marks = NO_MARKS,
    thin: Collection[str] = (),
) -> tuple[list[tuple[str, PlacedLabel]], float]:
    """Where each entry goes: ``(what, label)`` with the label's text and rectangle (its
    swatch just left of it), flowing over lines; and the height used. Past
    :data:`MAX_FULL_LINES` lines, the short names; a name wider than a line is cut short
    (elided), never drawn past the edge or over the next. The kinds in ``thin`` are drawn
    only as thin lines, and say so where that takes no line more (:func:`thin_label`); the
    words of rows of several (``marks.grouped``) are explained where they take none."""
    fm = QFontMetricsF(font)
    width = rect.width()
    plain = replace(marks, grouped=frozenset())
    short = _lines(_entries(kinds, plain, short=False), fm, width) > MAX_FULL_LINES
    entries = _entries(kinds, plain, short=short)
    # The thin kinds' words only where they take no line more: they cost lessons 2 and 5
    # every kind's explanation (the whole names past two lines), lessons 10 and 13 a line
    # of lanes (review45). Their swatch is a thin line either way.
    said = _entries(kinds, plain, short=short, thin=thin)
    if thin and _lines(said, fm, width) <= _lines(entries, fm, width):
        entries = said
    # The words of rows of several only in the room the key has without them, whole or
    # short: the key's height is the lanes', and the lanes' height decides whether rows
    # group. A key a line taller for the word grouped rows that fitted without it, and one
    # tipped into short names by it lost a line, the lanes gained it, the rows fitted, the
    # entry went: the key and the lanes flipped every 100 ms (review47).
    words = [word for word in (ALIKE, OVERLAID) if word in marks.grouped]
    for names in (SHORT_EXTRAS,) if short else (WHOLE_EXTRAS, SHORT_EXTRAS):
        worded = entries + [(word, names[word]) for word in words]
        if words and _lines(worded, fm, width) <= _lines(entries, fm, width):
            entries = worded
            break
    lead, line = _lead(fm), fm.height() * 1.3
    room = max(1.0, rect.width() - lead)
    labels = [fm.elidedText(label, Qt.TextElideMode.ElideRight, room) for _, label in entries]
    places = _flow(fm, labels, width)
    placed: list[tuple[str, PlacedLabel]] = []
    for (what, _), label, (x, n) in zip(entries, labels, places, strict=True):
        text = QRectF(rect.left() + x + lead, rect.top() + n * line, 0, fm.height())
        text.setWidth(fm.horizontalAdvance(label))
        placed.append((what, PlacedLabel(label, text, None)))
    return placed, (places[-1][1] + 1 if places else 1) * line


def entry_at(
    rect: QRectF,
    font: QFont,
    kinds: Sequence[str],
    point: QPointF,
    *,
    marks: Marks = NO_MARKS,
    thin: Collection[str] = (),
) -> str | None:
    """The entry (a kind, a mark: ``"blocked"``, ``"answer"``, ``"tail"``, or a word of rows
    of several: ``"alike"``, ``"overlaid"``) whose swatch or name is at ``point`` in the key
    :func:`legend_layout` lays out in ``rect``; ``None`` between entries."""
    placed, _ = legend_layout(rect, font, kinds, marks=marks, thin=thin)
    lead = _lead(QFontMetricsF(font))
    for what, label in placed:
        if label.rect.adjusted(-lead, 0, 0, 0).contains(point):
            return what
    return None


def draw_legend(
    painter: QPainter,
    rect: QRectF,
    theme: Theme,
    font: QFont,
    kinds: Sequence[str] = LEGEND_KINDS,
    *,
    marks: Marks = NO_MARKS,
    thin: Collection[str] = (),
) -> float:
    """Swatches and names, flowing over lines (:func:`legend_layout`); returns the height
    used. After the kinds, an entry for each of the ``marks`` shown."""
    fm = QFontMetricsF(font)
    placed, height = legend_layout(rect, font, kinds, marks=marks, thin=thin)
    painter.save()
    painter.setFont(font)
    wide, swatch = _swatch(fm)
    lead = _lead(fm)
    for what, placed_label in placed:
        x, y = placed_label.rect.left() - lead, placed_label.rect.top()
        if what == "blocked":  # (the strip's plain red)
            box = QRectF(x, y + (fm.height() - swatch) / 2, wide, swatch)
            painter.fillRect(box, QColor(theme.blocked))
        elif what == "answer":
            mark = max(2.0, round(swatch * 0.2))
            painter.fillRect(QRectF(x + wide / 2, y, mark, fm.height()), QColor(theme.foreground))
        elif what == "tail":
            strip = max(2.0, round(swatch * 0.3))
            painter.setOpacity(TAIL_OPACITY)
            painter.fillRect(
                QRectF(x, y + (fm.height() - strip) / 2, wide, strip), theme.color(TAIL_KIND)
            )
            painter.setOpacity(1.0)
        elif what in (ALIKE, OVERLAID):  # (bars over each other, a row of several)
            strip = max(2.0, round(swatch * 0.3))
            top = y + (fm.height() - swatch) / 2
            for dx, dy in ((0.0, 0.15), (wide * 0.25, 0.55)):
                box = QRectF(x + dx, top + swatch * dy, wide * 0.75, strip)
                painter.fillRect(box, QColor(theme.muted))
        elif what in thin:  # (a thin line, as the picture draws it)
            stroke = max(2.0, round(swatch * 0.15))
            box = QRectF(x + (wide - stroke) / 2, y + (fm.height() - swatch) / 2, stroke, swatch)
            painter.fillRect(box, theme.color(what))
        else:
            box = QRectF(x, y + (fm.height() - swatch) / 2, wide, swatch)
            painter.setPen(QPen(QColor(theme.muted), 1))
            painter.setBrush(theme.brush(what))
            painter.drawRect(box)
            hatch = theme.hatch(what)
            if hatch is not None:
                painter.setBrush(hatch)
                painter.drawRect(box)
        painter.setPen(QColor(theme.foreground))
        painter.drawText(QPointF(placed_label.rect.left(), y + fm.ascent()), placed_label.text)
    painter.restore()
    return height
