"""The ``async-lanes`` entry point.

``async-lanes`` opens the window; ``async-lanes gui [options]`` opens it with a lesson loaded
(and, for scripts, can run it, save a screenshot and quit); every other command is the
command line of :mod:`app.cli.main`, which imports Qt only to draw a picture asked for.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Sequence

from app.cli.gui_options import parse_gui_args
from simulator.process_exit import exit_now

__all__ = ["main"]


def _no_temp_folder() -> str | None:
    """Why there is no writable temporary folder (every run needs one: the site's database,
    the servers' scratch), or ``None``. Asked once, up front: without it a run fails deep
    inside, in a long traceback."""
    import tempfile

    try:
        tempfile.gettempdir()
    except FileNotFoundError:
        return (
            "no writable temporary folder (tried TMPDIR, /tmp, /var/tmp, /usr/tmp and the "
            "current folder); set TMPDIR to a folder you can write"
        )
    return None


def _one_blas_thread() -> None:
    """Ask numpy's OpenBLAS for one thread, unless the person's environment says otherwise.

    Importing numpy starts OpenBLAS's pool of threads (one per core but the caller's), which
    spin a while before they sleep: 30-40 ms of CPU and up to 60 ms of a start on a shared
    2-core machine, for nothing: our numpy is element-wise work, sorting and searching,
    which OpenBLAS's threads never run (it multiplies matrices). Set before numpy's first
    import, and inherited by the processes a run starts (real servers)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # this process's own start (a test calling main has numpy already)
        _one_blas_thread()
    args = list(sys.argv[1:] if argv is None else argv)
    if (not args or args[0] in ("gui", "run", "compare", "lesson")) and (
        problem := _no_temp_folder()
    ):
        print(f"async-lanes: error: {problem}", file=sys.stderr)
        return 1
    if not args or args[0] == "gui":
        options = parse_gui_args(args[1:])
        from app.main import run_app

        return run_app(options=options)
    # Signals first, before the heavy imports: Ctrl+C during start-up is handled too.
    from app.cli.signals import Interrupts, exit_now_if_views_linger

    interrupts = Interrupts()
    interrupts.install()
    if argv is None and args[0] == "run":  # one run, then this process exits
        # The collector off from here to the run's start: the imports and Django's boot set
        # off collections of everything they make, for a thousand objects of garbage.
        collecting = gc.isenabled()
        gc.disable()
        from simulator.trace.collector import off_after_measuring

        off_after_measuring(was_enabled=collecting)
    from app.cli.main import main as cli_main

    code = cli_main(args, interrupts)
    if interrupts.received:
        exit_now_if_views_linger(code)
    if argv is None and args[0] in ("run", "compare", "lesson"):
        _exit_without_teardown(code)
    return code


def _exit_without_teardown(code: int) -> None:
    """End the program now that everything is written, skipping the interpreter's teardown.

    Python's own finalization would cost a 3,000-request command a few hundred milliseconds
    for nothing a person would notice (:func:`~simulator.process_exit.exit_now`), but only
    when no thread of ours is still working (a view that outlived a stop): Python's ordinary
    exit waits for such a thread, and so does this one, by returning."""
    main = threading.main_thread()
    if any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate()):
        return
    exit_now(code)


if __name__ == "__main__":
    sys.exit(main())
