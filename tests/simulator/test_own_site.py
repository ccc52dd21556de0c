"""``--url``: your own site. A server that is down, a plain Django project with the one-file
middleware, the header's format, and the modes without the servers extra."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import embedded_site
from app.cli.exit_codes import EXIT_FAILED
from embedded_site.server_timing import parse_server_timing, server_timing_header
from simulator import server_extra
from simulator.hosting.socket_driver import SocketRecord
from simulator.hosting.socket_lanes import socket_lane
from simulator.server_extra import missing_server
from simulator.trace import Kind
from tests.simulator.fresh_site import cli as _cli

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_header_reads_back_what_was_written():
    t0 = 1_000_000_000
    value = server_timing_header(
        t0, t0 + 60_000_000, [("sql", t0 + 2_000_000, t0 + 5_500_000, "Thread, 2")]
    )
    timing = parse_server_timing(value)
    assert timing is not None and timing.pid == os.getpid() and timing.t0_ns == t0
    assert timing.total_ms == 60.0
    (sql,) = timing.segments
    assert (sql.kind, sql.start_ms, sql.duration_ms, sql.thread) == ("sql", 2.0, 3.5, "Thread__2")
    assert parse_server_timing("db;dur=53, app;dur=47.2") is None  # someone else's header


def test_a_lane_puts_the_servers_segments_on_the_clients_clock_with_sql_over_the_view():
    t0 = 10_000_000_000
    header = server_timing_header(
        t0,
        t0 + 50_000_000,
        [
            ("sql", t0 + 20_000_000, t0 + 30_000_000, "MainThread"),
            ("view", t0 + 5_000_000, t0 + 45_000_000, "MainThread"),
        ],
    )
    record = SocketRecord(
        0,
        sent_ns=t0 - 3_000_000,
        request_sent_ns=t0 - 1_000_000,
        first_byte_ns=t0 + 51_000_000,
        done_ns=t0 + 52_000_000,
        status="ok",
        status_code=200,
        timing=parse_server_timing(header),
    )
    lane = socket_lane(record, "/page/", t0 + 60_000_000)
    pid = f"pid {os.getpid()} · MainThread"
    assert [(s.kind, s.start_ns - t0, s.end_ns - t0, s.thread) for s in lane.segments] == [
        (Kind.CLIENT, -3_000_000, -1_000_000, "client"),
        (Kind.QUEUED, -1_000_000, 0, "queue"),
        (Kind.FRAMEWORK, 0, 5_000_000, pid),
        (Kind.VIEW, 5_000_000, 20_000_000, pid),
        (Kind.SQL, 20_000_000, 30_000_000, pid),
        (Kind.VIEW, 30_000_000, 45_000_000, pid),
        (Kind.FRAMEWORK, 45_000_000, 50_000_000, pid),
        (Kind.CLIENT, 50_000_000, 52_000_000, "client"),  # written, carried, read: no gap
    ]


@pytest.mark.slow
def test_url_to_a_server_that_is_down_fails_each_request_clearly_and_completes(tmp_path):
    out = tmp_path / "run.json"
    port = _free_port()  # nothing listens there
    url = f"http://127.0.0.1:{port}/"
    done = _cli("run", "--url", url, "--requests", "3", "--json", str(out))
    # Nothing answered: the run failed, in one line on stderr; what it measured is written.
    assert done.returncode == EXIT_FAILED, done.stderr
    assert done.stderr == (
        f"async-lanes: none of the 3 requests to {url} got an answer: "
        "refused: nothing listens there (connection refused)\n"
    )
    data = json.loads(out.read_text())
    assert data["summary"]["failed"] == 3
    assert data["summary"]["answered"] == 0
    for request in data["requests"]:
        assert request["status"] == "error"
        assert request["status_code"] is None
        assert request["error"] == "refused: nothing listens there (connection refused)"
    assert "refused" in done.stdout
    # No figure of answers reads a number: "throughput 10460 req/s" of 20 refused requests.
    lines = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()[1:]}
    assert lines["throughput"] == lines["makespan"] == ["—"]
    assert lines["latency"] == ["p50", "—", "p95", "—", "p99", "—", "max", "—"]


def test_compare_of_sites_that_are_down_runs_each_once_and_fails(capsys, tmp_path):
    from app.cli.main import main

    url = f"http://127.0.0.1:{_free_port()}/"
    out = tmp_path / "pair.json"
    a, b = f"url={url} requests=2", f"url={url}b requests=2"
    assert main(["compare", "--a", a, "--b", b, "--json", str(out)]) == EXIT_FAILED
    said = capsys.readouterr()
    # No "within 15% on makespan: each runs 2 more times" of two makespans never measured.
    assert "more times" not in said.out
    assert "Verdict: Neither A nor B got any answer;" in said.out
    assert said.err.splitlines() == [
        f"async-lanes: none of the 2 requests to {where} got an answer: "
        "refused: nothing listens there (connection refused)"
        for where in (url, f"{url}b")
    ]
    data = json.loads(out.read_text())
    assert [len(data["runs"][side]) for side in "ab"] == [1, 1]
    assert data["a"]["summary"]["answered"] == data["b"]["summary"]["answered"] == 0


def test_url_from_a_file_to_another_machine_is_refused_unless_allowed(tmp_path):
    lesson = tmp_path / "own.toml"
    lesson.write_text('[scenario]\nurl = "http://example.com/"\nrequests = 2\n')
    done = _cli("run", "--scenario", str(lesson))
    assert done.returncode == 2
    assert done.stderr.strip().endswith(
        "url calls example.com, which does not resolve to this machine only; to allow it, "
        "add --allow-host example.com"
    )


PLAIN_SETTINGS = """
SECRET_KEY = "plain"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "plainsite.urls"
INSTALLED_APPS = []
MIDDLEWARE = [
    "plainsite.server_timing.ServerTimingMiddleware",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
"""
PLAIN_URLS = """
import time
from django.db import connection
from django.http import HttpResponse
from django.urls import path

def page(request):
    time.sleep(0.03)
    with connection.cursor() as cursor:
        cursor.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                       "WHERE x < 200000) SELECT count(*) FROM c")
    return HttpResponse("plain")

