"""While Django tidies up after a run's last answer, no frame is drawn: the header says the
lanes on screen are the last frame's, not "running…" beside the answers' figures."""

from __future__ import annotations

import asyncio

from app.session.live import answered_state
from app.window.stage import Stage
from tests.app.test_session_answers import _session, _TidyingRun


def test_while_django_tidies_the_header_says_the_lanes_are_the_last_frames(qapp):
    handles: list[_TidyingRun] = []
    session = _session(handles)
    stage = Stage(session)
    seen: list[str] = []
    # Connected after the stage's own slot: it reads what the stage made of the answers.
    session.events.run_answered.connect(lambda *args: seen.append(stage.header.text()))

    async def go() -> None:
        session.start()
        while not seen:
            await asyncio.sleep(0.005)
        handles[0].tidied.set()
        await session.wait()

    asyncio.run(go())
    assert "every request answered; the lanes as at" in seen[0], seen[0]
    assert "drawn whole once Django has tidied up" in seen[0]
    assert "running" not in seen[0]
    assert "as at" not in stage.header.text()  # the finished run: its own state


def test_with_no_frame_drawn_the_state_promises_no_lanes_as_at_any_time():
    assert answered_state(None) == (
        "every request answered; the lanes are drawn whole once Django has tidied up."
    )
    assert answered_state(4_030_000_000).startswith("every request answered; the lanes as at 4.0 s")
