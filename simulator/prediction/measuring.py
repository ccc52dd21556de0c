"""Measuring :class:`~simulator.prediction.costs.Costs` on this machine, with the real engine.

:func:`measure_costs` is what ``async-lanes calibrate`` runs: short real runs, a few seconds
in all. The phases of one request are read from the segments of spaced single requests
(medians of ``samples``); what requests cost among others (in all, growing with
concurrency, with a thread of their own, an upstream call, a database connection) from the
makespans of bursts, by the model itself (:mod:`simulator.prediction.fitting`).
"""

from __future__ import annotations

import statistics
from typing import Any

from simulator.prediction.costs import Costs
from simulator.prediction.fitting import BURSTS, fit_bursts
from simulator.prediction.flows import DJANGO_STACK_HOOKS
from simulator.scenario import Scenario
from simulator.trace import QUEUE_THREAD, Lane, Run, Segment, Trace

__all__ = ["computing_ns", "measure_costs"]


def measure_costs(*, samples: int = 7, at_bound: list[str] | None = None) -> Costs:
    """The costs measured here, with the real engine, in a few seconds; a figure it cannot
    read keeps its default, a burst cost the model cannot fit within its range is its bound
    (its name added to ``at_bound``: :func:`~simulator.prediction.fitting.fit_bursts`). It
    runs its own event loops (``asyncio.run``): call it where no loop is running, e.g. on a
    worker thread."""
    if samples < 1:
        raise ValueError(f"samples must be at least 1, not {samples}")
    from simulator.hosting.engine import run_scenario

    def lanes(**dials: Any) -> tuple[Trace, tuple[Lane, ...]]:
        dials = {"requests": samples, "io_ms": 5, "arrival_ms": 15, **dials}
        trace = run_scenario(Scenario(**dials)).trace
        return trace, trace.lanes

    trace, asgi_lanes = lanes(view="async_io")
    phases = [_asgi_phases(trace, lane) for lane in asgi_lanes if _view_span(lane)]
    _, wsgi_lanes = lanes(view="sync_io", mode="wsgi")
    phases += [_wsgi_phases(lane) for lane in wsgi_lanes if _view_span(lane)]
    _, cpu = lanes(view="async_io", cpu_ms=10, arrival_ms=25)
    _, sync = lanes(view="sync_io")
    _, wsgi_async = lanes(view="async_io", mode="wsgi")
    _, bug = lanes(view="async_sync_orm_bug", io_ms=0)
    found: dict[str, float | None] = {
        key: _median([p[key] for p in phases if key in p]) for key in _PHASES
    }
    found["hop_ms"] = _median(_durations(sync, "thread_hop"))
    found["wsgi_async_hop_ms"] = _median(_durations(wsgi_async, "thread_hop"))
    cpu_ms = _median(_computing(cpu))
    found["cpu_scale"] = max(0.01, cpu_ms / 10) if cpu_ms else None
    error_span = _median([_span_at_done(lane) for lane in bug])
    view_in, after = found["asgi_view_in_ms"], found["asgi_after_ms"]
    if error_span is not None and view_in is not None and after is not None:
        found["error_ms"] = max(0.0, error_span - view_in - after)
    found.update(_stack(run_scenario, samples))
    read = {key: value for key, value in found.items() if value is not None}
    # What requests cost among others: the model fitted to bursts measured here.
    makespans = {
        name: run_scenario(scenario).summary.makespan_ms for name, scenario in BURSTS.items()
    }
    return fit_bursts(makespans, Costs(**read), at_bound)


def _stack(run: Any, samples: int) -> dict[str, float | None]:
    """``startproject``'s stack: Django's running time per request with it, less without."""
    spaced = Scenario(view="async_io", requests=samples, io_ms=0, arrival_ms=25)
    plain: Run = run(spaced)
    stack: Run = run(spaced.replace(middleware="django"))
    extra = stack.summary.framework_ms_per_request - plain.summary.framework_ms_per_request
    # Each hook a hand-off there and one back: a lane's hand-offs over twice the hooks.
    hand_offs = 2 * sum(DJANGO_STACK_HOOKS.values())
    per_lane = [
        sum(_durations((lane,), "thread_hop")) / hand_offs
        for lane in stack.trace.lanes
        if lane.status == "ok"
    ]
    return {"django_stack_ms": round(max(0.0, extra), 3), "hook_hop_ms": _median(per_lane)}


