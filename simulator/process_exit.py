"""Ending a process at once, its exit handlers run: the one way both of ours end early.

After a big run, Python's own finalization frees every segment, lane and probe one by one and
collects them once more, and waits for threads that no one needs any more (a view that
outlived a stop). The command line (``app.launcher``, once everything is written) and the
site's process (``simulator.hosting.site_process.child``, once the window is gone) skip it;
the exit handlers still run first: the site's scratch folder removed, a real server's
processes stopped, logs flushed.
"""

from __future__ import annotations

import atexit
import os
import sys

__all__ = ["exit_now"]


def exit_now(code: int) -> None:
    """Run the exit handlers, flush the standard streams and end the process with ``code``
    (120 if a stream cannot be flushed and ``code`` was 0, as Python's own exit does)."""
    atexit._run_exitfuncs()  # first: what an exit handler prints is flushed below
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # closed or gone, as Python's exit:
            code = code or 120  # a flush that fails at exit makes the status 120
    os._exit(code)
