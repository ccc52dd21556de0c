"""Where a live run's view ends and how many rows its lanes are laid out for, frame by frame.

While a run is live the view's end extends in steps (:func:`~app.timeline.axis.live_span_ns`)
and, by request, its rows are laid out for the requests the run sends, or for a count that
steps up as rows come (:func:`~app.timeline.geometry.live_rows_room`): between steps every
instant and every row keep their place, so a frame paints only what changed
(:mod:`app.timeline.live_frame`). A timeline widget keeps one :class:`LiveView`.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.timeline.axis import live_span_ns
from app.timeline.geometry import live_rows_room

__all__ = ["LiveView"]


@dataclass
class LiveView:
    """One timeline's live view (0s: not live, or not known)."""

    #: The span the view shows from the run's start (in steps).
    span_ns: int = 0
    #: How many rows the lanes are laid out for.
    room: int = 0
    #: How many requests the run to be drawn live sends (:meth:`expect`).
    expected: int = 0

    def expect(self, requests: int) -> None:
        """The run about to be drawn live sends ``requests``."""
        self.expected = requests

    def take(
        self,
        lanes: int,
        elapsed_ns: int | None,
        *,
        new_run: bool,
        by_request: bool,
        expected_rows: int = 0,
    ) -> None:
        """A frame of ``lanes`` lanes, ``elapsed_ns`` into its run (``None``: not live);
        ``new_run``: not the last frame's run. ``expected_rows``: lay the rows out for that
        many even when not live (a frame painted from scratch as a live one was)."""
        live = elapsed_ns is not None
        shown = 0 if new_run else self.span_ns
        self.span_ns = live_span_ns(elapsed_ns, shown) if elapsed_ns is not None else 0
        if not live:
            self.expected = 0  # (asked again by the next run)
        expected = expected_rows or self.expected
        room = 0 if new_run or not live else self.room
        laid_out = by_request and (live or expected > 0)
        self.room = live_rows_room(lanes, expected, room) if laid_out else 0
