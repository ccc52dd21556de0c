"""The model learns processes: K worker processes share ``cores`` cores; the server lessons
load and say what they teach, in the model's words too."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from simulator.lessons import Lesson, Needs, lesson_entries
from simulator.metrics.summary import summarize
from simulator.prediction.model import predict
from simulator.scenario import Scenario

LESSONS = Path(__file__).resolve().parents[2] / "assets" / "lessons"
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


def _server_lessons() -> list[Lesson]:
    return [
        entry.lesson
        for entry in lesson_entries(LESSONS)
        if entry.lesson is not None and entry.lesson.needs.servers
    ]


def test_the_server_lessons_need_their_servers_and_say_so_without_them(monkeypatch):
    lessons = {lesson.number: lesson for lesson in _server_lessons()}
    assert lessons[23].needs == Needs(cores=2, servers=("gunicorn",))
    assert lessons[24].needs == Needs(servers=("uvicorn",))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    reason = lessons[24].needs.unmet()
    assert reason is not None and "pip install 'django-async-lanes[servers]'" in reason


def test_the_processes_lesson_says_in_the_models_words_what_it_teaches():
    (lesson,) = [lesson for lesson in _server_lessons() if lesson.number == 23]
    assert lesson.file.b is not None
    assert _makespan(lesson.file.b, cores=2) >= 1.5 * _makespan(lesson.file.a, cores=2)
    # and on one core, what the lesson's follow-up says: two processes are no faster
    assert _makespan(lesson.file.b, cores=1) < 1.1 * _makespan(lesson.file.a, cores=1)
