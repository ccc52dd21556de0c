"""``--concurrency N``: at most N requests in flight, the next sent when one answers, in
process and over sockets alike (one rule, in the burst both clients share)."""

from __future__ import annotations

import pytest

from simulator.hosting.engine import run_scenario
from simulator.scenario import Scenario
from simulator.server_extra import missing_server


def test_the_dial_reads_like_the_others():
    assert Scenario(concurrency=4).concurrency == 4
    assert "4 at a time" in Scenario(concurrency=4).label
    assert Scenario().concurrency == 0  # the whole burst at once, as before
    with pytest.raises(ValueError, match="concurrency must be between 0 and 10000"):
        Scenario(concurrency=-1)


@pytest.mark.slow
def test_in_process_two_at_a_time_take_three_turns_for_six_waits():
    run = run_scenario(Scenario(view="async_io", requests=6, io_ms=150, concurrency=2))
    assert run.summary.ok == 6
    assert run.summary.peak_in_flight == 2
    # Three turns of 150 ms, not one: between 2.5 and 5 turns' worth on a busy machine.
    assert 2.5 * 150 < run.summary.makespan_ms < 5 * 150


@pytest.mark.slow
@pytest.mark.skipif(missing_server("uvicorn") is not None, reason="uvicorn is not installed")
def test_over_sockets_the_same_dial_holds_requests_back():
    run = run_scenario(
        Scenario(view="async_io", mode="uvicorn", requests=6, io_ms=150, concurrency=2)
    )
    assert run.summary.ok == 6
    assert run.summary.peak_in_flight == 2
    assert 2.5 * 150 < run.summary.makespan_ms < 5 * 150
