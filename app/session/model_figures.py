"""The model's value of a lesson's figure, per scenario, worked out once per session.

The reveal is drawn again on every step back and forth; predicting each time (and reading
this machine's calibration file each time) would redo the same work for the same answer.
"""

from __future__ import annotations

from collections.abc import Callable

from simulator.prediction.agreement import modelled_figure
from simulator.prediction.calibration import Calibration, load_costs
from simulator.scenario import Scenario

__all__ = ["ModelFigures"]


class ModelFigures:
    """``figure(key, scenario)``: the model's value, cached; ``calibration``: the costs used
    (this machine's if calibrated), read once."""

    def __init__(self, load: Callable[[], Calibration] = load_costs) -> None:
        self._load = load
        self._calibration: Calibration | None = None
        self._values: dict[tuple[str, Scenario], float] = {}

    @property
    def calibration(self) -> Calibration:
        if self._calibration is None:
            self._calibration = self._load()
        return self._calibration

    def figure(self, figure: str, scenario: Scenario) -> float:
        key = (figure, scenario)
        if key not in self._values:
            self._values[key] = modelled_figure(figure, scenario, self.calibration.costs)
        return self._values[key]
