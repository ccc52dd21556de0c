"""The window's centre, drawn from the session: header, lanes A and B, verdict, legend,
replay bar, and the figures (the metrics panel and presentation mode's line of them).

:class:`Stage` is given the session and makes the widgets it draws; it listens to the
session's events and reads runs only from the session, so no widget reads another's state.
The figures (panel and line) follow the session's :class:`~app.session.figures.Figures`
themselves.
The main window places the widgets and adds its actions, menus, dialogs and status bar.
"""

from __future__ import annotations

import math

from PySide6.QtWidgets import QLabel, QTabBar, QVBoxLayout

from app.fonts import heading_font
from app.session import Lesson, Prediction, Session, Side, close_call
from app.session.figures import Figures, Shown
from app.session.live import LANES_AFTER_TIDYING, answered_state
from app.status_text import SENDING_TEXT, panel_text
from app.theme import Theme
from app.timeline.figure_bar import figure_bars
from app.timeline.rows import picture_end_ns
from app.widgets.code_panel import QtCode
from app.widgets.figure_strip import QtFigureStrip
from app.widgets.metrics_panel import QtMetrics
from app.widgets.replay_bar import QtReplayBar
from app.widgets.side_title import QtSideTitle
from app.widgets.timeline import QtLegend, QtTimeline
from app.window.presentation import presentation_row_px
from app.window.replay import (
    explain_live,
    explain_shown,
    follow_playhead,
    grouped_shown,
    load_replay,
    painted_kinds,
    picture_bars,
)
from app.window.stage_split import OnResize, settled_shares
from simulator.scenario import Scenario
from simulator.trace import Run, Trace

__all__ = ["Stage"]


def _empty() -> Trace:
    return Trace(t0_ns=0, lanes=())


