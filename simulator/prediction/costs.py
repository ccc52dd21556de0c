"""What Django's own machinery costs per request: the prediction model's inputs.

:class:`Costs` holds them, with defaults measured on this project's machine;
:func:`~simulator.prediction.measuring.measure_costs` measures them again, with the real
engine, wherever it runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

__all__ = ["Costs"]


@dataclass(frozen=True, kw_only=True)
class Costs:
    """What Django's own machinery costs per request, in milliseconds of wall time.

    The defaults were measured on this project's 2-core machine (AMD EPYC VM, Python 3.11,
    Django 5.2, asgiref 3.13), from the lanes as they are since Django's time counts its
    running only and a hand-off to a thread reads ``queued``: the phases (``send_ms`` …
    ``asgi_finished_ms``) are the medians of spaced ``async_io`` requests (three runs of
    15 × 5 ms, 25 ms apart, read as :func:`~simulator.prediction.measuring.measure_costs`
    reads them), but for ``asgi_view_in_ms`` and ``django_stack_ms``, which lesson 18 reads
    directly on a quiet machine (load average 0.4-0.8; three tables): Django's time per
    request 1.30, 1.44 and 1.23 ms on its A side (a lone request's drawn Python,
    :meth:`drawn_ms`, of which the loop's before the view is what the other phases leave),
    2.89, 2.67 and 2.22 ms on B: the stack's 1.30 ms is the middle of B less A.

    The costs of requests among others were fitted on two quiet machines' (load average
    0.4-0.8) ``benchmarks/model.py`` tables of December 2026, three runs a row, the model's
    rules as they are now. The same code measured up to 30% apart between the two (the
    first, 08:40, slower on bursts of threads), so each cost sits between them, within
    tolerance of both; each from the rows that show it (first table / second):

    - ``request_cpu_ms`` and ``growth_per_1000``: 300, 1,000 and 3,000 ``async_io`` × 500 ms
      measured 743/751, 1,511/1,370 and 4,583/4,130 ms: about 0.8, 0.9-1.0 and 1.2-1.4 ms a
      request, growing with the requests inside. Busy machines read 2-2.5 ms.
    - ``thread_cpu_ms``: 300 ``sync_io`` × 200 ms and 1,000 × 500 ms under ASGI, 687/566 and
      2,000/1,544 ms; ``middleware_thread_ms``: 200 ``async_io`` × 100 ms behind a sync-only
      middleware, 389/326 ms, and lesson 09's B.
    - ``http_call_ms``: lesson 07's and 14's async sides and 100 × 4 × 100 ms
      ``async_fanout`` (447/437, 237/231 and 1,353/1,155 ms): 2.0 ms a call among others,
      where a lone sync call's Python alone reads 1.3 ms.
    - ``db_connect_ms``: lessons 08 and 19 (20 ``sync_orm`` × 100 ms under ASGI: 159 ms).

    ``cpu_scale`` is 1, a quiet machine's (a busy one's measure reads 2-5). Under load the
    model adds the contention (the loop, the GIL, the workers) itself.

    **Usage**::

        predict(scenario)                               # the defaults
        predict(scenario, measure_costs())              # measured here, now
        predict(scenario, load_costs().costs)           # ``async-lanes calibrate``'s
        predict(scenario, Costs.zero())                 # the views alone, no Django

    Parameters
    ----------
    send_ms
        From the client's send until the server can pick the request up (the first
        ``queued``).
    asgi_before_ms
        ASGI: the hand-off to ``request_started`` on the request's thread, the thread pool
        waking a thread: it holds neither the loop nor the GIL, drawn ``queued`` on the loop.
    asgi_started_ms
        ASGI, on the request's thread: ``request_started``'s Python.
    asgi_view_in_ms
        ASGI, on the loop: Django's Python before the view (the request, the middleware).
    asgi_after_ms
        ASGI, on the loop: from the view's return until the answer is sent.
    asgi_finished_ms
        ASGI, after the answer: the Python of ``response.close()`` and ``request_finished``
        (after a ``hop_ms`` hand-off), drawn on the request's thread.
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
        Like the client's, it does not shrink in a burst (:meth:`burst_share` is Django's).
    db_connect_ms
        A view's first query opening its thread's database connection and Django closing
        it at the request's end (``CONN_MAX_AGE = 0``): SQLite's connect, the functions and
        settings Django gives each new connection. Python on the query's thread, drawn as
        part of the query.
    http_client_ms
        The view's ``httpx`` client, built and closed once per request (its transport and
        connection pool): Python on the view's thread (or the loop), drawn as ``framework``
        since the view declares only its calls. Measured as the process CPU time of 50
        ``httpx.AsyncClient`` built and closed with the site's TLS context: 2.1 ms each.
    django_stack_ms
        The Python ``startproject``'s seven middleware add to Django's time per request
        (``middleware="django"``); under ASGI each of their thirteen hooks is also a
        ``hook_hop_ms`` hand-off to the request's thread and one back, drawn as
        ``thread_hop`` as the lanes draw them (their Python on that thread is ``framework``).
    hook_hop_ms
        One of those hand-offs, each way: the request's thread is already running, so far
        less than ``hop_ms``. Measured from the lanes of spaced requests behind the stack:
        26 a request, 0.95–1.09 ms together, 30–39 µs each at the median. At ``hop_ms``
        (0.2 ms) they made 5.2 ms a request, and the model's p50 read 7.6 ms against 2.2–3.4
        measured.
    request_cpu_ms
        Everything one async request costs the process under ASGI in a burst, the client's
        part included: a burst of them takes about this much each, one after another, since
        all of it needs the GIL. Above the drawn Python (:meth:`drawn_ms`), the rest is
        unseen overhead (:meth:`overhead_ms`); below it, the drawn Python shrinks to it as
        requests crowd in (:meth:`burst_share`).
    thread_cpu_ms
        What a sync view under ASGI costs beyond an async one in a burst: a thread started
        for it, the hand-offs to it and back, the thread woken from its blocking wait.
    middleware_thread_ms
        What an async view behind a sync-only middleware costs beyond one without, in a
        burst: the chain's thread, blocked in ``async_to_sync`` while the view runs on the
        loop (less than a sync view's: fitted 0.2 ms against 0.9).
    wsgi_request_cpu_ms
        Everything one WSGI request costs the process (client included).
    growth_per_1000
        How much Django's and asyncio's own Python per request (all but a view's CPU) grows,
        as a fraction, per 1,000 requests inside the server at once (more tasks, threads
        and objects for every step to wade through).
    cpu_scale
        Wall time per millisecond of the CPU a view asks for (others' bits of work, the
        interpreter's own switching).
    """

    send_ms: float = 0.16
    asgi_before_ms: float = 0.19
    asgi_started_ms: float = 0.10
    asgi_view_in_ms: float = 0.49
    asgi_after_ms: float = 0.16
    asgi_finished_ms: float = 0.55
    hop_ms: float = 0.20
    wsgi_before_ms: float = 0.37
    wsgi_after_ms: float = 0.19
    wsgi_finished_ms: float = 0.17
    wsgi_async_hop_ms: float = 0.30
    error_ms: float = 0.98
    http_call_ms: float = 2.00
    http_client_ms: float = 2.10
    db_connect_ms: float = 2.00
    django_stack_ms: float = 1.30
    hook_hop_ms: float = 0.04
    request_cpu_ms: float = 1.05
    thread_cpu_ms: float = 0.90
    middleware_thread_ms: float = 0.20
    wsgi_request_cpu_ms: float = 0.80
    growth_per_1000: float = 0.22
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

    def drawn_ms(self, mode: str) -> float:
        """Django's Python the model draws for one request (``framework``, needing the GIL),
        as a lone request runs it."""
        if mode == "asgi":
            return (
                self.asgi_started_ms
                + self.asgi_view_in_ms
                + self.asgi_after_ms
                + self.asgi_finished_ms
            )
        return self.wsgi_before_ms + self.wsgi_after_ms + self.wsgi_finished_ms

    def overhead_ms(self, mode: str, thread: str | None) -> float:
        """What one request costs the process beyond the steps the model draws: the
        ``*_request_cpu_ms`` measured for its kind of request (``thread``: what a thread of
        its own serves under ASGI, ``"view"`` or ``"middleware"``, else ``None``), less the
        drawn Python (:meth:`drawn_ms`), never below 0."""
        return max(0.0, self._burst_ms(mode, thread) - self.drawn_ms(mode))

    def burst_share(self, mode: str, thread: str | None) -> float:
        """What Django's Python costs a request in a burst, as a share of a lone one's: 1
        unless the burst's whole cost per request (``*_request_cpu_ms``) is below the drawn
        Python of a lone request (warm caches, one turn of the loop serving many), as
        happens when both are measured on this machine."""
        drawn = self.drawn_ms(mode)
        return min(1.0, self._burst_ms(mode, thread) / drawn) if drawn > 0 else 1.0

    def _burst_ms(self, mode: str, thread: str | None) -> float:
        if mode == "asgi":
            extra = {"view": self.thread_cpu_ms, "middleware": self.middleware_thread_ms}
            return self.request_cpu_ms + extra.get(thread or "", 0.0)
        return self.wsgi_request_cpu_ms
