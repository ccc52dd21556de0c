"""The figures of a run, computed from its trace."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from simulator.trace.collector import paused_collection
from simulator.trace.columns import union_spans
from simulator.trace.data import Trace
from simulator.trace.kinds import CLIENT_THREAD, NOT_HELD_BY_VIEW, QUEUE_THREAD, Kind

__all__ = [
    "CLIENT_PACED_SHARE",
    "SERVER_THREAD_FIGURES",
    "Summary",
    "db_connections_peak",
    "in_flight_arrays",
    "in_flight_steps",
    "last_answer_ns",
    "percentile",
    "server_span_ns",
    "summarize",
    "threads_held_peak",
]


@dataclass(frozen=True, slots=True)
class Summary:
    """What a run achieved. Times in milliseconds.

    ``framework_ms_per_request`` is what Django's own machinery (handler, middleware, signal
    receivers, before and after the view) cost the server per request: the time the loop and
    the threads spent in it, overlaps counted once, divided by the requests. Only the time
    Django's code ran: where a thread's CPU clock says it stood still, the lane says
    ``gil_wait``/``core_wait`` instead (``simulator.trace.lanes``). ``loop_blocked_ms`` sums
    the loop monitor's blocked stretches: a step whose own code held the loop 5 ms or more
    (its waits to run do not count toward that), from its start to its end, those waits
    included (no other request ran meanwhile) but for any its lane had no free stretch to
    be drawn in (``simulator.hosting.loop_monitor``).
    """

    requests: int
    ok: int
    failed: int
    cancelled: int
    #: The requests the server answered, with any HTTP status (a 500 too): those the
    #: makespan, throughput and latencies count. A failure without an answer (refused,
    #: reset, timed out) is among ``failed`` only (``LaneColumns.answered``).
    answered: int
    makespan_ms: float
    throughput_rps: float
    latency_ms: dict[str, float]
    peak_in_flight: int
    threads_used: int
    loop_blocked_ms: float
    framework_ms_per_request: float
    #: Of ``framework_ms_per_request``, the part after each request's answer
    #: (``LaneColumns.answer_ns``): Django closing the response, sending
    #: ``request_finished``, ending the request's thread, which no client waits for (the
    #: lanes' faint tails). Alone it grows with the load: after a burst of 10,000 answers,
    #: thousands of threads end at once (4.50 of 5.24 ms a request, 3.1-12.7 ms run to run).
    #: ``None`` where not measured (the model's).
    framework_after_answer_ms_per_request: float | None = None
    #: The most threads other than the event loop holding a view's work (its CPU, its waits
    #: for I/O, the GIL or a core, its hand-offs: anything but ``queued``, ``cancelled`` and
    #: Django's own ``framework`` time) at one instant: 8 for 8 sync views under ASGI, 0 for 8
    #: async ones.
    threads_held_peak: int = 0
    #: The most database connections open at one instant (Django opens one per thread):
    #: 20 for 20 sync ORM views under ASGI, at most K under WSGI with K workers.
    db_connections_peak: int = 0
    #: The server's own span, first to last instant it worked on a request of the run (its
    #: ``Server-Timing``, or the in-process probes); ``None`` where the server said nothing.
    server_span_ms: float | None = None
    #: The CPU time the client's own thread spent over the run (socket runs; ``None``
    #: in-process, where the client shares the site's loop and cannot be told apart).
    client_cpu_ms: float | None = None
    #: Whether the server said what its threads did (in-process probes, or the lanes
    #: middleware's header). Without it (a ``--url`` site without timings, or with only its
    #: own durations), the thread figures are not measured: they read "—" and ``null``.
    server_threads_known: bool = True

    @property
    def client_paced(self) -> bool:
        """The client, not the server, set the pace: the makespan the client measured is
        more than 15 % (and 20 ms) longer than the server's own span."""
        span = self.server_span_ms
        if span is None:
            return False
        gap = self.makespan_ms - span
        return gap > CLIENT_PACED_SHARE * self.makespan_ms and gap > CLIENT_PACED_MIN_MS

    def to_dict(self) -> dict[str, Any]:
        """Plain data; the thread figures ``None`` where they were not measured."""
        data = asdict(self)
        if not self.server_threads_known:
            data.update(dict.fromkeys(SERVER_THREAD_FIGURES))
        return data


#: The figures only the server's own account of its threads can give.
SERVER_THREAD_FIGURES = (
    "threads_used",
    "threads_held_peak",
    "db_connections_peak",
    "loop_blocked_ms",
    "framework_ms_per_request",
    "framework_after_answer_ms_per_request",
)

