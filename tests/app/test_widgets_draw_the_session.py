"""The metrics panel, its plots and presentation mode's line of figures draw the run the
session shows, read when they draw: none keeps a run, none is fed from another widget.

The window runs on a fake runner (the model's lanes, no Django), offscreen.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject

from app.session import Side
from app.session.figures import Shown
from simulator.metrics.figures import FIGURE
from simulator.metrics.summary import Summary
from simulator.trace import Run, Trace

from .test_session import fake_session

#: What no widget may hold: a run, its trace or figures, or the figures on screen.
_RUN_STATE = (Trace, Run, Summary, Shown)


def _run_state_held(root: QObject) -> list[str]:
    """``Class.attribute`` for every widget attribute (or item of a list, tuple or dict
    attribute) holding a run's state, under ``root``. A timeline holds the rows it draws
    (laid out from the trace it was handed), never the run, its trace or its figures."""
    found = []
    for obj in (root, *root.findChildren(QObject)):
        for name, value in vars(obj).items():
            items = value.values() if isinstance(value, dict) else value
            values = items if isinstance(value, list | tuple | dict) else (value,)
            if any(isinstance(v, _RUN_STATE) for v in values):
                found.append(f"{type(obj).__name__}.{name}")
    return found


def _comparing(qtbot, settings, session, size: tuple[int, int] | None = None):
    """The window over ``session``, shown, in compare mode, before any run."""
    from app.window.main_window import QtMainWindow

    window = QtMainWindow(settings=settings, session=session)
    if size is not None:
        window.resize(*size)
    qtbot.addWidget(window)
    window.show()
    window.compare_action.trigger()
    return window


@pytest.fixture
def compare_window(qtbot, qloop, settings):
    """The window over a fake session, in compare mode, after A and B have run."""

    session, _ = fake_session()
    window = _comparing(qtbot, settings, session, size=(1280, 720))
    qloop.run_until_complete(session.run())
    yield window
    if session.running:
        session.stop()
        qloop.run_until_complete(session.wait())


def _makespan(run: Run) -> str:
    return FIGURE["makespan_ms"].text(run.summary)


def _strip_lines(window) -> list[tuple[str, str]]:
    """Presentation mode's figures of each side, left to right: (side, makespan) of each."""
    found = []
    for line in window.figure_strip.text().split("&nbsp;&nbsp;&nbsp;&nbsp;"):
        side, rest = line.split("</b>: ", 1)
        found.append((side.removeprefix("<b>"), rest.split("makespan ", 1)[1].split("</b>")[0][3:]))
    return found


def test_the_panel_its_plots_and_the_line_follow_the_session_s_shown_run(compare_window):
    window = compare_window
    session = window.session
    a, b = session.runs[Side.A], session.runs[Side.B]
    assert _makespan(a) != _makespan(b)  # sync_io under WSGI ×1 against async_io
    # B ran last: its figures; presentation mode's lines give each side its own.
    assert window.metrics.value_text("makespan_ms") == _makespan(b)
    assert _strip_lines(window) == [("A", _makespan(a)), ("B", _makespan(b))]
    peak_b = window.metrics.in_flight.steps().peak
    # The session shows A (the dials tab, a clicker, a test: whoever asks it).
    session.show_side(Side.A)
    assert window.metrics.value_text("makespan_ms") == _makespan(a)
    assert _strip_lines(window) == [("A", _makespan(a)), ("B", _makespan(b))]
    bins = window.metrics.histogram.bins()
    assert bins.answered == a.summary.answered
    assert bins.p95_ms == pytest.approx(a.summary.latency_ms["p95"], rel=0.01)
    assert window.metrics.in_flight.steps().peak == a.summary.peak_in_flight
    assert (a.summary.peak_in_flight, b.summary.peak_in_flight) == (
        window.metrics.in_flight.steps().peak,
        peak_b,
    )


def test_while_b_runs_a_s_figures_are_a_s_and_come_before_b_s(qtbot, qloop, settings):
    # One line under the verdict, named B's, sat over A's panel: while B ran it read
    # "B: makespan — · p95 —" above A's finished lanes, and A's figures were nowhere.

    session, _ = fake_session(seconds=0.2, frames=3)
    window = _comparing(qtbot, settings, session)
    seen: list[list[tuple[str, str]]] = []
    session.events.run_progressed.connect(
        lambda side, *_: seen.append(_strip_lines(window)) if side == Side.B else None
    )
    qloop.run_until_complete(session.run())
    a = _makespan(session.runs[Side.A])
    assert seen and all(lines[0] == ("A", a) and lines[1][0] == "B" for lines in seen)


