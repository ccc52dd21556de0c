"""The dials panel: every knob of a scenario, each a slider with a spin box beside it.

Whole-number dials (requests, workers, fan-out) are whole; the others hold the scenario's
value exactly (150.5 ms stays 150.5 ms): the slider is coarse, the spin box is not.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from simulator.catalog import lesson_views
from simulator.scenario import LIMITS, Scenario

if TYPE_CHECKING:
    from .session import Session
    from .session.model import Side

__all__ = ["QtDial", "QtDials"]

_SLIDER_STEPS = 1000
#: Decimals a number dial's spin box keeps (a file's 0.25 ms is 0.25 ms).
NUMBER_DECIMALS = 3


class _NumberSpin(QDoubleSpinBox):
    """A spin box for a number of ms: shows 150.5, not 150.500."""

    def textFromValue(self, value: float) -> str:
        text = self.locale().toString(float(value), "f", self.decimals())
        point = self.locale().decimalPoint()
        if point in text:
            text = text.rstrip("0").rstrip(point)
        return text


class QtDial(QWidget):
    """A dial: a slider (logarithmic where the range is wide) and a spin box.

    ``whole`` dials hold whole numbers; the others keep :data:`NUMBER_DECIMALS` decimals.
    The spin box's range is the dial's range, so an out-of-range value cannot be entered;
    the slider is for quick, coarse changes (whole numbers), the spin box for exact ones.
    """

    valueChanged = Signal(object)

    def __init__(
        self,
        low: float,
        high: float,
        *,
        suffix: str = "",
        log: bool = False,
        whole: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.low, self.high, self.log, self.whole = int(low), int(high), log, whole
        low, high = self.low, self.high
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, _SLIDER_STEPS if log else high - low)
        self.spin: QAbstractSpinBox
        if whole:
            self.spin = QSpinBox()
        else:
            self.spin = _NumberSpin()
            self.spin.setDecimals(NUMBER_DECIMALS)
            self.spin.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        self.spin.setRange(low, high)
        self.spin.setSuffix(suffix)
        self.spin.setAccelerated(True)
        self.spin.setKeyboardTracking(False)
        widest = f"{high}{suffix}" if whole else f"{high}.5{suffix}"
        self.spin.setMinimumWidth(self.spin.fontMetrics().horizontalAdvance(widest) + 40)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        self.slider.valueChanged.connect(self._on_slider_changed)
        self.spin.valueChanged.connect(self._on_spin_changed)

    def value(self) -> int | float:
        return self.spin.value()

    def setValue(self, value: float) -> None:
        self.spin.setValue(int(value) if self.whole else float(value))

    def _to_slider(self, value: float) -> int:
        if not self.log:
            return round(value - self.low)
        span = math.log1p(self.high - self.low)
        return round(math.log1p(value - self.low) / span * _SLIDER_STEPS)

    def _from_slider(self, position: int) -> int:
        if not self.log:
            return position + self.low
        span = math.log1p(self.high - self.low)
        raw = math.expm1(position / _SLIDER_STEPS * span) + self.low
        # Round to 1-2 significant figures so slider values read nicely (200, 1500, 10000).
        if raw >= 10:
            digits = 10 ** (math.floor(math.log10(raw)) - 1)
            raw = round(raw / digits) * digits
        return max(self.low, min(self.high, int(round(raw))))

    def _on_slider_changed(self, position: int) -> None:
        if self._to_slider(self.spin.value()) != position:
            self.spin.setValue(self._from_slider(position))

    def _on_spin_changed(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(self._to_slider(value))
        self.slider.blockSignals(False)
        self.valueChanged.emit(value)


class QtDials(QWidget):
    """Edits a :class:`~simulator.scenario.Scenario`; emits ``scenarioChanged`` on every change."""

    scenarioChanged = Signal(object)

    def __init__(self, scenario: Scenario | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._views = lesson_views()
        self.view = QComboBox()
        for info in self._views.values():
            self.view.addItem(info.name, info.name)
            self.view.setItemData(
                self.view.count() - 1, info.description, Qt.ItemDataRole.ToolTipRole
            )
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setObjectName("viewDescription")

        self.asgi = QRadioButton("ASGI (one event loop)")
        self.wsgi = QRadioButton("WSGI (worker threads)")
        self._modes = QButtonGroup(self)
        self._modes.addButton(self.asgi)
        self._modes.addButton(self.wsgi)
        modes = QVBoxLayout()
        modes.setSpacing(2)
        modes.addWidget(self.asgi)
        modes.addWidget(self.wsgi)

        kinds = Scenario.field_kinds()

        def dial(name: str, suffix: str = "", log: bool = False) -> QtDial:
            low, high = LIMITS[name]
            return QtDial(low, high, suffix=suffix, log=log, whole=kinds[name] == "whole")

        self.workers = dial("workers", log=True)
        self.requests = dial("requests", log=True)
        self.io_ms = dial("io_ms", " ms", log=True)
        self.cpu_ms = dial("cpu_ms", " ms", log=True)
        self.arrival_ms = dial("arrival_ms", " ms", log=True)
        self.fanout = dial("fanout")
        self.middleware = QComboBox()
        self.middleware.addItem("async-capable only", "async")
        self.middleware.addItem("with a sync-only middleware", "sync")

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("View", self.view)
        form.addRow(self.description)
        form.addRow("Server", modes)
        form.addRow("Worker threads", self.workers)
        form.addRow("Requests", self.requests)
        form.addRow("I/O wait", self.io_ms)
        form.addRow("CPU work", self.cpu_ms)
        form.addRow("Arrive every", self.arrival_ms)
        form.addRow("Fan-out calls", self.fanout)
        form.addRow("Middleware", self.middleware)
        self._labels = {w: form.labelForField(w) for w in (self.workers, self.fanout)}
        self.arrival_ms.setToolTip("0 sends every request at once")
        self.workers.setToolTip(
            "WSGI only: how many threads serve requests, first come first served"
        )
        self.fanout.setToolTip("Fan-out views only: how many upstream calls each request makes")

        self.scenario = scenario or Scenario()
        self.set_scenario(self.scenario)
        self.view.currentIndexChanged.connect(self._on_changed)
        self._modes.buttonToggled.connect(self._on_changed)
        self.middleware.currentIndexChanged.connect(self._on_changed)
        for widget in (
            self.workers,
            self.requests,
            self.io_ms,
            self.cpu_ms,
            self.arrival_ms,
            self.fanout,
        ):
            widget.valueChanged.connect(self._on_changed)

    def set_scenario(self, scenario: Scenario) -> None:
        """Show ``scenario``'s dials (no signal for each widget; one ``scenarioChanged``)."""
        widgets = (
            self.view,
            self.asgi,
            self.wsgi,
            self.middleware,
            self.workers,
            self.requests,
            self.io_ms,
            self.cpu_ms,
            self.arrival_ms,
            self.fanout,
        )
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.view.setCurrentIndex(max(0, self.view.findData(scenario.view)))
            (self.asgi if scenario.mode == "asgi" else self.wsgi).setChecked(True)
            self.middleware.setCurrentIndex(max(0, self.middleware.findData(scenario.middleware)))
            self.workers.setValue(scenario.workers)
            self.requests.setValue(scenario.requests)
            self.io_ms.setValue(scenario.io_ms)
            self.cpu_ms.setValue(scenario.cpu_ms)
            self.arrival_ms.setValue(scenario.arrival_ms)
            self.fanout.setValue(scenario.fanout)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self.scenario = scenario
        self._on_changed()

    def bind(self, session: Session, side: Side) -> None:
        """Edit ``side``'s dials of ``session``: show them, and hand every change back."""
        self._session, self._side = session, side
        self.set_scenario(session.scenario(side))
        session.scenario_changed.connect(self._on_session_scenario)
        self.scenarioChanged.connect(self._hand_to_session)

    def _on_session_scenario(self, side: str, scenario: Scenario) -> None:
        if side == self._side and scenario != self.scenario:
            self.set_scenario(scenario)

    def _hand_to_session(self, scenario: Scenario) -> None:
        self._session.set_scenario(self._side, scenario)

    def _number(self, name: str) -> float:
        """The dial's value; the scenario's own where the spin box shows it (a file's
        0.1234 ms is shown as 0.123 ms and still runs as 0.1234 ms)."""
        shown = float(getattr(self, name).value())
        exact = float(getattr(self.scenario, name))
        return exact if round(exact, NUMBER_DECIMALS) == round(shown, NUMBER_DECIMALS) else shown

    def _read(self) -> Scenario:
        return self.scenario.replace(
            view=self.view.currentData(),
            mode="asgi" if self.asgi.isChecked() else "wsgi",
            workers=int(self.workers.value()),
            requests=int(self.requests.value()),
            io_ms=self._number("io_ms"),
            cpu_ms=self._number("cpu_ms"),
            arrival_ms=self._number("arrival_ms"),
            fanout=int(self.fanout.value()),
            middleware=self.middleware.currentData(),
        )

    def _on_changed(self, *args: object) -> None:
        self.scenario = self._read()
        info = self._views[self.scenario.view]
        self.description.setText(info.description)
        wsgi = self.scenario.mode == "wsgi"
        for widget, enabled in ((self.workers, wsgi), (self.fanout, info.uses_fanout)):
            widget.setEnabled(enabled)
            if self._labels[widget] is not None:
                self._labels[widget].setEnabled(enabled)
        self.scenarioChanged.emit(self.scenario)
