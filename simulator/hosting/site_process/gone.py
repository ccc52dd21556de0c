"""What the window says, and sweeps, when the site's process has ended before a run did.

Apart from :mod:`~simulator.hosting.site_process.parent` (which reads the site's process
and hands its runs over) because it is about that process's end only.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import tempfile
from pathlib import Path

from embedded_site.scratch import sweep_stale_folders
from simulator.errors import LanesError
from simulator.hosting.leftovers import FOLDER_PREFIX, sweep_stale_servers
from simulator.metrics.summary import summarize
from simulator.scenario import Scenario
from simulator.trace import Run, Trace

__all__ = ["RunLost", "gone_text", "lost_run", "sweep_after"]


def gone_text(child: subprocess.Popen[bytes] | None) -> str:
    """What the window says of a run whose site's process (``child``) has ended."""
    code = None
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            code = child.wait(1.0)  # its end is seen a moment before its exit code
    how = ""
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            how = f" (killed by {signal.Signals(-code).name})"
    elif code is not None:
        how = f" (exit code {code})"
    return f"The site's process ended before the run did{how}; nothing more was measured."


class RunLost(LanesError):
    """A run cut short from outside (its site's process gone): ``measured`` is what the
    window had of it then, its last frame as a stopped run, kept as any stopped run is
    (``None`` if no frame came): a measured result is never lost."""

    def __init__(self, message: str, measured: Run | None) -> None:
        super().__init__(message)
        self.measured = measured


def lost_run(scenario: Scenario, last: Trace | None, text: str) -> RunLost:
    """What a run whose site's process is gone mid-run ends with: ``text``, and ``last``, the
    window's last frame of it (measured up to then), as a stopped run, if any came."""
    kept = None
    if last is not None and last.lanes:
        kept = Run(scenario, last, summarize(last), stopped=True)
        text = text.replace("nothing more was measured", "what was measured up to then is kept")
    return RunLost(text, kept)


def sweep_after(child: subprocess.Popen[bytes]) -> None:
    """A site's process killed (SIGKILL) could not remove its folders (its scratch database,
    its real servers' TMPDIRs): swept now, not at a later start, which may never come."""
    if child.returncode is not None and child.returncode < 0:
        parent = Path(tempfile.gettempdir())
        sweep_stale_folders(parent)
        sweep_stale_servers(parent, FOLDER_PREFIX)
