"""Measuring :class:`~simulator.prediction.costs.Costs` on this machine, with the real engine.

:func:`measure_costs` is what ``async-lanes calibrate`` runs (and ``Costs.measure()``): short
real runs, a few seconds in all. The phases of one request are read from the segments of
spaced single requests (medians of ``samples``); what a request costs the process in all, and
how that grows with concurrency, from the makespans of bursts, whose requests take their turns
at the GIL one after another.
"""

from __future__ import annotations

import statistics
from typing import Any

from simulator.scenario import Scenario
from simulator.trace import QUEUE_THREAD, Lane, Run, Segment, Trace

__all__ = ["BURST_IO_MS", "BURSTS", "measure_costs"]

#: The two bursts of async requests the growth with concurrency is read from, and their wait.
BURSTS = (100, 600)
BURST_IO_MS = 50.0


def measure_costs(*, samples: int = 7) -> dict[str, float]:
    """Every cost this machine's runs could show, by field name (a field it cannot read is
    left out, to keep its default)."""
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
    _, http = lanes(view="sync_httpx")
    found: dict[str, float | None] = {
        key: _median([p[key] for p in phases if key in p]) for key in _PHASES
    }
    found["hop_ms"] = _median(_durations(sync, "thread_hop"))
    found["wsgi_async_hop_ms"] = _median(_durations(wsgi_async, "thread_hop"))
    cpu_ms, http_ms = _median(_computing(cpu)), _median(_durations(http, "io_blocking"))
    sleep_ms = _median(_durations(sync, "io_blocking"))
    found["cpu_scale"] = max(0.01, cpu_ms / 10) if cpu_ms else None
    found["http_call_ms"] = max(0.0, http_ms - sleep_ms) if http_ms and sleep_ms else None
    error_span = _median([_span_at_done(lane) for lane in bug])
    view_in, after = found["asgi_view_in_ms"], found["asgi_after_ms"]
    if error_span is not None and view_in is not None and after is not None:
        found["error_ms"] = max(0.0, error_span - view_in - after)
    found.update(_stack(run_scenario, samples))
    found.update(_bursts(run_scenario))
    return {key: value for key, value in found.items() if value is not None}


def _stack(run: Any, samples: int) -> dict[str, float | None]:
    """``startproject``'s stack: Django's running time per request with it, less without."""
    spaced = Scenario(view="async_io", requests=samples, io_ms=0, arrival_ms=25)
    plain: Run = run(spaced)
    stack: Run = run(spaced.replace(middleware="django"))
    extra = stack.summary.framework_ms_per_request - plain.summary.framework_ms_per_request
    return {"django_stack_ms": round(max(0.0, extra), 3)}


def _per_request(run: Run, io_ms: float) -> float:
    """A burst's makespan per request, less its one wait: each request's turn at the GIL."""
    return max(0.0, (run.summary.makespan_ms - io_ms) / run.summary.requests)


def _bursts(run: Any) -> dict[str, float | None]:
    """What a request costs the process in all, and its growth with requests inside.

    The model's overhead grows with the requests inside; over a burst of ``n`` they average
    about ``n / 2``, so ``c(n) = b · (1 + g · n / 2000)``; two bursts give ``b`` and ``g``.
    """
    small, large = BURSTS
    io = BURST_IO_MS
    c1 = _per_request(run(Scenario(view="async_io", requests=small, io_ms=io)), io)
    c2 = _per_request(run(Scenario(view="async_io", requests=large, io_ms=io)), io)
    x1, x2 = small / 2000, large / 2000
    growth = max(0.0, (c2 - c1) / (c1 * x2 - c2 * x1)) if c1 * x2 > c2 * x1 else 0.0
    base = c1 / (1 + growth * x1)
    sync = _per_request(run(Scenario(view="sync_io", requests=small, io_ms=io)), io)
    wsgi = _per_request(
        run(Scenario(view="sync_io", mode="wsgi", workers=4, requests=small, io_ms=0)), 0
    )
    return {
        "request_cpu_ms": round(base, 3),
        "growth_per_1000": round(growth, 3),
        "thread_cpu_ms": round(max(0.0, sync - c1), 3),
        "wsgi_request_cpu_ms": round(wsgi, 3),
    }


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


def _computing(lanes: tuple[Lane, ...]) -> list[float]:
    """How long each lane's CPU work took here: its CPU and its waits to run (a request
    alone waits only for the machine's other programs, and the client's thread)."""
    kinds = ("cpu", "gil_wait", "core_wait")
    return [_ms(sum(s.duration_ns for s in lane.segments if s.kind in kinds)) for lane in lanes]


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
