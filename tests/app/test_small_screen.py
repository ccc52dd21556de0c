"""The desk window fits a 1280×720 projector: nothing under the lanes falls off the screen."""

from __future__ import annotations

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
