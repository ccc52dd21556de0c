"""The command line's grammar: ``async-lanes run|compare|predict|views`` and their flags.

The dial flags come from the dial table (:data:`simulator.dials.DIALS`): their names, help
texts and ranges, and each value is read by :func:`simulator.dials.parse_dial`, as a scenario
file's or a dial string's would be. Building the parser imports no Django and no Qt, so
``--help`` is instant and works anywhere.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, NoReturn

from simulator.dials import DIALS, Dial, DialKind, parse_dial
from simulator.errors import ScenarioError
from simulator.scenario import Scenario
from simulator.server_extra import INSTALL_HINT, missing_server

from .exit_codes import (
    CHECK_TOLERANCE,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_PREDICTION_OFF,
    EXIT_USAGE,
)

__all__ = ["DIAL_KEYS", "OneLineParser", "build_parser"]

#: The dial flags' destinations: the Scenario fields they set.
DIAL_KEYS = tuple(DIALS)


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, not a usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


#: The exit codes of ``run`` (and ``compare``), for their help.
_RUN_EXIT_CODES = (
    f"Exit codes: 0, also when some requests failed, if the server answered any (a 500 is an "
    f"answer); {EXIT_FAILED} when it answered none of the requests (each refused, reset or "
    f"timed out: the outputs are still written) or an output could not be written; "
    f"{EXIT_USAGE} for a bad flag or dial; {EXIT_INTERRUPTED} when Ctrl+C stopped it."
)


def _dial_type(dial: Dial, model: bool) -> Callable[[str], Any]:
    """An argparse type reading ``dial`` as :func:`parse_dial` does; argparse names the flag.
    ``model``: the model's bounds (``predict``)."""

    def parse(text: str) -> Any:
        try:
            return parse_dial(dial.key, text, from_text=True, model=model)
        except ScenarioError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = dial.key
    return parse


def _cores(text: str) -> int:
    try:
        cores = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if not 1 <= cores <= 256:
        raise argparse.ArgumentTypeError(f"must be between 1 and 256, not {cores}")
    return cores


def _dial_help(dial: Dial, default: Any, model: bool) -> str:
    if dial.key == "mode":  # a mode whose server is missing is listed, saying how to get it
        missing = [m for m in dial.choices if missing_server(m)]
        if missing:
            return f"{dial.help} (default {default}; {', '.join(missing)} not installed: " + (
                f"{INSTALL_HINT})"
            )
    if dial.is_number:
        return f"{dial.help} ({dial.range_for(model)}; default {default:g})"
    if dial.kind is DialKind.CHOICE:
        return f"{dial.help} (default {default})"
    return dial.help


def _metavar(dial: Dial) -> str:
    """``N`` for a count, ``MS`` for a time, ``asgi|wsgi`` for a short choice, else the key."""
    if dial.kind is DialKind.WHOLE:
        return "N"
    if dial.kind is DialKind.NUMBER:
        return "MS" if dial.key.endswith("_ms") else "X"
    if dial.kind is DialKind.CHOICE and len(dial.choices) <= 3:
        return dial.range_text
    return dial.key.rpartition("_")[2].upper()


def _add_dials(parser: argparse.ArgumentParser, model: bool) -> None:
    """The dial flags; their defaults are None, so a flag given can override a file.
    ``model``: in the model's bounds (``predict``), not a real run's."""
    defaults = Scenario()
    for dial in DIALS.values():
        parser.add_argument(
            dial.flag,
            dest=dial.key,
            type=_dial_type(dial, model),
            default=None,
            metavar=_metavar(dial),
            help=_dial_help(dial, getattr(defaults, dial.key), model),
        )


def _add_scenario_dials(parser: argparse.ArgumentParser, *, model: bool = False) -> None:
    """``--scenario FILE`` and the dial flags: what ``run`` and ``predict`` both take
    (``predict`` with ``model``: a million requests, 4,096 workers)."""
    parser.add_argument(
        "--scenario",
        metavar="FILE",
        help="a scenario file (.toml/.json); dials given as flags override it",
    )
    _add_dials(parser, model)


def _add_allow_host(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-host",
        metavar="HOST",
        action="append",
        help="let the upstream URL call HOST, which is not this machine (repeatable); "
        "without it only loopback upstreams are called",
    )


