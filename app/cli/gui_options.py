"""The options of ``async-lanes gui``: what the window opens with.

Read by the entry point (:mod:`app.launcher`) and by :mod:`app.main`, which acts on them; kept
apart from both so neither imports the other back.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

__all__ = ["GuiOptions", "parse_gui_args"]


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
