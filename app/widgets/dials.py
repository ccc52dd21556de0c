"""The dials panel: every knob of one side's scenario, each a slider with a spin box beside it.

The panel keeps no scenario of its own: it shows the session's and hands every change back
to it (napari's ``QtDims(dims)``), so a lesson's ``io_ms = 150.5`` runs as exactly that.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
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

from app.session import Session, Side
from simulator.catalog import lesson_views
from simulator.dials import DIALS, MAX_PROCESSES, PROCESS_MODES, DialKind
from simulator.scenario import Scenario
from simulator.server_extra import missing_server

__all__ = ["QtDial", "QtDials"]

#: The values a logarithmic dial's slider stops at: steps a class can follow as the
#: teacher drags (1, 2, 4, 8, 10, 20, 50, 100, … 10 000), not 10 then 370.
LADDER = (1, 2, 4, 8, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000)


def ladder(low: float, high: float) -> tuple[float, ...]:
    """The slider's stops for a dial from ``low`` to ``high``: both ends, and the
    :data:`LADDER` rungs between."""
    rungs = [float(v) for v in (0, *LADDER) if low < v < high]
    return (float(low), *rungs, float(high))


#: Digits after the point a number dial shows and accepts (a microsecond, in ms).
_DECIMALS = 3


class _NumberSpinBox(QDoubleSpinBox):
    """A spin box that writes ``150.5 ms``, not ``150.500 ms``, and ``0.5``, not ``1``."""

    def textFromValue(self, value: float) -> str:
        locale = self.locale()
        text = locale.toString(float(value), "f", self.decimals())
        if not self.isGroupSeparatorShown():
            text = text.replace(locale.groupSeparator(), "")
        point = locale.decimalPoint()
        if point in text:
            text = text.rstrip("0").rstrip(point)
        return text


class QtDial(QWidget):
    """A dial: a slider (stopping at 1, 2, 4, 8, 10, 20, 50… where the range is wide) and a
    spin box.

    ``whole`` dials hold whole numbers; the others hold any number in range, exactly: the
    spin box shows it to a microsecond, and :meth:`value` is the number that was set or
    typed, never the slider's coarse step nor the spin box's rounding. The spin box's range
    is the dial's, so an out-of-range value cannot be entered.
    """

    valueChanged = Signal(object)  # int for whole dials, float otherwise

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
        self.low, self.high, self.log, self.whole = low, high, log, whole
        self._value: float = low
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self._stops = ladder(low, high) if log else ()
        self.slider.setRange(0, len(self._stops) - 1 if log else int(high - low))
        self.spin: QSpinBox | _NumberSpinBox
        if whole:
            self.spin = QSpinBox()
            self.spin.setRange(int(low), int(high))
        else:
            self.spin = _NumberSpinBox()
            self.spin.setDecimals(_DECIMALS)
            self.spin.setRange(low, high)
        self.spin.setSuffix(suffix)
        self.spin.setAccelerated(True)
        self.spin.setKeyboardTracking(False)
        widest = f"{high:g}{'' if whole else '.5'}{suffix}"
        self.spin.setMinimumWidth(self.spin.fontMetrics().horizontalAdvance(widest) + 40)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        self._show(low)
        self.slider.valueChanged.connect(self._on_slider_changed)
        self.spin.valueChanged.connect(self.setValue)

    def value(self) -> float:
        return self._value

    def setValue(self, value: float) -> None:
        """Hold ``value`` (brought into range; whole dials round it) and show it."""
        value = min(max(value, self.low), self.high)
        value = int(round(value)) if self.whole else float(value)
        self._show(value)
        if value != self._value:
            self._value = value
            self.valueChanged.emit(value)

    def _show(self, value: float) -> None:
        for widget in (self.spin, self.slider):
            widget.blockSignals(True)
        if isinstance(self.spin, QSpinBox):
            self.spin.setValue(int(round(value)))
        else:
            self.spin.setValue(value)
        self.slider.setValue(self._to_slider(value))
        for widget in (self.spin, self.slider):
            widget.blockSignals(False)

    def _to_slider(self, value: float) -> int:
        if not self.log:
            return round(value - self.low)
        # The nearest stop, on a log scale (a typed 300 sits between 200 and 500).
        return min(
            range(len(self._stops)),
            key=lambda i: abs(math.log1p(self._stops[i]) - math.log1p(value)),
        )

    def _from_slider(self, position: int) -> float:
        if not self.log:
            return position + self.low
        return self._stops[max(0, min(position, len(self._stops) - 1))]

    def _on_slider_changed(self, position: int) -> None:
        # The slider is coarse: only a move to another position changes the value.
        if self._to_slider(self._value) != position:
            self.setValue(self._from_slider(position))


class QtDials(QWidget):
    """Edits one side of a :class:`~app.session.Session`: its scenario, dial by dial."""

    def __init__(
        self, session: Session, side: Side | str = Side.A, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session, self.side = session, Side(side)
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
        # Real servers: worker processes on loopback. Without the extra they stay listed,
        # greyed, with the command that installs them.
        self.uvicorn = QRadioButton("uvicorn (worker processes)")
        self.gunicorn = QRadioButton("gunicorn (worker processes)")
        self._mode_buttons = {
            "asgi": self.asgi,
            "wsgi": self.wsgi,
            "uvicorn": self.uvicorn,
            "gunicorn": self.gunicorn,
        }
        self._modes = QButtonGroup(self)
        modes = QVBoxLayout()
        modes.setSpacing(2)
        for mode, button in self._mode_buttons.items():
            self._modes.addButton(button)
            modes.addWidget(button)
            if (missing := missing_server(mode)) is not None:
                button.setEnabled(False)
                button.setText(f"{button.text()}: not installed")
                button.setToolTip(missing)

        def dial(name: str, suffix: str = "", log: bool = False) -> QtDial:
            spec = DIALS[name]
            return QtDial(
                spec.low, spec.high, suffix=suffix, log=log, whole=spec.kind is DialKind.WHOLE
            )

        self.workers = dial("workers", log=True)
        self.requests = dial("requests", log=True)
        self.io_ms = dial("io_ms", " ms", log=True)
        self.cpu_ms = dial("cpu_ms", " ms", log=True)
        self.arrival_ms = dial("arrival_ms", " ms", log=True)
        self.concurrency = dial("concurrency", log=True)
        self.fanout = dial("fanout")
        self.worker_class = QComboBox()
        self.worker_class.addItem("sync: one request per process", "sync")
        self.worker_class.addItem("gthread: threads in each process", "gthread")
        self.threads = dial("threads", log=True)
        self.middleware = QComboBox()
        self.middleware.addItem("async-capable only", "async")
        self.middleware.addItem("with a sync-only middleware", "sync")
        self.middleware.addItem("Django's default stack (startproject)", "django")

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("View", self.view)
        form.addRow(self.description)
        form.addRow("Server", modes)
        form.addRow("Worker threads", self.workers)
        form.addRow("gunicorn workers", self.worker_class)
        form.addRow("Threads each", self.threads)
        form.addRow("Requests", self.requests)
        form.addRow("I/O wait", self.io_ms)
        form.addRow("CPU work", self.cpu_ms)
        form.addRow("Arrive every", self.arrival_ms)
        form.addRow("At most in flight", self.concurrency)
        form.addRow("Fan-out calls", self.fanout)
        form.addRow("Middleware", self.middleware)
        self._labels = {
            w: form.labelForField(w)
            for w in (self.workers, self.fanout, self.worker_class, self.threads)
        }
        self.arrival_ms.setToolTip("0 sends every request at once")
        self.concurrency.setToolTip(
            "A load tool's -c: at most this many requests in flight, the next sent when one "
            "answers; 0 sends the whole burst at once"
        )
        self.workers.setToolTip(
            "WSGI only: how many threads serve requests, first come first served"
        )
        self.fanout.setToolTip("Fan-out views only: how many upstream calls each request makes")

        self._update_widgets(self.scenario)
        session.events.scenario.connect(self._on_session_scenario)
        self.view.currentIndexChanged.connect(self._on_widget_changed)
        self._modes.buttonToggled.connect(self._on_widget_changed)
        self.middleware.currentIndexChanged.connect(self._on_widget_changed)
        self.worker_class.currentIndexChanged.connect(self._on_widget_changed)
        for widget in self._dials():
            widget.valueChanged.connect(self._on_widget_changed)

    @property
    def scenario(self) -> Scenario:
        """The side's scenario, as the session holds it."""
        return self.session.scenario(self.side)

    def set_scenario(self, scenario: Scenario) -> None:
        """Give the side new dials (the widgets follow the session)."""
        self.session.set_scenario(self.side, scenario)

    def _dials(self) -> tuple[QtDial, ...]:
        return (
            self.workers,
            self.requests,
            self.io_ms,
            self.cpu_ms,
            self.arrival_ms,
            self.concurrency,
            self.fanout,
            self.threads,
        )

    def _on_session_scenario(self, side: Side, scenario: Scenario) -> None:
        if side == self.side:
            self._update_widgets(scenario)

    def _update_widgets(self, scenario: Scenario) -> None:
        """Show ``scenario``'s dials without echoing each widget's change back."""
        widgets = (
            self.view,
            *self._mode_buttons.values(),
            self.middleware,
            self.worker_class,
            *self._dials(),
        )
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.view.setCurrentIndex(max(0, self.view.findData(scenario.view)))
            self._mode_buttons[scenario.mode].setChecked(True)
            self.worker_class.setCurrentIndex(
                max(0, self.worker_class.findData(scenario.worker_class))
            )
            self.threads.setValue(scenario.threads)
            self.middleware.setCurrentIndex(max(0, self.middleware.findData(scenario.middleware)))
            self.workers.setValue(scenario.workers)
            self.requests.setValue(scenario.requests)
            self.io_ms.setValue(scenario.io_ms)
            self.cpu_ms.setValue(scenario.cpu_ms)
            self.arrival_ms.setValue(scenario.arrival_ms)
            self.concurrency.setValue(scenario.concurrency)
            self.fanout.setValue(scenario.fanout)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self._update_hints(scenario)

    def _update_hints(self, scenario: Scenario) -> None:
        """The view's description, and which dials apply to it (workers: WSGI only)."""
        info = self._views[scenario.view]
        self.description.setText(info.description)
        gunicorn = scenario.mode == "gunicorn"
        gthread = gunicorn and scenario.worker_class == "gthread"
        for widget, enabled in (
            (self.workers, scenario.mode != "asgi"),
            (self.fanout, info.uses_fanout),
            (self.worker_class, gunicorn),
            (self.threads, gthread),
        ):
            widget.setEnabled(enabled)
            if self._labels[widget] is not None:
                self._labels[widget].setEnabled(enabled)
        label = self._labels[self.workers]
        if isinstance(label, QLabel):  # processes for real servers, threads in-process
            label.setText("Worker processes" if scenario.in_processes else "Worker threads")

    def _read(self) -> Scenario:
        mode = next(m for m, b in self._mode_buttons.items() if b.isChecked())
        workers = int(self.workers.value())
        if mode in PROCESS_MODES:
            workers = min(workers, MAX_PROCESSES)  # the slider goes on to 256 threads
        return self.scenario.replace(
            view=self.view.currentData(),
            mode=mode,
            workers=workers,
            worker_class=self.worker_class.currentData(),
            threads=int(self.threads.value()),
            requests=int(self.requests.value()),
            io_ms=float(self.io_ms.value()),
            cpu_ms=float(self.cpu_ms.value()),
            arrival_ms=float(self.arrival_ms.value()),
            concurrency=int(self.concurrency.value()),
            fanout=int(self.fanout.value()),
            middleware=self.middleware.currentData(),
        )

    def _on_widget_changed(self, *args: object) -> None:
        scenario = self._read()
        self.session.set_scenario(self.side, scenario)
        self._update_hints(scenario)
