"""The command line: ``async-lanes run ...``, ``async-lanes compare ...``, ``async-lanes views``,
``async-lanes predict ...`` (the model's prediction, optionally checked against a real run).

Every mistake a person can make on the command line gets one line on stderr and exit code 2;
a run that cannot finish (upstream failure) or an output that cannot be written exits 1; a run
stopped with Ctrl+C, SIGTERM or SIGHUP exits 128 + the signal (130 for Ctrl+C) after saving
what it measured (once every request is answered, a signal only cuts Django's tidying after
them short: the run is complete, saved, and exits 0). A run whose requests failed is
still a run: its outputs are written and it exits 0, if the server answered any of them (a
500 is an answer); if it answered none (each refused, reset or timed out), the outputs are
written, one line on stderr says so, and it exits 1.

The parts: :mod:`.parser` (flags), :mod:`.dial_strings` (``--a "view=..."``),
:mod:`.commands` (what each command does), :mod:`.outputs` (files and messages),
:mod:`.summary` (what is printed), :mod:`.exit_codes`.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.errors import LanesError, ScenarioError

from .commands import command_compare, command_predict, command_run, command_views
from .dial_strings import parse_dials
from .exit_codes import (
    CHECK_TOLERANCE,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PREDICTION_OFF,
    EXIT_USAGE,
)
from .outputs import OutputProblem, error
from .parser import OneLineParser, build_parser
from .signals import Interrupts
from .summary import format_summary

__all__ = [
    "CHECK_TOLERANCE",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PREDICTION_OFF",
    "EXIT_USAGE",
    "OneLineParser",
    "build_parser",
    "format_summary",
    "main",
    "parse_dials",
]


def main(argv: Sequence[str] | None = None, interrupts: Interrupts | None = None) -> int:
    """Run the command line; returns the exit code.

    Ctrl+C, SIGTERM and SIGHUP are handled from here to the end, start-up and export included
    (see :mod:`.signals`; the launcher installs them before anything heavy is imported and
    passes them in); they are given back to Python's defaults on the way out."""
    own = interrupts is None
    interrupts = interrupts or Interrupts()
    if own:
        interrupts.install()
    try:
        return _command(argv, interrupts)
    finally:
        if own:
            interrupts.uninstall()


def _command(argv: Sequence[str] | None, interrupts: Interrupts) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return command_run(args, interrupts)
        if args.command == "compare":
            return command_compare(args, interrupts)
        if args.command == "views":
            return command_views()
        if args.command == "predict":
            return command_predict(args, interrupts)
        # Imported for their own command only: the lessons' catalogue and the calibration
        # are a tenth of a second of every other command's start.
        if args.command == "lessons":
            from .lesson_commands import command_lessons

            return command_lessons(args)
        if args.command == "lesson":
            from .lesson_commands import command_lesson

            return command_lesson(args, interrupts)
        if args.command == "calibrate":
            from .calibrate_command import command_calibrate

            return command_calibrate(args)
        parser.print_help()
        return EXIT_USAGE
    except OutputProblem as exc:
        error(str(exc))
        return exc.code
    except ScenarioError as exc:
        error(str(exc))
        return EXIT_USAGE
    except LanesError as exc:
        error(str(exc))
        return EXIT_FAILED
