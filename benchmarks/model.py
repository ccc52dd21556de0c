"""The model against the measurement: every lesson's sides and scenarios at scale.

Each scenario is measured ``--repeat`` times (the median is compared) and predicted once,
with the shipped default costs (``--calibrated``: this machine's cached calibration). A row
reads the makespan and the lesson's figure, measured and modelled, and how far apart they
are; a row is within tolerance at 15% (25% at 1,000 requests or more), or 0.5 ms for
``framework_ms_per_request``, 20 ms for other times, 1 for counts, as the lessons judge.

    python benchmarks/model.py                 # everything (a few minutes)
    python benchmarks/model.py --only 9 18 19  # those lessons' sides
    python benchmarks/model.py --scale-only    # the scenarios at scale only
    python benchmarks/model.py --match fan 300 # the rows whose name holds any of these
    python benchmarks/model.py --against /work/bench/model_quiet_0840.txt
                                               # predict only, against a saved table's
                                               # measured figures (a quiet machine's)

Each row ends with the load average (1 minute) when its runs ended and how many cores other
programs used meanwhile; a row measured while they used more than half a core is BUSY.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.hosting.engine import run_scenario  # noqa: E402
from simulator.lessons import lesson_entries  # noqa: E402
from simulator.metrics.figures import FIGURE  # noqa: E402
from simulator.metrics.summary import summarize  # noqa: E402
from simulator.prediction.agreement import agrees  # noqa: E402
from simulator.prediction.calibration import load_costs  # noqa: E402
from simulator.prediction.costs import Costs  # noqa: E402
from simulator.prediction.model import predict  # noqa: E402
from simulator.scenario import Scenario  # noqa: E402

LESSONS = Path(__file__).resolve().parents[1] / "assets" / "lessons"


@dataclass(frozen=True)
class Case:
    name: str
    scenario: Scenario
    figure: str
    #: Why this machine cannot run it now (a lesson's needs), if it cannot.
    unmet: str | None = None


def _scale_cases() -> list[Case]:
    s = Scenario
    return [
        Case("300 async_io x 500 ms", s(view="async_io", requests=300, io_ms=500), "p50"),
        Case("1000 async_io x 500 ms", s(view="async_io", requests=1000, io_ms=500), "p50"),
        Case("3000 async_io x 500 ms", s(view="async_io", requests=3000, io_ms=500), "p50"),
        Case(
            "300 sync_io asgi x 200 ms",
            s(view="sync_io", requests=300, io_ms=200),
            "threads_held_peak",
        ),
        Case(
            "1000 sync_io asgi x 500 ms",
            s(view="sync_io", requests=1000, io_ms=500),
            "threads_held_peak",
        ),
        Case(
            "wsgi 8 workers, 200 x 50 ms",
            s(view="sync_io", mode="wsgi", workers=8, requests=200, io_ms=50),
            "p50",
        ),
        Case(
            "asgi sync cpu 20 x 20 ms",
            s(view="sync_io", requests=20, io_ms=0, cpu_ms=20),
            "threads_held_peak",
        ),
        Case(
            "asgi fan-out 100 x 4 x 100 ms",
            s(view="async_fanout", requests=100, io_ms=100, fanout=4),
            "p50",
        ),
        Case(
            "blocking async 10 x 50 ms",
            s(view="async_blocking", requests=10, io_ms=50),
            "loop_blocked_ms",
        ),
        Case(
            "sync middleware 200 x 100 ms",
            s(view="async_io", requests=200, io_ms=100, middleware="sync"),
            "threads_held_peak",
        ),
    ]


def _cpu_jiffies() -> tuple[float, float]:
    """(busy seconds of every core, this process's CPU seconds) so far: what others used
    meanwhile is the first's growth less the second's."""
    with open("/proc/stat", encoding="ascii") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    tick = os.sysconf("SC_CLK_TCK")
    times = os.times()
    return (sum(values[:8]) - idle) / tick, times.user + times.system


def _lesson_cases(only: list[int] | None) -> list[Case]:
    cases = []
    for entry in lesson_entries(LESSONS):
        lesson = entry.lesson
        if lesson is None or (only and entry.number not in only):
            continue
        sides = [("A", lesson.file.a)] + ([("B", lesson.file.b)] if lesson.file.b else [])
        unmet = lesson.needs.unmet_now()
        for side, scenario in sides:
            name = f"lesson {entry.number:02d} {side}"
            cases.append(Case(name, scenario, lesson.figure, unmet))
    return cases


#: A row of a saved table: its name, measured makespan, the figure's measured value, and
#: the cores others used while it was measured.
_ROW = re.compile(
    r"^(.{32}) +([\d.]+) vs +[\d.]+ +\S+ +([\d.]+) vs +[\d.]+ .*others used ([\d.]+) cores"
)


def _saved(path: Path) -> dict[str, tuple[float, float, float]]:
    """A saved table's measured (makespan, figure, others' cores) by row name: what this
    script printed then."""
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := _ROW.match(line):
            name, *figures = match.groups()
            rows[name.strip()] = (float(figures[0]), float(figures[1]), float(figures[2]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="measured runs of each scenario")
    parser.add_argument("--only", type=int, nargs="*", help="lesson numbers (default: all)")
    parser.add_argument("--scale-only", action="store_true", help="only the scale scenarios")
    parser.add_argument("--no-scale", action="store_true", help="leave the scale scenarios out")
    parser.add_argument("--calibrated", action="store_true", help="this machine's calibration")
    parser.add_argument("--match", nargs="*", help="only rows whose name holds one of these")
    parser.add_argument(
        "--against", type=Path, help="measure nothing: a saved table's measured figures"
    )
    args = parser.parse_args()
    saved = _saved(args.against) if args.against else None
    costs = load_costs().costs if args.calibrated else Costs()
    cases = [] if args.scale_only else _lesson_cases(args.only)
    if not args.no_scale and not args.only:
        cases += _scale_cases()
    if args.match:
        cases = [c for c in cases if any(m in c.name for m in args.match)]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; costs: ", end="")
    print(load_costs().note if args.calibrated else "the shipped defaults")
    print(f"{'scenario':32} {'makespan ms: measured vs model':>31} {'figure':>18} ...  ok")
    within = gated = within_quiet = 0
    for case in cases:
        fig = FIGURE[case.figure]
        if saved is not None:
            if case.name not in saved:
                print(f"{case.name:32} not in {args.against}")
                continue
            measured_make, measured_fig, others = saved[case.name]
        elif case.unmet is not None:
            print(f"{case.name:32} skipped: {case.unmet}")
            continue
        else:
            start = time.perf_counter()
            busy0, ours0 = _cpu_jiffies()
            runs = [run_scenario(case.scenario) for _ in range(args.repeat)]
            busy1, ours1 = _cpu_jiffies()
            took = time.perf_counter() - start
            # Others' CPU meanwhile, in cores: above half a core, the machine was busy and a
            # time measured then is not the one a quiet machine gives (the load gate).
            others = max(0.0, (busy1 - busy0) - (ours1 - ours0)) / took
            measured_make = statistics.median(r.summary.makespan_ms for r in runs)
            measured_fig = statistics.median(fig.value(r.summary) for r in runs)
        t0 = time.perf_counter()
        model = summarize(predict(case.scenario, costs))
        model_s = time.perf_counter() - t0
        model_fig = fig.value(model)
        big = case.scenario.requests >= 1000
        ok_make = agrees("makespan_ms", model.makespan_ms, measured_make, large=big)
        ok_fig = agrees(case.figure, model_fig, measured_fig, large=big)
        quiet = others <= 0.5
        within += ok_make and ok_fig
        gated += quiet
        within_quiet += quiet and ok_make and ok_fig
        print(
            f"{case.name:32} {measured_make:10.1f} vs {model.makespan_ms:9.1f} "
            f"{case.figure:>18} {measured_fig:7.2f} vs {model_fig:7.2f}  "
            f"{'yes' if ok_make and ok_fig else 'NO '}  ("
            + ("measured then" if saved is not None else f"{took:.1f} s measured")
            + f", {model_s * 1000:.0f} ms predicted; load {os.getloadavg()[0]:.1f}, "
            f"others used {others:.1f} cores"
            f"{'' if quiet else ': BUSY'})",
            flush=True,
        )
    print(f"within tolerance: {within} of {len(cases)}; measured on a quiet machine: {gated}, ")
    print(f"of which within tolerance: {within_quiet}")


if __name__ == "__main__":
    main()
