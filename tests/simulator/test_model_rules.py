"""The model's rules as the measurement showed them: the loop blocked by long steps only,
the loop's steps run in asyncio's iterations, the GIL kept by a running thread until
another has waited 5 ms, Django's time its running only, what threads, upstream calls and
database connections cost among others, and per-request costs that stop growing where runs
stop measuring."""

from __future__ import annotations

import pytest

from simulator.metrics.summary import summarize
from simulator.prediction.costs import Costs
from simulator.prediction.events import Environment
from simulator.prediction.loop import Loop
from simulator.prediction.model import predict
from simulator.prediction.site import GROWTH_SEEN_UP_TO, Site
from simulator.scenario import Scenario
from simulator.trace import Kind


def figures(**dials):
    return summarize(predict(Scenario(**dials), Costs()))


def test_a_burst_of_short_steps_blocks_no_loop_and_long_steps_do():
    # 300 x 200 ms async_io: each request's steps on the loop are well under a millisecond,
    # one after another; the real loop monitor measured 5 ms blocked, the old tick model 296.
    burst = figures(view="async_io", requests=300, io_ms=200)
    assert burst.loop_blocked_ms < 0.02 * burst.makespan_ms
    # time.sleep(50 ms) on the loop, ten times: blocked for all of them.
    blocking = figures(view="async_blocking", requests=10, io_ms=50)
    assert blocking.loop_blocked_ms == pytest.approx(500, rel=0.05)
    # CPU in 2 ms slices that yield the loop between them blocks nothing; in one piece, all.
    chunked = figures(view="async_cpu_chunked", requests=10, io_ms=20, cpu_ms=50)
    whole = figures(view="async_io", requests=10, io_ms=20, cpu_ms=50)
    assert chunked.loop_blocked_ms == 0
    assert whole.loop_blocked_ms == pytest.approx(500, rel=0.05)


def test_sync_views_computing_under_asgi_all_hold_their_threads_at_once():
    # 20 sync views computing 20 ms each: the loop keeps the GIL through its steps, so all
    # 20 threads start within a few switch intervals and wait their turns (measured: 20).
    assert figures(view="sync_io", requests=20, io_ms=0, cpu_ms=20).threads_held_peak == 20


def test_the_gil_passes_to_a_waiter_after_5_ms_not_after_every_piece_of_python():
    # One thread computing 50 ms beside a stream of loop steps: the thread gets a turn of
    # 5 ms after the loop has run 5 ms, not a turn after each of the loop's short steps.
    trace = predict(Scenario(view="sync_io", requests=2, io_ms=0, cpu_ms=50), Costs.zero())
    runs = [
        (s.start_ns, s.end_ns) for lane in trace.lanes for s in lane.segments if s.kind is Kind.CPU
    ]
    assert all(end - start >= 5_000_000 or end == max(e for _, e in runs) for start, end in runs)


def test_djangos_time_counts_its_running_only():
    # A lone request: its framework time is the Python drawn, not the hand-offs' waits.
    costs = Costs()
    lone = summarize(predict(Scenario(view="async_io", requests=1, io_ms=10), costs))
    assert lone.framework_ms_per_request == pytest.approx(costs.drawn_ms("asgi"), rel=0.01)
    slower = Costs(asgi_before_ms=5.0, hop_ms=2.0)
    waits = summarize(predict(Scenario(view="async_io", requests=1, io_ms=10), slower))
    assert waits.framework_ms_per_request == pytest.approx(lone.framework_ms_per_request)
    assert waits.makespan_ms > lone.makespan_ms + 4.5  # the longer hand-off before the view


def test_a_bursts_requests_cost_less_python_each_than_a_lone_one_where_measured_so():
    # A machine whose bursts cost 1 ms a request in all, below a lone request's 1.4 ms of
    # Django's Python: in a burst that Python shrinks to the burst's share.
    costs = Costs(request_cpu_ms=1.0)
    share = costs.burst_share("asgi", None)
    assert share == pytest.approx(1.0 / costs.drawn_ms("asgi"))

    def framework(requests: int) -> float:
        scenario = Scenario(view="async_io", requests=requests, io_ms=100)
        return summarize(predict(scenario, costs)).framework_ms_per_request

    assert share * 0.9 < framework(300) / framework(1) < 1
    # So do the shipped defaults' (a quiet machine's): a sync view's thread costs more.
    assert Costs().burst_share("asgi", None) < 1
    assert Costs().burst_share("asgi", "view") == 1


