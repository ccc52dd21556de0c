"""Hostile upstreams on loopback: one that trickles a byte at a time, one that sends too much."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator


def _serve(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.recv(65536)
            answer(conn)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        listener.close()


@contextlib.contextmanager
def trickling() -> Iterator[str]:
    """Headers, then one byte of body a second, for a minute: every per-read timeout passes."""

    def answer(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n")
        for _ in range(60):
            conn.sendall(b"x")
            time.sleep(1)

    yield from _serve(answer)


@contextlib.contextmanager
def too_large(megabytes: int = 8) -> Iterator[str]:
    """A fast answer far over the body cap."""

    def answer(conn: socket.socket) -> None:
        size = megabytes * 1_000_000
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size)
        block = b"x" * 65536
        for _ in range(size // len(block)):
            conn.sendall(block)

    yield from _serve(answer)


@contextlib.contextmanager
def silent(seconds: float = 120.0) -> Iterator[str]:
    """Accepts, reads the request, and never answers."""
    done = threading.Event()

    def answer(conn: socket.socket) -> None:
        done.wait(seconds)

    try:
        yield from _serve(answer)
    finally:
        done.set()


@contextlib.contextmanager
def with_server_timing(value: str) -> Iterator[str]:
    """A quick 200 whose ``Server-Timing`` header is ``value``."""

    def answer(conn: socket.socket) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nServer-Timing: "
            + value.encode("latin-1")
            + b"\r\nConnection: close\r\n\r\nok"
        )

    yield from _serve(answer)


@contextlib.contextmanager
def too_large_chunked(megabytes: int = 60) -> Iterator[str]:
    """A fast chunked answer (no Content-Length) far over the body cap."""

    def answer(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        block = b"x" * 65536
        chunk = b"%x\r\n" % len(block) + block + b"\r\n"
        for _ in range(megabytes * 1_000_000 // len(block)):
            conn.sendall(chunk)
        conn.sendall(b"0\r\n\r\n")

    yield from _serve(answer)