_PHASES = (
    "send_ms",
    "asgi_before_ms",
    "asgi_started_ms",
    "asgi_view_in_ms",
    "asgi_after_ms",
    "asgi_finished_ms",
    "wsgi_before_ms",
    "wsgi_after_ms",
    "wsgi_finished_ms",
)
_DECLARED = ("io_wait", "io_blocking", "cpu")


def _ms(ns: int) -> float:
    return ns / 1e6


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def _durations(lanes: tuple[Lane, ...], kind: str) -> list[float]:
    return [_ms(s.duration_ns) for lane in lanes for s in lane.segments if s.kind == kind]


def computing_ns(lane: Lane) -> int:
    """How long ``lane``'s CPU work took here: its CPU and its waits to run (for the GIL, a
    core) from its first CPU to its last, the wall time the model's ``cpu_scale`` stretches
    a view's ``cpu_ms`` to.

    Only there: on a busy machine Django's own steps wait for a core too (its hand-offs
    before the view, its tidying after the answer), and those waits counted as the view's
    stretched its CPU by time the model already gives those steps, or that comes after the
    answer, so the model was up to 3% slower than the run it was given (a flaky test,
    ``test_the_predicted_makespan_is_a_little_short_of_the_measured_one``)."""
    at = [i for i, s in enumerate(lane.segments) if s.kind == "cpu"]
    if not at:
        return 0
    work = lane.segments[at[0] : at[-1] + 1]
    return sum(s.duration_ns for s in work if s.kind in ("cpu", "gil_wait", "core_wait"))


def _computing(lanes: tuple[Lane, ...]) -> list[float]:
    """How long each lane's CPU work took here (a request alone waits only for the
    machine's other programs, and the client's thread): :func:`computing_ns`."""
    return [_ms(computing_ns(lane)) for lane in lanes]


def _view_span(lane: Lane) -> tuple[int, int, list[Segment]] | None:
    """Where the view's declared segments begin and end, and the segments before them."""
    declared = [i for i, s in enumerate(lane.segments) if s.kind in _DECLARED]
    if not declared:
        return None
    first, last = declared[0], declared[-1]
    return lane.segments[first].start_ns, lane.segments[last].end_ns, list(lane.segments[:first])


def _asgi_phases(trace: Trace, lane: Lane) -> dict[str, float]:
    """One spaced request's phases, as the model draws them: before the view, the send
    (``queued`` before the server), the hand-offs (``queued`` on the loop), Django's
    Python on the request's thread and on the loop; after it, Django's Python until the
    answer and after it (``framework`` counts running time only)."""
    _, view_end, before = _view_span(lane)  # type: ignore[misc]  # checked by the caller
    loop = trace.loop_thread

    def total(segments: list[Segment], kind: str, on_loop: bool | None = None) -> float:
        return sum(
            _ms(s.duration_ns)
            for s in segments
            if s.kind == kind and (on_loop is None or (s.thread == loop) == on_loop)
        )

    after = [s for s in lane.segments if s.start_ns >= view_end]
    return {
        "send_ms": total([s for s in before if s.thread == QUEUE_THREAD], "queued"),
        "asgi_before_ms": total(before, "queued", on_loop=True),
        "asgi_started_ms": total(before, "framework", on_loop=False),
        "asgi_view_in_ms": total(before, "framework", on_loop=True),
        "asgi_after_ms": total([s for s in after if s.start_ns < lane.done_ns], "framework"),
        "asgi_finished_ms": total([s for s in after if s.start_ns >= lane.done_ns], "framework"),
    }


def _wsgi_phases(lane: Lane) -> dict[str, float]:
    _, view_end, before = _view_span(lane)  # type: ignore[misc]  # checked by the caller
    return {
        "wsgi_before_ms": sum(_ms(s.duration_ns) for s in before if s.kind == "framework"),
        "wsgi_after_ms": _ms(max(0, lane.done_ns - view_end)),
        "wsgi_finished_ms": _ms(max(0, lane.end_ns - lane.done_ns)),
    }


def _span_at_done(lane: Lane) -> float:
    """How long the segment in which the answer left had run when it left."""
    seg = lane.segment_at(lane.done_ns)
    return _ms(lane.done_ns - seg.start_ns) if seg is not None else 0.0
