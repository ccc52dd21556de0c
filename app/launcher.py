"""The ``async-lanes`` entry point: the window with no arguments, the command line otherwise."""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        from .main import run_app

        return run_app()
    from simulator.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
