"""How two compared timelines share the lanes' height: by the rows each needs.

Split 1:1, lesson 9's A (the queue, the event loop, its awaits and "Django only": four rows)
had room to spare at 1080p while B's thirty threads were overlaid three to a row. Each side
gets a share of the pair's height in proportion to its rows, but never less than
:data:`MIN_SHARE` (its axis and a few rows must stay readable), and in steps of
:data:`STEP_PERCENT`, so that a live run whose rows keep appearing moves the split a few
times at its start rather than every frame.

On a projector alike rows share one (the row floor), so the rows a side lays out are not
the rows it draws: lesson 18's A and B lay out 30 requests each, but a side whose 30 did one
thing needs one row. Split by the 30s, a side of many different rows was squeezed while the
other's half stood empty. So the rows counted are those each side's content needs at the
height it would get (every row while they fit, alike rows as one past that:
:meth:`~app.widgets.timeline.QtTimeline.rows_needed`), and the split is one those counts
give back (:func:`settled_shares`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QTimer

__all__ = [
    "AXIS_ROWS",
    "MIN_SHARE",
    "STEP_PERCENT",
    "OnResize",
    "Side",
    "height_shares",
    "settled_shares",
]

#: The least share of the pair's height either timeline gets.
MIN_SHARE = 0.25
#: What each timeline takes besides its rows (its axis and margins), in rows: split by the
#: rows alone, the side with fewer drew them thinner (lessons 13 and 15 at 720p: B's five
#: rows 18 px beside A's thirteen at 28, its "8 awaiting" 11 px tall, teacher46).
AXIS_ROWS = 1.5
#: The split moves in steps of this many percent of the pair's height.
STEP_PERCENT = 5


def height_shares(rows_a: int, rows_b: int) -> tuple[int, int]:
    """Stretch factors for timelines A and B (percent of their height, summing to 100):
    in proportion to ``rows_a`` and ``rows_b`` and each one's axis (:data:`AXIS_ROWS`), so
    rows are about as tall on both, at least :data:`MIN_SHARE` each; even while either
    side has no rows yet (it has not run, or waits to)."""
    if rows_a <= 0 or rows_b <= 0:
        return 50, 50
    whole_a, whole_b = rows_a + AXIS_ROWS, rows_b + AXIS_ROWS
    share = min(max(whole_a / (whole_a + whole_b), MIN_SHARE), 1 - MIN_SHARE)
    a = round(share * 100 / STEP_PERCENT) * STEP_PERCENT
    return a, 100 - a


class Side(Protocol):
    """What a timeline says of its rows for a height it might get (a
    :class:`~app.widgets.timeline.QtTimeline`)."""

    def rows_needed(self, height: float) -> int:
        """The rows its content needs at ``height`` px (fewer where alike rows group)."""
        ...

    def rows_fitting(self, height: float) -> int:
        """How many rows fit in ``height`` px at the row floor (0: no floor, no limit)."""
        ...


def settled_shares(a: Side, b: Side, height: float) -> tuple[int, int]:
    """The split of ``height`` px between A and B by the rows each needs at its share.

    More rows than fit in half the height count as that many: two sides that both have to
    group their rows share evenly (their rows and labels as tall on both), and only a side
    that needs fewer gives the other its room. A split is settled when the rows needed at
    it give it back (:func:`height_shares`); of the settled ones, the nearest to the split
    by the rows needed in equal halves, so sides whose rows fit there stay even. Without
    one (counts that jump as groups form), the split that comes back closest."""
    half = height / 2
    caps = [side.rows_fitting(half) or math.inf for side in (a, b)]

    def needs(share: int) -> tuple[int, int]:
        px = (height * share / 100, height * (100 - share) / 100)
        counts = [
            min(side.rows_needed(h), cap) for side, h, cap in zip((a, b), px, caps, strict=True)
        ]
        return int(counts[0]), int(counts[1])

    low = round(MIN_SHARE * 100)
    candidates = range(low, 100 - low + 1, STEP_PERCENT)
    start = height_shares(*needs(50))[0]
    returned = {share: height_shares(*needs(share))[0] for share in candidates}
    share = min(candidates, key=lambda c: (abs(returned[c] - c), abs(c - start)))
    return share, 100 - share


class OnResize(QObject):
    """Calls ``then`` a turn of the event loop after a watched widget was resized, once for
    however many resizes came in between: the two timelines are resized one after the
    other, and the height they share is whole only after both."""

    def __init__(self, then: Callable[[], None]) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(then)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._timer.start()
        return False
