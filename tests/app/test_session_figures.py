"""Which run's figures are on screen, decided in the session without Qt (a fake runner).

The metrics panel and presentation mode's line of figures draw :attr:`Figures.shown`; these
tests drive the session as the window does (Run, the dials tab, Predict, the replay, a new
lesson) and check what the class would read there.
"""

from __future__ import annotations

import asyncio
import time

from app.session import Side
from app.session.figures import EVERY_FRAME_LANES, LIVE_COST_SHARE, LIVE_PERIOD_NS, Figures
from simulator.prediction.model import predict
from simulator.scenario import Scenario

from .test_session import FAST, SLOW, fake_session


def _shown_log(figures: Figures) -> list[tuple[int, bool]]:
    """Per ``shown`` event: how many lanes the figures are of (0: none), and whether the
    plots were due."""
    log: list[tuple[int, bool]] = []
    figures.events.shown.connect(
        lambda plots: log.append((len(figures.shown.trace.lanes) if figures.shown else 0, plots))
    )
    return log


def test_no_figures_before_a_run_then_the_run_s_own_once_it_ends():
    session, _ = fake_session(seconds=0.2)  # snapshots every 5 ms: some, even on a busy machine
    figures = Figures(session)
    assert figures.shown is None
    log = _shown_log(figures)
    asyncio.run(session.run())
    run = session.runs[Side.A]
    assert figures.shown is not None
    assert figures.shown.trace is run.trace and figures.shown.summary is run.summary
    assert figures.shown.side is None and not figures.shown.predicted  # one run: no "A:"
    assert log[-1] == (SLOW.requests, True)
    assert (SLOW.requests, True) in log[:-1]  # live snapshots came first


def test_in_compare_mode_the_figures_follow_the_dials_tab_and_name_the_side():
    session, _ = fake_session()
    figures = Figures(session)
    session.set_compare(True)
    asyncio.run(session.run())
    a, b = session.runs[Side.A], session.runs[Side.B]
    assert a.summary != b.summary
    assert figures.shown.summary is b.summary and figures.shown.side is Side.B  # B ran last
    session.show_side(Side.A)
    assert figures.shown.summary is a.summary and figures.shown.side is Side.A
    session.show_side(Side.B)
    assert figures.shown.summary is b.summary


def test_a_new_run_starts_with_no_figures_not_the_last_run_s():
    session, _ = fake_session()
    figures = Figures(session)
    asyncio.run(session.run())
    first = figures.shown
    seen_at_start: list[object] = []
    session.events.run_started.connect(lambda *_: seen_at_start.append(figures.shown))
    asyncio.run(session.run())
    assert seen_at_start == [None]
    assert figures.shown is not first and figures.shown.trace is session.runs[Side.A].trace


def test_while_b_starts_in_compare_mode_the_figures_are_none_and_say_they_wait_for_b():
    """A's lanes stay on screen while B's site starts: the dashes are B's, and the figure
    line said only "makespan — · p95 — · threads held —" under A's finished lanes."""
    session, _ = fake_session()
    figures = Figures(session)
    session.set_compare(True)
    at_start: list[tuple[object, object]] = []
    session.events.run_started.connect(
        lambda *_: at_start.append((figures.shown, figures.starting))
    )
    asyncio.run(session.run())
    assert at_start == [(None, Side.A), (None, Side.B)]
    assert figures.starting is None and figures.shown.side is Side.B
    session.set_compare(False)
    asyncio.run(session.run())
    assert at_start[-1] == (None, None)  # one run: no side to name


def test_in_a_close_call_each_side_runs_again_beside_the_other_s_last_run():
    """Lesson 24's re-runs: as B's second run started, A (queued for its third) had its
    finished lanes on screen and no figures on the line. B waits with its panel empty only
    before its first run; as A runs again, B's last run stays (lesson 16: blanked under "B
    runs after A.", the class took the re-run for a run that broke and restarted)."""
    session, ran = fake_session()
    session.set_scenario(Side.B, session.scenario(Side.A))  # the same dials: a close call
    figures = Figures(session)
    session.set_compare(True)
    at_start: list[tuple[Side, object]] = []
    session.events.run_started.connect(
        lambda side, _: at_start.append((side, figures.other and figures.other.trace))
    )
    asyncio.run(session.run())
    assert len(ran) == 6
    a_runs = [run.trace for run in session.samples[Side.A]]
    b_runs = [run.trace for run in session.samples[Side.B]]
    assert at_start == [(Side.A, None), (Side.B, a_runs[0])] + [
        (Side.A, b_runs[0]),
        (Side.B, a_runs[1]),
        (Side.A, b_runs[1]),
        (Side.B, a_runs[2]),
    ]


