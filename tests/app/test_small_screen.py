"""The desk window fits a 1280×720 projector: nothing under the lanes falls off the screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

#: A 1280×720 screen less a window manager's title bar and a panel.
SCREEN_W, SCREEN_H = 1280, 720 - 40


def test_the_window_fits_a_1280_by_720_screen_with_its_legend_and_replay_bar(window, qtbot):
    hint = window.minimumSizeHint()
    assert hint.width() <= SCREEN_W and hint.height() <= SCREEN_H, hint
    window.resize(SCREEN_W, SCREEN_H)
    qtbot.waitUntil(lambda: window.height() <= SCREEN_H)
    # Everything under the lanes is inside the window, not cut by its bottom edge.
    for widget in (window.legend, window.replay):
        bottom = widget.mapTo(window, widget.rect().bottomLeft()).y()
        assert widget.isVisible() and bottom <= window.height(), (widget, bottom)
    # The results scroll instead: every figure is still there to scroll to.
    metrics = window.metrics
    assert metrics.height() >= metrics.minimumSizeHint().height()


@pytest.mark.slow
def test_on_a_1280_screen_the_lanes_are_the_biggest_thing_and_the_docks_share_a_side(window, qtbot):
    # Side by side the dials and the results took 780 of 1280 px: the lanes had 475 (37 %).
    window.resize(SCREEN_W, SCREEN_H)
    docks = window.desk_docks
    qtbot.waitUntil(lambda: docks.tabbed and window.timeline.width() >= 0.6 * window.width())
    dials, results = window.docks

    def in_front(dock) -> bool:  # a dock behind its tab is moved off the window, not hidden
        return not dock.visibleRegion().isEmpty()

    qtbot.waitUntil(lambda: in_front(dials) and not in_front(results))
    assert window.timeline.width() > 2 * dials.width()
    assert {window.dockWidgetArea(d) for d in window.docks} == {
        Qt.DockWidgetArea.LeftDockWidgetArea
    }
    # A run starting brings its figures to the front, beside its lanes.
    window.session.events.running.emit(True)
    qtbot.waitUntil(lambda: in_front(results) and not in_front(dials))
    window.session.events.running.emit(False)
    # On a projector neither shows; back at the desk both are there again, as tabs.
    window.session.view.set_presentation(True)
    qtbot.wait(200)
    window.session.view.set_presentation(False)
    qtbot.wait(200)  # the desk's geometry back before the test sets its own
    window.resize(SCREEN_W, SCREEN_H)
    qtbot.waitUntil(lambda: docks.tabbed and (in_front(dials) or in_front(results)))
    # On a wide screen each has its side again.
    window.resize(1920, 1000)
    qtbot.waitUntil(lambda: not docks.tabbed)
    assert window.dockWidgetArea(results) == Qt.DockWidgetArea.RightDockWidgetArea
    qtbot.waitUntil(lambda: in_front(dials) and in_front(results))
