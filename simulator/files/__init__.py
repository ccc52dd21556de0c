"""Ways a run leaves the program as data: JSON (the whole run), CSV, Chrome trace events."""

from __future__ import annotations

from simulator.files.chrome_trace import (
    run_to_chrome_trace,
    runs_to_chrome_trace,
    write_chrome_trace,
)
from simulator.files.comparison_json import comparison_to_dict, write_comparison_json
from simulator.files.csv_run import run_to_rows, write_csv
from simulator.files.json_run import run_to_dict, write_json

__all__ = [
    "comparison_to_dict",
    "run_to_chrome_trace",
    "run_to_dict",
    "run_to_rows",
    "runs_to_chrome_trace",
    "write_chrome_trace",
    "write_comparison_json",
    "write_csv",
    "write_json",
]
