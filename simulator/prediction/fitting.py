"""What requests cost among others, fitted by the model itself to bursts measured here.

A burst's makespan is not its requests' costs added up: the loop's iterations, the GIL's
turns, the answers overlapping the requests still coming in all shape it. So each of these
costs is read as the value that makes the model (:func:`~simulator.prediction.flows.simulate`)
give the makespan measured for one burst, the others held as fitted before it: the shipped
defaults were fitted the same way on a quiet machine's
``benchmarks/model.py`` table (:class:`~simulator.prediction.costs.Costs` says from which
rows). ``async-lanes calibrate`` (:func:`~simulator.prediction.measuring.measure_costs`)
measures the bursts and calls :func:`fit_bursts`.
"""

from __future__ import annotations

from dataclasses import replace

from simulator.metrics.summary import summarize
from simulator.prediction.costs import Costs
from simulator.prediction.flows import simulate
from simulator.scenario import Scenario

__all__ = ["BURSTS", "fit_bursts"]

#: The burst each cost is fitted to, in the order they are fitted: a cost fitted later
#: holds the earlier ones as fitted (the thread's costs build on a request's).
BURSTS: dict[str, Scenario] = {
    "request_cpu_ms": Scenario(view="async_io", requests=100, io_ms=50),
    "growth_per_1000": Scenario(view="async_io", requests=400, io_ms=50),
    "thread_cpu_ms": Scenario(view="sync_io", requests=100, io_ms=50),
    "middleware_thread_ms": Scenario(view="async_io", requests=100, io_ms=50, middleware="sync"),
    "http_call_ms": Scenario(view="async_fanout", requests=40, io_ms=50, fanout=4),
    "db_connect_ms": Scenario(view="sync_orm", requests=40, io_ms=50),
    "wsgi_request_cpu_ms": Scenario(view="sync_io", mode="wsgi", workers=4, requests=100, io_ms=0),
}
#: The most each cost may be fitted to (a busy machine's burst can read any time at all):
#: several times what a quiet machine measures.
_HIGHEST = {
    "request_cpu_ms": 8.0,
    "growth_per_1000": 3.0,
    "thread_cpu_ms": 8.0,
    "middleware_thread_ms": 8.0,
    "http_call_ms": 16.0,
    "db_connect_ms": 16.0,
    "wsgi_request_cpu_ms": 8.0,
}
#: Halvings of each cost's range: to within a few thousandths of its highest.
_STEPS = 10
#: The order the costs are fitted in: a request's cost and its growth depend on each
#: other, so both are fitted twice.
_ORDER = (
    "request_cpu_ms",
    "growth_per_1000",
    "request_cpu_ms",
    "growth_per_1000",
    *list(BURSTS)[2:],
)


def fit_bursts(
    makespans: dict[str, float], costs: Costs, at_bound: list[str] | None = None
) -> Costs:
    """``costs`` with each cost of :data:`BURSTS` that ``makespans`` (ms, by cost name)
    has a measured burst for set to the value at which the model's makespan of that burst
    is the measured one (the nearest bound of its range where none is: its name is then
    added to ``at_bound``, for the person calibrating to be told that cost is a bound, not
    a measurement)."""
    for name in _ORDER:
        if name not in makespans:
            continue
        scenario = BURSTS[name]
        low, high = 0.0, _HIGHEST[name]
        for _ in range(_STEPS):
            middle = (low + high) / 2
            trial = replace(costs, **{name: middle})
            if summarize(simulate(scenario, trial)).makespan_ms < makespans[name]:
                low = middle
            else:
                high = middle
        costs = replace(costs, **{name: round((low + high) / 2, 3)})
        bounded = low == 0.0 or high == _HIGHEST[name]  # never moved from one end
        if at_bound is not None and bounded and name not in at_bound:
            at_bound.append(name)
    return costs
