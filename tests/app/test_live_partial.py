"""While a run is live, the view's end steps and the rows keep their places, so a frame is
painted over the last one only where it changed; and what it shows is, pixel for pixel, a
frame painted from scratch: frame after frame, with rows of patterns, answer marks, errors
and tails, and with rows sharing pixel rows."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import app.timeline.live_diff as live_diff
import app.timeline.live_frame as live_frame
from app.timeline.axis import LIVE_STEPS, live_span_ns
from app.timeline.geometry import live_rows_room
from app.widgets.timeline import QtTimeline
from simulator.trace import Lane, Trace

from .test_live_frames import MS, _pixels, _scratch, _snapshots


def _rewritten(n: int, frames: range) -> list[tuple[Trace, int]]:
    """:func:`_snapshots`, but as the engine hands lanes whose past it learnt more of (the
    loop's holds): every few frames some lanes in flight are built anew with their first
    wait ending a little earlier and Django's step drawn earlier, then as before again."""
    out = []
    for k, (trace, now) in enumerate(_snapshots(n, frames)):
        lanes = list(trace.lanes)
        for i, lane in enumerate(lanes):
            segs = lane.segments
            if (i + k) % 4 or lane.status != "running" or len(segs) != 3:
                continue
            queued, step, wait = segs
            moved = (
                replace(queued, end_ns=queued.end_ns - MS),
                replace(step, start_ns=step.start_ns - MS, end_ns=step.end_ns - MS),
                replace(wait, start_ns=wait.start_ns - MS),
            )
            lanes[i] = Lane(
                lane.request_id, lane.view, lane.status, lane.status_code, lane.error,
                lane.sent_ns, lane.done_ns, moved,
            )  # fmt: skip
        out.append((Trace(0, tuple(lanes), trace.loop_thread), now))
    return out


def _run(qtbot, n: int, size, every: int, expected: int) -> tuple[int, list[float], int]:
    """Frames of ``n`` requests every ``every`` ms (lanes whose past changes among them),
    each checked against a from-scratch paint: how many were painted over the last, the
    share of the picture each painted, and how many the view stepped at."""
    live = QtTimeline()
    qtbot.addWidget(live)
    live.resize(*size)
    live.lanes_image.coarse_ok = False
    partial, shares, steps = 0, [], 0
    span = None
    for k, (trace, now) in enumerate(_rewritten(n, range(3, 2 * n + 130, every))):
        live.set_trace(trace, live=True, now_ns=now, expected_rows=expected)
        drawn = _pixels(live)
        t_from, t_to = live.view_range()
        steps += span is not None and t_to - t_from != span
        span = t_to - t_from
        if live.painted is not None:
            partial += 1
            area = sum(r.width() * r.height() for r in live.painted)
            shares.append(area / (size[0] * size[1]))
        exact = _scratch(qtbot, live, trace, now)
        differ = np.argwhere(drawn != exact)
        where = differ[:5].tolist()
        assert not len(differ), f"frame {k} at {now / MS} ms: pixels {where} differ from scratch"
        assert len(np.unique(drawn)) > 6  # lanes of several kinds drawn, not a blank
    return partial, shares, steps


@pytest.mark.parametrize(
    ("n", "size", "every", "expected"),
    [
        (16, (640, 420), 9, 16),  # rows of 22 px: patterns, answer marks, errors, tails
        pytest.param(24, (640, 420), 5, 0, marks=pytest.mark.slow),  # rows counted in steps
        pytest.param(300, (700, 260), 9, 300, marks=pytest.mark.slow),  # rows share pixels
    ],
)
def test_a_live_frame_painted_over_the_last_is_a_from_scratch_paint(
    qtbot, n, size, every, expected
):
    partial, shares, steps = _run(qtbot, n, size, every, expected)
    frames = len(range(3, 2 * n + 130, every))
    # Most frames are painted over the last (a few whole: the view's steps), and those
    # paint a small part of the picture.
    assert partial >= frames // 2, (partial, frames, steps)
    assert steps <= frames - partial
    assert float(np.median(shares)) < 0.35, shares


@pytest.mark.parametrize(
    "broken",
    [
        "rows",  # the rows of lanes built anew left out
        "since",  # a lane built anew painted only from where the last frame's now was
        "errors",  # the errors' plates left out
        "marks",  # what "now" uncovered, without the marks drawn left of their moment
    ],
)
def test_painting_less_than_what_changed_is_caught(qtbot, monkeypatch, broken):
    """The comparison above sees a frame painted over too little, each way it could be."""
    if broken == "rows":
        monkeypatch.setattr(live_frame, "_row_bands", lambda *args: [])
    elif broken == "since":
        late = live_diff.changed_from
        monkeypatch.setattr(
            "app.timeline.live_spans.changed_from",
            lambda dropped, added, rows, lanes, drawn_to: np.maximum(
                late(dropped, added, rows, lanes, drawn_to), drawn_to or 0
            ),
        )
    elif broken == "errors":
        monkeypatch.setattr(live_frame, "_error_rects", lambda *args: [])
    else:
        monkeypatch.setattr(live_frame, "MARK_PX", 0)
    with pytest.raises(AssertionError, match="differ from scratch"):
        _run(qtbot, 16, (640, 420), 9, 16)


def test_the_live_view_keeps_its_span_until_now_reaches_its_edge_then_steps_to_a_round_one():
    spans = []
    shown = 0
    for elapsed_ms in range(5, 4000, 7):
        shown = live_span_ns(elapsed_ms * MS, shown)
        spans.append(shown)
        assert elapsed_ms * MS * 1.03 <= shown  # "now" never at the edge
    steps = sorted(set(spans))
    for span in steps:  # round spans only: 10, 20, 30, 50 ms, 100 ms...
        digits = span / 10 ** int(np.floor(np.log10(span)))
        assert any(np.isclose(digits, step) for step in LIVE_STEPS), span
    # A step every 1.5–2×, not a rescale every frame: a dozen over 5 ms to 4 s.
    assert len(steps) <= 12
    assert all(1.4 <= b / a <= 2.6 for a, b in zip(steps, steps[1:], strict=False))
    assert steps == sorted(steps)  # it never shrinks while live


@pytest.mark.slow
def test_a_zoom_while_live_stays_put_frame_after_frame_and_fit_goes_back_to_the_live_view(
    qtbot,
):
    """The teacher zooms into the first requests while the run goes on: the view stays
    where it was put (frames still exact, painted over the last), and a fit (double-click)
    shows the live view again, ending past "now"."""
    size = (640, 420)
    live = QtTimeline()
    qtbot.addWidget(live)
    live.resize(*size)
    live.lanes_image.coarse_ok = False
    frames = _rewritten(16, range(3, 150, 9))
    zoomed = None
    partial = 0
    for k, (trace, now) in enumerate(frames):
        live.set_trace(trace, live=True, now_ns=now, expected_rows=16)
        if k == 4:
            live.zoom(3.0, size[0] / 3)
            zoomed = live.view_range()
        drawn = _pixels(live)
        if zoomed is not None:
            assert live.view_range() == zoomed
            partial += live.painted is not None
        exact = _scratch(qtbot, live, trace, now)
        assert np.array_equal(drawn, exact), k
    assert partial >= (len(frames) - 5) // 2
    live.fit()
    t_from, t_to = live.view_range()
    assert t_from == 0 and t_to >= frames[-1][1] * 1.03


class _Recorded(QtTimeline):
    """A timeline noting the region of each paint event (what the window sends the screen)."""

    def __init__(self) -> None:
        super().__init__()
        self.regions: list[int] = []

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.regions.append(sum(r.width() * r.height() for r in event.region()))
        super().paintEvent(event)


def test_a_live_frame_repaints_on_screen_only_where_it_changed(qtbot):
    """As the stage asks after each frame (``repaint()``): the paint event covers what the
    frame changed, not the whole timeline, and what is on screen is the frame."""
    size = (640, 420)
    live = _Recorded()
    qtbot.addWidget(live)
    live.resize(*size)
    live.lanes_image.coarse_ok = False
    live.show()
    qtbot.waitExposed(live)
    qtbot.waitUntil(lambda: bool(live.regions))  # its first paint on screen
    frames = _rewritten(16, range(3, 150, 9))
    shares = []
    for trace, now in frames:
        live.set_trace(trace, live=True, now_ns=now, expected_rows=16)
        live.regions.clear()
        live.repaint()
        assert len(live.regions) == (live.painted is None or not live.painted.isEmpty())
        if live.painted is not None and live.regions:
            shares.append(live.regions[0] / (size[0] * size[1]))
    assert len(shares) >= len(frames) // 2
    assert float(np.median(shares)) < 0.35, shares
    exact = _scratch(qtbot, live, *frames[-1])
    assert np.array_equal(_pixels(live), exact)


def test_rows_of_a_live_run_keep_their_place_as_rows_come():
    """Laid out for the requests the run sends, or without that count for a round number
    a quarter more than there are, which only steps up when rows outgrow it."""
    assert live_rows_room(10, 1000, 0) == 1000
    rooms, room = [], 0
    for rows in range(1, 3000, 17):
        room = live_rows_room(rows, 0, room)
        assert rows < room <= max(2.6 * rows, 2)
        rooms.append(room)
    assert rooms == sorted(rooms) and len(set(rooms)) <= 16  # a few steps, not a row each


def test_a_big_run_s_live_frame_is_painted_a_turn_after_its_layout_and_is_the_frame(
    qtbot, monkeypatch
):
    """A frame of a big run (here: from 40 bars) is laid out when the stage hands it and
    painted on the next turn of the event loop, not inside the stage's ``repaint()``: at
    10,000 lanes each half costs tens of ms, and one turn of both held the window that much
    longer. A small run's frame is painted at once. Either way the screen shows the frame."""
    from PySide6.QtWidgets import QApplication

    import app.widgets.timeline as timeline_widget

    monkeypatch.setattr(timeline_widget, "PAINT_LATER_FROM", 40, raising=False)
    live = _Recorded()
    qtbot.addWidget(live)
    live.resize(640, 420)
    live.lanes_image.coarse_ok = False
    live.show()
    qtbot.waitExposed(live)
    qtbot.waitUntil(lambda: bool(live.regions))
    frames = _rewritten(16, range(3, 150, 9))
    later = at_once = 0
    for trace, now in frames:
        live.set_trace(trace, live=True, now_ns=now, expected_rows=16)
        live.regions.clear()
        live.repaint()  # as the stage asks, in the frame's turn
        big = len(live.lanes_image._live.spans) >= 40
        assert bool(live.regions) == (not big), (now, big)  # nothing painted yet if big
        QApplication.sendPostedEvents()  # the next turn (``Session.settle_frame``)
        assert live._picture is not None  # painted by then, big or not
        assert live.regions or (live.painted is not None and live.painted.isEmpty())
        later += big
        at_once += not big
    assert later >= 3 and at_once >= 3
    exact = _scratch(qtbot, live, *frames[-1])
    assert np.array_equal(_pixels(live), exact)


def _ended(qtbot, monkeypatch, later_from: int) -> tuple[_Recorded, list[np.ndarray], bool]:
    """A live run of 16 requests, then its finished trace handed as the stage hands it: the
    timeline's pixels the turn it is handed and after each of the next three turns, and
    whether its bars were split in the turn it was handed."""
    from PySide6.QtWidgets import QApplication

    import app.widgets.timeline as timeline_widget

    monkeypatch.setattr(timeline_widget, "PAINT_LATER_FROM", later_from, raising=False)
    live = _Recorded()
    qtbot.addWidget(live)
    live.resize(640, 420)
    live.show()
    qtbot.waitExposed(live)
    for trace, now in _rewritten(16, range(3, 150, 9)):
        live.set_trace(trace, live=True, now_ns=now, expected_rows=16)
        live.repaint()
        QApplication.sendPostedEvents()
    finished = _snapshots(16, range(200, 201))[0][0]  # every request answered
    assert all(lane.status != "running" for lane in finished.lanes)
    tiles = live.lanes_image.tiles
    live.set_trace(finished)
    shown = [_pixels(live)]
    split_at_once = live.lanes_image.tiles is not tiles
    for _ in range(3):
        QApplication.sendPostedEvents()  # the next turn of the event loop
        shown.append(_pixels(live))
    return live, shown, split_at_once


def test_a_big_run_s_end_is_drawn_over_turns_and_settles_to_the_same_picture(qtbot, monkeypatch):
    """A big run's end (here: from 40 bars) is not drawn in the turn the run hands it: at
    10,000 lanes that turn held the window 90-150 ms with the figures, the legend and the
    timeline's split and raster together. The last live frame shows a turn or two more
    (its bars are split the next turn, painted the one after), then the finished picture,
    pixel for pixel the one drawn at once for a smaller run."""
    _, later, split_at_once = _ended(qtbot, monkeypatch, 40)
    assert not split_at_once
    assert np.array_equal(later[0], later[1])  # the turn after: split, not yet painted
    assert not np.array_equal(later[0], later[-1])  # then painted: the finished run
    _, at_once, split = _ended(qtbot, monkeypatch, 10**9)
    assert split and np.array_equal(at_once[0], at_once[-1])
    assert np.array_equal(later[-1], at_once[-1])
