"""The model's number for a lesson's figure, and when it agrees with a measurement.

One rule, read by ``lesson N --json``, the reveal and ``benchmarks/model.py``: the model
agrees when it is within 15% of the measured median (25% at 1,000 requests or more, where a
busy machine's noise and the model's averages both grow), or within an absolute floor that
a class cannot tell apart: 0.5 ms for ``framework_ms_per_request``, 20 ms for other times,
1 for counts.
"""

from __future__ import annotations

from simulator.metrics.figures import FIGURE, Unit
from simulator.metrics.summary import summarize
from simulator.prediction.costs import Costs
from simulator.prediction.model import predict
from simulator.scenario import Scenario

__all__ = ["LARGE_RUN", "agrees", "modelled_figure"]

#: From this many requests the wider tolerance applies.
LARGE_RUN = 1_000


def modelled_figure(figure: str, scenario: Scenario, costs: Costs | None = None) -> float:
    """The model's value of ``figure`` (a key of :data:`~simulator.metrics.figures.FIGURE`)
    for ``scenario``, in the unit ``Summary`` holds it (ms for times)."""
    return FIGURE[figure].value(summarize(predict(scenario, costs)))


def agrees(figure: str, model: float, measured: float, *, large: bool = False) -> bool:
    """Whether ``model`` is close enough to ``measured`` for ``figure``."""
    share = 0.25 if large else 0.15
    unit = FIGURE[figure].unit
    if figure == "framework_ms_per_request":
        floor = 0.5
    elif unit is Unit.MS:
        floor = 20.0
    elif unit is Unit.COUNT:
        floor = 1.0
    else:
        floor = 0.0
    return abs(model - measured) <= max(share * abs(measured), floor)