def test_per_request_costs_stop_growing_where_runs_stop_measuring():
    site = Site(Scenario(view="async_io", requests=1), Costs())
    site.inside = GROWTH_SEEN_UP_TO
    at_the_limit = site.grown()
    site.inside = 1_000_000
    assert site.grown() == at_the_limit
    site.inside = 1_000
    assert 1 < site.grown() < at_the_limit


def test_the_loop_runs_what_became_ready_in_its_next_iteration_before_what_came_due():
    # asyncio's _run_once: the steps ready when an iteration begins run in order; a step
    # made ready meanwhile waits for the next iteration, and a timer that came due
    # meanwhile goes after it, though it came due first.
    env, loop, order = Environment(), Loop(Environment(), "loop"), []
    loop.env = env

    def step(name, at, due=False, ms=1):
        yield env.timeout(at)
        yield loop.request(due)
        order.append((name, env.now))
        yield env.timeout(ms)
        loop.release("loop")

    for name, at, due in [("a", 0, False), ("b", 0, False), ("timer", 1, True), ("c", 1, False)]:
        env.process(step(name, at, due))
    env.run()
    assert order == [("a", 0), ("b", 1), ("c", 2), ("timer", 3)]
    with pytest.raises(ValueError, match="not a step in progress"):
        loop.release("loop")


def test_a_bursts_answers_bunch_at_the_end_as_measured():
    # Measured on a quiet machine, 300 and 1,000 async_io x 500 ms answered half their
    # requests in the last third of the answering (p50 at 67% and 77% of it): every request
    # takes each step of its way in before any takes the next, so the views begin late.
    burst = figures(view="async_io", requests=300, io_ms=500)
    answering = burst.makespan_ms - 500
    assert (burst.latency_ms["p50"] - 500) / answering > 0.6


def test_a_thread_of_the_requests_own_costs_more_in_a_burst():
    # Quiet machine: async_io alone 0.8-1 ms a request; 300 sync_io x 200 ms under ASGI
    # 687 ms (a sync view's thread: Costs.thread_cpu_ms), 200 async_io x 100 ms behind a
    # sync-only middleware 389 ms (the chain's thread: Costs.middleware_thread_ms).
    def per_request(costs: Costs, **dials) -> float:
        scenario = Scenario(requests=200, io_ms=100, **dials)
        return (summarize(predict(scenario, costs)).makespan_ms - 100) / 200

    plain = per_request(Costs(), view="async_io")
    assert per_request(Costs(), view="sync_io") > 1.2 * plain
    behind = per_request(Costs(), view="async_io", middleware="sync")
    assert behind > 1.2 * plain
    assert per_request(Costs(middleware_thread_ms=0.0), view="async_io", middleware="sync") < (
        behind
    )
    assert per_request(Costs(thread_cpu_ms=0.0), view="async_io", middleware="sync") == behind


def test_upstream_calls_and_database_connections_cost_their_python_in_a_burst_too():
    # The burst's share is Django's: 100 fan-outs of 4 awaited calls cost each request the
    # client and its four calls however cheap Django's Python gets (measured 1,353 ms).
    cheap = Costs(request_cpu_ms=0.1)
    fanout = summarize(predict(Scenario(view="async_fanout", requests=100, io_ms=100), cheap))
    own = cheap.http_client_ms + cheap.http_call_ms  # fanout 1: one call each
    assert fanout.makespan_ms > 100 + 100 * own

    # Each of 20 sync ORM views opens its connection: 2 ms of Python each, one after another
    # on the GIL (lesson 19's A measured 159 ms; without it, the model said 117).
    def orm(costs: Costs) -> float:
        scenario = Scenario(view="sync_orm", requests=20, io_ms=100)
        return summarize(predict(scenario, costs)).makespan_ms

    assert orm(Costs()) - orm(Costs(db_connect_ms=0.0)) == pytest.approx(20 * 2.0, rel=0.25)
