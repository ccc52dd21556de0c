"""How two compared timelines share the lanes' height: by the rows each needs.

Split 1:1, lesson 9's A (the queue, the event loop, its awaits and "Django only": four rows)
had room to spare at 1080p while B's thirty threads were overlaid three to a row. Each side
gets a share of the pair's height in proportion to its rows, but never less than
:data:`MIN_SHARE` (its axis and a few rows must stay readable), and in steps of
:data:`STEP_PERCENT`, so that a live run whose rows keep appearing moves the split a few
times at its start rather than every frame.

On a projector alike rows share one (the row floor), so the rows a side lays out are not
the rows it needs: lesson 18's A and B lay out 30 requests each, but a side whose 30 did one
thing needs one row. Split by the 30s, a side of many different rows was squeezed while the
other's half stood empty. So the rows counted are those the content needs
(:meth:`~app.widgets.timeline.QtTimeline.rows_needed`), alike rows as one.
"""

from __future__ import annotations

__all__ = ["MIN_SHARE", "STEP_PERCENT", "height_shares"]

#: The least share of the pair's height either timeline gets.
MIN_SHARE = 0.25
#: The split moves in steps of this many percent of the pair's height.
STEP_PERCENT = 5


def height_shares(rows_a: int, rows_b: int) -> tuple[int, int]:
    """Stretch factors for timelines A and B (percent of their height, summing to 100):
    in proportion to ``rows_a`` and ``rows_b``, at least :data:`MIN_SHARE` each; even
    while either side has no rows yet (it has not run, or waits to)."""
    if rows_a <= 0 or rows_b <= 0:
        return 50, 50
    share = min(max(rows_a / (rows_a + rows_b), MIN_SHARE), 1 - MIN_SHARE)
    a = round(share * 100 / STEP_PERCENT) * STEP_PERCENT
    return a, 100 - a
