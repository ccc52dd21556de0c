"""Python's cycle collector paused while a big run's objects are made or read.

A 10,000-request run holds hundreds of thousands of small objects (segments, lanes, the
probes' records), none in a reference cycle. Each full collection walks them all again: one
is due soon after they are made, and the small allocations of the figures or an export then
trigger it, costing the better part of a second in the middle of a step that takes tens of
milliseconds. Pausing the collector over such a step loses nothing: what it makes is freed by
reference counting, and collection resumes after.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused_collection"]


@contextlib.contextmanager
def paused_collection() -> Iterator[None]:
    """The cycle collector off inside the block, back as it was after (nesting is fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
