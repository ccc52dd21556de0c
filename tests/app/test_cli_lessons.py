"""``async-lanes lessons`` and ``async-lanes lesson N [--check] [--png]``."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import lesson_commands
from app.cli.main import main

FAILING = """
title = "Does a 50 ms sleep take under 1 ms?"

[lesson]
explanation = "A lesson whose claim cannot hold."
question = "Under 1 ms?"
answer = "No"
why = "Sleeping takes as long as it says."
look_at = "The lane."
follow_up = "Nothing."

[scenario]
view = "sync_io"
mode = "wsgi"
requests = 1
io_ms = 50

[[claim]]
says = "one request of 50 ms takes under 1 ms"
figure = "makespan_ms"
op = "<"
value = 1
"""


def test_lessons_lists_at_least_16_by_number_and_question(capsys):
    assert main(["lessons"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 16
    assert lines[0].split()[0] == "1" and lines[0].rstrip().endswith("?")
    assert not [line for line in lines if "BROKEN" in line]


def test_an_unknown_lesson_is_one_line_and_exit_2(capsys):
    assert main(["lesson", "99"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("async-lanes: error: no lesson 99") and "\n" not in err


def test_a_lesson_whose_claim_fails_exits_1_with_the_measured_figure(capsys, monkeypatch, tmp_path):
    (tmp_path / "01-impossible.toml").write_text(FAILING, encoding="utf-8")
    (tmp_path / "02-broken.toml").write_text("title = 'x'\n[scenario]\n", encoding="utf-8")
    monkeypatch.setattr(lesson_commands, "_folder", lambda: tmp_path)
    assert main(["lesson", "1", "--check"]) == 1
    out = capsys.readouterr().out
    assert "FAILED: one request of 50 ms takes under 1 ms — measured A makespan" in out
    assert "CHECK: 1 of 1 claims did not hold" in out
    assert main(["lessons"]) == 0
    assert "2  BROKEN:" in capsys.readouterr().out
    assert main(["lesson", "2"]) == 2
    assert "no [lesson] table" in capsys.readouterr().err


@pytest.mark.slow
def test_lesson_check_holds_and_draws_its_slide(capsys, tmp_path):
    png = tmp_path / "slide.png"
    assert main(["lesson", "11", "--check", "--png", str(png)]) == 0
    out = capsys.readouterr().out
    assert "Question: Calling Article.objects.get" not in out  # the title is not the question
    assert "Question: What happens to each request?" in out
    assert "held: every request fails with SynchronousOnlyOperation" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert Path(png).stat().st_size > 10_000


def test_a_lesson_calling_another_host_is_refused_before_it_runs(capsys, monkeypatch, tmp_path):
    text = FAILING.replace("io_ms = 50", 'io_ms = 50\nupstream_url = "https://example.com/"')
    (tmp_path / "01-remote.toml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(lesson_commands, "_folder", lambda: tmp_path)
    assert main(["lesson", "1"]) == 2
    err = capsys.readouterr().err
    assert "example.com" in err and err.count("\n") == 1


def test_a_lesson_needing_free_cores_is_skipped_by_a_check_on_a_busy_machine_only(
    capsys, monkeypatch, tmp_path
):
    """``--check`` judges claims only where they can hold; without it the lesson runs on a
    busy machine too (lesson 23's follow-up asks for exactly that). A skip that leaves an
    asked-for picture unwritten is not a success."""
    from simulator.lessons import format as lesson_format

    text = FAILING.replace('follow_up = "Nothing."', 'follow_up = "Nothing."\nneeds = {cores = 2}')
    (tmp_path / "01-needs-cores.toml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(lesson_commands, "_folder", lambda: tmp_path)
    monkeypatch.setattr(lesson_format, "usable_cores", lambda: 2)
    monkeypatch.setattr(lesson_format, "parallel_speedup", lambda n: 1.1)
    assert main(["lesson", "1", "--check"]) == 0
    assert "skipped: needs 2 free cores: 2 processes got only 1.10×" in capsys.readouterr().out
    assert main(["lesson", "1", "--check", "--png", str(tmp_path / "s.png")]) == 1
    assert "nothing written" in capsys.readouterr().out and not (tmp_path / "s.png").exists()
    assert main(["lesson", "1"]) == 0  # runs: its claim fails, but this is not a check
    assert "FAILED: one request of 50 ms" in capsys.readouterr().out
    monkeypatch.setattr(lesson_format, "usable_cores", lambda: 1)
    assert main(["lessons"]) == 0
    assert "(skipped here: needs 2 cores, this process may use 1)" in capsys.readouterr().out


def test_a_lessons_json_carries_its_figure_and_the_models_number_for_each_side():
    from simulator.lessons import LessonRun, load_lesson
    from simulator.metrics.summary import summarize
    from simulator.prediction.costs import Costs
    from simulator.prediction.model import predict
    from simulator.trace import Run

    root = Path(__file__).resolve().parents[2] / "assets" / "lessons"
    lesson = load_lesson(next(root.glob("19-*.toml")))
    runs = {}
    for side, scenario in (("A", lesson.file.a), ("B", lesson.file.b)):
        trace = predict(scenario, Costs.zero())  # stands in for a measured run
        runs[side] = [Run(scenario, trace, summarize(trace))]
    data = lesson_commands._runs_json(LessonRun(lesson, runs, ()))
    assert data["figure"] == "db_connections_peak"
    assert data["predicted"] == {"a": 20, "b": 4}  # a thread per request; 4 workers
    assert data["calibrated"] is False  # the tests' data folder holds no calibration


def test_a_lesson_needing_free_cores_says_the_machine_had_none(capsys, monkeypatch, tmp_path):
    # Lesson 23 on a busy machine printed "THIS RUN DID NOT SHOW IT: RUN IT AGAIN" when the
    # other core was taken: now it measures the cores as --check does, and says so.
    from simulator.lessons import runner
    from simulator.lessons.format import Needs

    lesson = FAILING.replace(
        'follow_up = "Nothing."', 'follow_up = "Nothing."\nneeds = {cores = 2}'
    )
    (tmp_path / "01-needs-cores.toml").write_text(lesson, encoding="utf-8")
    monkeypatch.setattr(lesson_commands, "_folder", lambda: tmp_path)
    monkeypatch.setattr(Needs, "unmet", lambda self: None)  # whatever cores this machine has
    monkeypatch.setattr(Needs, "cores_shared", lambda self: 1.04)
    # The run's own waits for a core say nothing here (on a busy machine they would, first).
    monkeypatch.setattr(runner, "core_wait_share", lambda runs, cores=1: 0.0)
    assert main(["lesson", "1"]) == 0
    out = capsys.readouterr().out
    assert "THIS RUN COULD NOT SHOW IT: NO 2 FREE CORES ON THIS MACHINE." in out
    assert "Measured after the run: 2 processes got only 1.04× the work of one done" in out


def test_a_check_whose_runs_found_the_cores_busy_is_skipped_not_failed(
    capsys, monkeypatch, tmp_path
):
    """The cores were free when the check began but not while it ran (another program took
    them): its runs did not show the lesson, and the cores measured after them say why.
    That is the skip the check before the run makes, found later: exit 0, not a failure
    (lesson 23 --check failed so on a busy machine, where the window said "no 2 free
    cores"). A run that did not show it with its cores free still fails."""
    from simulator.lessons import format as lesson_format
    from simulator.lessons import runner

    text = FAILING.replace('follow_up = "Nothing."', 'follow_up = "Nothing."\nneeds = {cores = 2}')
    (tmp_path / "01-needs-cores.toml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(lesson_commands, "_folder", lambda: tmp_path)
    monkeypatch.setattr(lesson_format, "usable_cores", lambda: 2)
    monkeypatch.setattr(runner, "core_wait_share", lambda runs, cores=1: None)  # the burners decide
    speedups = iter([2.0, 1.1])  # free before the run, busy after it
    monkeypatch.setattr(lesson_format, "parallel_speedup", lambda n: next(speedups))
    png = tmp_path / "s.png"
    assert main(["lesson", "1", "--check", "--png", str(png)]) == 0
    out = capsys.readouterr().out
    assert "Measured after the run: 2 processes got only 1.10×" in out
    assert "CHECK: skipped: the cores were not free during the run" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # what was measured is kept
    speedups = iter([2.0, None])  # free before and after: the claim's failure stands
    assert main(["lesson", "1", "--check"]) == 1
    assert "CHECK: 1 of 1 claims did not hold" in capsys.readouterr().out


def test_a_check_of_a_lesson_needing_a_free_core_whose_runs_waited_for_one_is_skipped(
    capsys, monkeypatch, tmp_path
):
    """Lesson 15 failed its check at load ~5 with its runs mostly waiting for a core: the
    machine, not the lesson, decided. A lesson that needs one free core is now judged as
    lesson 23 is when its runs waited for one (over 15% of their work): skipped, saying
    so. With its core free, its failure stands."""
    from simulator.lessons import runner

    text = FAILING.replace('follow_up = "Nothing."', 'follow_up = "Nothing."\nneeds = {cores = 1}')
    (tmp_path / "01-needs-a-core.toml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(lesson_commands, "_folder", lambda: tmp_path)
    monkeypatch.setattr(runner, "core_wait_share", lambda runs, cores=1: 0.67)
    assert main(["lesson", "1", "--check"]) == 0
    out = capsys.readouterr().out
    assert "THIS RUN COULD NOT SHOW IT: NO FREE CORE ON THIS MACHINE." in out
    assert "waited for a CPU core 67% of the time they had work" in out
    assert "CHECK: skipped: the cores were not free during the run" in out
    monkeypatch.setattr(runner, "core_wait_share", lambda runs, cores=1: 0.05)
    assert main(["lesson", "1", "--check"]) == 1
    assert "CHECK: 1 of 1 claims did not hold" in capsys.readouterr().out
