"""The model's rules as the measurement showed them: the loop blocked by long steps only,
the GIL kept by a running thread until another has waited 5 ms, Django's time its running
only, and per-request costs that stop growing where runs stop measuring."""

from __future__ import annotations

import pytest

from simulator.metrics.summary import summarize
from simulator.prediction.costs import Costs
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
    share = costs.burst_share("asgi", is_async=True)
    assert share == pytest.approx(1.0 / costs.drawn_ms("asgi"))

    def framework(requests: int) -> float:
        scenario = Scenario(view="async_io", requests=requests, io_ms=100)
        return summarize(predict(scenario, costs)).framework_ms_per_request

    assert share * 0.9 < framework(300) / framework(1) < 1
    # The shipped defaults' bursts cost more than a lone request's Python: no shrinking.
    assert Costs().burst_share("asgi", is_async=True) == 1


def test_per_request_costs_stop_growing_where_runs_stop_measuring():
    site = Site(Scenario(view="async_io", requests=1), Costs())
    site.inside = GROWTH_SEEN_UP_TO
    at_the_limit = site.grown()
    site.inside = 1_000_000
    assert site.grown() == at_the_limit
    site.inside = 1_000
    assert 1 < site.grown() < at_the_limit
