"""The model learns processes: K worker processes share ``cores`` cores; the server lessons
load and say what they teach, in the model's words too."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.files.scenario_file import load_scenario_file
from simulator.metrics.summary import summarize
from simulator.prediction.model import predict
from simulator.scenario import Scenario

LESSONS = Path(__file__).resolve().parents[2] / "assets" / "server-lessons"
CPU = dict(view="sync_io", requests=10, io_ms=0, cpu_ms=50, mode="gunicorn")


def _makespan(scenario: Scenario, cores: int | None = None) -> float:
    return summarize(predict(scenario, cores=cores)).makespan_ms


def test_processes_use_the_cores_there_are_and_threads_share_one_gil():
    threads = _makespan(Scenario(**CPU, worker_class="gthread", threads=2), cores=2)
    two = _makespan(Scenario(**CPU, workers=2), cores=2)
    assert threads == pytest.approx(500, rel=0.05)  # one GIL: 10 x 50 ms in a row
    assert two == pytest.approx(250, rel=0.05)
    # On one core two processes are no faster than one; four on two cores no faster than two.
    assert _makespan(Scenario(**CPU, workers=2), cores=1) == pytest.approx(threads, rel=0.05)
    assert _makespan(Scenario(**CPU, workers=4), cores=2) >= 0.95 * two


def test_each_process_is_a_site_of_its_own_with_the_requests_dealt_round_robin():
    trace = predict(Scenario(view="sync_io", mode="gunicorn", workers=2, requests=4, io_ms=100))
    threads = {
        lane.request_id: {s.thread for s in lane.segments if s.thread != "queue"}
        for lane in trace.lanes
    }
    assert [sorted(threads[i])[0].split(" · ")[0] for i in range(4)] == [
        "process 1",
        "process 2",
        "process 1",
        "process 2",
    ]
    assert summarize(trace).makespan_ms == pytest.approx(200, rel=0.05)  # 2 each, in a row


def test_a_url_has_no_prediction():
    from simulator.errors import ScenarioError

    with pytest.raises(ScenarioError, match="no prediction"):
        predict(Scenario(url="http://127.0.0.1:8000/"))


@pytest.mark.parametrize("path", sorted(LESSONS.glob("*.toml")), ids=lambda p: p.name)
def test_the_server_lessons_load_and_name_what_they_need(path):
    lesson = load_scenario_file(path)
    assert (
        lesson.b is not None and "needs: pip install 'django-async-lanes[servers]'" in lesson.title
    )
    assert lesson.b.in_processes


def test_the_processes_lesson_says_in_the_models_words_what_it_teaches():
    lesson = load_scenario_file(LESSONS / "01-processes-vs-threads-for-cpu.toml")
    assert lesson.b is not None
    assert _makespan(lesson.b, cores=2) >= 1.5 * _makespan(lesson.a, cores=2)
