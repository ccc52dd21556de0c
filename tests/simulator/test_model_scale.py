"""``predict`` at scale: a million requests and 4,096 workers, figures without lanes, from
the same event model in bigger pieces (:mod:`simulator.prediction.scale`), agreeing with the
request-by-request model where both run; ``run`` and ``compare`` still refuse more than
10,000 requests. Timings are in ``benchmarks/predict_scale.py``, not here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main as cli_main
from simulator.errors import ScenarioError
from simulator.metrics.summary import Summary, summarize
from simulator.prediction.costs import Costs
from simulator.prediction.flows import simulate
from simulator.prediction.model import predict_figures
from simulator.prediction.scale import predict_summary
from simulator.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]

#: A few views and modes: the loop, a thread per request, workers, the blocked loop, CPU.
CASES = {
    "async_io asgi": {"view": "async_io", "mode": "asgi"},
    "sync_io asgi": {"view": "sync_io", "mode": "asgi"},
    "sync_io wsgi 8 workers": {"view": "sync_io", "mode": "wsgi", "workers": 8},
    "async_blocking asgi": {"view": "async_blocking", "mode": "asgi"},
    "cpu-bound wsgi 4 workers": {
        "view": "sync_io",
        "mode": "wsgi",
        "workers": 4,
        "io_ms": 0,
        "cpu_ms": 10,
    },
}


def figures(summary: Summary) -> dict[str, float]:
    return {
        "makespan_ms": summary.makespan_ms,
        "p50": summary.latency_ms["p50"],
        "threads_held_peak": summary.threads_held_peak,
        "loop_blocked_ms": summary.loop_blocked_ms,
        "framework_ms_per_request": summary.framework_ms_per_request,
    }


@pytest.mark.slow
@pytest.mark.parametrize("requests", [2_000, 5_000])
@pytest.mark.parametrize("case", list(CASES))
def test_the_scale_path_agrees_with_the_event_model_within_5_percent(case, requests):
    scenario = Scenario(requests=requests, **{"io_ms": 100, "cpu_ms": 1, **CASES[case]})
    every = figures(summarize(simulate(scenario, Costs())))
    pieces = figures(predict_summary(scenario, Costs(), cores=2))
    if scenario.mode == "wsgi":  # a worker's GIL waits are not kept in pieces: scale.py
        del every["framework_ms_per_request"]
    for name, value in every.items():
        assert pieces[name] == pytest.approx(value, rel=0.05), (name, every, pieces)


def test_pieces_count_as_the_requests_they_stand_for():
    scenario = Scenario(view="sync_io", mode="asgi", requests=3_000, io_ms=100)
    summary = predict_summary(scenario, Costs(), cores=2, lanes=100)  # 30 each
    assert (summary.requests, summary.ok, summary.failed) == (3_000, 3_000, 0)
    assert summary.peak_in_flight == 3_000  # the burst, all sent at once
    bug = predict_summary(scenario.replace(view="missing_await_bug"), Costs(), 2, lanes=100)
    assert (bug.ok, bug.failed) == (0, 3_000)
    assert summary.threads_used == 3_001  # a thread per request, and the loop
    workers = predict_summary(scenario.replace(mode="wsgi", workers=8), Costs(), 2, lanes=100)
    assert workers.threads_used == workers.threads_held_peak == 8


def test_up_to_10000_requests_the_figures_come_with_every_lane():
    trace, summary = predict_figures(Scenario(view="async_io", requests=40, io_ms=10), Costs())
    assert trace is not None and len(trace.lanes) == 40 == summary.requests


@pytest.mark.slow
def test_above_10000_predict_writes_the_figures_without_lanes(tmp_path, capsys):
    out = tmp_path / "p.json"
    argv = ["predict", "--view", "async_io", "--requests", "1000000", "--io-ms", "100"]
    assert cli_main([*argv, "--cpu-ms", "1", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["scenario"]["requests"] == 1_000_000
    assert data["summary"]["requests"] == data["summary"]["ok"] == 1_000_000
    assert data["requests"] == [] and data["lanes_omitted"] is True
    assert data["loop_thread"] is None  # no lane names a thread (docs/run-schema.md)
    assert data["prediction"] is True
    # A million requests on the GIL take far longer than a thousand did.
    assert data["summary"]["makespan_ms"] > 1000 * 1_000_000 / 1000
    assert "1000000 req" in capsys.readouterr().out


def test_predict_models_the_clients_concurrency_and_says_nothing_else(capsys):
    argv = ["predict", "--view", "async_io", "--requests", "20", "--io-ms", "200"]
    assert cli_main([*argv, "--concurrency", "2"]) == 0
    out = capsys.readouterr().out
    assert "makespan      2.0" in out  # ten rounds of two, not one burst of 200 ms
    assert "not modelled" not in out


def test_predict_takes_4096_workers_and_refuses_more(capsys):
    scenario = Scenario(view="sync_io", mode="wsgi", workers=4_096, requests=20, io_ms=10)
    assert predict_figures(scenario, Costs())[1].makespan_ms < 100  # all at once
    for flag, value in (("--workers", "4097"), ("--requests", "1000001")):
        with pytest.raises(SystemExit) as exit_:  # argparse's, one line
            cli_main(["predict", flag, value])
        assert exit_.value.code == 2
        assert f"must be between 1 and {int(value) - 1}" in capsys.readouterr().err


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.launcher", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env=None,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["run", "--requests", "10001"],
        ["run", "--workers", "4096"],
        ["run", "--scenario", "{big}"],
        ["compare", "--a", "requests=20000", "--b", "requests=2"],
        ["compare", "--scenario", "{big}", "--b", "requests=2"],
        ["predict", "--scenario", "{big}", "--check"],
    ],
    ids=" ".join,
)
def test_real_runs_still_refuse_more_than_10000_requests(tmp_path, args):
    big = tmp_path / "big.toml"
    big.write_text('[scenario]\nview = "async_io"\nrequests = 20000\nio_ms = 10\n')
    result = run_cli(*(arg.format(big=big) for arg in args))
    assert result.returncode == 2, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "must be between 1 and" in lines[0] and ("10000" in lines[0] or "256" in lines[0])
    assert "makespan" not in result.stdout  # nothing was run


def test_the_engine_refuses_what_only_the_model_takes():
    from simulator.hosting.engine import LiveRun

    with pytest.raises(ScenarioError, match="requests must be between 1 and 10000, not 20000"):
        LiveRun(Scenario(view="async_io", requests=20_000))


def test_a_piece_whose_own_python_exceeds_its_span_holds_no_thread_rather_than_hiding_others():
    """Threads held at scale: a piece's requests are held for its span less the others' own
    Python; a piece whose segments overlap (own Python longer than its span) is held for no
    time, not for less than none, which ended its requests before they began and took the
    other piece's four threads held at once off the count."""
    from simulator.prediction.scale import _threads_held_peak
    from simulator.trace import Kind, Lane, Segment, Trace

    ms = 1_000_000
    held = Lane(0, "v", "ok", 200, None, 0, 40 * ms, (Segment(Kind.IO_BLOCKING, 0, 40 * ms, "T1"),))
    overlapping = tuple(Segment(Kind.CPU, 50 * ms, 60 * ms, "T2") for _ in range(10))
    odd = Lane(1, "v", "ok", 200, None, 50 * ms, 60 * ms, overlapping)
    alone = _threads_held_peak(Trace(0, (held,), "asgi-loop"), 4.0, 100)
    assert alone == 4
    assert _threads_held_peak(Trace(0, (held, odd), "asgi-loop"), 4.0, 100) == alone
