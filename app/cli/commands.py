"""What each command does: ``run``, ``compare``, ``predict`` and ``views``.

The engine (Django, the servers, the model) is imported inside each command, so the parser
and ``--help`` stay light. Each command returns its exit code (:mod:`.exit_codes`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.errors import ScenarioError
from simulator.scenario import Scenario

from .dial_strings import parse_dials
from .exit_codes import (
    CHECK_TOLERANCE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PREDICTION_OFF,
)
from .outputs import (
    PICTURE_FLAGS,
    check_outputs,
    outputs_asked,
    picture_writer,
    say,
    write_outputs,
)
from .parser import DIAL_KEYS
from .summary import PREDICTION_HEADING, check_lines, format_summary

if TYPE_CHECKING:
    from simulator.files.scenario_file import ScenarioFile
    from simulator.hosting.engine import LiveRun
    from simulator.trace import Run

__all__ = [
    "command_compare",
    "command_predict",
    "command_run",
    "command_views",
    "measure",
]


def _scenario_from(args: argparse.Namespace, base: Scenario | None = None) -> Scenario:
    """``base`` (or the defaults) with every dial flag that was given."""
    given = {key: getattr(args, key) for key in DIAL_KEYS if getattr(args, key) is not None}
    return (base or Scenario()).replace(**given)


def _load_file(path: str) -> ScenarioFile:
    from simulator.files.scenario_file import load_scenario_file

    return load_scenario_file(path)


def measure(scenario: Scenario) -> Run:
    """Run ``scenario`` for real (this boots Django); Ctrl+C stops it, keeping what ran."""
    from simulator.hosting.engine import LiveRun

    return asyncio.run(_run_until_done_or_interrupted(LiveRun(scenario)))


async def _run_until_done_or_interrupted(live: LiveRun) -> Run:
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


def _by(args: argparse.Namespace) -> str:
    """The pictures' layout: ``--by``, else the scenario file's ``by``, else per request."""
    if args.by:
        return str(args.by)
    return (_load_file(args.scenario).by if args.scenario else None) or "request"


def command_run(args: argparse.Namespace) -> int:
    from simulator.files import write_chrome_trace, write_csv, write_json

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
    outputs = outputs_asked(args, ("json", "csv", "trace", *PICTURE_FLAGS))
    check_outputs(outputs)
    run = measure(scenario)
    say(format_summary(run))
    picture = picture_writer([run], title, args.scale, _by(args))
    code = write_outputs(
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


def command_predict(args: argparse.Namespace) -> int:
    """The model's figures; with ``--check``, beside a real run's. Boots Django only then."""
    from simulator.files import run_to_dict
    from simulator.metrics.summary import summarize
    from simulator.prediction import model
    from simulator.trace import Run

    base = _load_file(args.scenario).a if args.scenario else None
    scenario = _scenario_from(args, base)
    outputs = outputs_asked(args, ("json",))
    check_outputs(outputs)
    trace = model.predict(scenario)
    predicted = Run(scenario, trace, summarize(trace))
    say(PREDICTION_HEADING)
    say(format_summary(predicted))

    def write_json(path: Path) -> None:
        data = {**run_to_dict(predicted), "prediction": True}
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

    code = write_outputs(outputs, {"json": write_json})
    if not args.check:
        return code
    measured = measure(scenario)
    say()
    say("CHECK: the prediction against a real run")
    for line in check_lines(predicted, measured):
        say(line)
    if measured.stopped:
        print("Stopped during the real run: the check is incomplete.", file=sys.stderr)
        return EXIT_INTERRUPTED
    actual = measured.summary.makespan_ms
    off = abs(predicted.summary.makespan_ms - actual) / actual if actual else 0.0
    verdict = "within" if off <= CHECK_TOLERANCE else "OFF: more than"
    say(f"  makespan off by {off:.0%}: {verdict} {CHECK_TOLERANCE:.0%}")
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
    scenarios: list[Scenario] = []
    for flag, dials, base in (("--a", args.a, base_a), ("--b", args.b, base_b)):
        if dials is None:
            assert base is not None  # without dials, the file gave it (checked above)
            scenarios.append(base)
            continue
        try:
            scenarios.append(parse_dials(dials, base))
        except ScenarioError as exc:
            raise ScenarioError(f"{flag}: {exc}", key=exc.key) from None
    return scenarios[0], scenarios[1], title


def command_compare(args: argparse.Namespace) -> int:
    from simulator.files import run_to_dict, write_chrome_trace
    from simulator.metrics.verdict import verdict

    a_scenario, b_scenario, file_title = _compare_scenarios(args)
    title = args.title or file_title
    outputs = outputs_asked(args, ("json", "trace", *PICTURE_FLAGS))
    check_outputs(outputs)
    a = measure(a_scenario)
    say("A: " + format_summary(a))
    if a.stopped:
        print("Stopped during A: B was not run, nothing was written.", file=sys.stderr)
        return EXIT_INTERRUPTED
    b = measure(b_scenario)
    say("B: " + format_summary(b))
    if b.stopped:
        print("Stopped during B: nothing was written.", file=sys.stderr)
        return EXIT_INTERRUPTED
    line = verdict(a, b)
    say()
    say(f"Verdict: {line}")

    def write_json(path: Path) -> None:
        data = {"a": run_to_dict(a), "b": run_to_dict(b), "verdict": line}
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

    picture = picture_writer([a, b], title, args.scale, _by(args))
    return write_outputs(
        outputs,
        {
            "json": write_json,
            "trace": lambda path: write_chrome_trace([a, b], path),
            **{name: picture for name in PICTURE_FLAGS},
        },
    )


def command_views() -> int:
    """One line per lesson view: its name and what it does (no Django needed)."""
    from simulator.catalog import lesson_views

    views = lesson_views()
    width = max(map(len, views))
    for info in views.values():
        say(f"{info.name:<{width}}  {info.description}")
    return EXIT_OK
