"""A comparison as JSON: ``compare --json`` and ``gui --json`` of two runs write it here.

``{"a": RUN, "b": RUN | null, "verdict": "..." | null, "runs": {"a": [RUN, ...], "b": [...]}}``
(docs/run-schema.md): the two runs shown, the verdict shown with them, and every run of each
side (a close call runs each side again, see :mod:`simulator.metrics.comparison`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simulator.files.atomic import write_text_atomically
from simulator.files.json_run import run_to_dict
from simulator.trace import Run

__all__ = ["comparison_to_dict", "write_comparison_json"]


def comparison_to_dict(
    runs_a: Sequence[Run],
    runs_b: Sequence[Run],
    verdict: str | None,
    *,
    shown: tuple[Run, Run | None] | None = None,
) -> dict[str, Any]:
    """Every run of each side and the verdict; ``a`` and ``b`` are the ``shown`` runs (by
    default the first of each side). ``runs_a`` must hold at least one run."""
    a, b = shown if shown is not None else (runs_a[0], runs_b[0] if runs_b else None)
    return {
        "a": run_to_dict(a),
        "b": run_to_dict(b) if b is not None else None,
        "verdict": verdict,
        "runs": {
            "a": [run_to_dict(run) for run in runs_a],
            "b": [run_to_dict(run) for run in runs_b],
        },
    }


def write_comparison_json(
    path: str | Path,
    runs_a: Sequence[Run],
    runs_b: Sequence[Run],
    verdict: str | None,
    *,
    shown: tuple[Run, Run | None] | None = None,
) -> None:
    """Write :func:`comparison_to_dict` to ``path`` (atomically: all of it or none)."""
    data = comparison_to_dict(runs_a, runs_b, verdict, shown=shown)
    write_text_atomically(path, json.dumps(data, separators=(",", ":")) + "\n")
