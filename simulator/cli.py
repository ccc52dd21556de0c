"""The command line: ``async-lanes run ...`` and ``async-lanes views``.

Every mistake a person can make on the command line gets one line on stderr and exit code 2;
a run that cannot finish (stopped, upstream failure) exits 1 after saving what it measured.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from .errors import LanesError, ScenarioError
from .scenario import LIMITS, MIDDLEWARES, MODES, Scenario

__all__ = ["build_parser", "main", "format_summary"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="async-lanes",
        description="Run a real Django site and see how it schedules sync and async views. "
        "With no command, opens the window.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = commands.add_parser("run", help="run a scenario and print its figures")
    run.add_argument("--view", default="async_io", help="lesson view (see: async-lanes views)")
    run.add_argument("--mode", default="asgi", choices=MODES, help="server: asgi or wsgi")
    run.add_argument("--workers", type=_number(int, "workers"), default=1,
                     help="WSGI worker threads (1-256)")
    run.add_argument("--requests", type=_number(int, "requests"), default=8,
                     help="how many requests (1-10000)")
    run.add_argument("--io-ms", type=_number(float, "io_ms"), default=200.0,
                     help="I/O wait per request, ms (0-10000)")
    run.add_argument("--cpu-ms", type=_number(float, "cpu_ms"), default=0.0,
                     help="CPU work per request, ms (0-5000)")
    run.add_argument("--arrival-ms", type=_number(float, "arrival_ms"), default=0.0,
                     help="spacing between sends, ms; 0 sends all at once")
    run.add_argument("--fanout", type=_number(int, "fanout"), default=1,
                     help="upstream calls per request for the fan-out views (1-32)")
    run.add_argument("--middleware", default="async", choices=MIDDLEWARES,
                     help="middleware stack: async-capable, or with a sync-only middleware")
    run.add_argument("--upstream-url", default=None,
                     help="where the httpx views fetch from (default: a slow upstream we start)")
    run.add_argument("--json", metavar="OUT", help="write the whole run as JSON")

    commands.add_parser("views", help="list the lesson views")
    return parser


def format_summary(run) -> str:
    """A few lines a person reads at a glance."""
    s = run.summary
    lat = s.latency_ms
    lines = [
        run.scenario.label + ("  (stopped)" if run.stopped else ""),
        f"  makespan      {s.makespan_ms:9.1f} ms",
        f"  throughput    {s.throughput_rps:9.1f} req/s",
        f"  latency       p50 {lat['p50']:.1f}  p95 {lat['p95']:.1f}  p99 {lat['p99']:.1f}"
        f"  max {lat['max']:.1f} ms",
        f"  in flight     {s.peak_in_flight} at peak",
        f"  threads used  {s.threads_used}",
        f"  loop blocked  {s.loop_blocked_ms:9.1f} ms",
        f"  framework     {s.framework_ms_per_request:9.2f} ms per request",
        f"  requests      {s.ok} ok, {s.failed} failed, {s.cancelled} cancelled",
    ]
    errors = sorted({lane.error for lane in run.trace.lanes if lane.error})
    for error in errors[:3]:
        lines.append(f"  error         {error}")
    return "\n".join(lines)


def _scenario_from(args: argparse.Namespace) -> Scenario:
    return Scenario(
        view=args.view,
        mode=args.mode,
        workers=args.workers,
        requests=args.requests,
        io_ms=args.io_ms,
        cpu_ms=args.cpu_ms,
        arrival_ms=args.arrival_ms,
        fanout=args.fanout,
        middleware=args.middleware,
        upstream_url=args.upstream_url,
    )


async def _run_until_done_or_interrupted(live) -> object:
    """Run; Ctrl+C stops the run (and keeps what it measured) instead of killing it."""
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, live.stop)
    except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
        pass
    try:
        return await live.run()
    finally:
        try:
            loop.remove_signal_handler(signal.SIGINT)
        except (NotImplementedError, RuntimeError):
            pass


def _command_run(args: argparse.Namespace) -> int:
    from .engine import LiveRun
    from .exports import write_json

    scenario = _scenario_from(args)
    run = asyncio.run(_run_until_done_or_interrupted(LiveRun(scenario)))
    print(format_summary(run))
    if args.json:
        try:
            write_json(run, args.json)
        except OSError as exc:
            print(f"async-lanes: error: cannot write {args.json}: {exc.strerror}", file=sys.stderr)
            return EXIT_FAILED
    return EXIT_INTERRUPTED if run.stopped else EXIT_OK


def _command_views() -> int:
    from .catalog import lesson_views

    views = lesson_views()
    width = max(map(len, views))
    for info in views.values():
        print(f"{info.name:<{width}}  {info.description}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return _command_run(args)
        if args.command == "views":
            return _command_views()
        parser.print_help()
        return EXIT_USAGE
    except ScenarioError as exc:
        print(f"async-lanes: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LanesError as exc:
        print(f"async-lanes: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