@pytest.mark.slow
def test_in_a_close_call_s_re_runs_a_s_figures_stay_beside_b_s_while_b_starts(
    qtbot, qloop, settings
):
    # Lesson 24 (A 206 ms in-process, B 213 ms on uvicorn: a close call, run 3 times each):
    # as B's second run started, the line read only "B: makespan — · p95 — · threads held —"
    # while A's just finished lanes stood on screen, and the key dropped their kinds.

    session, ran = fake_session()
    session.set_scenario(Side.B, session.scenario(Side.A))  # the same dials: a close call
    window = _comparing(qtbot, settings, session)
    seen: list[tuple[Side, str, bool, bool]] = []

    def look(side: Side, *_: object) -> None:
        a = session.runs[Side.A]
        first = window.figure_strip.text().split("&nbsp;")[0]
        kinds = bool(window.legend.kinds)  # A's lanes' kinds in the key (B has no lane yet)
        seen.append((side, first, bool(a) and f"makespan <b>{_makespan(a)}</b>" in first, kinds))

    session.events.run_started.connect(look)
    qloop.run_until_complete(session.run())
    assert len(ran) == 6
    b_starts = [(first, a_shown, kinds) for side, first, a_shown, kinds in seen if side == Side.B]
    assert [first.startswith("<b>A</b>: makespan") for first, _, _ in b_starts] == [True] * 3
    assert all(a_shown and kinds for _, a_shown, kinds in b_starts)


@pytest.mark.slow
def test_while_b_s_real_server_starts_its_panel_says_the_phase_the_status_line_says(
    qtbot, qloop, settings
):
    # Lessons 23 and 24: B's panel read "Sending the requests…" above the status line's
    # "Starting B: uvicorn 1 process on 127.0.0.1; the run begins once every worker process
    # has answered a warm-up request…", for the second the server took to start.
    from simulator.scenario import Scenario

    session, _ = fake_session(frames=2)
    uvicorn = Scenario(view="async_io", mode="uvicorn", workers=1, requests=4, io_ms=100)
    session.set_scenario(Side.B, uvicorn)
    window = _comparing(qtbot, settings, session)
    said: list[tuple[str | None, str]] = []

    def look(side: Side, *_: object) -> None:
        if side == Side.B:
            said.append((window.timeline_b.waiting_text, window.statusBar().currentMessage()))

    session.events.run_started.connect(look)
    session.events.run_progressed.connect(look)
    qloop.run_until_complete(session.run())
    (starting_panel, starting_status), *frames = said
    why = "each worker process answers a warm-up request first…"
    assert starting_status == f"Starting B: uvicorn 1 process on 127.0.0.1; {why}"
    assert starting_panel == f"Starting uvicorn 1 process: {why}"
    assert frames and all(
        panel == "Sending the requests…" and status.startswith("Running B… ")
        for panel, status in frames
    )


def test_both_sides_figures_share_one_line_with_the_first_figures_of_each_that_fit(
    compare_window, qtbot
):
    # A line a side took a row of lanes' height from a projector's 720 lines.
    from app.widgets.figure_strip import QtFigureStrip

    strip = QtFigureStrip(compare_window.stage.figures)
    qtbot.addWidget(strip)
    strip.show()
    strip.resize(4000, 40)
    wide = strip.text()
    assert "<br>" not in wide and wide.count("threads held") == 2
    strip.resize(500, 40)
    narrow = strip.text()
    assert "<br>" not in narrow and narrow.count("makespan") == 2
    assert len(narrow) < len(wide) and "threads held" not in narrow


