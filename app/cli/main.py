"""The command line: ``async-lanes run ...``, ``async-lanes compare ...``, ``async-lanes views``,
``async-lanes predict ...`` (the model's prediction, optionally checked against a real run).

Every mistake a person can make on the command line gets one line on stderr and exit code 2;
a run that cannot finish (upstream failure) or an output that cannot be written exits 1; a run
stopped with Ctrl+C exits 130 after saving what it measured. A run whose requests failed is
still a run: its outputs are written and it exits 0.

Pictures (``--png``, ``--svg``, ``--pdf``) need Qt, imported only when a picture is asked for.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shlex
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from simulator.errors import LanesError, ScenarioError
from simulator.scenario import LIMITS, MIDDLEWARES, MODES, Scenario

__all__ = [
    "OneLineParser",
    "PictureExporter",
    "build_parser",
    "format_summary",
    "main",
    "parse_dials",
]

#: ``export(path, runs, *, title=..., scale=...)``: writes a picture of one run or of A and B.
PictureExporter = Callable[..., None]

#: The picture flags and the suffix each one's file must have.
PICTURE_FLAGS = {"png": ".png", "svg": ".svg", "pdf": ".pdf"}

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
#: ``predict --check``: the predicted makespan was off the measured one by more than
#: :data:`CHECK_TOLERANCE` (a fraction of the measured one).
EXIT_PREDICTION_OFF = 3
CHECK_TOLERANCE = 0.35


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, not a usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _number(kind: type, name: str):
    """An argparse type that names the flag and its range when a value does not fit."""
    low, high = LIMITS[name]

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{'a whole number' if kind is int else 'a number'} is needed, not {text!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:g} and {high:g}, not {text}")
        return value

    parse.__name__ = name
    return parse


def _add_dials(parser: argparse.ArgumentParser) -> None:
    """The dial flags; their defaults are None, so a flag given can override a file."""
    d = Scenario()
    parser.add_argument(
        "--view", default=None, help=f"lesson view (see: async-lanes views; default {d.view})"
    )
    parser.add_argument(
        "--mode", default=None, choices=MODES, help=f"server: asgi or wsgi (default {d.mode})"
    )
    parser.add_argument(
        "--workers",
        type=_number(int, "workers"),
        default=None,
        help=f"WSGI worker threads (1-256; default {d.workers})",
    )
    parser.add_argument(
        "--requests",
        type=_number(int, "requests"),
        default=None,
        help=f"how many requests (1-10000; default {d.requests})",
    )
    parser.add_argument(
        "--io-ms",
        type=_number(float, "io_ms"),
        default=None,
        help=f"I/O wait per request, ms (0-10000; default {d.io_ms:g})",
    )
    parser.add_argument(
        "--cpu-ms",
        type=_number(float, "cpu_ms"),
        default=None,
        help=f"CPU work per request, ms (0-5000; default {d.cpu_ms:g})",
    )
    parser.add_argument(
        "--arrival-ms",
        type=_number(float, "arrival_ms"),
        default=None,
        help="spacing between sends, ms; 0 (the default) sends all at once",
    )
    parser.add_argument(
        "--fanout",
        type=_number(int, "fanout"),
        default=None,
        help=f"upstream calls per request for the fan-out views (1-32; default {d.fanout})",
    )
    parser.add_argument(
        "--middleware",
        default=None,
        choices=MIDDLEWARES,
        help="middleware stack: async-capable (the default), or with a sync-only middleware",
    )
    parser.add_argument(
        "--upstream-url",
        default=None,
        help="where the httpx views fetch from (default: a slow upstream we start)",
    )


def _add_scenario_dials(parser: argparse.ArgumentParser) -> None:
    """``--scenario FILE`` and the dial flags: what ``run`` and ``predict`` both take."""
    parser.add_argument(
        "--scenario",
        metavar="FILE",
        help="a scenario file (.toml/.json); dials given as flags override it",
    )
    _add_dials(parser)


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
    )
    _add_scenario_dials(run)
    _add_outputs(run, csv=True)

    compare = commands.add_parser(
        "compare",
        help="run two scenarios, A then B, and say which did better",
        description="Run A, then B, and print both figures and the verdict. DIALS is a string "
        'like "view=sync_io mode=wsgi workers=1 requests=10 io_ms=500" (Scenario field '
        "names, - or _); dials not given come from --scenario FILE, else the defaults.",
    )
    compare.add_argument("--a", metavar="DIALS", help="the dials of run A")
    compare.add_argument("--b", metavar="DIALS", help="the dials of run B")
    compare.add_argument(
        "--scenario",
        metavar="FILE",
        help="a scenario file with [a] and [b] (or one [scenario], the base of both)",
    )
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
    _add_scenario_dials(predict)
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

    commands.add_parser("views", help="list the lesson views")
    return parser


def format_summary(run) -> str:
    """A few lines a person reads at a glance (figures as :mod:`simulator.metrics.figures`
    names and writes them everywhere)."""
    from simulator.metrics.figures import FIGURE, LATENCY_KEYS, format_count

    s = run.summary

    def line(name: str, text: str) -> str:
        return f"  {name:<13} {text}"

    def figure(key: str, then: str = "") -> str:
        return line(FIGURE[key].name, FIGURE[key].text(s) + then)

    latencies = "  ".join(f"{key} {FIGURE[key].text(s)}" for key in LATENCY_KEYS)
    lines = [
        run.scenario.label + ("  (stopped)" if run.stopped else ""),
        figure("makespan_ms"),
        figure("throughput_rps"),
        line("latency", latencies),
        line("in flight", f"{FIGURE['peak_in_flight'].text(s)} at peak"),
        figure("threads_used"),
        figure("loop_blocked_ms"),
        figure("framework_ms_per_request", " per request"),
        line(
            "requests",
            f"{format_count(s.ok)} ok, {format_count(s.failed)} failed, "
            f"{format_count(s.cancelled)} cancelled",
        ),
    ]
    errors = sorted({lane.error for lane in run.trace.lanes if lane.error})
    for error in errors[:3]:
        lines.append(line("error", error))
    return "\n".join(lines)


#: The dial flags of ``run`` and the Scenario fields they set.
_DIAL_FLAGS = (
    "view",
    "mode",
    "workers",
    "requests",
    "io_ms",
    "cpu_ms",
    "arrival_ms",
    "fanout",
    "middleware",
    "upstream_url",
)


def _scenario_from(args: argparse.Namespace, base: Scenario | None = None) -> Scenario:
    """``base`` (or the defaults) with every dial flag that was given."""
    given = {name: getattr(args, name) for name in _DIAL_FLAGS if getattr(args, name) is not None}
    return (base or Scenario()).replace(**given)


def _dial_value(key: str, text: str, kind: str) -> Any:
    if kind == "text":
        if key == "upstream_url" and text.lower() in ("", "none", "null"):
            return None
        return text
    number = text[:-2] if key.endswith("_ms") and text.lower().endswith("ms") else text
    try:
        value = float(number)
    except ValueError:
        whole = "a whole number" if kind == "whole" else "a number"
        raise ScenarioError(f"{key} must be {whole}, not {text!r}") from None
    if kind == "whole":
        if not value.is_integer():
            raise ScenarioError(f"{key} must be a whole number, not {text!r}")
        return int(value)
    return value


def parse_dials(text: str, base: Scenario | None = None) -> Scenario:
    """A Scenario from ``"view=sync_io mode=wsgi workers=1 requests=10 io_ms=500"``.

    Keys are the :class:`Scenario` field names (``io-ms`` works as ``io_ms``); pairs are
    separated by spaces or commas, a value with spaces can be quoted. Keys not given keep
    their value in ``base`` (the defaults if ``None``).

    Raises
    ------
    ScenarioError
        Naming the key or the value that is wrong.
    """
    kinds = Scenario.field_kinds()
    try:
        tokens = shlex.split(re.sub(r"\s*=\s*", "=", text).replace(",", " "))
    except ValueError as exc:  # an unclosed quote
        raise ScenarioError(f"cannot read the dials {text!r}: {exc}") from None
    if not tokens:
        raise ScenarioError('no dials given; write them like "view=sync_io mode=wsgi requests=10"')
    values: dict[str, Any] = {}
    for token in tokens:
        key, equals, value = token.partition("=")
        if not equals or not key:
            raise ScenarioError(f"{token!r} is not key=value (e.g. view=sync_io or io_ms=500)")
        key = key.strip().lower().replace("-", "_")
        if key not in kinds:
            raise ScenarioError(f"unknown key {key!r}; allowed keys: {', '.join(sorted(kinds))}")
        if key in values:
            raise ScenarioError(f"{key} is given twice")
        values[key] = _dial_value(key, value, kinds[key])
    return (base or Scenario()).replace(**values)


async def _run_until_done_or_interrupted(live) -> object:
    """Run; Ctrl+C stops the run (and keeps what it measured) instead of killing it."""
    loop = asyncio.get_running_loop()

    def interrupted() -> None:
        if live.stopping:  # a second Ctrl+C: the person does not want to wait for views
            print("async-lanes: stopped at once; nothing written", file=sys.stderr)
            os._exit(EXIT_INTERRUPTED)
        print(
            "async-lanes: stopping (views already running finish; Ctrl+C again to quit now)",
            file=sys.stderr,
        )
        live.stop()

    try:
        loop.add_signal_handler(signal.SIGINT, interrupted)
    except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
        pass
    try:
        return await live.run()
    finally:
        try:
            loop.remove_signal_handler(signal.SIGINT)
        except (NotImplementedError, RuntimeError):
            pass


def _error(message: str) -> None:
    print(f"async-lanes: error: {message}", file=sys.stderr)


def _say(text: str = "") -> None:
    """Print to stdout; if the reader has gone (``| head``), go on quietly: files still get
    written, and no traceback greets the user."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _outputs(args: argparse.Namespace, names: Sequence[str]) -> list[tuple[str, Path]]:
    """The ``(flag, path)`` of every output asked for, in ``names`` order."""
    return [(name, Path(getattr(args, name))) for name in names if getattr(args, name, None)]


