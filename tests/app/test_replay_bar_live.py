"""While a run goes, the replay bar reads as what it is: nothing to replay yet (an empty
scrubber, "Replay once the run has ended"), not a finished run's bar greyed out (a full
scrubber and "0 ms / 0 ms"); once the run has ended, stopped or not, it replays it."""

from __future__ import annotations

import asyncio

import pytest

from app.session import Side
from app.timeline.paint import format_ms
from app.widgets.replay_bar import LIVE_TEXT, QtReplayBar
from app.window.stage import Stage

from .test_session import fake_session


def _seen(bar: QtReplayBar) -> tuple[str, int, bool]:
    """What the class sees of the bar: its text, how full its scrubber is, greyed out."""
    return bar.clock.text(), bar.scrubber.value(), bar.isEnabled()


def _live_and_after(*, compare: bool, stop: bool) -> tuple[list[tuple], tuple, Stage]:
    session, _ = fake_session(seconds=30.0 if stop else 0.01, frames=0 if stop else 4)
    session.set_compare(compare)
    stage = Stage(session)
    live: list[tuple[Side, tuple[str, int, bool]]] = []
    # Connected after the stage's own slot: each frame, what the stage made of it.
    session.events.run_progressed.connect(lambda side, *_: live.append((side, _seen(stage.replay))))

    async def go() -> None:
        session.start()
        while not live:
            await asyncio.sleep(0.005)
        if stop:
            session.stop()
        await session.wait()

    asyncio.run(go())
    return live, _seen(stage.replay), stage


@pytest.mark.slow
def test_while_a_run_goes_the_replay_bar_says_the_replay_comes_after_it(qapp):
    live, after, stage = _live_and_after(compare=True, stop=False)
    assert {side for side, _ in live} == {Side.A, Side.B}  # B ran after A had finished
    for _, (text, scrubbed, enabled) in live:
        assert text == LIVE_TEXT and scrubbed == 0 and not enabled
    text, scrubbed, enabled = after
    total = stage.replay.duration_ms
    assert total > 0 and enabled and scrubbed == stage.replay.scrubber.maximum()
    assert text == f"{format_ms(total)} / {format_ms(total)}"


def test_after_a_stopped_run_the_replay_bar_replays_what_ran(qapp):
    live, after, stage = _live_and_after(compare=False, stop=True)
    assert live and all(seen[0] == LIVE_TEXT for _, seen in live)
    text, scrubbed, enabled = after
    assert enabled and scrubbed == stage.replay.scrubber.maximum()
    assert text != LIVE_TEXT and " / " in text


def test_with_nothing_to_replay_the_scrubber_is_empty(qtbot):
    bar = QtReplayBar()
    qtbot.addWidget(bar)
    bar.set_duration(0.0)
    assert _seen(bar) == ("", 0, False)
