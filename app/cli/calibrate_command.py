"""``async-lanes calibrate``: measure this machine's costs for the model, and keep them.

Short real runs (a few seconds: spaced single requests for each phase, bursts for what a
request costs in all and its growth with concurrency) through
:func:`simulator.prediction.measuring.measure_costs`; the result goes to the user's data folder
(:mod:`simulator.prediction.calibration`), where ``predict``, the window and the lessons find
it. A signal stops it with nothing written (the handler's "nothing measured" path).
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import asdict

from simulator.machine import usable_cores
from simulator.prediction.calibration import save_costs
from simulator.prediction.costs import Costs
from simulator.prediction.measuring import measure_costs

from .outputs import say

__all__ = ["command_calibrate"]


def command_calibrate(args: argparse.Namespace) -> int:
    """Measure, save, and print each cost beside the shipped default."""
    say("Calibrating: measuring this machine's costs with short real runs…")
    load, cores = os.getloadavg()[0], usable_cores()
    if load > cores:
        # Others' work stretches every wait and hand-off measured now: say so, keep it (the
        # user asked), and let them measure again when the machine is quiet.
        say(
            f"Warning: the machine is busy (load {load:.1f} on {cores} cores): the costs "
            "measured now come out high; calibrate again when it is quiet."
        )
    start = time.perf_counter()
    at_bound: list[str] = []
    measured = measure_costs(at_bound=at_bound)
    seconds = time.perf_counter() - start
    path = save_costs(measured, seconds)
    defaults = asdict(Costs())
    say(f"{'cost':22} {'this machine':>13} {'shipped':>9}")
    for name, value in asdict(measured).items():
        say(f"{name:22} {value:13.3f} {defaults[name]:9.3f}")
    if at_bound:
        say(
            f"At the bound of its range (the model reaches no burst measured here within it; "
            f"the bound is saved, not a measurement): {', '.join(at_bound)}"
        )
    say(f"Measured in {seconds:.1f} s; saved to {path}")
    say("predict, the window and the lessons use these from now on.")
    return 0
