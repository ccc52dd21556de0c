"""The command line prints a run's figures at its last answer while Django tidies up after its
answers, and saves the run once that tidying has ended, with it measured (app/cli/answered.py).
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from app.cli.answered import at_last_answer, early_answers, tidying_text
from simulator.metrics.summary import summarize
from simulator.scenario import Scenario
from simulator.trace import Run, Trace


class _Live:
    """What :func:`at_last_answer` asks of a LiveRun: every answer is in at once."""

    def __init__(self) -> None:
        self.asked = 0

    async def answered(self) -> None:
        return None

    def answers(self):
        self.asked += 1
        return "the run so far", 7


def _wait(seconds: float, grace: float):
    async def go():
        running = asyncio.ensure_future(asyncio.sleep(seconds))
        live, shown = _Live(), []
        result = await at_last_answer(live, running, lambda *a: shown.append(a), grace)
        await running
        return result, shown, live.asked

    return asyncio.run(go())


def test_a_run_still_tidying_after_the_grace_is_shown_as_it_stands():
    result, shown, asked = _wait(0.3, grace=0.01)
    assert result == ("the run so far", 7) and shown == [("the run so far", 7)] and asked == 1


def test_a_run_that_ends_within_the_grace_is_shown_once_at_its_end():
    result, shown, asked = _wait(0.0, grace=5)
    assert result is None and shown == []


def test_no_tidying_left_says_nothing_of_django_closing_requests():
    """The wait after the grace can be the command's own work (closing the server, building
    the lanes): then there is no "Django is still closing 0 answered requests"."""
    trace = Trace(t0_ns=0, lanes=())
    answers = Run(Scenario(), trace, summarize(trace))
    assert "closing 3 answered requests" in tidying_text(answers, 3)
    text = tidying_text(answers, 0)
    assert "makespan" in text and "closing" not in text and "tidying" not in text


def test_answers_that_cannot_be_shown_say_so_in_one_line(capsys, monkeypatch):
    """Showing the answers fails (a closed stdout, say): one line, not asyncio's "Task
    exception was never retrieved" and a traceback."""
    from app.cli import answered

    monkeypatch.setattr(answered, "GRACE_S", 0.01)
    unhandled: list[dict] = []

    def fails(*_: object) -> None:
        raise OSError("stdout is closed")

    async def go() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _, ctx: unhandled.append(ctx))
        running = asyncio.ensure_future(asyncio.sleep(0.2))
        early = early_answers(_Live(), running, fails)
        await running
        await asyncio.sleep(0)
        del early
        import gc

        gc.collect()

    asyncio.run(go())
    err = capsys.readouterr().err
    assert err == "async-lanes: could not print the answers' figures: stdout is closed\n"
    assert unhandled == []


@pytest.mark.slow
def test_the_figures_come_at_the_last_answer_and_the_file_holds_the_tidying(
    tmp_path, capsys, monkeypatch
):
    """A request_finished receiver that takes 1 s stands for Django's tidying after a burst:
    the figures are printed before it ends, and the saved run measures it whole."""
    import embedded_site

    embedded_site.boot()
    from django.core.signals import request_finished

    from app.cli.main import main

    printed_at: list[float] = []

    def slow_receiver(**kwargs: object) -> None:
        time.sleep(1.0)
        printed_at.append(time.perf_counter())

    import app.cli.commands as commands

    early: list[Run] = []
    printed = commands.tidying_text

    def kept(answers: Run, tidying: int) -> str:
        early.append(answers)
        return printed(answers, tidying)

    monkeypatch.setattr(commands, "tidying_text", kept)
    request_finished.connect(slow_receiver, dispatch_uid="test_slow_tidying")
    try:
        out = tmp_path / "run.json"
        argv = ["run", "--view", "async_io", "--requests", "2", "--io-ms", "0", "--cpu-ms", "0"]
        assert main([*argv, "--json", str(out)]) == 0
    finally:
        request_finished.disconnect(dispatch_uid="test_slow_tidying")
    text = capsys.readouterr().out
    # The answers' figures, then what it waits for, then the server's figures with the tidying.
    assert text.index("makespan") < text.index("tidying") < text.index("framework")
    assert text.index("framework") < text.index("tidied")
    assert "at the last answer, Django was still closing 2 answered requests" in text
    took = float(text.split("after the last answer took ")[1].split(" s")[0])
    assert took >= 0.9
    data = json.loads(out.read_text(encoding="utf-8"))
    last_ms = max(s["end_ms"] for r in data["requests"] for s in r["segments"])
    assert last_ms - data["summary"]["makespan_ms"] >= 900  # the tidying, in the file
    # The answers printed early are the file's, figure for figure.
    (answers,) = early
    shown = answers.summary.to_dict()
    keys = ["makespan_ms", "throughput_rps", "latency_ms", "peak_in_flight", "requests", "ok"]
    keys += ["failed", "cancelled"]
    assert {k: shown[k] for k in keys} == {k: data["summary"][k] for k in keys}


@pytest.mark.slow
def test_a_run_without_lasting_tidying_prints_its_figures_once(tmp_path, capsys, monkeypatch):
    """Two requests' tidying ends within any grace; a long one keeps a busy machine (the run
    ending a while after its last answer: closing the server, building the lanes) from
    printing the answers early."""
    from app.cli import answered
    from app.cli.main import main

    monkeypatch.setattr(answered, "GRACE_S", 60.0)

    argv = ["run", "--view", "async_io", "--requests", "2", "--io-ms", "0", "--cpu-ms", "0"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert text.count("makespan") == 1 and "framework" in text and "tidy" not in text


_CUT_SHORT = """
import os, signal, sys, threading, time
import embedded_site
embedded_site.boot()
from django.core.signals import request_finished
request_finished.connect(lambda **kw: time.sleep(30), dispatch_uid="slow", weak=False)
import app.cli.commands as commands
printed = commands.tidying_text
def then_ctrl_c(answers, tidying):
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
    return printed(answers, tidying)
commands.tidying_text = then_ctrl_c
from app.launcher import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_ctrl_c_while_django_tidies_up_saves_a_complete_run_with_the_tidying_so_far(tmp_path):
    """Every request answered, Django's request_finished still running (30 s): Ctrl+C cuts
    that short. The run is complete, not stopped, its tail measured up to the Ctrl+C; the
    terminal says so in one line and the command exits 0 (its answers are all in). The child
    installs its own signal handling (app.launcher)."""
    import subprocess
    import sys

    out = tmp_path / "run.json"
    argv = ["run", "--view", "async_io", "--requests", "2", "--io-ms", "0", "--cpu-ms", "0"]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _CUT_SHORT, *argv, "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.perf_counter() - started < 25, "it waited for Django's tidying to end"
    assert done.returncode == 0, done.stderr
    assert "abandoned" not in done.stderr and "Traceback" not in done.stderr
    assert "every request is answered" in done.stderr
    assert "was cut short after" in done.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["stopped"] is False and data["tidying_cut_short"] is True
    assert [r["status"] for r in data["requests"]] == ["ok", "ok"]
    last_ms = max(s["end_ms"] for r in data["requests"] for s in r["segments"])
    assert last_ms - data["summary"]["makespan_ms"] >= 500  # grace 0.5 s + 0.3 s, then cut
