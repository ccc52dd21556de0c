"""The timeline widget: lanes per request or per worker, live, zoomable, with hover text."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QMouseEvent, QPainter, QPaintEvent, QRegion
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.theme import LIGHT, Theme
from app.timeline.canvas import Canvas
from app.timeline.geometry import label_width, layout
from app.timeline.grouping import GroupPlan, fit_rows, grouped_words
from app.timeline.hover import hover_text
from app.timeline.image_paint import LanesImage
from app.timeline.labels import named_row_px
from app.timeline.live_view import LiveView
from app.timeline.paint import TimelineRows
from app.timeline.rows import picture_end_ns
from app.widgets.legend import QtLegend
from app.widgets.timeline_view import TimelineView
from simulator.trace import Trace

__all__ = ["QtLegend", "QtTimeline"]  # the legend lives in app.widgets.legend

#: The lanes' least height: two of them fit a 720p projector with room to spare.
MIN_HEIGHT = 120
#: ... and while the reveal's whole text is out, which takes the height it needs first:
#: lesson 23's two sides at 120 each left its last line, what was measured of the cores,
#: cut off under them at 1280×720 (a teacher's walk).
MIN_HEIGHT_UNDER_TEXT = 60

#: From this many bars a live frame is painted a turn of the event loop after its layout,
#: not in the same turn (:meth:`QtTimeline.repaint`): each costs tens of ms at 10,000 lanes.
PAINT_LATER_FROM = 40_000
#: The kinds a picture shows (the key's) are read this long after a paint, once for all the
#: frames painted meanwhile: a zoom's or a live run's frames are not read one by one.
KINDS_READ_MS = 100


class QtTimeline(TimelineView):
    """Draws a :class:`~simulator.trace.Trace` as lanes.

    Its parent feeds it with :meth:`set_trace` (again and again while a run is live): the
    widget keeps the rows it lays out of it (what it draws and hovers), never the run as
    state of its own, and reads no other widget. ``by`` chooses one lane per request or one
    per worker (thread or event loop). The range of time shown, and how the mouse moves it,
    is its :class:`~app.widgets.timeline_view.TimelineView` side.

    A frame costs what changed: the bars are one image of per-pixel summaries
    (:class:`~app.timeline.image_paint.LanesImage`) cached by time level, so a zoom, pan or
    resize samples cached tiles, and a live frame adds only the lanes in flight; the whole
    picture is cached as a pixmap, so hovering and repaints cost a blit. A frame drawn from
    a coarser level is refined on the next turn of the event loop.
    """

    #: The mouse is over a segment of view ``str`` at line ``int`` of views.py (or over
    #: nothing with a line: ``None, None``); the code panel highlights that line.
    segmentHovered = Signal(object, object)
    #: How wide this timeline's own labels want their column (new rows or font): the parent
    #: gives compared timelines the wider of the two (:meth:`set_label_floor`).
    labelWidthChanged = Signal(float)
    #: The kinds its picture's pixels show changed (a zoom, a new run): the key follows.
    drawnKindsChanged = Signal()

    def __init__(self, parent: QWidget | None = None, *, theme: Theme = LIGHT) -> None:
        super().__init__(parent)
        self.theme = theme
        self.by = "requests"
        self.tails_shown = True
        self.waiting_text: str | None = None
        self._last_ns = 0
        self._rows: TimelineRows | None = None
        #: Every row of the trace it was handed, before :attr:`row_floor_px` groups them:
        #: what it draws, laid out; the run itself is the session's.
        self._all_rows = TimelineRows(Trace(t0_ns=0, lanes=()), by=self.by)
        self._plan = GroupPlan(self._all_rows)  # how they group, for any room
        #: The thinnest a row may be drawn (presentation mode); 0: as thin as they come.
        self.row_floor_px = 0.0
        self._rows_fit = 0  # how many rows ``_rows`` was fitted into (0: not fitted)
        self._cutoff_ns: int | None = None
        self._live = False
        self._view = LiveView()  # live: where the view ends, how many rows it lays out
        self._label_floor = 0.0
        self._own_label: tuple[TimelineRows, str, float] | None = None
        self._geometry = None
        self._picture: QImage | None = None  # the last frame, while it is up to date
        self._canvas = Canvas()  # what frames are drawn into, kept between them
        self._picture_key: tuple | None = None
        #: This live frame's paint waits for the next turn of the event loop (a big run's).
        self._paint_later = False
        #: A big run's end handed, its picture not drawn yet: the last live frame shows.
        self._ending = False
        self.lanes_image = LanesImage()
        #: The kinds its picture's pixels show, as last told (``None``: no picture yet).
        #: (While a run goes, not read: the key names what its lanes hold so far.)
        self.drawn_kinds: frozenset[str] | None = None
        #: Of them, those drawn only as hairlines, and those as bars (read with them: the
        #: key says which are hairlines, :func:`~app.timeline.drawn.hairlines_of`).
        self.bars: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
        #: The words of its rows that stand for several, read with them ("alike", ...).
        self.grouped: frozenset[str] = frozenset()
        self._kinds_asked = False  # a read of them is due (:data:`KINDS_READ_MS`)
        self.setMouseTracking(True)
        self.setMinimumSize(320, MIN_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    # -- model -----------------------------------------------------------------------------
    def set_trace(
        self,
        trace: Trace,
        *,
        live: bool = False,
        now_ns: int | None = None,
        expected_rows: int = 0,
    ) -> None:
        """Draw ``trace``; ``live`` runs draw up to ``now_ns`` and keep the whole run in view.

        Live, the view's end extends in steps (:func:`~app.timeline.axis.live_span_ns`) and,
        by request, the rows are laid out for ``expected_rows`` (the requests the run sends)
        or for a count that steps up as rows come: between steps every instant and every
        row keep their place, so a frame redraws only what changed (:mod:`app.timeline.
        live_frame`). A finished run given ``expected_rows`` is laid out so too (a frame
        painted from scratch as a live one was)."""
        new_run = trace.t0_ns != self._all_rows.trace.t0_ns or not self._live
        if new_run or live:  # not known until its finished picture is painted
            self.drawn_kinds = None
        # A big live run's end: its finished picture is drawn over the next turns of the
        # event loop (:meth:`_lay_out_finished`), the last live frame on screen until then.
        ending = not live and not new_run and self.lanes_image.live_bars >= PAINT_LATER_FROM
        # Live, the picture ends at "now" (later than every segment): no pass over the lanes.
        self._last_ns = 0 if live and now_ns is not None else picture_end_ns(trace)
        self._live = live
        self._cutoff_ns = now_ns if live else None
        elapsed = now_ns - trace.t0_ns if live and now_ns is not None else None
        by_request = self.by == "requests"
        lanes = len(trace.lanes)
        self._view.take(
            lanes, elapsed, new_run=new_run, by_request=by_request, expected_rows=expected_rows
        )
        self._all_rows = (
            self.lanes_image.live_rows(trace, now_ns)  # from the last frame's rows
            if live and self.by == "requests"
            else TimelineRows(trace, by=self.by)
        )
        self._plan = GroupPlan(self._all_rows)
        self._rows = None
        if not live:
            if ending and self.isVisible() and self._picture is not None:
                self._ending = True
                QTimer.singleShot(0, self, self._lay_out_finished)
                return
            self._ending = False
            self._invalidate()
            return
        self._ending = False
        # Not the whole widget marked for painting: :meth:`repaint` paints what changed (at
        # once, as the stage asks, unless the run is big; else on the next turn).
        self._picture = None
        self._paint_later = self.lanes_image.live_bars >= PAINT_LATER_FROM
        QTimer.singleShot(0, self, self._show_frame)

    def expect_rows(self, requests: int) -> None:
        """The run about to be drawn live sends ``requests``: its rows are laid out for all
        of them from its first frame (:meth:`set_trace`'s ``expected_rows``)."""
        self._view.expect(requests)

    def set_by(self, by: str) -> None:
        """``"requests"`` (a lane per request) or ``"workers"`` (a lane per thread / loop)."""
        if by not in ("requests", "workers"):
            raise ValueError(f"by must be 'requests' or 'workers', not {by!r}")
        if by != self.by:
            self.by = by
            self.drawn_kinds = None  # another picture: not known until painted
            self._all_rows = TimelineRows(self._all_rows.trace, by=by)
            self._plan = GroupPlan(self._all_rows)
            self._rows = None
            self._invalidate()

    def set_tails_shown(self, shown: bool) -> None:
        """Draw the thin bars of Django's work after a request's answer, or not."""
        if shown != self.tails_shown:
            self.tails_shown = shown
            self.drawn_kinds = None
            self._invalidate()

    def set_waiting(self, text: str | None) -> None:
        """What an empty timeline says: ``text`` (e.g. "B runs after A."), or with ``None``
        how to start a run."""
        if text != self.waiting_text:
            self.waiting_text = text
            self._invalidate()

    def set_cutoff(self, cutoff_ns: int | None) -> None:
        """Hide everything after ``cutoff_ns`` (replay); ``None`` shows the whole run."""
        self._cutoff_ns = cutoff_ns
        self._invalidate()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._invalidate()

    @property
    def rows(self) -> TimelineRows:
        """The rows drawn: laid out once per trace given (and per ``by``), and grouped to
        the row floor at this size (:func:`~app.timeline.grouping.fit_rows`)."""
        most = self.rows_fitting()
        if self._rows is None or most != self._rows_fit:
            rows = self._all_rows
            fill = self.rows_fitting(whole_line=True)  # groups cut again: labels full size
            self._rows = fit_rows(rows, most, self._plan, fill) if most else rows
            self._rows_fit = most
            # A live run's lanes are split lane by lane; grouped rows are no lanes.
            self.lanes_image.show(self._rows, live=self._live and self._rows is rows)
        return self._rows

    @property
    def rows_room(self) -> int:
        """How many rows the lanes are laid out for (0: as many as there are): live, the
        requests the run sends, but no more than fit at the row floor (presentation), so a
        live row is never thinner than a finished run's; past that many rows, alike ones
        share a row (:attr:`rows`), live as finished."""
        most = self.rows_fitting()
        return min(self._view.room, most) if most else self._view.room

    @property
    def row_count(self) -> int:
        """How many rows the trace lays out into, before the row floor groups any: what a
        parent sharing height between timelines goes by."""
        return len(self._all_rows)

    def rows_needed(self, height: float) -> int:
        """How many rows this timeline's content needs were it ``height`` px tall: every row
        while they fit (or without a row floor), else alike rows as one
        (:meth:`~app.timeline.grouping.GroupPlan.needed`). What compared timelines share
        their height by."""
        most = self.rows_fitting(height)
        return self._plan.needed(most) if most else len(self._all_rows)

    def set_row_floor(self, px: float) -> None:
        """Draw no row thinner than ``px``: past that, alike rows share one (presentation)."""
        if px != self.row_floor_px:
            self.row_floor_px = px
            self._invalidate()

    def rows_fitting(self, height: float | None = None, *, whole_line: bool = False) -> int:
        """How many rows of at least the floor (and tall enough to be named; ``whole_line``:
        in the font's full size) fit (were it ``height`` px tall); 0 without a floor."""
        if self.row_floor_px <= 0 or not self._all_rows.trace.lanes:
            return 0
        empty = TimelineRows(Trace(0, (), self._all_rows.trace.loop_thread))
        rect = QRectF(0, 0, self.width(), self.height() if height is None else height)
        lanes = layout(rect, empty, self.font(), 0, 1).lanes_height
        row = named_row_px(self.font(), self.row_floor_px)
        row = max(row, self.fontMetrics().height()) if whole_line else row
        return max(1, int(lanes // row))

    @property
    def _trace(self) -> Trace:
        return self.rows.trace

    # -- painting --------------------------------------------------------------------------
    def _invalidate(self) -> None:
        if self._ending:  # drawn whole once laid out (:meth:`_lay_out_finished`)
            return
        self._picture = None
        self.update()

    def _lay_out_finished(self) -> None:
        """A big run's end, a turn after the run handed it: its bars split into spans and
        its labels measured (~10-20 ms at 10,000 lanes); its picture is painted on the
        next turn (the timeline's raster, ~25 ms), and refined on the one after. Each turn
        of the window's loop holds a click that long, not the sum (with the figures',
        plots' and legend's share of the run's end: 90-150 ms in one turn at 1920×1080)."""
        if not self._ending:
            return
        self.own_label_px()  # (the rows, split: ``rows`` hands them to the image painter)
        QTimer.singleShot(0, self, self._paint_finished)

    def _paint_finished(self) -> None:
        if not self._ending:
            return
        self._ending = False
        self._invalidate()
        if self.isVisible():
            self._paint_now()

    def own_label_px(self) -> float:
        """How wide this timeline's own labels want their column (measured once per rows
        and font: hover repaints must not scan thousands of labels)."""
        rows, font = self.rows, self.font().key()
        cached = self._own_label
        if cached is None or cached[0] is not rows or cached[1] != font:
            width = label_width(rows, self.font())
            changed = cached is None or cached[2] != width
            cached = self._own_label = (rows, font, width)
            if changed:
                self.labelWidthChanged.emit(width)
        return cached[2]

    def set_label_floor(self, px: float) -> None:
        """The least width of the label column (compared timelines are given the wider of
        their two, so one instant sits at one x in A and in B; 0: each its own)."""
        if px != self._label_floor:
            self._label_floor = px
            self._invalidate()

    def sizeHint(self) -> QSize:
        return QSize(900, 520)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self.draw(painter)
        finally:
            painter.end()  # (a painter left open by a failed paint takes Qt down with it)

    def draw(self, painter: QPainter) -> None:
        if self._ending and self._picture is not None:  # the last live frame, a turn more
            painter.drawImage(0, 0, self._picture)
            return
        self._prepare()
        assert self._picture is not None
        painter.drawImage(0, 0, self._picture)

    def repaint(self, *args: Any) -> None:
        """As :meth:`QWidget.repaint`; asked with nothing (the stage, right after a live
        frame), only where the frame changed the picture: the window copies and sends the
        screen that, not the whole timeline. A big run's live frame (:data:`PAINT_LATER_FROM`
        bars) is painted on the next turn of the event loop instead, by the call
        :meth:`set_trace` posted: its layout (~20 ms at 10,000 lanes) and its paint (~25 ms,
        painted whole at each new step of the view) are then two turns, with the window's
        other events between them, not one twice as long (the session's frame still times
        both: it runs the posted paints after a turn, ``Session.settle_frame``)."""
        if args or not self.isVisible():
            super().repaint(*args)
            return
        if self._picture is None and self._paint_later:
            return
        self._paint_now()

    def _paint_now(self) -> None:
        region = self._prepare()
        if region is None:
            super().repaint()
        elif not region.isEmpty():
            super().repaint(region)

    def _show_frame(self) -> None:
        """A live frame nobody painted at once (a turn of the event loop later)."""
        if self._picture is None:
            if self.isVisible():
                self._paint_now()
            else:
                super().repaint()

    def _prepare(self) -> QRegion | None:
        """Paint the picture if it is out of date: where it changed (empty: it was up to
        date), or ``None``: everywhere."""
        t_from, t_to = self.view_range()
        rows = self.rows
        self.own_label_px()  # tells the parent when the column's width changes
        room = self.rows_room if rows is self._all_rows and rows.by == "requests" else 0
        # What the picture depends on but the rows and "now": a live frame with the same
        # paints over the last one only where they changed.
        same = (
            self.size().toTuple(),
            t_from,
            t_to,
            self.by,
            self.tails_shown,
            self.waiting_text,
            self._label_floor,
            self.theme.name,
            self.font().toString(),
            self.devicePixelRatioF(),
            room,
        )
        key = (same, self._cutoff_ns, id(rows))
        if self._picture is None or self._picture_key != key:
            image = self.lanes_image
            self._picture, self._geometry = self._canvas.paint(
                self.size(),
                self.devicePixelRatioF(),
                rows,
                self.theme,
                image,
                same=same,
                live=self._live,
                t_from_ns=t_from,
                t_to_ns=t_to,
                cutoff_ns=self._cutoff_ns,
                font=self.font(),
                tails=self.tails_shown,
                label_px=self._label_floor,
                rows_room=room,
                empty_text=self.waiting_text,
            )
            self._picture_key = key
            if not self._kinds_asked and not self._live:  # read after the paint, once a
                self._kinds_asked = True  # zoom's frames are painted; not while a run goes
                QTimer.singleShot(KINDS_READ_MS, self, self._read_drawn_kinds)
            image.coarse_ok = True
            if image.needs_refine:  # drawn from a coarser level: the exact one next turn
                QTimer.singleShot(0, self, self._refine)  # not after the widget is gone
            return self._canvas.painted
        return QRegion()

    @property
    def painted(self) -> QRegion | None:
        """Where the last frame was painted over the one before (``None``: everywhere)."""
        return self._canvas.painted

    def _read_drawn_kinds(self) -> None:
        """Tell the key what the picture's pixels show now, and which words its rows of
        several carry, if that changed."""
        self._kinds_asked = False
        kinds, bars = self.lanes_image.drawn_kinds, self.lanes_image.bars
        grouped = grouped_words(self.rows)
        if (kinds, bars, grouped) != (self.drawn_kinds, self.bars, self.grouped):
            self.drawn_kinds, self.bars, self.grouped = kinds, bars, grouped
            self.drawnKindsChanged.emit()

    def _refine(self) -> None:
        self.lanes_image.coarse_ok = False
        self._invalidate()

    # -- hover -----------------------------------------------------------------------------
    def describe_at(self, pos: QPoint) -> str | None:
        """The hover text for the point ``pos`` (widget coordinates), or None."""
        geo = self._geometry
        if geo is None:
            self.hovered: tuple[str | None, int | None] = (None, None)
            return None
        text, self.hovered = hover_text(geo, self.rows, self.by, self._cutoff_ns, pos.x(), pos.y())
        return text

    def _hover(self, event: QMouseEvent) -> None:
        text = self.describe_at(event.position().toPoint())
        self.segmentHovered.emit(*self.hovered)
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QToolTip.hideText()
