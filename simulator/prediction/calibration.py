"""This machine's costs, measured by ``async-lanes calibrate`` and kept for the model.

The cache is one JSON file per machine in the user's data folder (``platformdirs``: on Linux
``$XDG_DATA_HOME/async-lanes``, else ``~/.local/share/async-lanes``), with the versions it
was measured with. A cache measured with other versions (of Python, Django, asgiref or this
app) is stale: the model then uses the shipped defaults and says so, since Django's own
costs move between releases. ``predict``, the window and the lessons all load it through
:func:`load_costs`, so they agree on which costs they used and say it.
"""

from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import platformdirs

from simulator.files.atomic import write_text_atomically
from simulator.prediction.costs import Costs

__all__ = ["Calibration", "cache_path", "load_costs", "save_costs", "versions"]

_APP = "async-lanes"


@dataclass(frozen=True, slots=True)
class Calibration:
    """The costs the model uses, and what a person is told about them."""

    costs: Costs
    calibrated: bool
    #: One line: calibrated when, or why the shipped defaults are used.
    note: str


def versions() -> dict[str, str]:
    """What the costs depend on: a cache measured with other versions is stale."""
    found = {"python": platform.python_version()}
    for name in ("Django", "asgiref", "django-async-lanes"):
        try:
            found[name.lower()] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name.lower()] = "?"
    return found


def cache_path() -> Path:
    """This machine's calibration file (named by the machine: a shared home folder keeps
    each machine's own)."""
    machine = "".join(c if c.isalnum() or c in "-_." else "_" for c in platform.node()) or "this"
    return platformdirs.user_data_path(_APP) / f"calibration-{machine}.json"


def save_costs(costs: Costs, seconds: float) -> Path:
    """Write ``costs`` as this machine's calibration; the file's path."""
    path = cache_path()
    data = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "machine": platform.node(),
        "versions": versions(),
        "costs": asdict(costs),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, json.dumps(data, indent=1) + "\n")
    return path


_DEFAULTS_NOTE = (
    "not calibrated: the shipped defaults (async-lanes calibrate measures this machine)"
)


def load_costs() -> Calibration:
    """This machine's calibrated costs, or the shipped defaults with the reason."""
    path = cache_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Calibration(Costs(), False, _DEFAULTS_NOTE)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return Calibration(Costs(), False, f"calibration {path} unreadable ({exc}): defaults used")
    try:
        known = {f.name for f in fields(Costs)}
        costs = Costs(**{k: v for k, v in data["costs"].items() if k in known})
        was, when = data["versions"], str(data["measured_at"])
        if not isinstance(was, dict):
            raise TypeError(f"versions is a {type(was).__name__}, not a table")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return Calibration(Costs(), False, f"calibration {path} broken ({exc}): defaults used")
    now = versions()
    changed = [f"{k} {was.get(k, '?')} → {v}" for k, v in now.items() if was.get(k) != v]
    if changed:
        return Calibration(
            Costs(),
            False,
            f"calibration stale ({', '.join(changed)}): the shipped defaults; "
            "run async-lanes calibrate again",
        )
    return Calibration(costs, True, f"calibrated on this machine ({when[:16].replace('T', ' ')})")
