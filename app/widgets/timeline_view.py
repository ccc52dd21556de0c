"""The stretch of time a timeline shows, and how a user moves it: fit, zoom, pan, compare
mode's shared axis, and the mouse (Ctrl+wheel zooms around the pointer, wheel or drag pans,
a double click fits).

:class:`~app.widgets.timeline.QtTimeline` is a :class:`TimelineView`: what it is handed and
how it paints are its own; the range it paints is worked out here, from the run's start and
end it keeps.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QWidget

from app.timeline.live_view import LiveView
from app.timeline.paint import TimelineGeometry
from app.timeline.rows import TimelineRows

__all__ = ["TimelineView"]


class TimelineView(QWidget):
    """The time range a timeline shows: the whole run (padded; live, up to the step "now"
    is in), or where the user zoomed and panned to."""

    viewChanged = Signal()

    # What the timeline keeps of the run it draws (set by :class:`QtTimeline`).
    _all_rows: TimelineRows  # every row handed (its trace's start is the run's)
    _last_ns: int  # where the picture ends (0: live, at "now")
    _cutoff_ns: int | None  # "now" while live, the playhead in a replay
    _view: LiveView  # live: the span the view shows, in steps
    _geometry: TimelineGeometry | None  # where the last frame put things

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._user_range: tuple[int, int] | None = None
        self._span_floor_ns = 0
        self._drag_from: tuple[int, int, int] | None = None

    def _invalidate(self) -> None:
        """Paint again: the range shown changed."""
        raise NotImplementedError

    def _hover(self, event: QMouseEvent) -> None:
        """The pointer moved, not dragging."""
        raise NotImplementedError

    # -- the range -------------------------------------------------------------------------
    def full_range(self) -> tuple[int, int]:
        """The whole run, a little padded; while live, up to the live step now is in (in
        compare mode, the shared axis: a floor that steps by 5%)."""
        t0 = self._all_rows.trace.t0_ns
        if self._view.span_ns and not self._span_floor_ns:
            return t0, t0 + self._view.span_ns
        end = max(self._last_ns, self._cutoff_ns or 0)
        span = max(end - t0, self._span_floor_ns, 10_000_000)  # never narrower than 10 ms
        return t0, t0 + int(span * 1.03)

    def set_span_floor(self, span_ns: int) -> None:
        """Show at least ``span_ns`` from the start when fitted (a shared axis in compare)."""
        if span_ns != self._span_floor_ns:
            self._span_floor_ns = span_ns
            self._invalidate()

    def view_offsets(self) -> tuple[int, int]:
        """The view as times from this run's start."""
        t_from, t_to = self.view_range()
        t0 = self._all_rows.trace.t0_ns
        return t_from - t0, t_to - t0

    def set_view_offsets(self, offsets: tuple[int, int]) -> None:
        """Show the same times from the start as another timeline (no viewChanged echo)."""
        t0 = self._all_rows.trace.t0_ns
        self._user_range = (t0 + offsets[0], t0 + offsets[1])
        self._invalidate()

    def view_range(self) -> tuple[int, int]:
        return self._user_range or self.full_range()

    def set_view_range(self, t_from_ns: int, t_to_ns: int) -> None:
        t0 = self._all_rows.trace.t0_ns
        span = max(100_000, t_to_ns - t_from_ns)  # 0.1 ms at the closest
        t_from_ns = max(t0 - span // 10, t_from_ns)
        self._user_range = (t_from_ns, t_from_ns + span)
        self._invalidate()
        self.viewChanged.emit()

    def fit(self) -> None:
        """Show the whole run."""
        self._user_range = None
        self._invalidate()

    def zoom(self, factor: float, around_x: float | None = None) -> None:
        """Zoom in (factor > 1) or out, keeping the time under ``around_x`` in place."""
        t_from, t_to = self.view_range()
        geo = self._geometry
        anchor = geo.ns_at(around_x) if geo and around_x is not None else (t_from + t_to) // 2
        new_span = (t_to - t_from) / factor
        ratio = (anchor - t_from) / max(1, t_to - t_from)
        start = int(anchor - ratio * new_span)
        self.set_view_range(start, int(start + new_span))

    def pan(self, fraction: float) -> None:
        """Move the view by ``fraction`` of its width (positive: later)."""
        t_from, t_to = self.view_range()
        shift = int((t_to - t_from) * fraction)
        self.set_view_range(t_from + shift, t_to + shift)

    # -- the mouse -------------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is None:
            self._hover(event)
            return
        x0, t_from, t_to = self._drag_from
        geo = self._geometry
        if geo is not None:
            shift = int((event.position().toPoint().x() - x0) * (t_to - t_from) / geo.lanes_width)
            self.set_view_range(t_from - shift, t_to - shift)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            t_from, t_to = self.view_range()
            self._drag_from = (event.position().toPoint().x(), t_from, t_to)
            self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_from = None
        self.unsetCursor()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120 or event.angleDelta().x() / 120
        if not steps:
            return
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.25**steps, event.position().x())
        else:
            self.pan(-0.1 * steps)
        event.accept()
