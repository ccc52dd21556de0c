"""Ways a run leaves the program as data: JSON (the whole run), CSV, Chrome trace events."""

from __future__ import annotations

from .json_run import run_to_dict, write_json

__all__ = ["run_to_dict", "write_json"]
