"""The prediction model: exact on scenarios a person can work out by hand, close to the
measurement on the ground-truth ones, and clearly labelled on the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest

import embedded_site
from app.cli import main as cli
from simulator.catalog import IoStyle, lesson_views
from simulator.metrics.summary import summarize
from simulator.prediction import flows, model
from simulator.prediction.events import Environment, Resource
from simulator.prediction.measuring import computing_ns
from simulator.prediction.model import IO_KINDS, Costs, predict
from simulator.scenario import Scenario
from simulator.trace import KINDS, Lane, Segment

ROOT = Path(__file__).resolve().parents[2]
MS = 1_000_000


@pytest.fixture
def free():
    """Predict with no framework cost: the views alone."""

    def predict_free(**dials):
        return predict(Scenario(**dials), Costs.zero())

    return predict_free


def answers(trace) -> list[float]:
    """When each request got its answer, ms, in request order."""
    return [trace.ms(lane.done_ns) for lane in trace.lanes]


def segments(lane) -> list[tuple[str, str, float, float]]:
    return [(s.kind, s.thread, s.start_ns / MS, s.end_ns / MS) for s in lane.segments]


# --- the event loop core ---------------------------------------------------------------


def test_the_core_runs_processes_in_time_order_and_breaks_ties_by_schedule_order():
    env, log = Environment(), []

    def clock(name, step):
        while True:
            log.append((env.now, name))
            yield env.timeout(step)

    env.process(clock("a", 2))
    env.process(clock("b", 1))
    env.run(until=4)
    assert log == [(0, "a"), (0, "b"), (1, "b"), (2, "a"), (2, "b"), (3, "b")]
    assert env.now == 4
    with pytest.raises(ValueError, match=r"until \(4\) must be greater than the current"):
        env.run(until=4)


def test_a_resource_serves_first_come_first_served_and_refuses_a_foreign_slot():
    env, log = Environment(), []
    workers = Resource(env, ["w1", "w2"])

    def job(n):
        slot = yield workers.request()
        log.append((env.now, n, slot))
        yield env.timeout(10)
        workers.release(slot)

    for n in range(4):
        env.process(job(n))
    env.run()
    assert log == [(0, 0, "w1"), (0, 1, "w2"), (10, 2, "w1"), (10, 3, "w2")]
    with pytest.raises(ValueError):
        workers.release("w9")
    with pytest.raises(ValueError):
        Resource(env, [])
    with pytest.raises(ValueError):
        env.timeout(-1)


# --- exact, by hand ------------------------------------------------------------------


def test_one_wsgi_worker_answers_one_after_another(free):
    trace = free(view="sync_io", mode="wsgi", workers=1, requests=3, io_ms=100)
    assert answers(trace) == [100, 200, 300]
    assert [segments(lane) for lane in trace.lanes] == [
        [("io_blocking", "wsgi-worker-1", 0, 100)],
        [("queued", "queue", 0, 100), ("io_blocking", "wsgi-worker-1", 100, 200)],
        [("queued", "queue", 0, 200), ("io_blocking", "wsgi-worker-1", 200, 300)],
    ]
    assert trace.loop_thread is None


def test_time_sleep_in_an_async_view_answers_one_after_another_and_blocks_the_loop(free):
    trace = free(view="async_blocking", requests=3, io_ms=100)
    assert answers(trace) == [100, 200, 300]
    assert summarize(trace).loop_blocked_ms == 300
    assert {s.thread for lane in trace.lanes for s in lane.segments if s.kind == "io_blocking"} == {
        "asgi-loop"
    }


def test_concurrency_holds_requests_back_as_the_client_does(free):
    """``--concurrency 2``: 6 requests of 100 ms go two at a time, each timed from its send
    (the model sent all 6 at once: 100 ms predicted where the run measured 300)."""
    trace = free(view="async_io", requests=6, io_ms=100, concurrency=2)
    assert answers(trace) == [100, 100, 200, 200, 300, 300]
    assert [lane.latency_ns / 1e6 for lane in trace.lanes] == [100] * 6
    assert summarize(trace).peak_in_flight == 2
    processes = free(view="sync_io", mode="gunicorn", workers=2, requests=8, io_ms=100,
                     concurrency=2)  # fmt: skip
    assert summarize(processes).makespan_ms == pytest.approx(400, rel=0.01)


def test_awaiting_io_answers_everyone_at_once(free):
    trace = free(view="async_io", requests=3, io_ms=100)
    assert answers(trace) == [100, 100, 100]
    assert summarize(trace).loop_blocked_ms == 0


def test_cpu_on_the_loop_makes_a_staircase_and_the_waiters_are_queued(free):
    trace = free(view="async_io", requests=3, io_ms=100, cpu_ms=50)
    assert answers(trace) == [150, 200, 250]
    assert [segments(lane) for lane in trace.lanes] == [
        [("io_wait", "asgi-loop", 0, 100), ("cpu", "asgi-loop", 100, 150)],
        [
            ("io_wait", "asgi-loop", 0, 100),
            ("queued", "asgi-loop", 100, 150),
            ("cpu", "asgi-loop", 150, 200),
        ],
        [
            ("io_wait", "asgi-loop", 0, 100),
            ("queued", "asgi-loop", 100, 200),
            ("cpu", "asgi-loop", 200, 250),
        ],
    ]
    # Each request's 50 ms step blocked the loop, as the loop monitor counts steps.
    assert trace.loop_blocked == ((100 * MS, 150 * MS), (150 * MS, 200 * MS), (200 * MS, 250 * MS))


def test_two_wsgi_workers_take_two_at_a_time(free):
    trace = free(view="sync_io", mode="wsgi", workers=2, requests=4, io_ms=100)
    assert answers(trace) == [100, 100, 200, 200]
    assert summarize(trace).threads_used == 2


def test_sync_views_under_asgi_each_get_a_thread(free):
    trace = free(view="sync_io", requests=3, io_ms=100)
    assert answers(trace) == [100, 100, 100]
    threads = [s.thread for lane in trace.lanes for s in lane.segments if s.kind == "io_blocking"]
    assert threads == ["thread-0", "thread-1", "thread-2"]
    assert summarize(trace).threads_used == 3


def test_arrival_spacing_delays_each_send(free):
    trace = free(view="async_io", requests=3, io_ms=100, arrival_ms=30)
    assert [trace.ms(lane.sent_ns) for lane in trace.lanes] == [0, 30, 60]
    assert answers(trace) == [100, 130, 160]
    wsgi = free(view="sync_io", mode="wsgi", workers=1, requests=3, io_ms=100, arrival_ms=30)
    assert answers(wsgi) == [100, 200, 300]


def test_sync_fanout_waits_in_a_row_and_async_fanout_waits_once(free):
    (sync,) = free(view="sync_fanout", requests=1, io_ms=100, fanout=3).lanes
    assert segments(sync) == [
        ("io_blocking", "thread-0", 0, 100),
        ("io_blocking", "thread-0", 100, 200),
        ("io_blocking", "thread-0", 200, 300),
    ]
    (gathered,) = free(view="async_fanout", requests=1, io_ms=100, fanout=3).lanes
    assert segments(gathered) == [("io_wait", "asgi-loop", 0, 100)]


def test_cpu_in_slices_takes_turns_on_the_loop(free):
    trace = free(view="async_cpu_chunked", requests=2, io_ms=0, cpu_ms=4)
    slices = sorted(
        (s.start_ns / MS, lane.request_id)
        for lane in trace.lanes
        for s in lane.segments
        if s.kind == "cpu"
    )
    assert slices == [(0, 0), (2, 1), (4, 0), (6, 1)]  # 2 ms slices (CPU_CHUNK_MS)
    assert answers(trace) == [8, 8]
    embedded_site.boot()  # the views module needs Django
    from embedded_site import views

    assert flows.CPU_CHUNK_MS is views.CPU_CHUNK_MS


def test_cpu_on_threads_shares_the_gil(free):
    # Two threads, 10 ms each: the GIL passes every 5 ms, so they take turns and end at
    # 15 and 20, not both at 10.
    trace = free(view="sync_io", requests=2, io_ms=0, cpu_ms=10)
    assert answers(trace) == [15, 20]
    # Waiting (time.sleep) needs no GIL.
    assert answers(free(view="sync_io", requests=2, io_ms=10)) == [10, 10]


def test_the_async_orm_hands_its_query_to_the_requests_thread():
    costs = Costs(**{**_zero(), "hop_ms": 1.0})
    (lane,) = predict(Scenario(view="async_orm", requests=1, io_ms=100), costs).lanes
    assert segments(lane) == [
        ("thread_hop", "asgi-loop", 0, 1),
        ("io_blocking", "thread-0", 1, 101),
        ("thread_hop", "thread-0", 101, 102),
        ("queued", "asgi-loop", 102, 103),  # after the answer: the hand-off to close it
    ]


def test_a_sync_only_middleware_holds_a_thread_around_an_async_views_await():
    costs = Costs(**{**_zero(), "hop_ms": 1.0})
    plain = predict(Scenario(view="async_io", requests=1, io_ms=10), costs).lanes[0]
    adapted = predict(Scenario(view="async_io", requests=1, io_ms=10, middleware="sync"), costs)
    assert [s.kind for s in plain.segments] == ["io_wait", "queued"]  # closing: a hand-off
    assert segments(adapted.lanes[0]) == [
        ("queued", "asgi-loop", 0, 1),  # into the chain: from the loop to the request's thread
        ("thread_hop", "thread-0", 1, 2),  # to the async view, on the loop
        # The chain's thread waits in async_to_sync meanwhile: the await holds it.
        ("io_blocking", "thread-0", 2, 12),
        ("thread_hop", "asgi-loop", 12, 13),  # back into the chain
        ("queued", "thread-0", 13, 14),  # out of the chain, to the loop
        ("queued", "asgi-loop", 14, 15),  # after the answer: the hand-off to close it
    ]


def test_async_views_under_wsgi_hold_their_worker_for_the_whole_view(free):
    trace = free(view="async_io", mode="wsgi", workers=1, requests=2, io_ms=100)
    assert answers(trace) == [100, 200]
    assert segments(trace.lanes[1]) == [
        ("queued", "queue", 0, 100),
        ("io_wait", "async_to_sync-1", 100, 200),
    ]


VIEW_ERRORS = {
    name: view.expected_error for name, view in lesson_views().items() if view.expected_error
}


@pytest.mark.parametrize("view", sorted(VIEW_ERRORS))
@pytest.mark.parametrize("mode", ["asgi", "wsgi"])
def test_the_bug_views_cost_framework_time_and_end_as_errors(view, mode):
    trace = predict(Scenario(view=view, mode=mode, requests=2, io_ms=100, cpu_ms=50))
    for lane in trace.lanes:
        assert (lane.status, lane.status_code, lane.error) == ("error", 500, VIEW_ERRORS[view])
        assert {s.kind for s in lane.segments} <= {"queued", "framework"}
    assert summarize(trace).failed == 2


def test_every_view_is_modelled_and_only_known_kinds_are_drawn():
    for view in lesson_views().values():
        assert (view.io in IO_KINDS or view.io is IoStyle.THREAD) != bool(view.expected_error)
    for view in lesson_views():
        for mode in ("asgi", "wsgi"):
            trace = predict(Scenario(view=view, mode=mode, requests=3, io_ms=20, cpu_ms=7))
            for lane in trace.lanes:
                assert lane.segments[0].start_ns == lane.sent_ns
                for a, b in pairwise(lane.segments):
                    assert a.end_ns == b.start_ns, (view, mode)  # gap-free
                assert {s.kind for s in lane.segments} <= set(KINDS)


def test_the_prediction_is_deterministic_and_the_costs_check_their_input():
    scenario = Scenario(view="async_io", requests=20, io_ms=50, cpu_ms=3, arrival_ms=1)
    assert predict(scenario) == predict(scenario)
    with pytest.raises(ValueError, match="hop_ms"):
        Costs(hop_ms=-1)
    with pytest.raises(ValueError, match="cpu_scale"):
        Costs(cpu_scale=0)
    with pytest.raises(ValueError):
        predict({"view": "async_io"})


def test_framework_costs_show_as_framework_with_two_hand_offs_per_request_under_asgi():
    (lane,) = predict(Scenario(view="async_io", requests=1, io_ms=100), Costs()).lanes
    kinds = [(s.kind, s.thread) for s in lane.segments]
    # Django's time is its running only: the hand-offs to the request's thread wait for it
    # to wake up, holding nothing, and read as queued, as the measured lanes draw them.
    assert kinds == [
        ("queued", "queue"),
        ("framework", "asgi-loop"),  # the handler's first step
        ("queued", "asgi-loop"),  # the hand-off to request_started
        ("framework", "thread-0"),  # request_started, through sync_to_async
        ("framework", "asgi-loop"),  # the request built; its task: the middleware, the view
        ("io_wait", "asgi-loop"),
        ("framework", "asgi-loop"),
        ("queued", "asgi-loop"),  # the hand-off after the answer
        ("framework", "thread-0"),  # response.close() and request_finished
        ("framework", "asgi-loop"),  # the handler's last step
    ]
    assert lane.end_ns > lane.done_ns


def _zero() -> dict[str, float]:
    return {name: getattr(Costs.zero(), name) for name in Costs.__dataclass_fields__}


# --- against the measurement -----------------------------------------------------------

GROUND_TRUTH = [
    pytest.param({"view": "async_io"}, id="asgi async_io"),
    pytest.param({"view": "sync_io"}, id="asgi sync_io"),
    pytest.param({"view": "sync_io", "mode": "wsgi", "workers": 1}, id="wsgi x1 sync_io"),
    pytest.param({"view": "async_blocking"}, id="asgi async_blocking"),
    pytest.param({"view": "async_io", "cpu_ms": 50}, id="asgi async_io cpu 50"),
]


@pytest.mark.slow
@pytest.mark.parametrize("dials", GROUND_TRUTH)
def test_the_predicted_makespan_is_a_little_short_of_the_measured_one(run, dials):
    """What the README says: runs of a second or more within a few percent, 200 ms runs up
    to a third short (a busy machine's tens of ms of thread start-up and scheduling, which
    the model leaves out), and never a run slower than measured.

    How fast the CPU work ran is an input, not a prediction: other processes on the machine
    stretch it (the model's default is a CPU of its own), so it is taken from the run.
    """
    scenario = Scenario(requests=8, io_ms=200, **dials)
    measured = run(**scenario.to_dict())
    costs = Costs()
    if scenario.cpu_ms:
        # Its CPU and its waits to run within it: on the loop, one request at a time, they
        # wait only for the machine's other programs (and the client's thread). Django's own
        # steps wait for a core too on a busy machine, before the view and after the answer:
        # counted as the view's, they made the model up to 3% slower than the run.
        cpu_ns = sum(computing_ns(lane) for lane in measured.trace.lanes)
        costs = Costs(cpu_scale=cpu_ns / MS / (scenario.requests * scenario.cpu_ms))
    predicted = summarize(predict(scenario, costs)).makespan_ms
    measured_ms = measured.summary.makespan_ms
    assert predicted <= 1.02 * measured_ms, (predicted, measured_ms)  # optimistic, never slow
    # Short by at most 5% and the tenth of a second a busy machine adds: under a third on the
    # 200 ms runs, 1-4% on the 1.6 s ones (seen here, on a busy 2-core machine).
    assert measured_ms < 1.05 * predicted + 100, (predicted, measured_ms)
    assert summarize(predict(scenario)).ok == measured.summary.ok == 8


def test_a_view_s_cpu_work_is_read_from_its_cpu_alone_not_django_s_waits_for_a_core():
    """What a run says of how fast its CPU work ran (the model's ``cpu_scale``, read by the
    test above and by ``calibrate``): the view's CPU and its waits to run between, not the
    waits for a core a busy machine adds to Django's hand-offs before the view and to its
    tidying after the answer (those made the model 2-3% slower than the run it was fed)."""
    parts = [
        ("queued", 3),
        ("gil_wait", 4),  # the hand-off to the view, waiting for the GIL
        ("core_wait", 4),  # and for a core
        ("io_wait", 200),
        ("queued", 180),  # other requests' CPU on the loop
        ("cpu", 20),
        ("core_wait", 9),  # the view's CPU waits for a core: part of how fast it ran
        ("cpu", 25),
        ("gil_wait", 1),
        ("cpu", 5),
        ("framework", 1),
        ("queued", 30),
        ("core_wait", 19),  # Django's tidying after the answer, waiting for a core
    ]
    at, segments = 0, []
    for kind, ms in parts:
        segments.append(Segment(kind, at * MS, (at + ms) * MS, "asgi-loop"))
        at += ms
    lane = Lane(0, "async_io", "ok", 200, None, 0, 472 * MS, tuple(segments))
    assert computing_ns(lane) == (20 + 9 + 25 + 1 + 5) * MS
    assert computing_ns(replace(lane, segments=lane.segments[:4])) == 0  # no CPU: none


@pytest.mark.slow
def test_costs_measured_here_are_plausible(measured_costs):
    costs = measured_costs
    assert 0.05 < costs.asgi_before_ms + costs.asgi_started_ms + costs.asgi_view_in_ms < 20
    assert 0.02 < costs.wsgi_before_ms + costs.wsgi_after_ms < 20
    assert 0.01 < costs.hop_ms < 20
    assert 0.005 < costs.hook_hop_ms < 20  # startproject's hooks' hand-offs, read too
    # Wall time per ms of a view's CPU: never under 1 (a thread cannot burn CPU faster than
    # the clock), a few times that where other processes hold the cores (5.3 was seen here
    # beside two test suites on 2 cores).
    assert 0.9 < costs.cpu_scale < 10


# --- on the command line ---------------------------------------------------------------


def predict_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.launcher", "predict", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_predict_prints_a_labelled_summary_and_writes_json(tmp_path):
    out = tmp_path / "p.json"
    result = predict_cli(
        "--view",
        "sync_io",
        "--mode",
        "wsgi",
        "--requests",
        "3",
        "--io-ms",
        "100",
        "--json",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "PREDICTION (model, not measured)"
    assert lines[1].startswith("sync_io · WSGI ×1 · 3 req")
    assert "makespan" in result.stdout and "threads used" in result.stdout
    data = json.loads(out.read_text())
    assert data["prediction"] is True
    assert data["schema"] == 1 and data["scenario"]["view"] == "sync_io"
    assert len(data["requests"]) == 3 and data["loop_thread"] is None


@pytest.mark.slow
def test_predict_check_sets_the_prediction_beside_the_measurement():
    result = predict_cli(
        "--view", "sync_io", "--mode", "wsgi", "--requests", "3", "--io-ms", "50", "--check"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("PREDICTION (model, not measured)")
    for figure in ("makespan", "p50", "p95", "threads used", "loop blocked"):
        assert any(line.strip().startswith(figure) for line in result.stdout.splitlines())
    assert "predicted" in result.stdout and "measured" in result.stdout
    assert "within 35%" in result.stdout


def test_predict_check_exits_3_when_the_makespan_is_far_off(monkeypatch, capsys):
    real = model.predict
    monkeypatch.setattr(
        model, "predict", lambda s, costs=None, cores=None: real(s, Costs(send_ms=500))
    )
    code = cli.main(
        ["predict", "--view", "async_io", "--requests", "2", "--io-ms", "20", "--check"]
    )
    assert code == cli.EXIT_PREDICTION_OFF == 3
    assert "more than 35%" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--workers", "0"], ["--workers", "0"]),
        (["--view", "nope"], ["nope"]),
        (["--mode", "cgi"], ["--mode", "cgi"]),
        (["--bogus"], ["--bogus"]),
    ],
)
def test_predict_refuses_bad_flags_in_one_line(args, words):
    result = predict_cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert all(word in result.stderr for word in words)


def test_predict_says_what_its_exit_codes_mean():
    result = predict_cli("--help")
    assert result.returncode == 0
    assert "--check" in result.stdout and "--io-ms" in result.stdout
    said = " ".join(result.stdout.split())  # argparse wraps the text at the terminal's width
    assert "2 for a bad flag or dial" in said
    assert "3 when the predicted makespan is off the measured one by more than 35%" in said
    assert "130 when Ctrl+C stopped the real run" in said


def test_a_computing_step_blocks_the_loop_from_its_start_to_its_end_its_gil_waits_included():
    # Lesson 5's A (8 async views, each computing 50 ms on the loop after its await): each
    # computing step waited 0.23 ms for the GIL a few ms in, and the model drew its strip in
    # two pieces, the gap reading "loop free" while no other request could run, as the real
    # monitor no longer does. One stretch per step, the loop's GIL waits under it.
    scenario = Scenario(view="async_io", requests=8, io_ms=100, cpu_ms=50)
    trace = predict(scenario, Costs())  # (the shipped costs, not this machine's calibration)
    assert len(trace.loop_blocked) == scenario.requests
    waits = [
        seg
        for lane in trace.lanes
        for seg in lane.segments
        if seg.thread == trace.loop_thread and seg.kind.value == "gil_wait"
    ]
    assert waits  # (what the strip used to leave out)
    for seg in waits:
        assert any(s <= seg.start_ns and seg.end_ns <= e for s, e in trace.loop_blocked)
