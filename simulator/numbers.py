"""Numbers read from outside (a lesson file, a header, a dial) are finite and in range.

``inf``, ``nan`` and ``1e308`` are valid floats that TOML, JSON and ``float()`` all accept;
a figure compared with them, a guess slider scaled by them or a lane drawn to them ends in
a traceback far from the file that held them, with every output lost. So every number from
outside passes this one rule where it is read, and a bad one is refused there in one line.
(``embedded_site/server_timing.py`` is the one file a project copies into its own site, so
it applies the same rule to its header without importing this.)
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["LARGEST", "finite_in"]

#: The largest magnitude any figure of this project can honestly reach (ms, counts, ratios):
#: beyond it a number is a mistake or an attack, not a measurement.
LARGEST = 1e12


def finite_in(value: Any, low: float = -LARGEST, high: float = LARGEST) -> bool:
    """Whether ``value`` is a real number (not a bool), finite, with ``low <= value <= high``.
    Whole numbers are compared before any conversion: one of 5000 digits overflows a float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, int):
        return low <= value <= high
    return math.isfinite(value) and low <= value <= high
