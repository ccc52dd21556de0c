"""What a finished run sets going in the window: the replay, and the legend's key to it.

A replay moves the lanes, and the figures and plots with them.

A replay that showed the final figures while the lanes were still growing would give the
ending away, so the metrics panel is fed the run as it stood at the playhead
(:func:`~simulator.metrics.replay.trace_at`); when the replay ends it shows the whole run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.theme import kinds_shown
from simulator.metrics.replay import event_times, trace_at
from simulator.trace import Trace

if TYPE_CHECKING:
    from app.window.main_window import QtMainWindow

__all__ = ["explain_shown", "follow_playhead", "load_replay"]


def explain_shown(w: QtMainWindow) -> None:
    """The legend explains the kinds on screen, and the thin after-answer bars if some are
    drawn (a key of everything would take three lines of a projector)."""
    traces = [run.trace for run in w.session.shown_runs()]
    tails = w.tails_action.isChecked() and any(
        lane.end_ns > lane.done_ns for trace in traces for lane in trace.lanes
    )
    w.legend.set_kinds(kinds_shown(traces), tails=tails)


def _line_at(trace: Trace, ns: int) -> tuple[str | None, int | None]:
    """The view and views.py line of the first request's own code running at ``ns``."""
    for lane in trace.lanes:
        seg = lane.segment_at(ns)
        if seg is not None and seg.line is not None:
            return lane.view, seg.line
    return None, None


def load_replay(w: QtMainWindow) -> None:
    """Give the replay bar the runs on screen: their length and where their events are."""
    runs = w.session.shown_runs()
    w.replay.set_duration(max(r.trace.ms(r.trace.last_ns) for r in runs) if runs else 0.0)
    w.replay.set_events(event_times([r.trace for r in runs]))


def follow_playhead(w: QtMainWindow, ms: float) -> None:
    """Show the runs as they stood ``ms`` after their first send (``ms < 0``: all of it)."""
    for timeline in w.timelines.values():
        t0 = timeline.trace.t0_ns
        timeline.set_cutoff(None if ms < 0 else t0 + int(ms * 1e6))
    run = w.session.runs[w.session.shown_side]
    if run is not None and not w.session.running:
        if ms < 0:
            w.metrics.set_trace(run.trace, run.summary)
            w.code.highlight_file_line(None, None)
        else:
            now_ns = run.trace.t0_ns + int(ms * 1e6)
            w.metrics.set_trace(trace_at(run.trace, now_ns))
            w.code.highlight_file_line(*_line_at(run.trace, now_ns))
    w.stop_action.setEnabled(w.session.running or w.replay.playing)
