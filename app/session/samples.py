"""Which of a close call's runs the window shows: each side's median run, not its last.

A close call runs A and B three times each (the comparison protocol), and the verdict and the
figures line give each side's median. Showing the last run instead once put "B 281 ms" in the
Metrics panel under a verdict of "B 260 ms". The run shown is picked by
:func:`~simulator.metrics.comparison.median_run`, the rule the lesson slides use too; every
run stays kept for the verdict's range and the run file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from simulator.metrics.comparison import Criterion, median_run, rerun_reason
from simulator.trace import Run

from .state import Side

__all__ = ["every_run", "final_medians", "median_runs", "rerun_after"]


def median_runs(samples: Mapping[Side, Sequence[Run]], figure: str) -> dict[Side, Run]:
    """Each side's median run on ``figure`` (sides without a run are left out)."""
    return {side: median_run(figure, runs) for side, runs in samples.items() if runs}


def every_run(shown: Run | None, samples: Sequence[Run]) -> list[Run]:
    """The runs behind the one on screen: all of a close call's when it is one of them (by
    identity: the median, or the last while re-runs go on), else just the one shown."""
    if shown is None:
        return []
    return list(samples) if any(run is shown for run in samples) else [shown]


def final_medians(
    samples: Mapping[Side, Sequence[Run]], run: Run, figure: str, queued: bool
) -> dict[Side, Run] | None:
    """After ``run``, the close call's last re-run (nothing ``queued``, several runs), each
    side's median run; ``None`` otherwise, and after a stop (the window shows what stopped)."""
    if queued or run.stopped or not any(len(runs) > 1 for runs in samples.values()):
        return None
    return median_runs(samples, figure)


def rerun_after(samples: Mapping[Side, Sequence[Run]], criterion: Criterion) -> str | None:
    """Why each side runs again after one run each (the comparison protocol's rule)."""
    a, b = ([run.summary for run in samples[side]] for side in Side)
    return rerun_reason(criterion, a, b)
