"""The replay bar: play a finished run again from the start, slowed down or sped up."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from .timeline_paint import format_ms

__all__ = ["QtReplayBar", "SPEEDS"]

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)
_SCRUB_STEPS = 1000


class QtReplayBar(QWidget):
    """Play/pause, a scrubber over the run's duration, and a speed choice.

    Emits ``playheadChanged(ms)`` with the time shown (ms from the first send), or
    ``playheadChanged(-1)`` when the replay is over and the whole run should show.
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
        self.speed.setCurrentIndex(SPEEDS.index(0.25))
        self.speed.setToolTip("Replay speed: 0.25× makes a 200 ms run last almost a second")
        self.clock = QLabel("")
        self.clock.setMinimumWidth(self.clock.fontMetrics().horizontalAdvance("0000 ms / 0000 ms"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.play_button)
        layout.addWidget(self.scrubber, 1)
        layout.addWidget(self.clock)
        layout.addWidget(self.speed)
        self._timer = QTimer(self)
        self._timer.setInterval(self.FRAME_MS)
        self._timer.timeout.connect(self._on_tick)
        self.play_button.clicked.connect(self.toggle)
        self.scrubber.sliderMoved.connect(self._on_scrubbed)
        self.set_duration(0.0)

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def set_duration(self, duration_ms: float) -> None:
        """A new run to replay (0: nothing to replay)."""
        self.stop()
        self.duration_ms = duration_ms
        self.setEnabled(duration_ms > 0)
        self.scrubber.setValue(_SCRUB_STEPS)
        self._show_clock(duration_ms)

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
        self.scrubber.setValue(_SCRUB_STEPS)
        self.playheadChanged.emit(-1.0)

    def _on_tick(self) -> None:
        now = time.perf_counter()
        elapsed_ms = (now - (self._last_tick or now)) * 1000
        self._last_tick = now
        self.playhead_ms += elapsed_ms * float(self.speed.currentData())
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
        self.playheadChanged.emit(self.playhead_ms)

    def _show_clock(self, at_ms: float) -> None:
        self.clock.setText(f"{format_ms(at_ms)} / {format_ms(self.duration_ms)}")
