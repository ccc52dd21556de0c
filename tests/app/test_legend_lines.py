"""How many lines the key takes: on a projector a line of the key is a row of lanes less."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF
from PySide6.QtGui import QFont, QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from app.timeline.legend import SHORT_EXTRAS, Marks, legend_layout
from app.widgets.legend import QtLegend
from app.window.presentation import presentation_text_px
from simulator.trace import KIND_LABELS, Kind

#: Lesson 9's key: seven kinds, and the thin faint bars after the answers.
LESSON_9 = (
    Kind.QUEUED,
    Kind.FRAMEWORK,
    Kind.GIL_WAIT,
    Kind.CORE_WAIT,
    Kind.IO_WAIT,
    Kind.IO_BLOCKING,
    Kind.THREAD_HOP,
)


def _lines(placed) -> int:
    return len({round(label.rect.top()) for _, label in placed})


def _font(px: int) -> QFont:
    font = QFont()
    font.setPixelSize(px)
    return font


def test_lesson_9_s_key_takes_one_line_on_a_projector_at_720p_and_1080p(qapp):
    # Its eighth entry, the faint bars' "after answer", went to a second line alone at both
    # sizes, and lesson 9's details drew B's thirty threads in one row, not two (teacher43b).
    for width, height in ((1280, 720), (1920, 1080)):
        font = _font(presentation_text_px(height))
        rect = QRectF(0, 0, width - 32, 1000)  # (the centre's margins and the key's own)
        placed, _ = legend_layout(rect, font, LESSON_9, marks=Marks(tails=True))
        assert _lines(placed) == 1, (width, height)
        names = [label.text for _, label in placed]
        assert names[-1] == SHORT_EXTRAS["tail"] and "…" not in "".join(names)


def test_whole_names_that_fit_two_lines_stay_whole(qapp):
    # The key's words carry the lesson: lesson 3's "awaiting I/O (holds nothing)" is its
    # answer, and a key cut to the short names wherever they saved a line lost it at the
    # reveal with the screen's lower half empty (teacher44).
    lesson_3 = (Kind.QUEUED, Kind.FRAMEWORK, Kind.IO_WAIT)  # (what its pixels showed)
    rect = QRectF(0, 0, 1280 - 32, 1000)
    placed, _ = legend_layout(
        rect, _font(presentation_text_px(720)), lesson_3, marks=Marks(tails=True)
    )
    assert KIND_LABELS[Kind.IO_WAIT] in [label.text for _, label in placed]
    assert _lines(placed) == 2


def test_hovering_a_short_name_in_the_window_s_key_says_the_whole_one(qtbot):
    legend = QtLegend()
    qtbot.addWidget(legend)
    legend.setFont(_font(16))
    legend.resize(1264, 40)
    legend.set_kinds(LESSON_9, Marks(tails=True))
    legend.show()
    qtbot.waitExposed(legend)
    gil = next(label for label in legend.placed() if label.text == "waiting for the GIL")
    point = gil.rect.center()
    assert legend.entry_at(point) == Kind.GIL_WAIT
    QApplication.sendEvent(
        legend,
        QHelpEvent(QEvent.Type.ToolTip, point.toPoint(), legend.mapToGlobal(point.toPoint())),
    )
    assert QToolTip.text() == KIND_LABELS[Kind.GIL_WAIT]
    placed = legend.placed()
    tail = next(label for label in placed if label.text == SHORT_EXTRAS["tail"])
    assert legend.entry_at(tail.rect.center()) == "tail"
    y = gil.rect.center().y()
    assert legend.entry_at(QPointF(placed[1].rect.left() - 8, y)) == Kind.FRAMEWORK  # a swatch
    assert legend.entry_at(QPointF(placed[0].rect.right() + 2, y)) is None  # between two
    assert legend.entry_at(QPointF(tail.rect.right() + 5, y)) is None  # past the last


def test_saying_which_kinds_are_thin_lines_costs_the_key_no_line_and_no_explanation(qapp):
    # "(thin lines here)" took lessons 2 and 5's keys past two lines of whole names, and
    # every kind lost its explanation; lessons 10 and 13's a line of lanes (review45).
    from itertools import combinations

    from app.timeline.legend import thin_label

    font = _font(presentation_text_px(720))
    rect = QRectF(8, 0, 1264, 1000)
    for n in range(1, len(LESSON_9) + 1):
        kinds = LESSON_9[:n]
        plain, _ = legend_layout(rect, font, kinds, marks=Marks(answers=True, tails=True))
        for thin in (frozenset(c) for k in (1, 2) for c in combinations(kinds, k)):
            said, _ = legend_layout(
                rect, font, kinds, marks=Marks(answers=True, tails=True), thin=thin
            )
            assert _lines(said) <= _lines(plain), (kinds, thin)
            for (_, before), (_, after) in zip(plain, said, strict=True):
                # The same name, whole or short, and the thin kinds' words where they fit.
                assert after.text in (before.text, thin_label(before.text)), (before, after)
