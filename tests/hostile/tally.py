"""The note's figure: ``python -m tests.hostile.tally`` runs every row and counts the columns
(tried, clean, tracebacks, hangs, aborts, slow stops, outputs lost)."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from .harness import COLUMNS
from .table import ROWS


def main() -> None:
    counts: Counter[str] = Counter()
    for row in ROWS:
        with tempfile.TemporaryDirectory() as folder:
            outcome = row.check(Path(folder))
        counts["clean" if outcome.clean else "not clean"] += 1
        counts.update(outcome.problems)
        mark = "ok " if outcome.clean else "BAD"
        print(f"{mark} {row.klass} {row.case}" + ("" if outcome.clean else f": {outcome}"))
    print(f"tried {len(ROWS)}, " + ", ".join(f"{column} {counts[column]}" for column in COLUMNS))


if __name__ == "__main__":
    main()
