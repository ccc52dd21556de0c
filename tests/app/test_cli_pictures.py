"""The headless command line: pictures and exports from ``run`` and ``compare``, scenario files,
dials strings, and errors that are one line on stderr, never a traceback.

The subprocess tests run ``python -m app.launcher`` with no display and no QT_QPA_PLATFORM, as
on a server or in CI: the launcher must find its way to Qt's offscreen platform by itself.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.cli.main import main, parse_dials
from simulator.errors import ScenarioError
from simulator.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "app.launcher", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk (no Qt needed)."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _one_error_line(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("async-lanes")
    return lines[0]


# --- run -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_run_writes_every_output_headless(tmp_path):
    result = _cli(
        "run",
        "--view",
        "async_io",
        "--requests",
        "3",
        "--io-ms",
        "20",
        "--png",
        "out.png",
        "--svg",
        "out.svg",
        "--pdf",
        "out.pdf",
        "--csv",
        "out.csv",
        "--trace",
        "out.json",
        "--scale",
        "2",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("async_io · ASGI · 3 req · io 20 ms")
    for name in ("out.png", "out.svg", "out.pdf", "out.csv", "out.json"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert _png_size(tmp_path / "out.png") == (3200, 1800)
    lanes = [
        g
        for g in ET.parse(tmp_path / "out.svg").getroot().iter("{http://www.w3.org/2000/svg}g")
        if g.get("class") == "lane"
    ]
    assert len(lanes) == 3
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "out.csv").read_text().startswith("request_id,view,status")
    events = json.loads((tmp_path / "out.json").read_text())["traceEvents"]
    assert {e["pid"] for e in events} == {1}


@pytest.mark.slow
def test_run_a_scenario_file_with_flags_overriding_it(tmp_path):
    (tmp_path / "lesson.toml").write_text(
        'title = "Two workers"\n[scenario]\nview = "sync_io"\nmode = "wsgi"\nworkers = 2\n'
        "requests = 4\nio_ms = 30\n",
        encoding="utf-8",
    )
    result = _cli(
        "run",
        "--scenario",
        "lesson.toml",
        "--requests",
        "2",
        "--io-ms",
        "10",
        "--json",
        "run.json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    scenario = json.loads((tmp_path / "run.json").read_text())["scenario"]
    assert (scenario["view"], scenario["mode"], scenario["workers"]) == ("sync_io", "wsgi", 2)
    assert (scenario["requests"], scenario["io_ms"]) == (2, 10.0)
    assert result.stdout.splitlines()[0] == "sync_io · WSGI ×2 · 2 req · io 10 ms"


@pytest.mark.slow
def test_run_of_an_a_b_file_runs_a_and_says_so(tmp_path):
    (tmp_path / "ab.toml").write_text(
        '[a]\nview = "sync_io"\nmode = "wsgi"\nrequests = 2\nio_ms = 10\n'
        '[b]\nview = "async_io"\nrequests = 2\nio_ms = 10\n',
        encoding="utf-8",
    )
    result = _cli("run", "--scenario", "ab.toml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "sync_io · WSGI ×1 · 2 req · io 10 ms"
    assert "only A" in result.stderr
    assert "compare --scenario ab.toml" in result.stderr


@pytest.mark.slow
def test_a_run_with_failed_requests_still_writes_its_outputs(tmp_path):
    result = _cli(
        "run",
        "--view",
        "async_sync_orm_bug",
        "--requests",
        "2",
        "--io-ms",
        "5",
        "--png",
        "bug.png",
        "--json",
        "bug.json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "2 failed" in result.stdout
    assert _png_size(tmp_path / "bug.png") == (1600, 900)
    assert json.loads((tmp_path / "bug.json").read_text())["summary"]["failed"] == 2


# --- compare ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_compare_prints_both_runs_and_the_verdict_and_writes_them(tmp_path):
    result = _cli(
        "compare",
        "--a",
        "view=sync_io mode=wsgi workers=1 requests=4 io_ms=50",
        "--b",
        "view=async_io requests=4 io_ms=50",
        "--png",
        "cmp.png",
        "--json",
        "cmp.json",
        "--trace",
        "cmp-trace.json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "sooner" in result.stdout
    assert "A: sync_io · WSGI ×1 · 4 req · io 50 ms" in result.stdout
    assert "B: async_io · ASGI · 4 req · io 50 ms" in result.stdout
    assert _png_size(tmp_path / "cmp.png") == (1600, 900)
    data = json.loads((tmp_path / "cmp.json").read_text())
    assert set(data) == {"a", "b", "verdict", "runs"}
    assert data["verdict"] in result.stdout
    # Far apart (4 × 50 ms against 50 ms): one run each, kept under runs too.
    assert [len(data["runs"][side]) for side in "ab"] == [1, 1]
    assert (data["a"]["scenario"]["view"], data["b"]["scenario"]["view"]) == ("sync_io", "async_io")
    events = json.loads((tmp_path / "cmp-trace.json").read_text())["traceEvents"]
    assert {e["pid"] for e in events} == {1, 2}


@pytest.mark.slow
def test_compare_a_scenario_file_with_dials_changing_b(tmp_path):
    (tmp_path / "ab.json").write_text(
        json.dumps(
            {
                "title": "Queueing",
                "a": {"view": "sync_io", "mode": "wsgi", "requests": 2, "io_ms": 10},
                "b": {"view": "async_io", "requests": 2, "io_ms": 10},
            }
        ),
        encoding="utf-8",
    )
    result = _cli(
        "compare", "--scenario", "ab.json", "--b", "io-ms=5", "--json", "cmp.json", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "cmp.json").read_text())
    assert data["a"]["scenario"]["io_ms"] == 10.0
    assert (data["b"]["scenario"]["view"], data["b"]["scenario"]["io_ms"]) == ("async_io", 5.0)


# --- errors: one line, the right exit code, no traceback ------------------------------------


@pytest.mark.parametrize(
    "dials, message",
    [
        (
            "view=sync_io iox_ms=3",
            "--a: unknown key 'iox_ms'; allowed keys: arrival_ms, concurrency, cpu_ms",
        ),
        ("requests=abc", "--a: requests must be a whole number, not 'abc'"),
        ("io_ms=fast", "--a: io_ms must be a number, not 'fast'"),
        ("io_ms=99999", "--a: io_ms must be between 0 and 10000, not 99999"),
        ("view=nope", "--a: unknown view 'nope'"),
        ("sync_io", "--a: 'sync_io' is not key=value"),
    ],
)
def test_bad_dials_are_one_line_and_exit_2(tmp_path, dials, message):
    result = _cli("compare", "--a", dials, "--b", "view=async_io", "--png", "x.png", cwd=tmp_path)
    assert result.returncode == 2
    assert message in _one_error_line(result)
    assert result.stdout == ""  # refused before anything ran
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["run", "--png", "slide.jpg"], 2, "--png: the file name must end in .png"),
        (["run", "--png", "no/such/dir/x.png"], 1, "cannot write no/such/dir/x.png"),
        (["run", "--scale", "3"], 2, "invalid choice: 3"),
        (["run", "--scenario", "missing.toml"], 2, "missing.toml: no such file"),
        (["compare", "--a", "view=sync_io"], 2, "compare needs --b"),
    ],
)
def test_usage_and_output_errors_are_one_line(tmp_path, args, code, message):
    result = _cli(*args, cwd=tmp_path)
    assert result.returncode == code
    assert message in _one_error_line(result)


def test_a_picture_with_the_wrong_suffix_is_refused_in_process_before_any_run(tmp_path, capsys):
    # The command line draws pictures itself (no painter is handed in): a bad name is still
    # refused in one line before anything runs.
    assert main(["run", "--png", str(tmp_path / "x.jpg")]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "--png: the file name must end in .png" in captured.err
    assert captured.out == ""


# --- dials strings ---------------------------------------------------------------------------


def test_dials_strings_name_scenario_fields():
    assert parse_dials("view=sync_io mode=wsgi workers=1 requests=10 io_ms=500") == Scenario(
        view="sync_io", mode="wsgi", workers=1, requests=10, io_ms=500
    )
    # Hyphens, commas, spaces around "=", a unit, and a base to change.
    base = Scenario(view="sync_io", mode="wsgi", requests=3)
    assert parse_dials("io-ms = 30ms, workers=2", base) == base.replace(io_ms=30.0, workers=2)
    assert parse_dials("requests=4.0").requests == 4


@pytest.mark.parametrize(
    "dials, message",
    [
        ("", "no dials given"),
        ("workers=1 workers=2", "workers is given twice"),
        ("requests=2.5", "requests must be a whole number, not '2.5'"),
        ("=3", "is not key=value"),
        ('view="sync_io', "cannot read the dials"),
    ],
)
def test_bad_dials_strings_say_what_is_wrong(dials, message):
    with pytest.raises(ScenarioError, match=message):
        parse_dials(dials)


@pytest.mark.slow
def test_compare_of_two_identical_scenarios_runs_each_three_times_and_names_no_winner(tmp_path):
    # Long waits: on a busy machine two runs of these differ by far less than 15%.
    dials = "view=async_io mode=asgi requests=4 io_ms=400"
    result = _cli("compare", "--a", dials, "--b", dials, "--json", "same.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "same.json").read_text())
    assert [len(data["runs"][side]) for side in "ab"] == [3, 3]
    assert "each runs 2 more times" in result.stdout
    # Identical dials: a winner only if every run of one beat every run of the other, by
    # 5% or more; "about the same" (within 5%; "the same" if equal) or "no winner: …
    # ranges overlap" otherwise.
    verdict = data["verdict"]
    assert verdict.startswith(("no winner", "about the same", "the same")) or (
        "in every run" in verdict
    ), verdict
    assert "3 runs each" in verdict
    # The run shown for each side is its median run, the one whose number the verdict quotes.
    for side in "ab":
        spans = sorted(run["summary"]["makespan_ms"] for run in data["runs"][side])
        assert data[side]["summary"]["makespan_ms"] == spans[1]
