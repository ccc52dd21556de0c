"""The display check's quick X11 greeting: a working server is told from none, from a dead
``ssh -X`` forward and from one wanting credentials, in milliseconds, so Qt's slow probe
child runs only when the answer is not already known."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.display_check import HUNG_UP, NO_SERVER, TOOK_US, UNSURE, _x_greeting, display_problem


@contextmanager
def x_server(answer: bytes | None) -> Iterator[tuple[str, list[bytes]]]:
    """A fake X server on loopback that answers each connection setup with ``answer``
    (``None``: closes without a word); yields its DISPLAY and the setups it was sent."""
    listener = socket.socket()
    for number in range(60, 99):
        try:
            listener.bind(("127.0.0.1", 6000 + number))
            break
        except OSError:
            continue
    else:
        pytest.skip("no free X port to listen on")
    listener.listen(4)
    listener.settimeout(0.05)
    setups: list[bytes] = []
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    setups.append(conn.recv(4096))
                    if answer is not None:
                        conn.sendall(answer)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{number}", setups
    finally:
        done.set()
        thread.join(5)
        listener.close()


def _xauthority(path: Path, display: str, cookie: bytes) -> None:
    def field(data: bytes) -> bytes:
        return struct.pack(">H", len(data)) + data

    name = b"MIT-MAGIC-COOKIE-1"
    here = socket.gethostname().encode()
    path.write_bytes(
        struct.pack(">H", 256) + field(here) + field(display.encode()) + field(name) + field(cookie)
    )


def test_a_server_that_takes_the_setup_needs_no_probe_and_gets_the_displays_cookie(tmp_path):
    cookie = bytes(range(16))
    with x_server(b"\x01" + bytes(7)) as (display, setups):
        _xauthority(tmp_path / "xauth", display.rsplit(":", 1)[1], cookie)
        env = {"XAUTHORITY": str(tmp_path / "xauth")}
        assert _x_greeting(display, env) == TOOK_US
    assert setups[0][:1] == b"l" and b"MIT-MAGIC-COOKIE-1" in setups[0] and cookie in setups[0]


def test_a_server_wanting_credentials_leaves_it_to_qts_probe(tmp_path):
    with x_server(b"\x00" + bytes(7)) as (display, _):
        assert _x_greeting(display, {"HOME": str(tmp_path)}) == UNSURE


def test_a_dead_forward_and_no_server_are_told_apart_without_qt(tmp_path):
    with x_server(None) as (display, _):
        assert _x_greeting(display, {"HOME": str(tmp_path)}) == HUNG_UP
        problem = display_problem({"DISPLAY": display, "HOME": str(tmp_path)})
    assert problem is not None and "closes them without answering" in problem
    assert _x_greeting(":9999", {"HOME": str(tmp_path)}) == NO_SERVER  # no socket there
