"""The lean client against a small stdlib server on loopback: headers sent, keep-alive
connections reused under ``concurrency``, every failure named as before (refused, TLS, a
non-2xx answer, a connection closed mid-answer), and its own CPU time measured."""

from __future__ import annotations

import asyncio
import http.server
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.cli.main import main
from simulator.hosting.socket_driver import SocketDriver
from simulator.scenario import Scenario


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, str | None, int]] = []

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        type(self).seen.append((self.path, self.headers.get("Cookie"), self.client_address[1]))
        if self.path == "/missing":
            body, code = b"no", 404
        elif self.path == "/silent":
            self.close_connection = True
            return
        elif self.path == "/garbled":  # not HTTP at all, and long
            self.wfile.write(b"SSH-2.0-OpenSSH_9.6 " + b"x" * 200 + b"\r\n")
            self.close_connection = True
            return
        elif self.path == "/cut":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
            self.close_connection = True
            return
        else:
            body, code = b"hello", 200
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Server-Timing", "db;dur=5")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _server(tls: ssl.SSLContext | None = None) -> Iterator[int]:
    _Handler.seen = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def _drive(url: str, headers: tuple[tuple[str, str], ...] = (), **dials: int) -> SocketDriver:
    driver = SocketDriver(Scenario(url=url, **dials), url, headers)
    asyncio.run(driver.run())
    return driver


@pytest.mark.slow
def test_headers_go_with_every_request_and_connections_are_reused_two_at_a_time():
    with _server() as port:
        driver = _drive(
            f"http://127.0.0.1:{port}/page?x=1", (("Cookie", "s=1"),), requests=6, concurrency=2
        )
    assert [r.status for r in driver.records] == ["ok"] * 6
    assert {cookie for _, cookie, _ in _Handler.seen} == {"s=1"}
    assert {path for path, _, _ in _Handler.seen} == {"/page?x=1"}
    assert len({client_port for _, _, client_port in _Handler.seen}) == 2  # kept alive
    assert all(r.server_timing == ["db;dur=5"] for r in driver.records)
    assert driver.client_cpu_ns is not None and driver.client_cpu_ns > 0


@pytest.mark.slow
def test_a_live_run_hands_its_options_to_the_run_over_sockets():
    from simulator.hosting.engine import LiveRun
    from simulator.hosting.run_options import RunOptions

    with _server() as port:
        live = LiveRun(
            Scenario(url=f"http://127.0.0.1:{port}/own", requests=2),
            RunOptions(headers=(("Cookie", "s=2"),), allowed_hosts=("127.0.0.1",)),
        )
        run = asyncio.run(live.run())
    assert [lane.status for lane in run.trace.lanes] == ["ok", "ok"]
    assert [(path, cookie) for path, cookie, _ in _Handler.seen] == [("/own", "s=2")] * 2


@pytest.mark.slow
def test_failures_are_named_as_a_person_reads_them():
    with _server() as port:
        missing = _drive(f"http://127.0.0.1:{port}/missing", requests=1).records[0]
        cut = _drive(f"http://127.0.0.1:{port}/cut", requests=1).records[0]
        silent = _drive(f"http://127.0.0.1:{port}/silent", requests=1).records[0]
        garbled = _drive(f"http://127.0.0.1:{port}/garbled", requests=1).records[0]
    assert (missing.status, missing.error) == ("error", "HTTP 404 Not Found")
    assert cut.status == "error" and cut.error.startswith("the server closed the connection")
    assert (silent.status, silent.error) == (
        "error",
        "the server closed the connection without answering",
    )
    # A plain line, not h11's "illegal status line: bytearray(b'...')", quoting at most
    # 80 bytes of what came.
    assert garbled.status == "error"
    said = "the server's answer was not valid HTTP: “SSH-2.0-OpenSSH_9.6 x"
    assert garbled.error.startswith(said)
    assert garbled.error.endswith("x…”") and len(garbled.error) < 140
    assert "bytearray" not in garbled.error and "illegal" not in garbled.error
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there
    refused = _drive(f"http://127.0.0.1:{port}/", requests=2).records
    assert {r.error for r in refused} == {"refused: nothing listens there (connection refused)"}


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the test certificate")
def test_a_certificate_nobody_vouches_for_is_a_tls_error(tmp_path: Path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with _server(context) as port:
        (record,) = _drive(f"https://127.0.0.1:{port}/", requests=1).records
    assert record.status == "error"
    assert record.error.startswith("TLS error:") and "certificate" in record.error


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--header", "Cookie: s=1"], "--header is for --url (your own site) only"),
        (
            ["--url", "http://127.0.0.1:9/", "--header", "Bad Name: x"],
            "--header must be NAME:VALUE with a name of letters, digits or -, not 'Bad Name'",
        ),
        (
            ["--url", "http://127.0.0.1:9/", "--header", "X-A: 1\r\nX-B: 2"],
            "--header X-A: its value must be one line without control characters",
        ),
        (["--url", "http://127.0.0.1:9/", "--header", "Host: a"], "--header Host: the client "),
    ],
)
def test_bad_headers_are_one_line_before_anything_runs(capsys, argv, message):
    assert main(["run", "--requests", "1", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "s=1" not in err