class Stage:
    """The widgets that draw the session's runs, and the code that keeps them in step."""

    def __init__(self, session: Session) -> None:
        self.session = session
        #: What the metrics panel and the figure line show (they bind to it, not to a run).
        self.figures = Figures(session)
        self.header = QLabel()
        self.header.setFont(heading_font(self.header.font()))
        self.header.setWordWrap(True)
        self.timeline = QtTimeline()
        self.timeline_b = QtTimeline()
        self.timelines = {Side.A: self.timeline, Side.B: self.timeline_b}
        #: Each timeline's own label width, as it last said: compared, both get the wider.
        self._label_px = {Side.A: 0.0, Side.B: 0.0}
        #: The column the window placed the timelines in, and their stretch factors there.
        self._column: QVBoxLayout | None = None
        self._shares = (1, 1)
        self._share_key: tuple | None = None  # what the split was last worked out from
        #: A new height (the window, the step's parts) is split again, a turn later.
        self._on_resize = OnResize(lambda: self._share_height(unless_same=True))
        for timeline in self.timelines.values():
            timeline.installEventFilter(self._on_resize)
        self.side_titles = {Side.A: QtSideTitle(), Side.B: QtSideTitle()}
        #: The lesson's figure for each side as a bar at the right of its title (lesson 18).
        self.figure_bars = {side: title.figure_bar for side, title in self.side_titles.items()}
        self.verdict = QLabel()
        self.verdict.setObjectName("verdict")
        self.verdict.setFont(self.header.font())
        self.verdict.setWordWrap(True)
        self.legend = QtLegend()
        self.figure_strip = QtFigureStrip(
            self.figures, lesson_figure=lambda: session.criterion.figure
        )
        self.figure_strip.hide()  # presentation mode's stand-in for the metrics panel
        self.replay = QtReplayBar()
        self.metrics = QtMetrics(self.figures, scenario_of=self._scenario_of)
        self.code = QtCode()
        self.by_tabs = QTabBar()
        self.by_tabs.addTab("One lane per request")
        self.by_tabs.addTab("One lane per thread / event loop")
        self.by_tabs.setExpanding(False)
        #: What the step's layout shows (:meth:`set_step_parts`): the lanes and their
        #: figures, and the header's line of dials under a lesson's title.
        self.lanes_shown, self.figures_shown, self.dials_line = True, False, True
        self.header_question: str | None = None
        self._header_of: tuple[Scenario, str] | None = None
        #: Each side's last live frame: its "now", from the run's start.
        self._drawn_at_ns: dict[Side, int] = {}
        self._connect()
        self._on_compare_changed(session.compare)  # no empty B under a single run

    def _connect(self) -> None:
        events = self.session.events
        events.scenario.connect(self._on_scenario_changed)
        events.compare.connect(self._on_compare_changed)
        events.lesson.connect(self._on_lesson_changed)
        events.running.connect(self._on_running_changed)
        events.run_started.connect(self._on_run_started)
        events.run_progressed.connect(self._on_run_progressed)
        events.run_answered.connect(self._on_run_answered)
        events.run_finished.connect(self.show_run)
        events.verdict.connect(self._on_verdict_changed)
        events.prediction.connect(self._on_prediction_changed)
        events.shown_side.connect(self._on_shown_side_changed)
        events.error.connect(
            lambda _: self.show_header(self.session.scenario(Side.A), "could not run")
        )
        for timeline in self.timelines.values():  # a hovered segment lights its line of code
            timeline.segmentHovered.connect(self.code.highlight_file_line)
        for side, timeline in self.timelines.items():
            timeline.labelWidthChanged.connect(lambda px, side=side: self._on_label_px(side, px))
            timeline.drawnKindsChanged.connect(self._explain)  # a zoom, a new picture
        self.timeline.viewChanged.connect(lambda: self._sync_view(Side.A))
        self.timeline_b.viewChanged.connect(lambda: self._sync_view(Side.B))
        view = self.session.view
        view.events.by.connect(self._on_by_changed)
        view.events.tails.connect(self._on_tails_changed)
        view.events.replay_ms.connect(self._on_playhead_changed)
        view.events.presentation.connect(self._on_presentation_changed)
        self.by_tabs.currentChanged.connect(
            lambda index: view.set_by("workers" if index == 1 else "requests")
        )
        self.replay.playheadChanged.connect(view.set_replay_ms)
        self.figures.events.shown.connect(self._on_figures_shown)

    # -- what the window calls --------------------------------------------------------------
    def share_height_in(self, column: QVBoxLayout) -> None:
        """The window placed the timelines in ``column``: compared, they share its height by
        the rows each needs (:func:`~app.window.stage_split.settled_shares`)."""
        self._column = column
        self._share_height()

    def blank(self) -> None:
        """No lanes of the last lesson under a new question (its figures went with its runs:
        :class:`~app.session.figures.Figures` follows ``forget_runs``)."""
        for timeline in self.timelines.values():
            timeline.set_trace(_empty())
        self._share_height()
        self.replay.set_duration(0)
        self.explain_shown()  # the legend of what is on screen: nothing yet
        self._show_figure_bars()

    def explain_shown(self) -> None:
        view = self.session.view
        timelines = self.timelines.values()
        painted, bars = painted_kinds(timelines), picture_bars(timelines)
        by_request = view.by == "requests"
        grouped = grouped_shown(timelines)
        explain_shown(self.legend, self.session, view.tails, by_request, painted, bars, grouped)

    def _explain(self) -> None:
        """The key of what the lanes show now (their pixels changed kinds: a zoom)."""
        if self.session.running:
            self._explain_live()
        else:
            self.explain_shown()

    def set_theme(self, theme: Theme) -> None:
        for timeline in self.timelines.values():
            timeline.set_theme(theme)
        self.legend.set_theme(theme)
        for bar in self.figure_bars.values():
            bar.set_theme(theme)
        self.code.set_dark(theme.dark)
        self.metrics.update()

    def show_run(self, side: Side, run: Run) -> None:
        """A finished run on one side: lanes, figures, replay."""
        state = "stopped" if run.stopped else ""
        self.show_header(run.scenario, state)
        self._show_side_title(side, run.scenario, state)
        self.timelines[side].set_trace(run.trace)
        self._share_height()
        self._share_time_axis()
        load_replay(self.replay, self.session)
        self.explain_shown()
        self._show_figure_bars()

    def _show_figure_bars(self) -> None:
        """Both sides' bars of the lesson's figure (:func:`~app.timeline.figure_bar.
        figure_bars`) once both have a finished run; none while one runs."""
        s = self.session
        sides = [[run.summary for run in s.every_run(side)] for side in self.figure_bars]
        bars = figure_bars(sides, s.criterion.figure) if s.compare and not s.running else ()
        for title, bar in zip(self.side_titles.values(), bars or (None, None), strict=True):
            title.set_bar(bar)

    def show_header(self, scenario: Scenario, state: str = "") -> None:
        """The lesson's title (while its dials are unchanged), the dials, and the state. While
        the class watches a lesson run, its question takes the title's place (the class waits
        on that); on a projector the dials' line goes too, and the lanes take the room."""
        self._header_of = (scenario, state)
        lesson = self.session.lesson
        title = self.header_question or (lesson.title if lesson is not None else None)
        if self.session.compare:
            self.header.setText(title or "Compare A and B")
            return
        text = scenario.label + (f"  —  {state}" if state else "")
        if title is not None and lesson is not None and lesson.matches(scenario):
            text = f"{title}\n{text}" if self.dials_line else title
        self.header.setText(text)

    def set_step_parts(
        self, *, lanes: bool, figures: bool, dials_line: bool, question: str | None = None
    ) -> None:
        """Show the lanes (with side titles, legend and replay bar) and presentation mode's
        line of figures, or give their room to the question; the header's dials line, and
        the ``question`` in the header in the title's place (``None``: the title)."""
        self.lanes_shown, self.figures_shown = lanes, figures
        compare = self.session.compare
        self.timeline.setVisible(lanes)
        self.timeline_b.setVisible(lanes and compare)
        for title in self.side_titles.values():
            title.setVisible(lanes and compare)
        for widget in (self.legend, self.replay):
            widget.setVisible(lanes)
        self.figure_strip.setVisible(figures and lanes)
        if (dials_line, question) != (self.dials_line, self.header_question):
            self.dials_line, self.header_question = dials_line, question
            if self._header_of is not None:
                self.show_header(*self._header_of)

    # -- drawing the session ----------------------------------------------------------------
    def _on_running_changed(self, running: bool) -> None:
        load_replay(self.replay, self.session)  # none while it runs, the runs' once ended
        self._show_figure_bars()  # (a run ends before the session stops running)
        if not running:  # stopped before B ran (or before any lane): nothing is awaited any more
            for side, timeline in self.timelines.items():
                timeline.set_waiting(None)
                if self.session.sampling and (run := self.session.runs[side]) is not None:
                    self._show_side_title(side, run.scenario, "stopped" if run.stopped else "")

    def _on_run_started(self, side: Side, scenario: Scenario) -> None:
        self._drawn_at_ns.pop(side, None)
        self.show_header(scenario, "running…")
        self._show_side_title(side, scenario, "running…")
        if self.session.compare and side is Side.A:
            # B's lanes of a last comparison would stand beside the new A as if they belonged
            # to it; a close call's earlier B stays, its title saying which run it is.
            waits = close_call.waits(self.session, Side.B)
            run_b = close_call.on_screen(self.session, Side.B)
            self.timeline_b.set_trace(_empty() if run_b is None else run_b.trace)
            self._share_height()
            # Its empty timeline says so too, not "Press Run (F5)".
            self.timeline_b.set_waiting("B runs after A." if waits else None)
            again = Side.B in self.session.queued  # (its title says "runs again after A")
            state = "runs after A" if waits else "" if again else "previous run"
            self._show_side_title(Side.B, self.session.scenario(Side.B), state)
        if (number := close_call.run_number(self.session, side)) and number.going:
            self.timelines[side].set_trace(_empty())  # its last run's lanes are not this one's
        # It runs now: until its first lanes (seconds for 10,000 requests), it says so, as
        # the status line does (its servers starting, then sending), not "Press Run (F5)".
        self.timelines[side].set_waiting(panel_text(scenario, sending=False))
        self._show_figure_bars()
        self.timelines[side].expect_rows(scenario.requests)  # rows laid out for all at once
        self.timelines[side].fit()
        self._explain_live()  # nothing of it on screen yet: nothing of it in the key

    def _on_run_progressed(self, side: Side, trace: Trace, now_ns: int) -> None:
        timeline = self.timelines[side]
        timeline.set_waiting(SENDING_TEXT)  # a frame comes once the requests are being sent
        self._drawn_at_ns[side] = now_ns - trace.t0_ns
        timeline.set_trace(trace, live=True, now_ns=now_ns)
        self._share_height(unless_same=True)  # moves only as new rows appear, in steps
        # Painted now, not on a later turn: the session spaces frames by what one cost, and
        # that is the snapshot, the layout and the paint together.
        timeline.repaint()
        if self.session.compare:  # one axis while B runs too, and one label column
            self._share_time_axis(live_span_ns=now_ns - trace.t0_ns)

    def _on_run_answered(self, side: Side, answers: Run, tidying: int) -> None:
        """Every request is answered and Django tidies up: no frame is drawn until it has
        (``app.session.live``), so the lanes on screen are the last frame's, seconds older
        than the answers' figures beside them. The header says so, not "running…"."""
        drawn_ns = self._drawn_at_ns.get(side)
        state = answered_state(drawn_ns)
        self.show_header(answers.scenario, state)
        self._show_side_title(side, answers.scenario, state)
        if drawn_ns is None:
            self.timelines[side].set_waiting("Every request answered. " + LANES_AFTER_TIDYING)

    def _on_figures_shown(self, plots: bool) -> None:
        """While a run goes, the legend keeps the figures' pace (a few times a second for
        thousands of lanes)."""
        if self.session.running:
            self._explain_live()

    def _explain_live(self) -> None:
        explain_live(self.legend, self.session, grouped_shown(self.timelines.values(), live=True))

    def _scenario_of(self, shown: Shown) -> Scenario:
        """The dials of the run whose figures are shown: its own once it has ended, the
        side's dials while it runs (or before it)."""
        side = shown.side or Side.A
        run = self.session.runs[side]
        if run is not None and side is not self.session.running_side:
            return run.scenario
        return self.session.scenario(side)

    def _on_run_failed(self, message: str) -> None:
        self.show_header(self.session.scenario(Side.A), "could not run")

    def _on_verdict_changed(self, text: str | None) -> None:
        # A line of its own here, where elsewhere it follows "Verdict: ": it starts with a
        # capital ("About the same makespan…", not "about the same makespan…").
        self.verdict.setText(text[:1].upper() + text[1:] if text else "")
        self.verdict.setVisible(self.session.compare and bool(text))  # no empty line
        self._show_figure_bars()  # (a new criterion, a scenario file's: the verdict's figure)

    def _on_prediction_changed(self, prediction: Prediction | None) -> None:
        if prediction is None:
            return  # a run replaces it on screen as it starts
        self.timeline.set_trace(prediction.trace)
        self.header.setText(f"PREDICTION (model, not measured)\n{prediction.scenario.label}")
        self.replay.set_duration(0)

    def _show_side_title(self, side: Side, scenario: Scenario, state: str = "") -> None:
        state = close_call.side_state(self.session, side, state)  # which run, in a close call
        self.side_titles[side].set_title(
            side.upper(), scenario.label + (f" — {state}" if state else "")
        )

    def _show_idle_header(self) -> None:
        run_a = self.session.runs[Side.A]
        self.show_header(run_a.scenario if run_a is not None else self.session.scenario(Side.A))

    def _on_scenario_changed(self, side: Side, scenario: Scenario) -> None:
        if side == self.session.shown_side:
            self.code.set_view(scenario.view)
        if not self.session.running and self.session.runs[Side.A] is None:
            self.show_header(self.session.scenario(Side.A))
        for each in Side:
            if self.session.runs[each] is None:
                self._show_side_title(each, self.session.scenario(each))

    def _on_lesson_changed(self, lesson: Lesson | None) -> None:
        self._show_idle_header()
        self._show_figure_bars()

    def _on_shown_side_changed(self, side: Side) -> None:
        self.code.set_view(self.session.scenario(side).view)

    def _on_compare_changed(self, on: bool) -> None:
        for side in Side:
            self.side_titles[side].setVisible(on and self.lanes_shown)
        self.timeline_b.setVisible(on and self.lanes_shown)
        self.verdict.setVisible(on and bool(self.verdict.text()))
        self._share_time_axis()
        self._share_label_column()
        self._share_height()
        self._show_idle_header()
        self._show_figure_bars()

    def _share_time_axis(self, live_span_ns: int = 0) -> None:
        """In compare mode both timelines span the longer run, so the faster ends sooner;
        while one runs, A's finished lanes stretch with B's growing axis."""
        spans = [picture_end_ns(run.trace) - run.trace.t0_ns for run in self.session.shown_runs()]
        if live_span_ns > 0:  # in 5% steps: the finished side is redrawn as it grows, not per frame
            live_span_ns = int(1.05 ** math.ceil(math.log(live_span_ns, 1.05)))
        floor = max(spans + [live_span_ns]) if self.session.compare else 0
        for timeline in self.timelines.values():
            timeline.set_span_floor(floor)

    def _share_height(self, *, unless_same: bool = False) -> None:
        """Compared, each timeline's share of the height follows the rows it needs; alone,
        A has it. ``unless_same``: not again for as many rows in as much height (a live
        frame, a resize): alike rows are found as rows appear, not every frame."""
        if self._column is None:
            return
        a, b, compare = self.timeline, self.timeline_b, self.session.compare
        height = a.height() + b.height()
        key = (compare, a.row_count, b.row_count, a.by, a.row_floor_px, height)
        if unless_same and key == self._share_key:
            return
        self._share_key = key
        shares = settled_shares(a, b, height) if compare else (1, 1)
        if shares != self._shares:
            self._shares = shares
            for timeline, share in zip((self.timeline, self.timeline_b), shares, strict=True):
                self._column.setStretchFactor(timeline, share)

    def _on_label_px(self, side: Side, px: float) -> None:
        self._label_px[side] = px
        self._share_label_column()

    def _share_label_column(self) -> None:
        """Compared, both timelines' label columns are as wide as the wider wants, so one
        instant sits at one x in A and in B; alone, each its own."""
        floor = max(self._label_px.values()) if self.session.compare else 0.0
        for timeline in self.timelines.values():
            timeline.set_label_floor(floor)

    def _sync_view(self, source: Side) -> None:
        """Zooming or panning one timeline moves the other to the same times from its start."""
        if not self.session.compare:
            return
        other = self.timelines[source.other]
        other.set_view_offsets(self.timelines[source].view_offsets())

    def _on_by_changed(self, by: str) -> None:
        self.by_tabs.blockSignals(True)  # the tabs follow the view; they do not set it again
        self.by_tabs.setCurrentIndex(1 if by == "workers" else 0)
        self.by_tabs.blockSignals(False)
        for timeline in self.timelines.values():
            timeline.set_by(by)
        self._share_height()
        self.explain_shown()  # the answer marks and tails are the by-request layout's

    def _on_presentation_changed(self, on: bool) -> None:
        """On a projector no row is thinner than a line the class reads: alike rows share
        one. (Called before the screen's font is set: the floor is the line it will be.)"""
        screen = self.timeline.screen()
        floor = presentation_row_px(self.timeline.font(), screen.geometry().height())
        for timeline in self.timelines.values():
            timeline.set_row_floor(floor if on else 0.0)
        self._share_height()  # with the floor, alike rows share one: other rows needed

    def _on_tails_changed(self, shown: bool) -> None:
        for timeline in self.timelines.values():
            timeline.set_tails_shown(shown)
        self.explain_shown()

    def _on_playhead_changed(self, ms: float) -> None:
        follow_playhead(ms, self.session, self.timelines, self.code)