def _add_outputs(parser: argparse.ArgumentParser, *, csv: bool) -> None:
    parser.add_argument("--title", help="the pictures' title (default: the file's, or the dials)")
    parser.add_argument("--json", metavar="OUT", help="write the whole run as JSON")
    if csv:
        parser.add_argument("--csv", metavar="OUT", help="write every segment as a CSV row")
    parser.add_argument(
        "--trace",
        metavar="OUT",
        help="write a Chrome trace (open in ui.perfetto.dev or chrome://tracing)",
    )
    parser.add_argument("--png", metavar="OUT", help="write a picture for a slide, as PNG")
    parser.add_argument("--svg", metavar="OUT", help="... as SVG (one group per request lane)")
    parser.add_argument("--pdf", metavar="OUT", help="... as a one-page PDF")
    parser.add_argument(
        "--by",
        choices=("worker", "request"),
        help="the pictures' lanes: one per request (default), or per worker thread with the "
        "queue and the event loop (default: the file's `by`, else request)",
    )
    parser.add_argument(
        "--scale",
        type=int,
        choices=(1, 2, 4),
        default=1,
        help="pixels per point of the PNG: 2 gives 3200×1800 (default 1)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="async-lanes",
        description="Run a real Django site and see how it schedules sync and async views. "
        "With no command, opens the window.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)

    run = commands.add_parser(
        "run",
        help="run a scenario and print its figures",
        description="Run a scenario and print its figures. Dials not given take their value "
        "from --scenario FILE, else the defaults shown.",
        epilog=_RUN_EXIT_CODES,
    )
    _add_scenario_dials(run)
    _add_allow_host(run)
    run.add_argument(
        "--header",
        metavar="NAME:VALUE",
        action="append",
        help="send this header with every request to --url, e.g. 'Cookie: sessionid=...' "
        "(repeatable; never written to any output)",
    )
    _add_outputs(run, csv=True)

    compare = commands.add_parser(
        "compare",
        help="run two scenarios, A then B, and say which did better",
        description="Run A, then B, and print both figures and the verdict. DIALS is a string "
        'like "view=sync_io mode=wsgi workers=1 requests=10 io_ms=500" (Scenario field '
        "names, - or _); dials not given come from --scenario FILE, else the defaults.",
        epilog=_RUN_EXIT_CODES.replace("the requests", "a run's requests"),
    )
    compare.add_argument("--a", metavar="DIALS", help="the dials of run A")
    compare.add_argument("--b", metavar="DIALS", help="the dials of run B")
    compare.add_argument(
        "--scenario",
        metavar="FILE",
        help="a scenario file with [a] and [b] (or one [scenario], the base of both)",
    )
    _add_allow_host(compare)
    _add_outputs(compare, csv=False)

    predict = commands.add_parser(
        "predict",
        help="predict a scenario's figures with the model (nothing is run)",
        description="Predict a scenario's figures with the scheduling model "
        "(simulator.prediction.model): a prediction, not a measurement. Takes the dials of run. "
        "With --check it also runs the real scenario and prints predicted against measured "
        "for each figure.",
        epilog=f"Exit codes: 0; 2 for a bad flag or dial; with --check, "
        f"{EXIT_PREDICTION_OFF} when the predicted makespan is off the measured one by more "
        f"than {CHECK_TOLERANCE:.0%}, and {EXIT_INTERRUPTED} when Ctrl+C stopped the real run.",
    )
    _add_scenario_dials(predict, model=True)
    _add_allow_host(predict)
    predict.add_argument(
        "--cores",
        type=_cores,
        metavar="N",
        help="cores the model lets uvicorn/gunicorn worker processes use (1-256; default: "
        "this machine's)",
    )
    predict.add_argument(
        "--check",
        action="store_true",
        help="also run the real scenario and compare, figure by figure",
    )
    predict.add_argument(
        "--json",
        metavar="OUT",
        help='write the predicted run as JSON (run\'s schema, plus "prediction": true)',
    )

    commands.add_parser(
        "calibrate",
        help="measure this machine's costs for the model (a few seconds of real runs)",
        description="Measure what Django's machinery costs on this machine (per request on the "
        "loop and on a thread, a hand-off, a thread start, GIL switching, growth with "
        "concurrency) with short real runs, and keep them in your data folder (per machine, "
        "with the versions measured with) for predict, the window and the lessons.",
    )
    commands.add_parser("views", help="list the lesson views")
    commands.add_parser("lessons", help="list the lessons: number and title")
    lesson = commands.add_parser(
        "lesson",
        help="run lesson N: its question, the figures, the verdict, the answer, its claims",
        description="Run lesson N (see: async-lanes lessons) and print its question, the "
        "measured figures, the verdict on the figure it is about, the answer and each claim "
        "beside the figures it was judged on. Pictures are the lesson's slide.",
        epilog="Exit codes: 0; with --check, 1 when a claim did not hold; 2 for an unknown "
        "lesson or a broken lesson file; 130 when Ctrl+C stopped it. A lesson whose needs "
        "this machine cannot meet (with --check: cores free right now) is skipped with the "
        "reason: exit 0, or 1 if outputs were asked for.",
    )
    lesson.add_argument("number", type=int, metavar="N", help="the lesson's number")
    lesson.add_argument(
        "--check", action="store_true", help="exit 1 unless every claim of the lesson held"
    )
    lesson.add_argument("--json", metavar="OUT", help="write every run, the verdict and claims")
    for flag, what in (("png", "PNG"), ("svg", "SVG"), ("pdf", "one-page PDF")):
        lesson.add_argument(f"--{flag}", metavar="OUT", help=f"write the lesson's slide as {what}")
    lesson.add_argument("--scale", type=int, choices=(1, 2, 4), default=1, help="PNG scale")
    lesson.add_argument(
        "--by", choices=("worker", "request"), help="the slide's lanes (default: the lesson's)"
    )
    return parser
