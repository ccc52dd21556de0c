"""The final trace of a run no window watched, built again from a real run's records: its CPU
and what it writes, to compare two versions of the code on the very same records.

``python benchmarks/final_build.py capture DIR`` runs real scenarios (both modes, most views,
3,000 ``async_io`` requests among them) and keeps what the final build reads of each (the
client's records with their probes, the loop's blocks, the run's start) in ``DIR``.
``python benchmarks/final_build.py replay DIR`` builds each run's final trace and figures
from them with the code on ``sys.path`` (as ``LiveRun.run`` does at a run's end), prints the
build's CPU (the best of three) and the SHA-256 of the JSON, CSV and Chrome trace it writes,
and the machine's load. Run ``replay`` with ``PYTHONPATH`` set to another checkout (a
``git worktree`` of the old code) and to this one, in the same minutes: the hashes say
whether the files are byte for byte the same, the CPU what the change saves, which a busy
machine stretches much less than the wall time of a whole run. (The records are pickled: a
version whose probes have other fields cannot read another's captures.)
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import pickle
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.trace import Run

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # PYTHONPATH (another checkout) comes first when given
    sys.path.append(str(ROOT))

#: ``(name, dials)``: what each captured run is.
SCENARIOS: list[tuple[str, dict[str, Any]]] = [
    ("async_io-3000", dict(view="async_io", requests=3000, io_ms=500, cpu_ms=0)),
    ("sync_io-asgi", dict(view="sync_io", requests=200, io_ms=50, cpu_ms=2)),
    ("sync_io-wsgi", dict(view="sync_io", mode="wsgi", workers=8, requests=200, io_ms=50)),
    ("async_blocking", dict(view="async_blocking", requests=60, io_ms=10, cpu_ms=1)),
    ("async_fanout", dict(view="async_fanout", requests=100, io_ms=100, cpu_ms=1, fanout=3)),
    ("sync_fanout-wsgi", dict(view="sync_fanout", mode="wsgi", workers=4, requests=50, fanout=3)),
    ("async_cpu_chunked", dict(view="async_cpu_chunked", requests=50, io_ms=0, cpu_ms=20)),
    ("async_orm", dict(view="async_orm", requests=100, io_ms=20, cpu_ms=0)),
    ("async_sync_orm_bug", dict(view="async_sync_orm_bug", requests=30, io_ms=5, cpu_ms=0)),
    ("async_stream", dict(view="async_stream", requests=100, io_ms=50, cpu_ms=0)),
    ("async_sync_to_async", dict(view="async_sync_to_async", requests=300, io_ms=50)),
    ("sync_io-django-mw", dict(view="sync_io", middleware="django", requests=100, io_ms=20)),
]


def capture(folder: Path) -> None:
    """Run each scenario for real and keep what its final build reads."""
    from simulator.hosting import engine
    from simulator.scenario import Scenario

    folder.mkdir(parents=True, exist_ok=True)
    kept: dict[str, Any] = {}
    final_run = engine.LiveRun._final_run

    def keeping(live: engine.LiveRun) -> Run:
        driver, server = live._driver, live._server
        assert driver is not None and server is not None
        kept.update(
            records=list(driver.records),
            start_ns=driver.start_ns,
            loop_thread=server.loop_thread,
            blocked=server.loop_blocked(),
            scenario=live.scenario,
            stopped=live.stopping,
        )
        return final_run(live)

    engine.LiveRun._final_run = keeping  # type: ignore[method-assign,assignment]
    for name, dials in SCENARIOS:
        kept.clear()
        run = engine.run_scenario(Scenario(**dials))
        with (folder / f"{name}.pickle").open("wb") as file:
            pickle.dump(kept, file, protocol=pickle.HIGHEST_PROTOCOL)
        segments = sum(len(lane.segments) for lane in run.trace.lanes)
        print(f"{name:22} {len(run.trace.lanes):6,} lanes {segments:9,} segments")


def _final(kept: dict[str, Any]) -> Run:
    """The run's final trace and figures, as ``LiveRun.run`` makes them at a run's end."""
    from simulator.hosting.engine import LiveRun

    live = LiveRun(kept["scenario"])
    live._driver = types.SimpleNamespace(records=kept["records"], start_ns=kept["start_ns"])  # type: ignore[assignment]
    live._server = types.SimpleNamespace(  # type: ignore[assignment]
        loop_thread=kept["loop_thread"],
        loop_blocked=lambda: kept["blocked"],
        loop_blocking_now=lambda now_ns: None,
    )
    live._stop_requested = kept["stopped"]
    return live._final_run()


def replay(folder: Path) -> None:
    """Build each captured run's final trace; print its CPU and its files' hashes."""
    from simulator.files import write_chrome_trace, write_csv, write_json

    print(f"code: {Path(sys.modules['simulator'].__file__ or '').parent.parent}")
    gc.disable()  # as a command line's run after measuring (simulator.trace.collector)
    with tempfile.TemporaryDirectory(prefix="lanes-final-") as scratch:
        out = Path(scratch)
        for path in sorted(folder.glob("*.pickle")):
            with path.open("rb") as file:
                kept = pickle.load(file)
            best = float("inf")
            for _ in range(3):
                cpu = time.thread_time()
                run = _final(kept)
                best = min(best, time.thread_time() - cpu)
            write_json(run, out / "run.json")
            write_csv(run, out / "run.csv")
            write_chrome_trace(run, out / "run.trace.json")
            hashes = " ".join(
                f"{name.split('.', 1)[1]} {_sha((out / name).read_bytes())}"
                for name in ("run.json", "run.csv", "run.trace.json")
            )
            print(f"{path.stem:22} built in {best * 1000:7.1f} ms CPU   {hashes}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("capture", "replay"))
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    if args.what == "capture":
        capture(args.folder)
    else:
        replay(args.folder)


if __name__ == "__main__":
    main()