def test_a_prediction_is_shown_as_the_model_s_and_a_new_lesson_drops_it():
    session, _ = fake_session()
    figures = Figures(session)
    session.predict(Side.A)
    assert figures.shown.predicted
    assert figures.shown.trace is session.prediction.trace
    session.forget_runs()  # a new lesson's question: no answer of the last one
    assert session.prediction is None
    assert figures.shown is None


def test_runs_forgotten_for_a_new_question_leave_no_figures_and_restored_ones_come_back():
    session, _ = fake_session()
    figures = Figures(session)
    asyncio.run(session.run())
    kept = session.keep()
    session.forget_runs()
    assert figures.shown is None
    session.restore(kept)  # Page Up: the last lesson as the class left it, nothing re-run
    assert figures.shown.trace is session.runs[Side.A].trace


def test_the_replay_shows_the_run_as_it_stood_at_the_playhead_then_all_of_it():
    session, _ = fake_session()
    session.set_scenario(Side.A, Scenario(view="sync_io", mode="wsgi", workers=1, requests=3))
    figures = Figures(session)
    asyncio.run(session.run())
    run = session.runs[Side.A]
    first_answer_ms = min(lane.done_ns for lane in run.trace.lanes) / 1e6 - run.trace.t0_ns / 1e6
    session.view.set_replay_ms(first_answer_ms + 1)  # one answer of three so far
    assert figures.shown.summary.ok == 1 and run.summary.ok == 3
    assert figures.shown.trace is not run.trace and figures.shown.live  # "makespan so far"
    session.view.set_replay_ms(-1)  # the replay ended: the whole run
    assert figures.shown.summary is run.summary and not figures.shown.live


def test_a_big_live_run_s_figures_come_a_few_times_a_second_a_small_one_s_every_frame():
    session, _ = fake_session()
    figures = Figures(session)
    big = predict(Scenario(view="async_io", requests=EVERY_FRAME_LANES + 50))
    small = predict(Scenario(view="async_io", requests=4))
    log = _shown_log(figures)
    session.events.run_started.emit(Side.A, FAST)
    frame = LIVE_PERIOD_NS // 5
    for i in range(11):  # 0 ... 2 periods, a frame every fifth of one
        session.events.run_progressed.emit(Side.A, big, 10**12 + i * frame)
    assert log == [(len(big.lanes), True)] * 3  # at 0, 1 and 2 periods only
    assert figures.shown is not None and figures.shown.live  # its makespan is "so far"
    log.clear()
    for i in range(6):
        session.events.run_progressed.emit(Side.A, small, 10**13 + i * frame)
    # Every frame's figures and plots: the histogram beside the figures counts the same
    # answers (lesson 4 read "Answered 7, p50 so far 877 ms" over "6 answered, p50 777 ms").
    assert [plots for _, plots in log] == [True] * 6


def test_figures_that_cost_more_come_less_often_so_the_lanes_keep_their_share():
    session, _ = fake_session()
    figures = Figures(session)
    big = predict(Scenario(view="async_io", requests=EVERY_FRAME_LANES + 50))
    cost_s = 0.08  # the panel and plots drawing them, on a busy machine
    figures.events.shown.connect(lambda plots: time.sleep(cost_s))
    log = _shown_log(figures)
    session.events.run_started.emit(Side.A, FAST)
    log.clear()
    frame = LIVE_PERIOD_NS // 5
    at: list[int] = []
    for i in range(25):  # 5 periods' frames
        now = 10**12 + i * frame
        session.events.run_progressed.emit(Side.A, big, now)
        if log:
            at.append(now)
            log.clear()
    # At most the set share of the time: each time they took ``cost_s`` at least.
    gaps = [b - a for a, b in zip(at, at[1:], strict=False)]
    assert len(at) >= 2 and min(gaps) >= cost_s * 1e9 / LIVE_COST_SHARE > LIVE_PERIOD_NS


def test_the_side_is_named_only_while_comparing():
    session, _ = fake_session()
    figures = Figures(session)
    asyncio.run(session.run())
    assert figures.shown.side is None
    session.set_compare(True)  # A's run, now one of two: "A:" in the figure line
    assert figures.shown.side is Side.A
    session.set_compare(False)
    assert figures.shown.side is None and figures.shown.trace is session.runs[Side.A].trace
