"""The status bar's lines, as the class reads them at the bottom of the screen."""

from __future__ import annotations

from app.status_text import finished_text, running_text, started_text
from simulator.metrics.summary import summarize
from simulator.prediction.model import predict
from simulator.scenario import Scenario
from simulator.trace import Run


def test_a_real_server_says_it_is_starting_and_names_the_side_when_comparing():
    gunicorn = Scenario(view="sync_io", mode="gunicorn", workers=2)
    assert started_text(gunicorn, "b") == (
        "Starting B: gunicorn sync 2 processes on 127.0.0.1; the run begins once every worker "
        "process has answered a warm-up request…"
    )
    assert started_text(Scenario(), None) == "Running…"


def test_running_counts_the_answers_and_finished_names_the_model_only_if_asked():
    scenario = Scenario(view="async_io", requests=3, io_ms=100)
    trace = predict(scenario)
    assert running_text(trace, "a") == "Running A… 3 of 3 requests answered"
    run = Run(scenario, trace, summarize(trace))
    text = finished_text(run, None)
    assert text.startswith("Done: 3 answered in ") and "model" not in text
    assert "The model predicted 100 ms." in finished_text(run, 100.0)
    assert "The model predicted 100 ms (not calibrated)." in finished_text(run, 100.0, False)
    assert "The model predicted 100 ms (calibrated here)." in finished_text(run, 100.0, True)
