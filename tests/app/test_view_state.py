"""The view state lives in the session: menus, tabs and keys change it, the widgets follow it,
and none reads another widget's state to know how the runs are shown."""

from __future__ import annotations

import pytest

from app.session.view import View


def test_the_view_says_each_change_once_and_refuses_a_layout_it_does_not_know():
    view = View()
    seen: list[tuple[str, object]] = []
    for name in ("by", "tails", "dark", "presentation", "replay_ms"):
        getattr(view.events, name).connect(lambda value, _n=name: seen.append((_n, value)))
    view.set_by("workers")
    view.set_by("workers")
    view.set_tails(False)
    view.set_dark(True)
    view.set_presentation(True)
    view.set_replay_ms(450.0)
    view.set_replay_ms(-5.0)  # the replay is over: the whole run
    assert seen == [
        ("by", "workers"),
        ("tails", False),
        ("dark", True),
        ("presentation", True),
        ("replay_ms", 450.0),
        ("replay_ms", -1.0),
    ]
    with pytest.raises(ValueError, match="by must be 'requests' or 'workers', not 'worker'"):
        view.set_by("worker")  # type: ignore[arg-type]


def test_the_tabs_the_menu_and_the_lanes_follow_the_sessions_view(window):
    view = window.session.view
    view.set_by("workers")
    assert window.by_tabs.currentIndex() == 1
    assert all(timeline.by == "workers" for timeline in window.timelines.values())
    window.by_tabs.setCurrentIndex(0)  # a click on the tab sets the view
    assert view.by == "requests" and window.timeline.by == "requests"
    window.tails_action.trigger()
    assert view.tails is False and not window.tails_action.isChecked()
    view.set_dark(True)
    assert window.dark_action.isChecked() and window.timeline.theme.dark
    view.set_dark(False)
    assert not window.timeline.theme.dark
