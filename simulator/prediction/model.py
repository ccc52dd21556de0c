"""The prediction model: what the site should do with a scenario, worked out, not measured.

:func:`predict` plays a scenario through a small deterministic event loop
(:mod:`simulator.prediction.events`) and returns a :class:`~simulator.trace.Trace` of *predicted*
lanes, with the same segment kinds as a measured one, so :func:`simulator.metrics.summary.summarize`
and the painter take it as they are. It is always a prediction; ``async-lanes predict
--check`` sets it beside the measurement.

What it models (every time an integer of nanoseconds; nothing random):

- **ASGI**: the one event loop (:mod:`simulator.prediction.loop`), running one step at a
  time in asyncio's iterations: the steps ready when an iteration begins, in order; steps
  that become ready meanwhile go to the next iteration, and a sleep or an awaited call that
  ends meanwhile goes after those. Django's own work before and after the view runs on it:
  three steps on the way in (the handler, the request built after ``request_started``, the
  request's task: middleware and view), with two ``sync_to_async`` hand-offs per request
  (``request_started``, then ``response.close()``) to the request's own thread. In a burst
  every request takes its first step before any its last, so the views begin, and the
  answers come, bunched at the end. A coroutine that waits (``asyncio.sleep``, an awaited
  HTTP call) gives the loop up; one that computes or calls ``time.sleep`` keeps it: hence
  the staircase.
- **Sync views under ASGI** run on the request's own thread (asgiref's
  ``ThreadSensitiveContext``: threads are unbounded), after a hand-off there and back.
- **The GIL** (:mod:`simulator.prediction.gil`): Python work (Django's and the views' CPU)
  on any thread or on the loop needs it; a thread keeps it while it runs on, until another
  has waited 5 ms for it (the interpreter's forced switch), so the loop runs step after step
  and computing threads take 5 ms turns. Plain waiting (``time.sleep``, ``asyncio.sleep``,
  I/O, a hand-off) needs no GIL.
- **The loop blocked**: as the real loop monitor counts it, a step (one coroutine's stretch
  between awaits) that held the loop 5 ms or more, its waits for the GIL left out, blocks it
  from its start to its end, those waits included; a burst of short steps one after
  another blocks nothing.
- **WSGI**: ``workers`` threads fed first come, first served. An async view runs on an event
  loop of its own (``async_to_sync``) while its worker waits for it.
- ``sync_fanout`` waits ``fanout`` times in a row; ``async_fanout`` once, for the gather.
  ``async_orm``/``async_sync_to_async`` hand the blocking part to the request's thread.
  ``async_cpu_chunked`` computes in 2 ms slices and yields the loop between them.
  The ``_bug`` views cost framework time only and end as errors (500).
- ``middleware="sync"`` under ASGI runs the middleware chain on the request's thread, with
  the hand-offs that costs (into the chain; to an async view and back; out of the chain);
  that thread is blocked in ``async_to_sync`` while the async view awaits, so the await
  holds it (``io_blocking`` on it: 30 such requests hold 30 threads).
- ``middleware="django"``: ``startproject``'s stack, sync middleware whose hooks run on the
  request's thread through a hand-off each way, in and out (``thread_hop``, as the lanes
  draw them; ``Costs.django_stack_ms``).
- **Database connections**: a view that queries opens its thread's connection at its first
  query (Python on that thread: ``Costs.db_connect_ms``), and Django closes it at the end
  of the request (``db_connections_peak``).
- **What a request costs in a burst** (``Costs.request_cpu_ms``; more with a sync view's
  thread, ``thread_cpu_ms``, or a sync-only middleware's, ``middleware_thread_ms``) grows
  with the requests inside the server (``growth_per_1000``, up to the 10,000 a run can
  hold): hundreds of threads or a thousand coroutines run slower per request than a few.
  Above the drawn steps, the rest (the client, asyncio's and the thread pool's
  bookkeeping) takes the GIL before and after them; below them, as a quiet machine
  measures an ``async_io`` burst, Django's drawn Python shrinks to the burst's share as
  requests crowd in (``Costs.burst_share``; the view's httpx work and database
  connection do not).
- **Real servers** (:mod:`simulator.prediction.processes`): ``K`` processes, each this model
  with its own GIL, sharing the machine's cores.

Segments follow :func:`simulator.trace.build_lane`: waiting for a worker or for the loop is
``queued``, and so is Django's hand-off to a thread for its signal receivers (and the wait
for the GIL before a step of Django's begins); a hand-off inside the middleware chain is
``thread_hop``; Django's own running is ``framework``; waiting for the GIL otherwise is
``gil_wait``, on the thread (or the loop) that waits, as the measurement splits it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.errors import ScenarioError
from simulator.machine import usable_cores
from simulator.prediction.calibration import load_costs
from simulator.prediction.costs import Costs
from simulator.prediction.flows import IO_KINDS, simulate
from simulator.prediction.processes import predict_processes
from simulator.prediction.scale import LANES_UP_TO, predict_summary
from simulator.prediction.site import GIL_SWITCH_MS
from simulator.scenario import Scenario
from simulator.trace import Trace

if TYPE_CHECKING:
    from simulator.metrics.summary import Summary

__all__ = ["GIL_SWITCH_MS", "IO_KINDS", "LANES_UP_TO", "Costs", "predict", "predict_figures"]


def predict(scenario: Scenario, costs: Costs | None = None, cores: int | None = None) -> Trace:
    """The predicted trace of ``scenario``: one lane per request, times from 0 ns.

    Deterministic: the same scenario and costs always give the same trace. Without
    ``costs``, this machine's calibration (``async-lanes calibrate``) if there is a current
    one, else the shipped defaults (:func:`~simulator.prediction.calibration.load_costs`).
    ``scenario.upstream_url`` plays no part (the upstream is taken to answer in ``io_ms``).
    Real servers (``uvicorn``, ``gunicorn``) are ``workers`` processes sharing ``cores``
    cores (default: this machine's; :mod:`simulator.prediction.processes`).

    Raises
    ------
    ScenarioError
        For ``url`` (someone's own site): the model knows only the lesson site's views.
    """
    costs = _costs_for(scenario, costs)
    if scenario.in_processes:
        return predict_processes(scenario, costs, cores or usable_cores())
    return simulate(scenario, costs)


def predict_figures(
    scenario: Scenario, costs: Costs | None = None, cores: int | None = None
) -> tuple[Trace | None, Summary]:
    """The predicted trace and figures of ``scenario``, the path chosen by its size.

    Up to :data:`LANES_UP_TO` requests (10,000: what ``run`` takes) every request is played
    through the event model (:func:`predict`), lanes and all. Above that, ``predict`` at
    scale (up to a million requests): the same event model with a thousand modelled requests
    standing for them all (:mod:`simulator.prediction.scale`), figures only, in well under a
    second; the trace is ``None``. Arguments and errors as :func:`predict`'s.
    """
    from simulator.metrics.summary import summarize

    if scenario.requests <= LANES_UP_TO:
        trace = predict(scenario, costs, cores)
        return trace, summarize(trace)
    return None, predict_summary(scenario, _costs_for(scenario, costs), cores or usable_cores())


def _costs_for(scenario: Scenario, costs: Costs | None) -> Costs:
    """``costs``, else this machine's calibration or the defaults; refusing ``--url``."""
    if not isinstance(scenario, Scenario):
        raise ValueError(f"scenario must be a Scenario, not {scenario!r}")
    if scenario.url is not None:
        raise ScenarioError(
            "the model knows only the lesson site's views; a run with --url has no prediction",
            key="url",
        )
    return costs if costs is not None else load_costs().costs