class _OutputProblem(Exception):
    """An output that cannot be written; ``code`` is the exit code it deserves."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _check_outputs(
    outputs: Sequence[tuple[str, Path]], picture_exporter: PictureExporter | None
) -> None:
    """Refuse, before a run that may take minutes, what could never be written afterwards."""
    for name, path in outputs:
        flag = f"--{name}"
        if name in PICTURE_FLAGS:
            if picture_exporter is None:
                raise _OutputProblem(
                    f"{flag} needs the app's painter: run it as async-lanes (app.launcher)",
                    EXIT_USAGE,
                )
            suffix = PICTURE_FLAGS[name]
            if path.suffix.lower() != suffix:
                raise _OutputProblem(
                    f"{flag}: the file name must end in {suffix}, not {path.name!r}", EXIT_USAGE
                )
        if path.is_dir():
            raise _OutputProblem(f"cannot write {path}: it is a directory", EXIT_FAILED)
        parent = path.parent
        if not parent.is_dir():
            raise _OutputProblem(f"cannot write {path}: no such directory {parent}", EXIT_FAILED)
        if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise _OutputProblem(f"cannot write {path}: permission denied", EXIT_FAILED)


def _write_outputs(
    outputs: Sequence[tuple[str, Path]],
    writers: dict[str, Callable[[Path], None]],
) -> int:
    """Write every output; one line on stderr for each that fails. Returns the exit code."""
    code = EXIT_OK
    for name, path in outputs:
        try:
            writers[name](path)
        except OSError as exc:
            _error(f"cannot write {path}: {exc.strerror or exc}")
            code = EXIT_FAILED
        except LanesError as exc:
            _error(str(exc))
            code = EXIT_FAILED
    return code


def _picture_writer(
    picture_exporter: PictureExporter | None, runs: list, title: str | None, scale: int
) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        assert picture_exporter is not None  # checked before the run
        picture_exporter(path, runs, title=title, scale=scale)

    return write


def _load_file(path: str):
    from simulator.files.scenario_file import load_scenario_file

    return load_scenario_file(path)


def _command_run(args: argparse.Namespace, picture_exporter: PictureExporter | None) -> int:
    from simulator.files import write_chrome_trace, write_csv, write_json
    from simulator.hosting.engine import LiveRun

    title = args.title
    base = None
    if args.scenario:
        file = _load_file(args.scenario)
        base = file.a
        title = title or file.title
        if file.is_comparison:
            print(
                f"async-lanes: note: {args.scenario} holds an A/B comparison; running only A "
                f"(to run both: async-lanes compare --scenario {shlex.quote(args.scenario)})",
                file=sys.stderr,
            )
    scenario = _scenario_from(args, base)
    outputs = _outputs(args, ("json", "csv", "trace", *PICTURE_FLAGS))
    _check_outputs(outputs, picture_exporter)
    run = asyncio.run(_run_until_done_or_interrupted(LiveRun(scenario)))
    _say(format_summary(run))
    picture = _picture_writer(picture_exporter, [run], title, args.scale)
    code = _write_outputs(
        outputs,
        {
            "json": lambda path: write_json(run, path),
            "csv": lambda path: write_csv(run, path),
            "trace": lambda path: write_chrome_trace(run, path),
            **{name: picture for name in PICTURE_FLAGS},
        },
    )
    if run.stopped:
        return EXIT_INTERRUPTED
    return code


PREDICTION_HEADING = "PREDICTION (model, not measured)"


def _check_lines(predicted, measured) -> list[str]:
    """Each figure predicted against measured, and their ratio."""
    p, m = predicted.summary, measured.summary
    figures = [
        ("makespan", p.makespan_ms, m.makespan_ms, "ms"),
        ("p50", p.latency_ms["p50"], m.latency_ms["p50"], "ms"),
        ("p95", p.latency_ms["p95"], m.latency_ms["p95"], "ms"),
        ("threads used", p.threads_used, m.threads_used, ""),
        ("loop blocked", p.loop_blocked_ms, m.loop_blocked_ms, "ms"),
    ]
    lines = [f"  {'':14}{'predicted':>11}{'measured':>11}{'ratio':>8}"]
    for name, pv, mv, unit in figures:
        ratio = f"{pv / mv:8.2f}" if mv else ("       -" if not pv else "     inf")
        number = "{:11.1f}" if unit else "{:11d}"
        lines.append(
            f"  {name + (' ' + unit if unit else ''):14}"
            f"{number.format(pv)}{number.format(mv)}{ratio}"
        )
    return lines


def _command_predict(args: argparse.Namespace) -> int:
    from simulator.files import run_to_dict
    from simulator.hosting.engine import LiveRun
    from simulator.metrics.summary import summarize
    from simulator.prediction.model import predict
    from simulator.trace import Run

    base = _load_file(args.scenario).a if args.scenario else None
    scenario = _scenario_from(args, base)
    outputs = _outputs(args, ("json",))
    _check_outputs(outputs, None)
    trace = predict(scenario)
    predicted = Run(scenario, trace, summarize(trace))
    _say(PREDICTION_HEADING)
    _say(format_summary(predicted))

    def write_json(path: Path) -> None:
        data = {**run_to_dict(predicted), "prediction": True}
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

    code = _write_outputs(outputs, {"json": write_json})
    if not args.check:
        return code
    measured = asyncio.run(_run_until_done_or_interrupted(LiveRun(scenario)))
    _say()
    _say("CHECK: the prediction against a real run")
    for line in _check_lines(predicted, measured):
        _say(line)
    if measured.stopped:
        print("Stopped during the real run: the check is incomplete.", file=sys.stderr)
        return EXIT_INTERRUPTED
    actual = measured.summary.makespan_ms
    off = abs(predicted.summary.makespan_ms - actual) / actual if actual else 0.0
    verdict = "within" if off <= CHECK_TOLERANCE else "OFF: more than"
    _say(f"  makespan off by {off:.0%}: {verdict} {CHECK_TOLERANCE:.0%}")
    if off > CHECK_TOLERANCE:
        return EXIT_PREDICTION_OFF
    return code


def _compare_scenarios(args: argparse.Namespace) -> tuple[Scenario, Scenario, str | None]:
    """A and B from ``--scenario`` and ``--a``/``--b``; the file's title, if any."""
    base_a = base_b = None
    title = None
    if args.scenario:
        file = _load_file(args.scenario)
        title = file.title
        base_a = file.a
        base_b = file.b if file.b is not None else file.a
        if file.b is None and not (args.a or args.b):
            raise ScenarioError(
                f"{args.scenario} holds one scenario; a comparison needs [a] and [b] in the "
                "file, or --a/--b dials to change it by"
            )
    elif not (args.a and args.b):
        missing = "--a and --b" if not (args.a or args.b) else ("--b" if args.a else "--a")
        raise ScenarioError(
            f'compare needs {missing} (e.g. --a "view=sync_io mode=wsgi" '
            '--b "view=async_io"), or --scenario FILE with [a] and [b]'
        )
    scenarios = []
    for flag, dials, base in (("--a", args.a, base_a), ("--b", args.b, base_b)):
        if dials is None:
            scenarios.append(base)
            continue
        try:
            scenarios.append(parse_dials(dials, base))
        except ScenarioError as exc:
            raise ScenarioError(f"{flag}: {exc}") from None
    return scenarios[0], scenarios[1], title


