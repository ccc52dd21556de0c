"""The replay bar: play a finished run again from the start, slowed down (to 0.02×) or
stretched over a number of seconds, or stepped from one event to the next, for narration."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from app.timeline.paint import format_ms
from simulator.metrics.replay import next_event

#: Events closer than this share of the run's span are one step of ◀| |▶ (about a pixel
#: of a full-width timeline, and less than a class can see).
VISIBLE_SHARE = 0.01

__all__ = ["LIVE_TEXT", "OVER_SECONDS", "QtReplayBar", "SPEEDS"]

#: Speeds to choose from: 0.02× makes a 200 ms run last 10 s.
SPEEDS = (0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
#: "Play over N seconds": whatever the run's length, the replay lasts this long.
OVER_SECONDS = (5, 10, 20, 30, 60)
_SCRUB_STEPS = 1000
#: What the bar says while a run goes: there is nothing to replay until it has ended.
LIVE_TEXT = "Replay once the run has ended"


class QtReplayBar(QWidget):
    """Play/pause, a scrubber over the run's duration, and a speed choice.

    Emits ``playheadChanged(ms)`` with the time shown (ms from the first send), or
    ``playheadChanged(-1)`` when the replay is over or at its end and the whole run should
    show.

    With nothing to replay it is greyed out with its scrubber empty, and while a run goes
    (:meth:`wait_for_run`) it says the replay comes once the run has ended: a full scrubber
    and "0 ms / 0 ms" read as a finished run's replay. It stays in its place all the while
    (hidden, it would give its height to the lanes mid-run and take it back at the end,
    and every live row would move twice).
    """

    playheadChanged = Signal(float)
    FRAME_MS = 16

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.duration_ms = 0.0
        self.playhead_ms = 0.0
        self._last_tick: float | None = None
        self.play_button = QToolButton()
        self.play_button.setText("▶ Replay")
        self.play_button.setToolTip("Replay the run from the start (Ctrl+R)")
        self.play_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.scrubber = QSlider(Qt.Orientation.Horizontal)
        self.scrubber.setRange(0, _SCRUB_STEPS)
        self.scrubber.setToolTip("Drag to any moment of the run")
        self.speed = QComboBox()
        for speed in SPEEDS:
            self.speed.addItem(f"{speed:g}×", speed)
        for seconds in OVER_SECONDS:
            self.speed.addItem(f"over {seconds} s", -float(seconds))  # negative: a length
        self.speed.setCurrentIndex(self.speed.findData(-10.0))
        self.speed.setToolTip(
            "Replay speed (0.02× makes a 200 ms run last 10 s), or how long the whole replay lasts"
        )
        self.back_button = QToolButton()
        self.back_button.setText("◀|")
        self.back_button.setToolTip(
            "Step back to the previous visible change (events closer than 1% of the run are one)"
        )
        self.next_button = QToolButton()
        self.next_button.setText("|▶")
        self.next_button.setToolTip(
            "Step to the next visible change (events closer than 1% of the run are one)"
        )
        self._events: list[float] | Callable[[], list[float]] = []
        self.clock = QLabel("")
        self.clock.setMinimumWidth(self.clock.fontMetrics().horizontalAdvance("0000 ms / 0000 ms"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.play_button)
        layout.addWidget(self.back_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.scrubber, 1)
        layout.addWidget(self.clock)
        layout.addWidget(self.speed)
        self._timer = QTimer(self)
        self._timer.setInterval(self.FRAME_MS)
        self._timer.timeout.connect(self._on_tick)
        self.play_button.clicked.connect(self.toggle)
        self.back_button.clicked.connect(lambda: self.step(forward=False))
        self.next_button.clicked.connect(lambda: self.step(forward=True))
        self.scrubber.sliderMoved.connect(self._on_scrubbed)
        self.set_duration(0.0)

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def speed_factor(self) -> float:
        """Run milliseconds per real millisecond at the chosen speed or length."""
        chosen = float(self.speed.currentData())
        if chosen > 0:
            return chosen
        return self.duration_ms / (-chosen * 1000) if self.duration_ms > 0 else 1.0

    def set_events(self, events_ms: list[float] | Callable[[], list[float]]) -> None:
        """The moments "step" stops at (sorted, ms from the first send), or how to find
        them: worked out at the first step, not as the run comes on screen (16-18 ms of a
        10,000-request run's first turn on screen, for a button few press).
        """
        self._events = events_ms

    @property
    def events_ms(self) -> list[float]:
        """The moments "step" stops at (worked out on first use)."""
        if callable(self._events):
            self._events = self._events()
        return self._events

    def step(self, *, forward: bool) -> None:
        """Pause, and show the run at the next (or previous) event."""
        if self.duration_ms <= 0:
            return
        self.pause()
        at = self.playhead_ms if self.scrubber.value() < _SCRUB_STEPS else self.duration_ms
        if forward and at >= self.duration_ms:
            at = -1.0  # from the whole run, "next" starts again at the first event
        # The next *visible* change: events closer than 1% of the run are one step.
        gap = self.duration_ms * VISIBLE_SHARE
        target = next_event(self.events_ms, at, forward, min_gap_ms=gap)
        if target is None:
            target = self.duration_ms if forward else 0.0
        self.playhead_ms = min(target, self.duration_ms)
        self._emit()

    def set_duration(self, duration_ms: float) -> None:
        """A new run to replay, shown whole (0: nothing to replay)."""
        self._load(duration_ms, "")

    def wait_for_run(self) -> None:
        """A run goes: nothing to replay until it has ended, and the bar says so."""
        self._load(0.0, LIVE_TEXT)

    def _load(self, duration_ms: float, none_text: str) -> None:
        """Replay ``duration_ms`` of run; with none, an empty scrubber and ``none_text``."""
        self.stop()
        self.duration_ms = duration_ms
        self.setEnabled(duration_ms > 0)
        self.scrubber.setValue(_SCRUB_STEPS if duration_ms > 0 else 0)
        if duration_ms > 0:
            self._show_clock(duration_ms)
        else:
            self.clock.setText(none_text)

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if self.duration_ms <= 0:
            return
        if self.playhead_ms >= self.duration_ms or self.scrubber.value() >= _SCRUB_STEPS:
            self.playhead_ms = 0.0
        self._last_tick = time.perf_counter()
        self._timer.start()
        self.play_button.setText("❚❚ Pause")
        self._emit()

    def pause(self) -> None:
        self._timer.stop()
        self.play_button.setText("▶ Replay")

    def stop(self) -> None:
        """End the replay and show the whole run."""
        self.pause()
        self.playhead_ms = self.duration_ms
        self._emit()

    def _on_tick(self) -> None:
        now = time.perf_counter()
        elapsed_ms = (now - (self._last_tick or now)) * 1000
        self._last_tick = now
        self.playhead_ms += elapsed_ms * self.speed_factor()
        if self.playhead_ms >= self.duration_ms:
            self.stop()
            return
        self._emit()

    def _on_scrubbed(self, position: int) -> None:
        self.playhead_ms = self.duration_ms * position / _SCRUB_STEPS
        self._emit()

    def _emit(self) -> None:
        self.scrubber.blockSignals(True)
        self.scrubber.setValue(round(self.playhead_ms / max(self.duration_ms, 1e-9) * _SCRUB_STEPS))
        self.scrubber.blockSignals(False)
        self._show_clock(self.playhead_ms)
        # At its end, the whole run (as :meth:`stop` shows it): the picture may end before
        # Django's clean-up after the last answer (``picture_end_ns``), which the run at
        # that moment would leave out of its figures.
        at_end = self.playhead_ms >= self.duration_ms
        self.playheadChanged.emit(-1.0 if at_end else self.playhead_ms)

    def _show_clock(self, at_ms: float) -> None:
        self.clock.setText(f"{format_ms(at_ms)} / {format_ms(self.duration_ms)}")
