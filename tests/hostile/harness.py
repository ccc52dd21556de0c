"""Running ``async-lanes`` as a hostile user would, and judging what came of it.

Every case ends in one :class:`Outcome`, sorted into the columns of the issue's note:
clean, traceback, hang, abort, slow stop, outputs lost. A case is clean only when none of
the others applies *and* it did what it promised (its exit code, one line for a mistake).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from embedded_site.scratch import make_scratch_folder
from tests.children import SIGNALLED

ROOT = Path(__file__).resolve().parents[2]

#: Stop bound under load (the 1 s figure is benchmarks/stop.py's).
STOP_BOUND_S = 2.5
#: A case that has not ended by then hung.
HANG_S = 60.0

COLUMNS = ("clean", "traceback", "hang", "abort", "slow stop", "outputs lost")


@dataclass
class Outcome:
    """What one case came to; ``problems`` are the columns it falls in besides clean."""

    code: int | None
    stderr: str
    stdout: str = ""
    stop_s: float | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems and not self.notes

    def __str__(self) -> str:
        return (
            f"exit {self.code}, problems {self.problems}, notes {self.notes}, "
            f"stop {self.stop_s}, stderr: {self.stderr[-600:]!r}"
        )


#: The children's settings, data and caches (the window's rows save settings): never the
#: user's, whether the rows run under pytest or from ``tally.py``. Named with our pid, removed
#: at exit; those of runs killed outright, whose process is gone, are swept first.
HOMES_PREFIX = "async-lanes-hostile-home-"
_HOMES = make_scratch_folder(HOMES_PREFIX)


def env(**changes: str | None) -> dict[str, str]:
    """The environment of a child: this worktree on the path, no display unless given, the
    settings folders in a temporary folder."""
    out = dict(os.environ)
    out["PYTHONPATH"] = str(ROOT)
    for name, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        out[name] = str(_HOMES / sub)
    out.pop("DISPLAY", None)
    out.pop("WAYLAND_DISPLAY", None)
    out.setdefault("QT_QPA_PLATFORM", "offscreen")
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def launch(
    args: Sequence[str],
    cwd: Path,
    environ: dict[str, str] | None = None,
    module: str = "app.launcher",
):
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        env=environ or env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        **SIGNALLED,  # type: ignore[arg-type]
    )


def _wait(proc: subprocess.Popen[str]) -> tuple[str, str, bool]:
    try:
        out, err = proc.communicate(timeout=HANG_S)
        return out, err, False
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return out, err, True


def run_cli(
    args: Sequence[str],
    cwd: Path,
    *,
    environ: dict[str, str] | None = None,
    signals: Sequence[tuple[float | Callable[[int], bool], int]] = (),
    stop_bound: float | None = STOP_BOUND_S,
    module: str = "app.launcher",
) -> Outcome:
    """Run ``async-lanes args``; ``signals`` are ``(when, signal)``: ``when`` is seconds
    after the previous one, or a condition on the child's pid polled until true. Judges
    tracebacks, hangs, aborts, slow stops and leftover scratch folders; the caller judges
    outputs and codes.
    ``stop_bound=None``: the signal lands in an export, which finishes its files first."""
    proc = launch(args, cwd, environ, module)
    first_signal: float | None = None
    for when, sig in signals:
        if callable(when):
            deadline = time.monotonic() + HANG_S
            while not when(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
        else:
            time.sleep(when)
        if proc.poll() is None:
            proc.send_signal(sig)
            first_signal = first_signal or time.monotonic()
    out, err, hung = _wait(proc)
    ended = time.monotonic()
    outcome = Outcome(proc.returncode, err, out)
    if first_signal is not None:
        outcome.stop_s = ended - first_signal
    if hung:
        outcome.problems.append("hang")
    elif proc.returncode is not None and (proc.returncode < 0 or proc.returncode == 134):
        outcome.problems.append("abort")
    if "Traceback" in err:
        outcome.problems.append("traceback")
    if outcome.stop_s is not None and stop_bound is not None and outcome.stop_s > stop_bound:
        outcome.problems.append("slow stop")
    left = list(Path(tempfile.gettempdir()).glob(f"async-lanes-db-{proc.pid}-*"))
    if left:
        outcome.notes.append(f"scratch folder left: {left[0]}")
    return outcome


def expect_code(outcome: Outcome, *codes: int) -> Outcome:
    if outcome.code not in codes:
        outcome.notes.append(f"exit {outcome.code}, expected {codes}")
    return outcome


def expect_one_line(outcome: Outcome, *words: str) -> Outcome:
    """A mistake: exactly one ``async-lanes: error:`` line, saying ``words``."""
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line]
    if len(errors) != 1:
        outcome.notes.append(f"expected one error line, got {lines}")
    elif not all(word.lower() in errors[0].lower() for word in words):
        outcome.notes.append(f"the error line does not say {words}: {errors[0]}")
    return outcome


def lost(outcome: Outcome, why: str) -> Outcome:
    if "outputs lost" not in outcome.problems:
        outcome.problems.append("outputs lost")
    outcome.notes.append(why)
    return outcome


def expect_outputs(outcome: Outcome, folder: Path, names: Sequence[str]) -> Outcome:
    """Each output exists, whole: JSON parses, CSV rows are complete, pictures have their
    header; and no temporary ``.part`` file is left beside them."""
    for name in names:
        path = folder / name
        if not path.exists():
            lost(outcome, f"{name} missing")
            continue
        data = path.read_bytes()
        try:
            if name.endswith(".json"):
                json.loads(data)
            elif name.endswith(".csv"):
                rows = list(csv.reader(data.decode().splitlines()))
                if not rows or len({len(row) for row in rows}) != 1:
                    lost(outcome, f"{name} has ragged rows")
            elif name.endswith(".png") and not data.startswith(b"\x89PNG"):
                lost(outcome, f"{name} is not a PNG")
            elif name.endswith(".svg") and b"</svg>" not in data:
                lost(outcome, f"{name} is not a whole SVG")
            elif name.endswith(".pdf") and b"%%EOF" not in data[-1024:]:
                lost(outcome, f"{name} is not a whole PDF")
        except (ValueError, UnicodeDecodeError) as exc:
            lost(outcome, f"{name} is damaged: {exc}")
    parts = list(folder.glob(".*.part"))
    if parts:
        lost(outcome, f"temporary files left: {parts}")
    return outcome


SIGINT, SIGTERM = signal.SIGINT, signal.SIGTERM
SIGHUP = getattr(signal, "SIGHUP", signal.SIGTERM)