urlpatterns = [path("page/", page)]
"""


@pytest.mark.slow
@pytest.mark.skipif(missing_server("gunicorn") is not None, reason="gunicorn is not installed")
def test_url_to_a_plain_django_project_with_the_middleware_draws_its_view_and_sql(tmp_path):
    package = tmp_path / "plainsite"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(PLAIN_SETTINGS)
    (package / "urls.py").write_text(PLAIN_URLS)
    (package / "wsgi.py").write_text(
        "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"
    )
    # The two lines of the README: copy the file, put its middleware first.
    shutil.copy(Path(embedded_site.__file__).parent / "server_timing.py", package)
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "plainsite.settings", "PYTHONPATH": ""}
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "plainsite.wsgi:application", "--bind", f"127.0.0.1:{port}"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_listening(port)
        out = tmp_path / "run.json"
        done = _cli(
            "run", "--url", f"http://127.0.0.1:{port}/page/", "--requests", "3", "--json", str(out)
        )
        assert done.returncode == 0, done.stderr
        data = json.loads(out.read_text())
        assert data["summary"]["ok"] == 3
        for request in data["requests"]:
            kinds = [seg["kind"] for seg in request["segments"]]
            assert kinds[0] == "client" and "view" in kinds and "sql" in kinds
            (view_ms,) = {
                round(
                    sum(
                        s["end_ms"] - s["start_ms"]
                        for s in request["segments"]
                        if s["kind"] in ("view", "sql")
                    )
                )
            }
            assert view_ms >= 30  # the view's sleep is inside its span
            assert all(
                seg["thread"].startswith("pid ")
                for seg in request["segments"]
                if seg["kind"] in ("view", "sql", "framework")
            )
    finally:
        os.killpg(server.pid, 9)
        server.wait(5)


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("the plain site never listened")


def test_without_the_extra_the_modes_are_refused_with_the_install_command(monkeypatch):
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        server_extra.importlib.util,
        "find_spec",
        lambda name, *a: None if name in ("uvicorn", "gunicorn") else real_find_spec(name, *a),
    )
    message = missing_server("gunicorn")
    assert message == (
        "gunicorn is not installed: pip install 'django-async-lanes[servers]' (uvicorn and "
        "gunicorn)"
    )
    assert missing_server("asgi") is None


def test_without_the_extra_the_command_line_refuses_in_one_line_and_lists_them(monkeypatch, capsys):
    import importlib.util

    from app.cli.main import main
    from app.cli.parser import build_parser

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        server_extra.importlib.util,
        "find_spec",
        lambda name, *a: None if name in ("uvicorn", "gunicorn") else real_find_spec(name, *a),
    )
    assert main(["run", "--mode", "uvicorn", "--requests", "1"]) == 2
    assert capsys.readouterr().err == (
        "async-lanes: error: mode uvicorn is unavailable: uvicorn is not installed: pip install "
        "'django-async-lanes[servers]' (uvicorn and gunicorn)\n"
    )
    run_parser = build_parser()._subparsers._group_actions[0].choices["run"]
    help_text = "".join(run_parser.format_help().split())  # argparse wraps at hyphens
    assert "uvicorn,gunicornnotinstalled:pipinstall'django-async-lanes[servers]'" in help_text


def test_the_site_refuses_a_host_it_does_not_serve():
    embedded_site.boot()
    from django.test import Client

    assert Client(HTTP_HOST="evil.example").get("/async_io/?io_ms=0").status_code == 400
    assert Client(HTTP_HOST="127.0.0.1").get("/async_io/?io_ms=0").status_code == 200