#: Where the client's makespan and the server's span differ by more than this share (and
#: :data:`CLIENT_PACED_MIN_MS`), the figures say the client set the pace.
CLIENT_PACED_SHARE = 0.15
CLIENT_PACED_MIN_MS = 20.0


def server_span_ns(trace: Trace) -> int | None:
    """From the first to the last instant the server worked on a request (any segment on a
    thread of the server's: not the client's, not the queue), up to the last answer: Django
    tidying up after it (in-process, the thin lane tails) delayed no client, and counted it
    read as a span longer than the makespan; ``None`` if it said nothing."""
    cols = trace.columns
    rows = _on_server_threads(trace) & ~cols.is_kind(*_NOT_SERVER)
    if not rows.any():
        return None
    start = int(cols.start_ns[rows].min())
    return max(0, min(int(cols.end_ns[rows].max()), trace.end_ns) - start)


_NOT_SERVER = (Kind.CLIENT, Kind.QUEUED, Kind.CANCELLED)


def _on_server_threads(trace: Trace) -> npt.NDArray[np.bool_]:
    """A mask of the segments on a thread of the server's: not the client's, not the queue
    (the server said what its threads did only if some segment is there)."""
    cols = trace.columns
    away = [cols.thread_code(CLIENT_THREAD), cols.thread_code(QUEUE_THREAD)]
    return ~np.isin(cols.thread, away)


