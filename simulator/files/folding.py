"""The run file's one shortening: loop steps too short to see, folded into the wait around them.

While thousands of requests share the event loop, each one's lane alternates between waiting
for the loop (``queued``) and a step of its own code on it (``framework``), a hundred times
or more; most of those steps last a few microseconds. Written out one by one they make a
10,000-request run file of hundreds of megabytes that says little more than "it waited".
So the run file folds a ``framework`` step on the loop shorter than :data:`FOLD_BELOW_NS`
that sits between two ``queued`` stretches (on the same thread) into one ``queued``, and
records per request how much framework time it folded (``folded_framework_ms``): the
figures are computed from the whole trace, and a reader can still add the folded time back.
The trace itself (what the window draws, the CSV and the Chrome trace) keeps every step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from simulator.trace.columns import SegmentColumns, kind_code
from simulator.trace.kinds import Kind

__all__ = ["FOLD_BELOW_NS", "Folded", "fold_short_steps"]

#: Loop steps shorter than this (0.1 ms) between two waits are folded into the wait.
FOLD_BELOW_NS = 100_000


@dataclass(frozen=True, slots=True)
class Folded:
    """The rows of the columns a file writes, and what folding took out.

    ``rows`` index the columns (lanes in order, each in time order); ``end_ns`` is each
    written row's end (a queued stretch that swallowed steps ends where its last part
    ended); ``offsets[i]:offsets[i + 1]`` are lane ``i``'s rows in ``rows``;
    ``folded_ns[i]`` the framework time folded out of lane ``i``.
    """

    rows: npt.NDArray[np.int64]
    end_ns: npt.NDArray[np.int64]
    offsets: npt.NDArray[np.int64]
    folded_ns: npt.NDArray[np.int64]


def fold_short_steps(
    cols: SegmentColumns, loop_thread: str | None, below_ns: int = FOLD_BELOW_NS
) -> Folded:
    """Fold, in every lane, the loop's ``framework`` steps shorter than ``below_ns`` that
    have a ``queued`` stretch on the same thread just before and just after them."""
    n, lanes = len(cols), len(cols.offsets) - 1
    kind, lane, thread = cols.kind, cols.lane, cols.thread
    queued, framework = kind_code(Kind.QUEUED), kind_code(Kind.FRAMEWORK)
    fold = np.zeros(n, np.bool_)
    loop = cols.thread_code(loop_thread)
    if n > 2 and loop >= 0:
        mid = slice(1, n - 1)
        fold[mid] = (
            (kind[mid] == framework)
            & (thread[mid] == loop)
            & (cols.end_ns[mid] - cols.start_ns[mid] < below_ns)
            & ~cols.open[mid]
            & (kind[:-2] == queued)
            & (kind[2:] == queued)
            & (lane[:-2] == lane[mid])
            & (lane[2:] == lane[mid])
            & (thread[:-2] == thread[2:])
        )
    folded_ns = np.zeros(lanes, np.int64)
    if fold.any():
        durations = (cols.end_ns - cols.start_ns)[fold]
        np.add.at(folded_ns, lane[fold], durations)
    kept = np.flatnonzero(~fold)
    # Two kept queued stretches with folded steps between them become one.
    join = np.zeros(len(kept), np.bool_)
    if len(kept) > 1:
        a, b = kept[:-1], kept[1:]
        join[1:] = (b - a > 1) & (kind[a] == queued) & (kind[b] == queued)
    first = np.flatnonzero(~join)
    rows = kept[first]
    end_ns = np.maximum.reduceat(cols.end_ns[kept], first) if len(first) else np.zeros(0, np.int64)
    offsets = np.searchsorted(lane[rows], np.arange(lanes + 1), side="left").astype(np.int64)
    return Folded(rows.astype(np.int64), end_ns, offsets, folded_ns)
