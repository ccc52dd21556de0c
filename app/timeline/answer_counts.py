"""How many answers a crowd of answer marks on one row stands for: "×10" after it.

Lesson 6's B answers its ten requests within a few ms of each other, on the loop's row of
the thread view: ten marks drew as two thick ones, and "every one of them finishes near the
end" could not be counted (teacher46). Beside a crowd of marks that touch, its count. It
goes where no bar a client waits on is drawn: after the row's last bar (over its faint
clean-up), inside the lanes, on a row tall enough for a line, for the row's last crowd only
(the bars after any other go on); where there is no such room it is left out. (A plate over
the bars at the crowd covered B's bars and the crowds' labels ran into each other, session
46; marks a few px apart counted as one crowd read as a burst, teacher47.)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPainter

from app.theme import Theme
from app.timeline.marks import answer_marks
from app.timeline.rows import TimelineRows

__all__ = ["Crowd", "answer_crowds", "paint_answer_counts"]

#: ``(row, its last mark's left x in px, how many marks)``.
Crowd = tuple[int, float, int]


def answer_crowds(
    rows: npt.NDArray[np.int64],
    xs: npt.NDArray[np.float64],
    reach: float,
    *,
    last_only: bool = False,
) -> list[Crowd]:
    """The crowds of answer marks (at left ``xs`` on ``rows``, each ``reach`` px or less
    from the one before on its row: marks that touch read as one thick mark), two marks or
    more; ``last_only``: only those that end their row (no mark after them on it). Sifted
    by numpy: a 10,000-lane picture's answers are 10,000 marks."""
    if len(xs) < 2:
        return []
    order = np.lexsort((xs, rows))
    row, x = rows[order], xs[order]
    # A new group where the row changes or the mark before is further than ``reach``.
    new_row = row[1:] != row[:-1]
    starts = np.flatnonzero(np.concatenate(([True], new_row | (x[1:] - x[:-1] > reach))))
    ends = np.append(starts[1:], len(x))
    kept = ends - starts >= 2
    if last_only:  # (a group's last mark is its row's last)
        kept &= np.append(new_row, True)[ends - 1]
    starts, ends = starts[kept], ends[kept]
    return list(
        zip(row[starts].tolist(), x[ends - 1].tolist(), (ends - starts).tolist(), strict=True)
    )


def paint_answer_counts(
    painter: QPainter,
    rows: TimelineRows,
    theme: Theme,
    t_from: int,
    limit: int,
    left: float,
    right: float,
    scale: float,
    top: float,
    row_px: float,
    height: float,
) -> None:
    """ "×N" after a row's crowd of answer marks (:func:`answer_crowds`) where it is the
    row's last mark and its bars end there, in the text colour, where it fits between the
    row's last bar and ``right`` on a row a line tall."""
    fm = painter.fontMetrics()
    if fm.height() > row_px:
        return
    gap = fm.height() * 0.25
    marked, xs, width = answer_marks(rows, t_from, limit, left, scale, height)
    # (Marks that touch, a pixel apart at most: evenly spaced ones a few px apart, lesson
    # 18's thirty on the loop's row, are told apart, and a count read as a burst, teacher47.
    # Only a row's last: a crowd followed by a lone answer is not, and lesson 13's slide
    # wrote "×7" past its eighth answer, as if seven came then.)
    crowds = answer_crowds(marked, xs, width + 1, last_only=True)
    if not crowds:
        return
    spans = rows.spans
    ends = left + (np.minimum(spans.end, limit) - t_from) * scale
    painter.save()
    painter.setPen(QColor(theme.foreground))
    members = rows.members
    for row, at, count in crowds:
        if members and members[row][0] != members[row][1]:
            continue  # a row for several: its label says how many ("threads 1–2 alike")
        # (Over Django's faint clean-up after the answers, which no one waits for: lesson
        # 6's B and 3 had no room after it, teacher47.)
        on_row = (spans.row == row) & ~spans.tail
        last = float(ends[on_row].max()) if on_row.any() else left
        text = f"×{count}"
        x = max(at + width, last) + gap
        # Its row's bars ending at it (its clean-up a little after): a count at the row's
        # end beside bars that go on would name other answers.
        if x - (at + width) > 2 * fm.height():
            continue
        if x + fm.horizontalAdvance(text) > right:
            continue
        baseline = top + row * row_px + (row_px + fm.ascent() - fm.descent()) / 2
        painter.drawText(QPointF(x, baseline), text)
    painter.restore()
