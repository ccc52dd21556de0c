"""Replay for narration (slow speeds, a length, steps) and a Requests slider a class can
follow."""

from __future__ import annotations

import pytest

from app.widgets.dials import QtDial, ladder
from app.widgets.replay_bar import QtReplayBar

from .answered_lanes import answered


def test_the_requests_slider_stops_at_steps_a_class_can_follow(qtbot):
    dial = QtDial(1, 10_000, log=True)
    qtbot.addWidget(dial)
    seen = []
    for position in range(dial.slider.maximum() + 1):
        dial.slider.setValue(position)
        seen.append(dial.value())
    assert seen == [1, 2, 4, 8, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000]
    assert ladder(0, 64) == (0, 1, 2, 4, 8, 10, 20, 50, 64)
    dial.setValue(300)  # typed: kept exactly, the slider at the nearest stop
    assert dial.value() == 300 and dial._from_slider(dial.slider.value()) in (200, 500)


def test_replay_goes_down_to_a_fiftieth_or_over_a_set_number_of_seconds(qtbot):
    bar = QtReplayBar()
    qtbot.addWidget(bar)
    bar.set_duration(200.0)
    speeds = [bar.speed.itemData(i) for i in range(bar.speed.count())]
    assert min(s for s in speeds if s > 0) == 0.02
    bar.speed.setCurrentIndex(bar.speed.findText("over 10 s"))
    assert bar.speed_factor() == 200.0 / 10_000  # 200 ms of run over 10 000 ms


def test_step_shows_the_next_and_the_previous_event(qtbot):
    bar = QtReplayBar()
    qtbot.addWidget(bar)
    bar.set_duration(300.0)
    bar.set_events([0.0, 50.0, 100.0, 200.0, 300.0])
    shown = []
    bar.playheadChanged.connect(shown.append)
    bar.step(forward=True)
    bar.step(forward=True)
    bar.step(forward=False)
    assert shown == [0.0, 50.0, 0.0]


def test_a_finished_run_s_events_are_found_at_the_first_step_not_as_it_comes_on_screen(
    qtbot, monkeypatch
):
    """Where "step" stops is worked out when the teacher first steps (16-18 ms of a
    10,000-request run's first turn on screen, for a button few press), and it stops at
    the run's events as before."""
    from types import SimpleNamespace

    import app.window.replay as replay
    from simulator.metrics.replay import event_times
    from tests.simulator.test_replay_trace import TRACE

    asked: list[int] = []

    def counted(traces):
        asked.append(1)
        return event_times(traces)

    monkeypatch.setattr(replay, "event_times", counted)
    bar = QtReplayBar()
    qtbot.addWidget(bar)
    session = SimpleNamespace(running=False, shown_runs=lambda: [SimpleNamespace(trace=TRACE)])
    replay.load_replay(bar, session)
    assert not asked  # the run on screen, its events not looked for yet
    shown = []
    bar.playheadChanged.connect(shown.append)
    bar.step(forward=True)
    bar.step(forward=True)
    assert len(asked) == 1 and bar.events_ms == event_times([TRACE])
    assert shown == event_times([TRACE])[:2]


def test_the_replay_ends_where_the_picture_does_not_at_the_end_of_django_s_clean_up(qtbot):
    """A run whose clean-up after its last answer would stretch the picture by more than a
    quarter is drawn to a little past that answer: the replay's clock stops there too,
    rather than running on past the axis."""
    from types import SimpleNamespace

    import app.window.replay as replay
    from app.timeline.paint import format_ms
    from simulator.trace import Kind, Segment, Trace

    ms = 1_000_000
    cpu = Segment(Kind.CPU, 0, 10 * ms, "loop")
    tidy = Segment(Kind.FRAMEWORK, 10 * ms, 19 * ms, "loop")
    trace = Trace(0, (answered(0, 0, 10 * ms, cpu, tidy),), "loop")
    bar = QtReplayBar()
    qtbot.addWidget(bar)
    session = SimpleNamespace(running=False, shown_runs=lambda: [SimpleNamespace(trace=trace)])
    replay.load_replay(bar, session)
    assert bar.duration_ms == pytest.approx(10.5)  # the answer at 10 ms, then 5% of the run
    assert bar.clock.text() == f"{format_ms(10.5)} / {format_ms(10.5)}"


def test_the_replay_s_end_shows_the_whole_run_where_its_clean_up_runs_past_the_picture(qtbot):
    """Scrubbed or stepped to its end, the replay shows the run as it ended (playhead < 0:
    the whole run), as it does when it plays to its end: cut at the picture's end instead,
    the figures left out Django's clean-up after the last answer (here Django's framework
    time per request read 0 ms, the run's 7.5) and said "so far"."""
    from types import SimpleNamespace

    import app.window.replay as replay
    from simulator.trace import Kind, Segment, Trace

    ms = 1_000_000
    lanes = tuple(
        answered(
            i,
            i * ms,
            (i + 10) * ms,
            Segment(Kind.CPU, i * ms, (i + 10) * ms, "loop"),
            Segment(Kind.FRAMEWORK, (i + 10) * ms, 40 * ms, "loop"),
        )
        for i in range(4)
    )
    trace = Trace(0, lanes, "loop")
    bar = QtReplayBar()
    qtbot.addWidget(bar)
    session = SimpleNamespace(running=False, shown_runs=lambda: [SimpleNamespace(trace=trace)])
    replay.load_replay(bar, session)
    assert bar.duration_ms < trace.ms(trace.last_ns)  # the picture ends before the clean-up
    shown: list[float] = []
    bar.playheadChanged.connect(shown.append)
    bar.scrubber.setValue(bar.scrubber.maximum() // 2)
    bar._on_scrubbed(bar.scrubber.maximum() // 2)
    assert shown[-1] == pytest.approx(bar.duration_ms / 2)
    bar.scrubber.setValue(bar.scrubber.maximum())
    bar._on_scrubbed(bar.scrubber.maximum())
    assert shown[-1] < 0
    bar.step(forward=False)
    while bar.playhead_ms < bar.duration_ms:
        bar.step(forward=True)
    assert shown[-1] < 0
