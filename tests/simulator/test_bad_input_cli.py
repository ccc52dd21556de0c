"""The command line as a person meets it: every mistake is one clear line and exit code 2.

Each case runs ``python -m app.launcher run ...`` in a subprocess, as ``async-lanes run ...``
does (the launcher hands arguments to ``app.cli.main`` without importing Qt).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.launcher", "run", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# (arguments, words the one-line message must contain: the flag and/or the value)
BAD_INPUT = [
    pytest.param(["--bogus"], ["--bogus"], id="unknown flag"),
    pytest.param(["--requests", "0"], ["--requests", "0"], id="requests 0"),
    pytest.param(["--requests", "10001"], ["--requests", "10001"], id="requests 10001"),
    pytest.param(["--io-ms", "-1"], ["--io-ms", "-1"], id="io-ms -1"),
    pytest.param(["--io-ms", "10001"], ["--io-ms", "10001"], id="io-ms 10001"),
    pytest.param(["--cpu-ms", "5001"], ["--cpu-ms", "5001"], id="cpu-ms 5001"),
    pytest.param(["--workers", "0"], ["--workers", "0"], id="workers 0"),
    pytest.param(["--workers", "257"], ["--workers", "257"], id="workers 257"),
    pytest.param(["--fanout", "0"], ["--fanout", "0"], id="fanout 0"),
    pytest.param(["--fanout", "33"], ["--fanout", "33"], id="fanout 33"),
    pytest.param(["--arrival-ms", "-1"], ["--arrival-ms", "-1"], id="arrival-ms -1"),
    pytest.param(["--requests", "ten"], ["--requests", "ten"], id="requests ten"),
    pytest.param(["--io-ms", "abc"], ["--io-ms", "abc"], id="io-ms abc"),
    pytest.param(["--view", "no_such_view"], ["no_such_view"], id="unknown view"),
    pytest.param(["--mode", "fastcgi"], ["--mode", "fastcgi"], id="unknown mode"),
    pytest.param(["--middleware", "turbo"], ["--middleware", "turbo"], id="unknown middleware"),
]


@pytest.mark.parametrize(("args", "named"), BAD_INPUT)
def test_a_mistake_is_one_line_naming_it_and_exit_code_2(args, named):
    result = cli(*args)
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "error" in lines[0]
    for word in named:
        assert word in lines[0], (word, lines[0])
    assert result.stdout == ""  # nothing was run


def _run_ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "makespan" in result.stdout


@pytest.mark.slow
def test_the_issue_example_prints_a_summary():
    result = cli(
        "--view", "async_io", "--mode", "asgi", "--requests", "8", "--io-ms", "200", "--cpu-ms", "0"
    )
    _run_ok(result)
    assert "8 ok, 0 failed" in result.stdout
    assert result.stderr == ""


@pytest.mark.slow
def test_a_view_that_raises_fails_its_requests_not_the_command(tmp_path):
    out = tmp_path / "bug.json"
    result = cli(
        "--view", "async_sync_orm_bug", "--requests", "2", "--io-ms", "0", "--json", str(out)
    )
    _run_ok(result)
    assert "0 ok, 2 failed" in result.stdout
    assert "SynchronousOnlyOperation" in result.stdout
    data = json.loads(out.read_text())
    assert data["summary"]["failed"] == 2
    assert all("SynchronousOnlyOperation" in r["error"] for r in data["requests"])


@pytest.mark.slow
def test_an_unreachable_upstream_fails_each_request_and_the_run_completes(tmp_path):
    out = tmp_path / "upstream.json"
    result = cli(
        "--view",
        "sync_httpx",
        "--upstream-url",
        "http://127.0.0.1:9",
        "--requests",
        "2",
        "--io-ms",
        "10",
        "--json",
        str(out),
    )
    _run_ok(result)
    assert "2 failed" in result.stdout
    data = json.loads(out.read_text())
    assert data["summary"]["failed"] == 2
    assert all("ConnectError" in r["error"] for r in data["requests"])


def test_json_to_an_unwritable_path_is_one_clear_line_and_a_failure():
    target = "/nonexistent/dir/out.json"
    result = cli("--requests", "2", "--io-ms", "0", "--json", target)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "error" in lines[0] and "cannot write" in lines[0]
    assert target in lines[0]
    # Checked before the run, so a long run is not measured only to be lost.
    assert "makespan" not in result.stdout