def test_the_replay_cuts_the_figures_at_the_playhead_from_the_session(compare_window):
    window = compare_window
    session = window.session
    session.show_side(Side.A)
    a = session.runs[Side.A]
    first_ms = min(lane.done_ns - a.trace.t0_ns for lane in a.trace.lanes) / 1e6
    session.view.set_replay_ms(first_ms + 1)
    answered = sum(lane.done_ns - a.trace.t0_ns <= (first_ms + 1) * 1e6 for lane in a.trace.lanes)
    assert 0 < answered < a.summary.ok
    assert window.metrics.value_text("ok") == str(answered)
    assert window.metrics.histogram.bins().answered == answered
    # B's line too is as B stood then, not B's final figures.
    b = session.runs[Side.B]
    b_answered = sum(lane.done_ns - b.trace.t0_ns <= (first_ms + 1) * 1e6 for lane in b.trace.lanes)
    assert b_answered < b.summary.ok
    assert _strip_lines(window)[1] != ("B", _makespan(b))
    session.view.set_replay_ms(-1)
    assert window.metrics.value_text("ok") == str(a.summary.ok)
    assert _strip_lines(window) == [("A", _makespan(a)), ("B", _makespan(b))]


def test_no_widget_keeps_a_run_or_its_figures(compare_window):
    window = compare_window
    assert _run_state_held(window) == []
    # The walk sees an attribute holding a run (so an empty list means something).
    window.metrics.leftover = window.session.runs[Side.A]
    window.figure_strip.kept = [window.session.runs[Side.B].trace]
    assert sorted(_run_state_held(window)) == ["QtFigureStrip.kept", "QtMetrics.leftover"]


def test_mid_run_no_widget_keeps_the_live_snapshot(qtbot, qloop, settings):
    from app.window.main_window import QtMainWindow

    session, _ = fake_session(seconds=0.3)
    window = QtMainWindow(settings=settings, session=session)
    qtbot.addWidget(window)
    window.show()
    held: list[list[str]] = []
    shown: list[str] = []

    def look(*_: object) -> None:  # after the figures (bound first) have drawn the frame
        held.append(_run_state_held(window))
        shown.append(window.metrics.value_text("requests"))

    session.events.run_progressed.connect(look)
    qloop.run_until_complete(session.run())
    assert held and all(found == [] for found in held)
    assert shown[0] == f"{session.scenario(Side.A).requests}"  # the live frame was drawn


@pytest.mark.slow
def test_while_a_run_sends_its_first_requests_the_legend_explains_nothing_not_everything(
    qtbot, qloop, settings
):
    # "Sending the requests…" over a key of all fourteen kinds (three lines of a projector,
    # lesson 1's "SQL query" and "the site's Server-Timing" among them), until the first lanes.
    from app.window.main_window import QtMainWindow

    session, _ = fake_session()
    window = QtMainWindow(settings=settings, session=session)
    qtbot.addWidget(window)
    window.show()
    keys: list[tuple[str, ...]] = []
    session.events.run_started.connect(lambda *_: keys.append(window.legend.kinds))
    qloop.run_until_complete(session.run())
    assert keys == [()]
    assert 0 < len(window.legend.kinds) < 6  # the finished run's kinds


def test_a_run_s_first_live_frames_have_a_key_after_a_picture_whose_kinds_were_read(
    qtbot, qloop, settings
):
    # The key of a picture on screen names the kinds its pixels show, read after its paint;
    # a run's live frames are other pictures: their key names what their lanes hold so far.
    # The first frame's took the last picture's kinds (none, a window's empty one) and
    # named nothing: lesson 1's first frames stood with no key under them.
    from app.window.main_window import QtMainWindow

    session, _ = fake_session(seconds=0.3, frames=5)
    window = QtMainWindow(settings=settings, session=session)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.timeline.drawn_kinds is not None)  # the empty one, read
    keys: list[tuple[str, ...]] = []
    session.events.run_progressed.connect(
        lambda _side, trace, _now: keys.append(window.legend.kinds) if trace.lanes else None
    )
    qloop.run_until_complete(session.run())
    assert keys and all(keys)


def test_while_b_runs_the_key_explains_a_s_thin_faint_bars(qtbot, qloop, settings):
    # A's finished lanes end in Django's clean-up, drawn thin and faint, while B's live
    # frames come: the key named their colour only once B had finished (teacher41, lesson 24).
    from app.timeline.spans import longest_tail_ns

    session, _ = fake_session(seconds=0.3, frames=3)
    window = _comparing(qtbot, settings, session)
    seen: list[bool] = []
    session.events.run_progressed.connect(
        lambda side, trace, _now: seen.append(window.legend.tails_shown) if side == Side.B else None
    )
    qloop.run_until_complete(session.run())
    assert longest_tail_ns(session.runs[Side.A].trace) > 0  # (else this shows nothing)
    assert seen and all(seen)