def percentile(sorted_values: list[float], q: float) -> float:
    """The ``q`` quantile (0-100) by linear interpolation, as numpy's default does."""
    if not sorted_values:
        return 0.0
    position = (len(sorted_values) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def in_flight_steps(trace: Trace) -> list[tuple[int, int]]:
    """``(ns, requests in flight from then on)`` at every send and completion."""
    times, levels = in_flight_arrays(trace)
    return list(zip(times.tolist(), levels.tolist(), strict=True))


def in_flight_arrays(trace: Trace) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """:func:`in_flight_steps` as two arrays (times, levels), from the lanes' columns: a
    completion and a send at the same instant make one step, the level after both. Live, a
    request still running is in flight up to now: it has no completion yet."""
    lanes = trace.lane_columns
    done = lanes.done_ns[~lanes.is_status("running")]
    times = np.concatenate([lanes.sent_ns, done])
    deltas = np.concatenate([np.ones(len(lanes), np.int64), -np.ones(len(done), np.int64)])
    order = np.lexsort((deltas, times))
    times, levels = times[order], np.cumsum(deltas[order])
    last = np.ones(len(times), np.bool_)  # the last event at each instant
    last[:-1] = times[1:] != times[:-1]
    return times[last], levels[last]


def _framework_ns(trace: Trace) -> tuple[int, int]:
    """How long threads (the loop among them) spent in Django's own code, overlaps on a
    thread once: in all, and only up to each one's request's answer
    (``LaneColumns.answer_ns``). One sort of the spans for both (a tenth of a live frame's
    summary at 10,000 requests sorted them twice)."""
    cols = trace.columns
    rows = cols.is_kind(Kind.FRAMEWORK) & ~cols.open  # live: counted once it has ended
    group, start, end = cols.thread[rows], cols.start_ns[rows], cols.end_ns[rows]
    answer = trace.lane_columns.answer_ns()[cols.lane[rows]]
    order = np.lexsort((start, group))
    group, start, end, answer = group[order], start[order], end[order], answer[order]
    spent = []
    for ends in (end, np.minimum(end, answer)):
        kept = ends > start
        _, first, last = union_spans(group[kept], start[kept], ends[kept], ordered=True)
        spent.append(int((last - first).sum()))
    return spent[0], spent[1]


def threads_held_peak(trace: Trace) -> int:
    """The most threads (not the event loop) holding a view's work at the same instant.

    ``threads_used`` counts every thread that touched a request, however briefly, so it
    reads alike for sync and async views; this figure says how many the views *held at
    once*. Django's own ``framework`` time is left out: under ASGI its signal receivers run
    on a thread per request even for async views, for a moment, so counting them would
    read 7 or 8 for 8 async views, which is Django's machinery, not the views' cost. Nor
    do the client's time (outside the server) and awaits count: a real uvicorn's awaits are
    on its process's main thread, where, as on the in-process loop, they hold nothing. Nor
    does the client's row: a real server's request not answered yet is one span "at the
    server" there, which no server thread is known to hold (live, lesson 23's two
    single-thread processes read "threads held 3" while a request was in flight).
    """
    cols = trace.columns
    idle = NOT_HELD_BY_VIEW
    away = [cols.thread_code(name) for name in (trace.loop_thread, QUEUE_THREAD, CLIENT_THREAD)]
    rows = ~cols.is_kind(*idle) & ~np.isin(cols.thread, away)
    # A thread counts once while any of its spans lasts.
    _, start, end = union_spans(cols.thread[rows], cols.start_ns[rows], cols.end_ns[rows])
    times = np.concatenate([start, end])
    deltas = np.concatenate([np.ones(len(start), np.int64), -np.ones(len(end), np.int64)])
    order = np.lexsort((deltas, times))  # an end before a start at the same instant
    return max(0, int(np.cumsum(deltas[order]).max(initial=0)))


def db_connections_peak(trace: Trace) -> int:
    """The most database connections open at the same instant, over all requests.

    A connection opened for one request and closed while serving another (a WSGI worker
    keeps its thread) still counts once: the events only add and subtract.
    """
    lanes = trace.lane_columns
    # A close before an open at the same instant.
    order = np.lexsort((lanes.db_delta, lanes.db_ns))
    return max(0, int(np.cumsum(lanes.db_delta[order]).max(initial=0)))


def last_answer_ns(trace: Trace) -> int | None:
    """When the server's last answer came (``LaneColumns.answered``: a 500 too), where the
    makespan ends; ``None`` before the first, or with none. A request refused or timed out
    after it (:attr:`Trace.end_ns <simulator.trace.data.Trace.end_ns>` is its end) is no
    answer: a slide's "last answer" line stood there beside a makespan that ended sooner."""
    lanes = trace.lane_columns
    done = lanes.done_ns[lanes.answered]
    return int(done.max()) if len(done) else None


def summarize(trace: Trace) -> Summary:
    """The run's figures, from the trace's columns (no Python loop over its segments or
    lanes: a 10,000-request run is summarised in a fraction of a second)."""
    with paused_collection():  # a full collection would walk the run's objects again
        return _summarize(trace)


def _summarize(trace: Trace) -> Summary:
    lanes = trace.lane_columns
    count = len(lanes)
    # Only answers count (a 500 among them): a request refused, reset or timed out has no
    # latency, and no throughput or makespan of answers ends with it (LaneColumns.answered).
    answered = lanes.answered
    latencies = np.sort((lanes.done_ns[answered] - lanes.sent_ns[answered]) / 1e6).tolist()
    # Live (requests still running, each lane reaching the snapshot's "now"), the run so
    # far lasted up to now: the makespan so far ends there, as the lanes and the red strip
    # do. Ended at the last answer, it read "makespan so far 207 ms · loop blocked so far
    # 201 ms" beside lanes and a blocked loop reaching 355 ms (lesson 4), the figures a
    # step behind the picture. Finished, it ends at the last answer (0 with none: a dash).
    last = last_answer_ns(trace)
    if lanes.is_status("running").any():
        end_ns = trace.end_ns
    else:
        end_ns = trace.t0_ns if last is None else last
    makespan_ms = (end_ns - trace.t0_ns) / 1e6
    framework_ns, before_answer_ns = _framework_ns(trace)
    # What follows the answers is the whole less what came before them: the two add up.
    after_answer_ns = framework_ns - before_answer_ns
    answered_count = len(latencies)
    return Summary(
        requests=count,
        ok=int(np.count_nonzero(lanes.is_status("ok"))),
        failed=int(np.count_nonzero(lanes.is_status("error"))),
        cancelled=int(np.count_nonzero(lanes.is_status("cancelled"))),
        answered=answered_count,
        makespan_ms=makespan_ms,
        throughput_rps=answered_count / (makespan_ms / 1000) if makespan_ms > 0 else 0.0,
        latency_ms={
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99),
            "max": latencies[-1] if latencies else 0.0,
        },
        peak_in_flight=max(0, int(in_flight_arrays(trace)[1].max(initial=0))),
        threads_used=trace.thread_count(),
        # Within the makespan: blocks while Django tidied up after the last answer (thin
        # lane tails) delayed no client. Live, within the makespan so far: up to now, the
        # block in progress too, never more than the makespan beside it.
        loop_blocked_ms=sum(
            max(0, min(end, end_ns) - start) for start, end in trace.loop_blocked_shown
        )
        / 1e6,
        framework_ms_per_request=framework_ns / 1e6 / count if count else 0.0,
        framework_after_answer_ms_per_request=after_answer_ns / 1e6 / count if count else 0.0,
        threads_held_peak=threads_held_peak(trace),
        db_connections_peak=db_connections_peak(trace),
        server_span_ms=None if (span := server_span_ns(trace)) is None else span / 1e6,
        client_cpu_ms=None if trace.client_cpu_ns is None else trace.client_cpu_ns / 1e6,
        server_threads_known=not count or bool(_on_server_threads(trace).any()),
    )
