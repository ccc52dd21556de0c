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


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
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
