"""What a finished run sets going in the window: the replay, and the legend's key to it
(and the key while a run goes).

A replay moves the lanes and the code panel's line; the figures and plots follow the
playhead themselves (:class:`~app.session.figures.Figures`: the run as it stood then).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from app.session import Session, Side, close_call
from app.timeline.drawn import hairlines_of
from app.timeline.grouping import grouped_words
from app.timeline.legend import legend_kinds, marks_shown
from app.timeline.rows import picture_end_ns
from app.widgets.code_panel import QtCode
from app.widgets.replay_bar import QtReplayBar
from app.widgets.timeline import QtLegend, QtTimeline
from simulator.metrics.replay import event_times
from simulator.trace import Trace

__all__ = [
    "explain_live",
    "explain_shown",
    "follow_playhead",
    "grouped_shown",
    "load_replay",
    "painted_kinds",
    "picture_bars",
]


def explain_shown(
    legend: QtLegend,
    session: Session,
    tails_shown: bool,
    by_request: bool = True,
    painted: Collection[str] | None = None,
    bars: Collection[tuple[frozenset[str], frozenset[str]]] = (),
    grouped: Collection[str] = (),
) -> None:
    """The legend explains the kinds on screen (``painted``: those the lanes' pixels show,
    :func:`painted_kinds`), the marks drawn beside them (:func:`~app.timeline.legend.
    marks_shown`: the loop-blocked strip's red, the answers', the thin after-answer bars
    if some are drawn) (a key of everything would take three lines
    of a projector), saying which of them the pictures draw only as hairlines (``bars``:
    :func:`picture_bars`; :func:`~app.timeline.drawn.hairlines_of`), and the words of rows
    that stand for several (``grouped``: :func:`grouped_shown`)."""
    traces = [run.trace for run in session.shown_runs()]
    marks = marks_shown(traces, by_request, tails_shown, grouped)
    by = "requests" if by_request else "workers"
    kinds = legend_kinds(traces, by, painted)
    thin = hairlines_of(bars, kinds) if painted is not None else frozenset()
    legend.set_kinds(kinds, marks, thin)


def explain_live(legend: QtLegend, session: Session, grouped: Collection[str] = ()) -> None:
    """While a run goes, the legend explains what is on screen so far, not every kind (a
    key of all of them took a third of a projector's lanes); it changes only when a new
    kind appears. No lane yet ("Sending the requests…"): no key, not one of every kind.
    (Not cut to what a picture's pixels showed: the last one read was another picture,
    the window's empty one or the last run's, and named none of these.) ``grouped``: the
    words of the rows that stand for several, as :func:`explain_shown`'s."""
    traces = _traces_on_screen(session)
    view = session.view
    kinds = legend_kinds(traces, view.by) if traces else ()
    # The thin faint bars once some are drawn (the other side's finished run's too).
    marks = marks_shown(traces, view.by == "requests", view.tails, grouped)
    shown = (legend.kinds, legend.marks, legend.thin)
    if (kinds, marks, frozenset()) != shown:  # (no thin kinds: not a picture's key)
        legend.set_kinds(kinds, marks)


def _traces_on_screen(session: Session) -> list[Trace]:
    """While a run goes: its snapshot, and in compare mode the other side's finished run
    unless that side waits to run (``close_call.on_screen``, not read off the timelines)."""
    live = session.live_trace
    traces = [live] if live is not None and live.lanes else []
    for side in session.sides:
        run = close_call.on_screen(session, side) if side is not session.running_side else None
        if run is not None:
            traces.append(run.trace)
    return traces


def painted_kinds(timelines: Iterable[QtTimeline]) -> frozenset[str] | None:
    """The kinds the pixels of the timelines on screen show (``None``: one has no picture
    yet, so the key is not cut to what it shows)."""
    shown = [timeline.drawn_kinds for timeline in timelines if timeline.isVisible()]
    if not shown or any(kinds is None for kinds in shown):
        return None
    return frozenset().union(*(kinds for kinds in shown if kinds is not None))


def grouped_shown(timelines: Iterable[QtTimeline], *, live: bool = False) -> frozenset[str]:
    """The words of the rows that stand for several on the timelines on screen, as their
    last pictures were read (:attr:`~app.widgets.timeline.QtTimeline.grouped`); ``live``:
    of the rows they draw now (no picture is read while a run goes)."""
    shown = [t for t in timelines if t.isVisible()]
    words = (grouped_words(t.rows) if live else t.grouped for t in shown)
    return frozenset().union(*words)


def picture_bars(
    timelines: Iterable[QtTimeline],
) -> list[tuple[frozenset[str], frozenset[str]]]:
    """What each timeline on screen draws only as hairlines, and as bars (its last picture's:
    :attr:`~app.widgets.timeline.QtTimeline.bars`), for :func:`explain_shown`."""
    return [t.bars for t in timelines if t.isVisible() and t.drawn_kinds is not None]


def _line_at(trace: Trace, ns: int) -> tuple[str | None, int | None]:
    """The view and views.py line of the first request's own code running at ``ns``."""
    for lane in trace.lanes:
        seg = lane.segment_at(ns)
        if seg is not None and seg.line is not None:
            return lane.view, seg.line
    return None, None


def load_replay(replay: QtReplayBar, session: Session) -> None:
    """Give the replay bar the runs on screen: their length as drawn and where their events are;
    while a run goes (B's after A's finished, or a close call's re-runs), none: the bar
    says the replay comes once the run has ended."""
    if session.running:
        replay.wait_for_run()
        return
    runs = session.shown_runs()
    # As far as the picture goes: where Django's clean-up after the last answer would
    # stretch it, it ends a little past that answer (``picture_end_ns``), and so does the
    # replay, whose clock ran on to the clean-up's end past an axis that had stopped (a
    # 2,000-request run's: 9.5 s on a 7.5 s axis, no room on it for a note saying why).
    ends = [r.trace.ms(picture_end_ns(r.trace)) for r in runs]
    replay.set_duration(max(ends) if ends else 0.0)
    traces = [r.trace for r in runs]
    replay.set_events(lambda: event_times(traces))  # at the first step: not on screen


def follow_playhead(
    ms: float, session: Session, timelines: Mapping[Side, QtTimeline], code: QtCode
) -> None:
    """Show the runs as they stood ``ms`` after their first send (``ms < 0``: all of it).
    Each side's start comes from the session's run, not from what a timeline holds."""
    for side, timeline in timelines.items():
        side_run = session.runs[side]
        cut = None if ms < 0 or side_run is None else side_run.trace.t0_ns + int(ms * 1e6)
        timeline.set_cutoff(cut)
    run = session.runs[session.shown_side]
    if run is not None and not session.running:
        if ms < 0:
            code.highlight_file_line(None, None)
        else:
            code.highlight_file_line(*_line_at(run.trace, run.trace.t0_ns + int(ms * 1e6)))
