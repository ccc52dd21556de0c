"""What Django's own machinery costs per request: the prediction model's inputs.

:class:`Costs` holds them, with defaults measured on this project's machine;
:meth:`Costs.measure` measures them again, with the real engine, wherever it runs.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, fields
from typing import Any

from simulator.scenario import Scenario
from simulator.trace import Lane, Segment, Trace

__all__ = ["Costs"]


@dataclass(frozen=True, kw_only=True)
class Costs:
    """What Django's own machinery costs per request, in milliseconds of wall time.

    The defaults were measured on the machine this project was built on (2-core AMD EPYC VM,
    Python 3.11, Django 5.2, asgiref 3.13) with :meth:`measure`: six calls in three fresh
    processes, each the median of 7 spaced single requests per scenario; the defaults are the
    medians of those six, rounded. Each field is read from the segments of real, unloaded
    lanes, so one request alone is predicted as it was measured; under load the model adds
    the contention (the loop, the GIL, the workers) itself.

    **Usage**::

        predict(scenario)                               # the defaults
        predict(scenario, Costs.measure())              # calibrated on this machine
        predict(scenario, Costs.zero())                 # the views alone, no Django

    Parameters
    ----------
    send_ms
        From the client's send until the server can pick the request up (the first
        ``queued``).
    asgi_before_ms
        ASGI: from the loop picking the request up until ``request_started`` runs on the
        request's thread. The handler awaits that hand-off almost at once, so this is
        modelled as the hand-off (holding neither the loop nor the GIL), drawn on the loop.
    asgi_started_ms
        ASGI, on the request's thread: ``request_started`` through ``sync_to_async``, and the
        way back.
    asgi_view_in_ms
        ASGI, on the loop: building the request and the middleware on the way in.
    asgi_after_ms
        ASGI, on the loop: from the view's return until the answer is sent.
    asgi_finished_ms
        ASGI, after the answer: ``response.close()`` and ``request_finished`` through
        ``sync_to_async``, drawn on the request's thread. Mostly the thread pool waking a
        thread, so modelled as a hand-off (no GIL); the real loop monitor sees no block here.
    hop_ms
        One ``sync_to_async``/``async_to_sync`` hand-off in the middleware chain (into a sync
        view, to the ORM's thread, around a sync-only middleware), each way.
    wsgi_before_ms, wsgi_after_ms, wsgi_finished_ms
        WSGI, on the worker: the handler before the view; after it until the answer is sent;
        ``close()`` and ``request_finished`` after it.
    wsgi_async_hop_ms
        WSGI: ``async_to_sync`` handing an async view to a new event loop, each way.
    error_ms
        Django turning a view's exception into a 500: the error log and the error page.
    http_call_ms
        The Python work of one call to the slow upstream (httpx and the in-process upstream),
        beyond its ``io_ms`` of waiting; it needs the GIL and the view's thread (or the loop).
    cpu_scale
        Wall time per millisecond of the CPU a view asks for (others' bits of work, the
        interpreter's own switching).
    """

    send_ms: float = 0.25
    asgi_before_ms: float = 0.28
    asgi_started_ms: float = 0.16
    asgi_view_in_ms: float = 0.10
    asgi_after_ms: float = 0.08
    asgi_finished_ms: float = 0.87
    hop_ms: float = 0.15
    wsgi_before_ms: float = 0.17
    wsgi_after_ms: float = 0.075
    wsgi_finished_ms: float = 0.075
    wsgi_async_hop_ms: float = 0.30
    error_ms: float = 1.10
    http_call_ms: float = 1.30
    cpu_scale: float = 1.00

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{f.name} must be a number, not {value!r}")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{f.name} must be a finite number >= 0, not {value!r}")
        if self.cpu_scale <= 0:
            raise ValueError(f"cpu_scale must be greater than 0, not {self.cpu_scale!r}")

    @classmethod
    def zero(cls) -> Costs:
        """No framework cost at all: the views alone, for checking the model by hand."""
        return cls(**{f.name: 0.0 for f in fields(cls) if f.name != "cpu_scale"}, cpu_scale=1.0)

    @classmethod
    def measure(cls, *, samples: int = 7) -> Costs:
        """Measure the costs here, with the real engine, in about a second.

        Runs ``samples`` spaced single requests for each of seven scenarios and takes the
        median of each figure. A figure it cannot read from the lanes (a lane without the
        segments it looks for) keeps its default. It runs its own event loop
        (``asyncio.run``): call it where no loop is running, e.g. on a worker thread.
        """
        if samples < 1:
            raise ValueError(f"samples must be at least 1, not {samples}")
        from simulator.hosting.engine import run_scenario

        def lanes(**dials: Any) -> tuple[Trace, tuple[Lane, ...]]:
            dials = {"requests": samples, "io_ms": 1, "arrival_ms": 10, **dials}
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
        return cls(**{key: value for key, value in found.items() if value is not None})


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
    _, view_end, before = _view_span(lane)  # type: ignore[misc]  # checked by the caller
    framework = [s for s in before if s.kind == "framework"]
    off_loop = [i for i, s in enumerate(framework) if s.thread != trace.loop_thread]
    split = off_loop[0] if off_loop else len(framework)
    return {
        "send_ms": sum(_ms(s.duration_ns) for s in before if s.kind == "queued"),
        "asgi_before_ms": sum(_ms(s.duration_ns) for s in framework[:split]),
        "asgi_started_ms": sum(_ms(framework[i].duration_ns) for i in off_loop),
        "asgi_view_in_ms": sum(
            _ms(s.duration_ns) for s in framework[split:] if s.thread == trace.loop_thread
        ),
        "asgi_after_ms": _ms(max(0, lane.done_ns - view_end)),
        "asgi_finished_ms": _ms(max(0, lane.end_ns - lane.done_ns)),
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
