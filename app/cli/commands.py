"""What each command does: ``run``, ``compare``, ``predict`` and ``views``.

The engine (Django, the servers, the model) is imported inside each command, so the parser
and ``--help`` stay light. Each command returns its exit code (:mod:`.exit_codes`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.errors import ScenarioError
from simulator.files.atomic import write_text_atomically
from simulator.request_headers import request_headers
from simulator.scenario import Scenario
from simulator.server_extra import missing_server
from simulator.trace.collector import kept_until_exit
from simulator.upstream_address import refuse_unless_allowed, url_host

from .answered import early_answers, tidied_line, tidied_text, tidying_text
from .dial_strings import parse_dials
from .exit_codes import CHECK_TOLERANCE, EXIT_FAILED, EXIT_OK, EXIT_PREDICTION_OFF
from .outputs import (
    PICTURE_FLAGS,
    check_outputs,
    outputs_asked,
    picture_writer,
    say,
    write_outputs,
)
from .parser import DIAL_KEYS
from .signals import Interrupts
from .summary import PREDICTION_HEADING, check_lines, format_summary, no_answer_line

if TYPE_CHECKING:
    from simulator.files.scenario_file import ScenarioFile
    from simulator.trace import Run

__all__ = ["command_compare", "command_predict", "command_run", "command_views", "measure_with"]


def _scenario_from(args: argparse.Namespace, base: Scenario | None = None) -> Scenario:
    """``base`` (or the defaults) with every dial flag that was given."""
    given = {key: getattr(args, key) for key in DIAL_KEYS if getattr(args, key) is not None}
    return (base or Scenario()).replace(**given)


def _load_file(path: str, *, model: bool = False) -> ScenarioFile:
    from simulator.files.scenario_file import load_scenario_file

    return load_scenario_file(path, model=model)


def _measure(
    scenario: Scenario,
    interrupts: Interrupts,
    save_now: Callable[[Run], object],
    headers: tuple[tuple[str, str], ...] = (),
    allowed: tuple[str, ...] = (),
    answered: Callable[[Run, int], object] | None = None,
) -> Run:
    """Run ``scenario`` for real (this boots Django). A signal stops it (what it measured is
    returned, marked stopped); a second one calls ``save_now`` with what was measured so far
    and quits at once (see :mod:`.signals`). ``headers`` go with every request to a ``url``;
    ``allowed`` are the hosts it may name wherever they resolve (:func:`_allowed_hosts`).
    ``answered`` gets the run as it stands at the last answer if Django is still tidying up
    after its answers then (:mod:`.answered`)."""
    from simulator.hosting.engine import LiveRun
    from simulator.hosting.run_options import RunOptions

    live = LiveRun(scenario, RunOptions(headers, allowed))
    abandoned = False

    async def measure() -> Run:
        nonlocal abandoned
        if live.sockets is not None:  # stopping kills the servers, within a second
            with interrupts.watching(live, lambda: save_now(live.partial_run())):
                return await live.run()
        # In-process, a signal ends the command: the run is taken as it stands and the
        # process exits after writing it (app.launcher), rather than waiting seconds for
        # thousands of requests to unwind (LiveRun.abandon).
        stopped = asyncio.get_running_loop().create_future()
        running = asyncio.ensure_future(live.run())
        if answered is not None:
            early_answers(live, running, answered)

        def stop() -> None:
            if not live.started:  # booting or warming up: nothing in flight to wait for
                live.stop()
            elif not stopped.done():
                stopped.set_result(None)

        with interrupts.watching(live, lambda: save_now(live.partial_run()), stop):
            await asyncio.wait({running, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if running.done():
                return running.result()
            abandoned = True
            return live.abandon()  # watched still: a second signal writes what it has

    runner = asyncio.Runner()
    try:
        return runner.run(measure())
    finally:
        if not abandoned:  # abandoned: its tasks stay pending until the process exits
            runner.close()
        kept_until_exit(live, runner)  # the probes and records: not freed one by one


def measure_with(interrupts: Interrupts) -> Callable[[Scenario], Run]:
    """A measuring function for code that runs several scenarios (a lesson): a signal stops
    the run in progress, which comes back marked stopped."""
    return lambda scenario: _measure(scenario, interrupts, lambda partial: None)


def _stopped_before(interrupts: Interrupts) -> int:
    print("async-lanes: stopped before the run began; nothing was measured", file=sys.stderr)
    return interrupts.exit_code


def _by(args: argparse.Namespace) -> str:
    """The pictures' layout: ``--by``, else the scenario file's ``by``, else per request."""
    if args.by:
        return str(args.by)
    return (_load_file(args.scenario).by if args.scenario else None) or "request"


def _inputs(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    return [("--scenario", getattr(args, "scenario", None))]


def _allowed_hosts(
    args: argparse.Namespace, scenario: Scenario, named: tuple[str | None, ...] = ()
) -> tuple[str, ...]:
    """The hosts ``scenario`` may call wherever they resolve: ``--allow-host``'s, and the
    host of a ``url`` the person typed on this command line (``named``), also for the
    upstream; a ``url`` from a file handed around does not count."""
    allowed = [*(args.allow_host or ())]
    if scenario.url is not None and scenario.url in named:
        allowed += filter(None, [url_host(scenario.url)])
    return tuple(allowed)


def _check_upstreams(
    args: argparse.Namespace, *scenarios: Scenario, named: tuple[str | None, ...] = ()
) -> None:
    """Refuse an upstream or a ``url`` that is not this machine unless it is allowed
    (:func:`_allowed_hosts`); the client checks again at the address it connects to.
    Refuse too a real server mode whose package is not installed, saying how to install it.
    """
    for scenario in scenarios:
        allowed = _allowed_hosts(args, scenario, named)
        refuse_unless_allowed(scenario.url, allowed, key="url")
        refuse_unless_allowed(scenario.upstream_url, allowed)
        if (missing := missing_server(scenario.mode)) is not None and scenario.url is None:
            raise ScenarioError(f"mode {scenario.mode} is unavailable: {missing}", key="mode")


def command_run(args: argparse.Namespace, interrupts: Interrupts) -> int:
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
    scenario.check_runnable()
    _check_upstreams(args, scenario, named=(args.url,))
    headers = request_headers(args.header or (), scenario)
    outputs = outputs_asked(args, ("json", "csv", "trace", *PICTURE_FLAGS))
    check_outputs(outputs, _inputs(args))

    def write_all(run: Run) -> int:
        picture = picture_writer([run], title, args.scale, _by(args))
        with interrupts.writing():
            return write_outputs(
                outputs,
                {
                    "json": lambda path: write_json(run, path),
                    "csv": lambda path: write_csv(run, path),
                    "trace": lambda path: write_chrome_trace(run, path),
                    **{name: picture for name in PICTURE_FLAGS},
                },
            )

    if interrupts.received:
        return _stopped_before(interrupts)
    allowed = _allowed_hosts(args, scenario, named=(args.url,))
    at_answer: list[Run] = []

    def answered(answers: Run, tidying: int) -> None:
        at_answer.append(answers)
        say(tidying_text(answers, tidying))

    run = _measure(scenario, interrupts, write_all, headers, allowed, answered)
    kept_until_exit(run)  # its lanes: not freed one by one when this returns
    with interrupts.holding():
        code = write_all(run)
        if at_answer and not run.stopped:
            say(tidied_text(run))
        else:
            say(format_summary(run))
            if run.tidying_cut_short:
                say(tidied_line(run))
    if run.stopped or (interrupts.received and not run.tidying_cut_short):
        return interrupts.exit_code
    if (line := no_answer_line(run)) is not None:
        print(line, file=sys.stderr)
        return EXIT_FAILED
    return code


def command_predict(args: argparse.Namespace, interrupts: Interrupts) -> int:
    """The model's figures; with ``--check``, beside a real run's. Boots Django only then."""
    from simulator.files import run_to_dict
    from simulator.prediction import model
    from simulator.prediction.calibration import load_costs
    from simulator.trace import Run, Trace

    base = _load_file(args.scenario, model=True).a if args.scenario else None
    scenario = _scenario_from(args, base)
    if args.check:
        scenario.check_runnable()
        _check_upstreams(args, scenario, named=(args.url,))
    outputs = outputs_asked(args, ("json",))
    check_outputs(outputs, _inputs(args))
    calibration = load_costs()
    # Cores matter only to real servers' processes (None: this machine's).
    # Above 10,000 requests, the figures alone (no lanes: model.predict_figures).
    trace, figures = model.predict_figures(scenario, calibration.costs, cores=args.cores)
    predicted = Run(scenario, trace or Trace(t0_ns=0, lanes=()), figures)
    say(PREDICTION_HEADING)
    say(format_summary(predicted))
    say(f"  model costs   {calibration.note}")

    def write_json(path: Path) -> None:
        data = {**run_to_dict(predicted), "prediction": True, "calibrated": calibration.calibrated}
        if trace is None:
            data["lanes_omitted"] = True
        write_text_atomically(path, json.dumps(data, separators=(",", ":")) + "\n")

    with interrupts.writing():
        code = write_outputs(outputs, {"json": write_json})
    if interrupts.received:
        return interrupts.exit_code
    if not args.check:
        return code
    allowed = _allowed_hosts(args, scenario, named=(args.url,))
    measured = _measure(scenario, interrupts, lambda run: None, allowed=allowed)
    say()
    say("CHECK: the prediction against a real run")
    for line in check_lines(predicted, measured):
        say(line)
    if measured.stopped:
        print("Stopped during the real run: the check is incomplete.", file=sys.stderr)
        return interrupts.exit_code
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


def command_compare(args: argparse.Namespace, interrupts: Interrupts) -> int:
    """A, then B (and each again when close: the comparison protocol), then the verdict.
    Stopped during B, A is kept: both are written, B marked stopped and no verdict; stopped
    during A, what A measured is written; stopped during a re-run, A and B, no verdict."""
    from simulator.files import write_chrome_trace, write_comparison_json
    from simulator.metrics.comparison import Comparison, measure_pair, median_run
    from simulator.metrics.verdict import comparison_verdict

    judged = "makespan_ms"  # what compare judges, as the window does

    a_scenario, b_scenario, file_title = _compare_scenarios(args)
    for flag, scenario in (("--a", a_scenario), ("--b", b_scenario)):
        try:
            scenario.check_runnable()
        except ScenarioError as exc:
            raise ScenarioError(f"{flag}: {exc}", key=exc.key) from None
    typed = tuple(
        scenario.url
        for scenario, dials in ((a_scenario, args.a), (b_scenario, args.b))
        if dials and "url" in dials
    )
    _check_upstreams(args, a_scenario, b_scenario, named=typed)
    title = args.title or file_title
    outputs = outputs_asked(args, ("json", "trace", *PICTURE_FLAGS))
    check_outputs(outputs, _inputs(args))

    def write_all(runs_a: list[Run], runs_b: list[Run], line: str | None) -> int:
        # With a verdict, each side's median run: the one whose number the verdict quotes
        # (the window and the slides show the same one); every run stays in the JSON.
        shown = [
            median_run(judged, runs) if line is not None else runs[0]
            for runs in (runs_a, runs_b)
            if runs
        ]
        pair = (shown[0], shown[1] if len(shown) > 1 else None)
        picture = picture_writer(shown, title, args.scale, _by(args), line)
        with interrupts.writing():
            return write_outputs(
                outputs,
                {
                    "json": lambda path: write_comparison_json(
                        path, runs_a, runs_b, line, shown=pair
                    ),
                    "trace": lambda path: write_chrome_trace(shown, path),
                    **{name: picture for name in PICTURE_FLAGS},
                },
            )

    if interrupts.received:
        return _stopped_before(interrupts)
    measured: list[Run] = []

    def measure(scenario: Scenario) -> Run:
        """One run, printed (the protocol alternates A, B, A, B...); a second signal during
        A or B writes what was measured so far."""
        letter = "AB"[len(measured) % 2]
        n = len(measured) // 2 + 1

        def save_now(partial: Run) -> None:
            if len(measured) < 2:
                write_all([*measured, partial][:1], [partial] if measured else [], None)

        run = _measure(
            scenario, interrupts, save_now, allowed=_allowed_hosts(args, scenario, typed)
        )
        measured.append(run)
        with interrupts.holding():
            say(f"{letter}{f' (run {n})' if n > 1 else ''}: " + format_summary(run))
        return run

    runs_a, runs_b = measure_pair(
        a_scenario,
        b_scenario,
        judged,
        measure,
        notice=say,
        stop=lambda: bool(interrupts.received),
    )
    with interrupts.holding():
        stopped = any(run.stopped for run in runs_a + runs_b) or interrupts.received
        if stopped:
            if not runs_b:
                why = "Stopped during A: B was not run; A is written as far as it got."
            elif len(runs_b) == 1 and len(runs_a) == 1:
                why = "Stopped during B: A and B as far as it got are written; no verdict."
            else:
                why = "Stopped during a re-run: no verdict."
            print(why, file=sys.stderr)
            write_all(runs_a[:1], runs_b[:1], None)
            return interrupts.exit_code
        line = comparison_verdict(Comparison.of_runs(runs_a, runs_b))
        say()
        say(f"Verdict: {line}")
        code = write_all(runs_a, runs_b, line)
        unanswered = [text for run in runs_a + runs_b if (text := no_answer_line(run))]
        for text in dict.fromkeys(unanswered):
            print(text, file=sys.stderr)
    if interrupts.received:
        return interrupts.exit_code
    return EXIT_FAILED if unanswered else code


def command_views() -> int:
    """One line per lesson view: its name and what it does (no Django needed)."""
    from simulator.catalog import lesson_views

    views = lesson_views()
    width = max(map(len, views))
    for info in views.values():
        say(f"{info.name:<{width}}  {info.description}")
    return EXIT_OK
