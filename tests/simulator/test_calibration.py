"""``async-lanes calibrate`` and the cache the model reads: per machine, in the user's data
folder (here a temporary one), stale when the versions change, never a traceback."""

from __future__ import annotations

import json

import pytest

from app.cli import calibrate_command
from app.cli import main as cli
from simulator.metrics.summary import summarize
from simulator.prediction import calibration
from simulator.prediction.calibration import cache_path, load_costs, save_costs
from simulator.prediction.costs import Costs
from simulator.prediction.fitting import BURSTS, fit_bursts
from simulator.prediction.flows import simulate


@pytest.fixture(autouse=True)
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data"


def test_the_cache_follows_xdg_data_home(data_home):
    assert cache_path().parent == data_home / "async-lanes"


def test_without_a_cache_the_shipped_defaults_are_used_and_said(data_home):
    found = load_costs()
    assert found.costs == Costs() and not found.calibrated
    assert found.note.startswith("not calibrated") and "async-lanes calibrate" in found.note
    assert not data_home.exists()  # reading writes nothing


def test_a_saved_calibration_is_loaded_with_when_it_was_measured():
    measured = Costs(hop_ms=2.5, request_cpu_ms=1.2)
    save_costs(measured, 8.0)
    found = load_costs()
    assert found.calibrated and found.costs == measured
    assert found.note.startswith("calibrated on this machine (20")
    data = json.loads(cache_path().read_text())
    assert data["versions"] == calibration.versions() and data["seconds"] == 8.0


def test_a_calibration_from_other_versions_is_stale():
    save_costs(Costs(hop_ms=2.5), 8.0)
    data = json.loads(cache_path().read_text())
    data["versions"]["django"] = "4.2.0"
    cache_path().write_text(json.dumps(data))
    found = load_costs()
    assert not found.calibrated and found.costs == Costs()
    assert "stale" in found.note and "django 4.2.0 →" in found.note


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        '{"costs": {"hop_ms": -1}, "versions": {}, "measured_at": "x"}',
        "[]",
        '{"costs": {}, "versions": ["django"], "measured_at": "x"}',  # (its versions a list)
    ],
)
def test_a_broken_cache_falls_back_to_the_defaults_saying_why(text):
    cache_path().parent.mkdir(parents=True)
    cache_path().write_text(text)
    found = load_costs()
    assert not found.calibrated and found.costs == Costs()
    assert str(cache_path()) in found.note and "defaults used" in found.note


def test_calibrate_saves_what_it_measured_and_predict_says_it_is_calibrated(monkeypatch, capsys):
    measured = Costs(request_cpu_ms=1.25, hop_ms=0.2)
    monkeypatch.setattr(calibrate_command, "measure_costs", lambda **_: measured)
    assert cli.main(["calibrate"]) == 0
    out = capsys.readouterr().out
    assert "request_cpu_ms" in out and "1.250" in out and str(cache_path()) in out
    assert load_costs().costs == measured
    assert "bound" not in out
    assert cli.main(["predict", "--view", "async_io", "--requests", "2", "--io-ms", "10"]) == 0
    assert "model costs   calibrated on this machine" in capsys.readouterr().out


def test_calibrate_says_in_one_line_which_costs_are_a_bound_not_a_measurement(monkeypatch, capsys):
    def measure(*, samples: int = 7, at_bound: list[str] | None = None) -> Costs:
        assert at_bound is not None
        at_bound += ["db_connect_ms", "http_call_ms"]
        return Costs()

    monkeypatch.setattr(calibrate_command, "measure_costs", measure)
    assert cli.main(["calibrate"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "bound" in line]
    assert len(lines) == 1 and lines[0].endswith(": db_connect_ms, http_call_ms")


@pytest.mark.slow
def test_a_real_calibration_measures_every_cost_of_this_machine(measured_costs):
    measured = measured_costs
    assert measured.request_cpu_ms > 0 and measured.wsgi_request_cpu_ms > 0
    assert measured.hop_ms > 0 and measured.asgi_before_ms > 0
    # Not the defaults copied: at least most costs were read from the runs.
    same = [k for k, v in vars(measured).items() if v == getattr(Costs(), k)]
    assert len(same) <= 4, same


@pytest.mark.slow
def test_the_bursts_costs_are_fitted_so_the_model_gives_the_makespans_measured():
    # Bursts measured on a machine whose costs differ from the shipped ones: fitted from
    # the makespans alone, the model gives every burst's makespan again, and the costs one
    # burst alone shows come back within 15% (a request's cost and its growth trade off
    # against each other between two bursts' sizes, a connection's against a sync view's
    # thread).
    machine = Costs(
        request_cpu_ms=1.6,
        growth_per_1000=0.5,
        thread_cpu_ms=0.8,
        middleware_thread_ms=0.9,
        http_call_ms=3.0,
        db_connect_ms=1.2,
        wsgi_request_cpu_ms=1.5,
    )

    def makespans(costs: Costs) -> dict[str, float]:
        return {
            name: summarize(simulate(scenario, costs)).makespan_ms
            for name, scenario in BURSTS.items()
        }

    measured = makespans(machine)
    within: list[str] = []  # (the costs said to be a bound: none here)
    fitted = fit_bursts(measured, Costs(), within)
    for name, makespan in makespans(fitted).items():
        assert makespan == pytest.approx(measured[name], rel=0.05), name
    for name in ("http_call_ms", "wsgi_request_cpu_ms"):
        assert getattr(fitted, name) == pytest.approx(getattr(machine, name), rel=0.15), name
    # A burst slower than any cost in range explains is read as the highest, not as more,
    # and said to be a bound; a fit within range is not.
    at_bound: list[str] = []
    assert fit_bursts({"db_connect_ms": 1e9}, Costs(), at_bound).db_connect_ms <= 16
    assert at_bound == ["db_connect_ms"]
    assert within == []
