"""The reveal's one-line strip, cut to fit, ends on a whole word: lesson 24's read "Answer:
About the same: bo…" at 1280×720 and at 1920×1080."""

from __future__ import annotations

import html
import re

from PySide6.QtGui import QFont

from app.widgets.lesson_panel import QtElidedLabel

VERDICT = "Verdict: about the same makespan: A 229 ms, B 213 ms, within 8%; 3 runs each"
ANSWER = "Answer: About the same: both overlap the 10 waits (a little over 0.2 s)"


def _shown(label: QtElidedLabel) -> str:
    """The strip's words after its bold lead, as on screen."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", label.text()))
    return plain.split("  ·  ", 1)[1]


def test_a_cut_strip_ends_on_a_whole_word(qtbot):
    label = QtElidedLabel()
    qtbot.addWidget(label)
    font = QFont()
    font.setPixelSize(16)
    label.setFont(font)
    label.set_full_text(ANSWER, VERDICT)
    label.show()
    cut = 0
    for width in range(700, 1400, 7):
        label.resize(width, 30)
        shown = _shown(label)
        if shown in (ANSWER, ""):  # whole, or no room for even "…" after the verdict
            continue
        cut += 1
        assert shown.endswith("…"), shown
        words = shown[:-1]
        assert ANSWER.startswith(words), shown
        if words:
            assert ANSWER[len(words)] in " ,;:", (width, shown)  # a whole word kept
            assert words[-1] not in " ,;:", (width, shown)
        assert label.fontMetrics().horizontalAdvance(shown) <= width
    assert cut > 10  # the widths above cut it
