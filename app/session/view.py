"""How the runs are shown, with no Qt: which view of the lanes, the after-answer tails, the
palette, presentation mode and the replay's position.

Menus, keys, tabs and the replay bar change it; the widgets follow its events (napari's
``QtDims(dims)``), so a state is never read off another widget or a checked menu entry.
"""

from __future__ import annotations

from typing import Literal

from psygnal import Signal, SignalGroup

__all__ = ["By", "View", "ViewEvents"]

#: The lanes' layouts: one lane per request, or one per thread and the event loop.
By = Literal["requests", "workers"]


class ViewEvents(SignalGroup):
    """by(str), tails(bool), dark(bool), presentation(bool), replay_ms(float): each emitted
    when that part of the view changed (``replay_ms`` < 0: the whole run, no replay)."""

    by = Signal(str)
    tails = Signal(bool)
    dark = Signal(bool)
    presentation = Signal(bool)
    replay_ms = Signal(float)


class View:
    """The view state of a session; every setter emits only on a change."""

    def __init__(self) -> None:
        self.events = ViewEvents()
        self.by: By = "requests"
        self.tails = True
        self.dark = False
        self.presentation = False
        self.replay_ms = -1.0

    def set_by(self, by: By) -> None:
        """``"requests"`` or ``"workers"`` (a file's ``"worker"`` is turned into that by
        :func:`app.timeline.rows.by_value` first)."""
        if by not in ("requests", "workers"):
            raise ValueError(f"by must be 'requests' or 'workers', not {by!r}")
        if by != self.by:
            self.by = by
            self.events.by.emit(by)

    def set_tails(self, shown: bool) -> None:
        if shown != self.tails:
            self.tails = shown
            self.events.tails.emit(shown)

    def set_dark(self, dark: bool) -> None:
        if dark != self.dark:
            self.dark = dark
            self.events.dark.emit(dark)

    def set_presentation(self, on: bool) -> None:
        if on != self.presentation:
            self.presentation = on
            self.events.presentation.emit(on)

    def set_replay_ms(self, ms: float) -> None:
        """Where the replay's playhead is, in ms from the first send (< 0: not replaying)."""
        ms = max(-1.0, ms)
        if ms != self.replay_ms:
            self.replay_ms = ms
            self.events.replay_ms.emit(ms)
