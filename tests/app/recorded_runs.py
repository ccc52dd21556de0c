"""Every lesson's runs, recorded once with the real engine, replayed into the window.

``python -m tests.app.recorded_runs record [N ...]`` runs each lesson's sides once (A, and B
for a comparison) with :func:`~simulator.hosting.engine.run_scenario` and writes
``tests/app/recorded/NN.json``: the lesson's file name and its runs, each as the run file
(docs/run-schema.md) holds it. The presentation tests then load them through the session's
runner injection (:class:`RecordedRunner`), so they show real lanes without running Django:
seconds, not minutes, and the same pictures every time.

The run file folds loop steps under 0.1 ms into the waits around them and keeps the figures
as measured: what a run looks like on screen is all there.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import sys
import time
from pathlib import Path

from simulator.metrics.replay import trace_at
from simulator.metrics.summary import Summary
from simulator.scenario import Scenario
from simulator.trace import Kind, Lane, Run, Segment, Trace

__all__ = ["FOLDER", "RecordedRunner", "lesson_numbers", "load_runs"]

FOLDER = Path(__file__).resolve().parent / "recorded"
LESSONS = Path(__file__).resolve().parents[2] / "assets" / "lessons"

_NS = 1_000_000  # ns per ms


def run_from_data(data: dict, t0_ns: int) -> Run:
    """A run file's data as a :class:`Run` whose first send was at ``t0_ns`` (the reverse of
    ``run_to_dict``, as far as the file goes: what the lanes and the figures need)."""

    def _ns(ms: float) -> int:
        return t0_ns + round(ms * _NS)

    lanes = []
    for request in data["requests"]:
        segments = tuple(
            Segment(Kind(seg["kind"]), _ns(seg["start_ms"]), _ns(seg["end_ms"]), seg["thread"])
            for seg in request["segments"]
        )
        lanes.append(
            Lane(
                request_id=request["id"],
                view=request["view"],
                status=request["status"],
                status_code=request["status_code"],
                error=request["error"],
                sent_ns=_ns(request["sent_ms"]),
                done_ns=_ns(request["done_ms"]),
                segments=segments,
                threads_seen=tuple(
                    (thread, _ns(ms)) for thread, ms in request.get("threads_seen", {}).items()
                ),
            )
        )
    trace = Trace(
        t0_ns,
        tuple(lanes),
        data["loop_thread"],
        tuple((_ns(b["start_ms"]), _ns(b["end_ms"])) for b in data["loop_blocked"]),
        worker_pids=tuple(data.get("worker_pids", ())),
    )
    # Recorded before the summary said how many were answered: counted from the requests,
    # as docs/run-schema.md tells a reader of such a file.
    summary = Summary(**{"answered": int(trace.lane_columns.answered.sum()), **data["summary"]})
    return Run(Scenario.from_dict(data["scenario"]), trace, summary, stopped=data["stopped"])


def lesson_numbers() -> list[int]:
    """The lessons with a recording, by number."""
    return sorted(int(path.name.split(".")[0]) for path in FOLDER.glob("*.json.gz"))


def load_runs(number: int) -> tuple[Path, list[dict]]:
    """Lesson ``number``'s file and its recorded runs' data (A, then B for a comparison)."""
    with gzip.open(FOLDER / f"{number:02d}.json.gz", "rt") as file:
        data = json.load(file)
    return LESSONS / data["lesson"], data["runs"]


class _Handle:
    """One replayed run, on the session's clock: while ``gate`` is unset, every live
    snapshot shows it ``fraction`` of the way through, "now"; then the recorded run."""

    def __init__(self, data: dict, fraction: float, gate: asyncio.Event | None) -> None:
        self._data, self._gate = data, gate
        answered = [r["done_ms"] for r in data["requests"] if r["status"] != "cancelled"]
        self._held_ns = round(max(answered, default=0.0) * fraction * _NS)
        self.started = False

    def snapshot(self, now_ns: int | None = None) -> Trace:
        now = time.perf_counter_ns() if now_ns is None else now_ns
        start = now - self._held_ns
        return trace_at(run_from_data(self._data, start).trace, now)

    def stop(self) -> None:
        if self._gate is not None:
            self._gate.set()

    async def run(self) -> Run:
        self.started = True
        if self._gate is not None:
            await self._gate.wait()
        else:
            await asyncio.sleep(0.05)
        return run_from_data(self._data, time.perf_counter_ns())


class RecordedRunner:
    """The session's runner (``Session(runner=...)``): each scenario gets its recorded run,
    found by its dials. While :attr:`gate` is unset a run stays live, its snapshots halfway
    through, so a test can look at the run step; :meth:`release` lets runs end."""

    def __init__(self, runs: list[dict], fraction: float = 0.5) -> None:
        self.runs = runs
        self.fraction = fraction
        self.gate: asyncio.Event | None = None
        self.asked: list[Scenario] = []

    def hold(self) -> None:
        self.gate = asyncio.Event()

    def release(self) -> None:
        if self.gate is not None:
            self.gate.set()
        self.gate = None

    def __call__(self, scenario: Scenario) -> _Handle:
        self.asked.append(scenario)
        run = next((r for r in self.runs if Scenario.from_dict(r["scenario"]) == scenario), None)
        if run is None:
            raise LookupError(f"no recorded run of {scenario.label}")
        return _Handle(run, self.fraction, self.gate)


def record(numbers: list[int]) -> None:
    """Run each lesson's sides once with the real engine and store the runs."""
    from simulator.files.json_run import run_to_dict
    from simulator.hosting.engine import run_scenario
    from simulator.lessons import lesson_entries

    FOLDER.mkdir(exist_ok=True)
    for entry in lesson_entries(LESSONS):
        if entry.lesson is None or (numbers and entry.number not in numbers):
            continue
        lesson = entry.lesson
        sides = [lesson.file.a] + ([lesson.file.b] if lesson.file.b is not None else [])
        runs = [run_to_dict(run_scenario(scenario)) for scenario in sides]
        out = FOLDER / f"{entry.number:02d}.json.gz"
        data = {"lesson": entry.path.name, "runs": runs}
        # mtime=0: the same runs give the same bytes.
        with out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as file:
            file.write(json.dumps(data, separators=(",", ":")).encode())
        print(f"{out.name}: {out.stat().st_size / 1024:.0f} KB", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] != ["record"]:
        sys.exit("usage: python -m tests.app.recorded_runs record [N ...]")
    record([int(n) for n in sys.argv[2:]])
