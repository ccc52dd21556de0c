"""What the rows call a run's threads: "event loop", "worker 2", "thread 3"."""

from __future__ import annotations

from app.text_clean import printable
from simulator.trace import split_server_thread

__all__ = ["thread_label", "thread_names"]


def thread_label(thread: str, loop_thread: str | None) -> str:
    """A thread's name as a class reads it, without a run to number it in: "event loop",
    "worker 2" for a WSGI worker, else the OS name (see :func:`thread_names`)."""
    if thread == loop_thread:
        return "event loop"
    if thread.startswith("wsgi-worker-"):
        return f"worker {thread.removeprefix('wsgi-worker-')}"
    return thread


def thread_names(threads: list[str], loop_thread: str | None) -> dict[str, str]:
    """Names for a run's threads as a class reads them: "event loop", "worker 1…K" (WSGI's
    worker threads), and "thread 1…N" for the rest, numbered in ``threads``' order (first
    use), so the numbers say how many threads the run took. A real server's thread
    (``pid 812 · ThreadPoolExecutor-0_1``) keeps its process id, which the class can match
    with the server's, and is numbered within its process: ``process 812 · thread 2``."""
    names: dict[str, str] = {}
    n = 0
    per_process: dict[str, int] = {}
    for thread in threads:
        if (server := split_server_thread(printable(thread))) is not None:
            pid, name = server
            if name == "MainThread":
                names[thread] = f"process {pid} · main thread"
            else:
                per_process[pid] = per_process.get(pid, 0) + 1
                names[thread] = f"process {pid} · thread {per_process[pid]}"
        elif thread == loop_thread or thread.startswith("wsgi-worker-"):
            names[thread] = thread_label(thread, loop_thread)
        else:
            n += 1
            names[thread] = f"thread {n}"
    return names
