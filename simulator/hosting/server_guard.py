"""The main process of a real server, tied to ``async-lanes`` by a pipe: it dies with us.

``RealServer`` starts ``python server_guard.py FD uvicorn|gunicorn ARGS...``: this file
watches the read end ``FD`` of a pipe whose only write end ``async-lanes`` holds, then runs
the server's own ``__main__`` in this very process (the server *is* this process: its pid,
signals and workers are the server's). However ``async-lanes`` ends (SIGKILL and a power
cut's cousin, the OOM killer, included) the kernel closes the write end, the read returns
end of file, and this process kills its whole process group (itself and every worker: they
share the session ``RealServer`` started) within milliseconds.

Why a pipe, not ``PR_SET_PDEATHSIG``: the parent-death signal fires when the *thread* that
forked ends, not the process (the engine starts servers from a run's worker thread), and it
reaches only the direct child, not the workers the server forks or spawns.

Run by its path, not ``-m``: it imports nothing of the project, so a server's start costs no
more than before. Knows nothing of the rest of the project and needs nothing from it.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
import threading


def _watch(fd: int) -> None:
    """Block on the pipe; at end of file (the parent is gone) kill our process group."""
    while True:
        try:
            if not os.read(fd, 64):
                break
        except InterruptedError:
            continue
        except OSError:
            break
    os.killpg(os.getpgid(0), signal.SIGKILL)


def main(argv: list[str]) -> None:
    fd, module, *args = argv
    # Our folder is not a package root: drop it, so no module here shadows the server's.
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(__file__):
        del sys.path[0]
    sys.path.insert(0, os.getcwd())  # as ``python -m`` would: the project, from its root
    threading.Thread(target=_watch, args=(int(fd),), name="parent-watch", daemon=True).start()
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
