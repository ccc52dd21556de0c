"""``predict`` at scale: the whole command's wall time, and the scale path against the
request-by-request event model.

The timing is of the command as a person types it (a fresh process: start-up, the model,
the summary, the JSON file), for 10,000 requests (the event model, every lane), 100,000 and
1,000,000 (the same model in a thousand pieces, :mod:`simulator.prediction.scale`). The
target: under 1 s for 100,000 and under 5 s for 1,000,000. Then the agreement table: the
scale path's makespan, p50, threads held and loop blocked beside the event model's, at
2,000, 5,000 and 10,000 requests, for a few views and modes (the target: within 5%).

    python benchmarks/predict_scale.py            # timings and agreement (~1 minute)
    python benchmarks/predict_scale.py --timings  # the timings only
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator.metrics.summary import Summary, summarize  # noqa: E402
from simulator.prediction.costs import Costs  # noqa: E402
from simulator.prediction.flows import simulate  # noqa: E402
from simulator.prediction.scale import predict_summary  # noqa: E402
from simulator.scenario import Scenario  # noqa: E402
from tests.simulator.test_model_scale import CASES  # noqa: E402  (the test's cases, one table)


def command_seconds(requests: int, folder: Path) -> float:
    out = folder / f"p{requests}.json"
    argv = ["predict", "--view", "async_io", "--mode", "asgi", "--requests", str(requests)]
    argv += ["--io-ms", "100", "--cpu-ms", "1", "--json", str(out)]
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "app.launcher", *argv], cwd=ROOT, check=True, capture_output=True
    )
    return time.perf_counter() - start


def figures(summary: Summary) -> list[float]:
    return [
        summary.makespan_ms,
        summary.latency_ms["p50"],
        summary.threads_held_peak,
        summary.loop_blocked_ms,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timings", action="store_true", help="the timings only")
    args = parser.parse_args()
    print(
        "async-lanes predict --view async_io --mode asgi --requests N --io-ms 100 "
        "--cpu-ms 1 --json OUT"
    )
    with tempfile.TemporaryDirectory() as folder:
        for requests in (10_000, 100_000, 1_000_000):
            best = min(command_seconds(requests, Path(folder)) for _ in range(3))
            print(f"  {requests:>9,} requests: {best:.2f} s (best of 3)")
    if args.timings:
        return
    names = ("makespan", "p50", "threads held", "loop blocked")
    print(
        "\nscale path against the event model (io 100 ms, cpu 1 ms unless said); worst of "
        + ", ".join(names)
    )
    worst_all = 0.0
    for requests in (2_000, 5_000, 10_000):
        for name, dials in CASES.items():
            scenario = Scenario(requests=requests, **{"io_ms": 100, "cpu_ms": 1, **dials})
            every = figures(summarize(simulate(scenario, Costs())))
            pieces = figures(predict_summary(scenario, Costs(), cores=2))
            offs = [
                abs(p - e) / e if e else float(p != e) for e, p in zip(every, pieces, strict=True)
            ]
            worst = max(offs)
            worst_all = max(worst_all, worst)
            figure = names[offs.index(worst)]
            print(
                f"  {requests:>6,} {name:<20} worst {worst:5.1%} ({figure}: "
                f"{every[offs.index(worst)]:.0f} against {pieces[offs.index(worst)]:.0f})"
            )
    print(f"worst of all: {worst_all:.1%} (target: 5%)")


if __name__ == "__main__":
    main()