def _command_compare(args: argparse.Namespace, picture_exporter: PictureExporter | None) -> int:
    from simulator.files import run_to_dict, write_chrome_trace
    from simulator.hosting.engine import LiveRun
    from simulator.metrics.verdict import verdict

    a_scenario, b_scenario, file_title = _compare_scenarios(args)
    title = args.title or file_title
    outputs = _outputs(args, ("json", "trace", *PICTURE_FLAGS))
    _check_outputs(outputs, picture_exporter)
    a = asyncio.run(_run_until_done_or_interrupted(LiveRun(a_scenario)))
    _say("A: " + format_summary(a))
    if a.stopped:
        print("Stopped during A: B was not run, nothing was written.", file=sys.stderr)
        return EXIT_INTERRUPTED
    b = asyncio.run(_run_until_done_or_interrupted(LiveRun(b_scenario)))
    _say("B: " + format_summary(b))
    if b.stopped:
        print("Stopped during B: nothing was written.", file=sys.stderr)
        return EXIT_INTERRUPTED
    line = verdict(a, b)
    _say()
    _say(f"Verdict: {line}")

    def write_json(path: Path) -> None:
        data = {"a": run_to_dict(a), "b": run_to_dict(b), "verdict": line}
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

    picture = _picture_writer(picture_exporter, [a, b], title, args.scale)
    return _write_outputs(
        outputs,
        {
            "json": write_json,
            "trace": lambda path: write_chrome_trace([a, b], path),
            **{name: picture for name in PICTURE_FLAGS},
        },
    )


def _command_views() -> int:
    from simulator.catalog import lesson_views

    views = lesson_views()
    width = max(map(len, views))
    for info in views.values():
        _say(f"{info.name:<{width}}  {info.description}")
    return EXIT_OK


def main(
    argv: Sequence[str] | None = None, *, picture_exporter: PictureExporter | None = None
) -> int:
    """Run the command line; returns the exit code.

    ``picture_exporter`` writes ``--png``/``--svg``/``--pdf`` pictures (see
    :data:`PictureExporter`); without it those flags are refused.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return _command_run(args, picture_exporter)
        if args.command == "compare":
            return _command_compare(args, picture_exporter)
        if args.command == "views":
            return _command_views()
        if args.command == "predict":
            return _command_predict(args)
        parser.print_help()
        return EXIT_USAGE
    except _OutputProblem as exc:
        _error(str(exc))
        return exc.code
    except ScenarioError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except LanesError as exc:
        _error(str(exc))
        return EXIT_FAILED
