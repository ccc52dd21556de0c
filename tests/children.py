"""What a test sets in a child it will signal (the house rule: the test, not its parent,
decides the child's signal handling), and when it may signal it."""

from __future__ import annotations

import os
import signal
import sys

#: The signals the tests send; a child starts with each at its default.
SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def default_signals() -> None:
    """``preexec_fn`` of a child a test signals: SIGINT, SIGTERM and SIGHUP at their
    defaults, whatever the test process inherited (``nohup`` or a script's ``&`` ignore
    SIGINT and SIGHUP, and the app rightly keeps an ignored signal ignored)."""
    for sig in SIGNALS:
        signal.signal(sig, signal.SIG_DFL)


#: For ``subprocess.Popen(..., **SIGNALLED)``.
SIGNALLED: dict[str, object] = {} if sys.platform == "win32" else {"preexec_fn": default_signals}


def _at_least(folder: str, count: int) -> bool | None:
    try:
        return len(os.listdir(folder)) >= count
    except FileNotFoundError:
        return None if not os.path.isdir("/proc/self") else False


def threads_at_least(pid: int, count: int) -> bool | None:
    """Whether process ``pid`` runs ``count`` threads or more (``None``: the system does not
    say, no ``/proc``). A run of sync views under ASGI holds a thread per request in flight
    (asgiref's): the moment a test can signal with every request in flight, where a fixed
    wait had to allow for the slowest start-up (and on a busy one found fewer in flight)."""
    return _at_least(f"/proc/{pid}/task", count)


def files_at_least(pid: int, count: int) -> bool | None:
    """Whether process ``pid`` holds ``count`` open files or more (``None``: no ``/proc``).
    A run over sockets opens a connection per request in flight, up to
    :data:`~simulator.hosting.socket_driver.MAX_CONNECTIONS`: every one it may open is in
    flight once it holds that many."""
    return _at_least(f"/proc/{pid}/fd", count)
