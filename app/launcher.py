"""The ``async-lanes`` entry point.

``async-lanes`` opens the window; ``async-lanes gui [options]`` opens it with a lesson loaded
(and, for scripts, can run it, save a screenshot and quit); every other command is the
command line of :mod:`app.cli.main`, which imports Qt only to draw a picture asked for.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["GuiOptions", "main", "parse_gui_args"]


class GuiOptions(argparse.Namespace):
    lesson: str | None = None
    run: bool = False
    screenshot: str | None = None
    json: str | None = None
    quit: bool = False
    presentation: bool = False
    by: str | None = None
    allow_host: list[str] | None = None


def parse_gui_args(argv: Sequence[str]) -> GuiOptions:
    from app.cli.parser import OneLineParser

    parser = OneLineParser(prog="async-lanes gui", description="Open the window.")
    parser.add_argument(
        "--lesson", metavar="FILE", help="load a scenario or lesson file (.toml/.json)"
    )
    parser.add_argument("--run", action="store_true", help="run it as soon as the window is up")
    parser.add_argument("--screenshot", metavar="PNG", help="after the run, save the screen to PNG")
    parser.add_argument("--json", metavar="OUT", help="after the run, write the run as JSON")
    parser.add_argument("--quit", action="store_true", help="close the window after the run")
    parser.add_argument(
        "--presentation",
        action="store_true",
        help="start in presentation mode (large text, full screen)",
    )
    parser.add_argument(
        "--by",
        choices=("worker", "request"),
        help="lanes per request, or per worker thread (default: the lesson's, else request)",
    )
    parser.add_argument(
        "--allow-host",
        metavar="HOST",
        action="append",
        help="let a lesson's upstream URL call HOST, which is not this machine (repeatable)",
    )
    return parser.parse_args(list(argv), namespace=GuiOptions())


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
