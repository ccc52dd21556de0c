"""The ``async-lanes`` entry point.

``async-lanes`` opens the window; ``async-lanes gui [options]`` opens it with a lesson loaded
(and, for scripts, can run it, save a screenshot and quit); every other command is the
command line of :mod:`app.cli.main`, which imports Qt only to draw a picture asked for.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from app.cli.gui_options import parse_gui_args

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


def main(argv: Sequence[str] | None = None) -> int:
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
    from app.cli.main import main as cli_main

    code = cli_main(args, interrupts)
    if interrupts.received:
        exit_now_if_views_linger(code)
    return code


if __name__ == "__main__":
    sys.exit(main())
