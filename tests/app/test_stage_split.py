"""Compared timelines share the lanes' height by the rows each lays out, not 1:1."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from app.session import Side
from app.session.state import Kept
from app.window.stage_split import MIN_SHARE, height_shares
from tests.app.recorded_runs import load_runs, run_from_data


def test_shares_follow_the_rows_within_a_floor_and_in_steps():
    assert height_shares(10, 10) == (50, 50)
    assert height_shares(15, 5) == (75, 25)
    assert height_shares(4, 33) == (25, 75)  # lesson 9 by thread: A's floor
    assert height_shares(1, 10_000) == (round(MIN_SHARE * 100), 100 - round(MIN_SHARE * 100))
    assert height_shares(0, 30) == (50, 50)  # B waits to run: no rows to go by yet
    for a in range(1, 60):
        for b in range(1, 60):
            share_a, share_b = height_shares(a, b)
            assert share_a + share_b == 100 and share_a % 5 == 0
            assert (share_a >= share_b) if a >= b else (share_a <= share_b)  # more rows: no less


@pytest.mark.slow
def test_lesson_9_by_thread_gives_b_its_thirty_threads_the_room(window):
    _, runs = load_runs(9)
    run_a, run_b = (run_from_data(data, 0) for data in runs)
    window.set_compare(True)
    window.set_by("workers")
    session = window.session
    session.restore(Kept({Side.A: run_a, Side.B: run_b}, {Side.A: [], Side.B: []}, Side.B, None))
    QApplication.processEvents()
    a, b = window.timeline, window.timeline_b
    assert a.row_count < 10 < 30 <= b.row_count
    assert b.height() > 2.5 * a.height()  # 75:25 of the pair
    # Lanes by request: 30 each, an even split again.
    window.set_by("requests")
    QApplication.processEvents()
    assert a.row_count == b.row_count == 30
    assert abs(a.height() - b.height()) <= 2
    # Alone, A has the column.
    window.set_compare(False)
    QApplication.processEvents()
    assert not b.isVisible() and a.height() > 300
