"""What a segment of a lane can be, what a person calls it, and where work happens.

One table for every reader: the trace and the model make segments of these kinds, the exports
write their values (the strings of the run JSON and CSV), the window's legend and hover text
show their labels.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "FAILED_LABEL",
    "CLIENT_THREAD",
    "HOLDS_THREAD",
    "KIND_LABELS",
    "KINDS",
    "LOOP_BLOCKED_MS",
    "LOOP_THREAD",
    "NOT_HELD_BY_VIEW",
    "QUEUE_THREAD",
    "Kind",
    "server_thread",
    "split_server_thread",
]


class Kind(StrEnum):
    """A segment's kind; its value is the string the exports write."""

    QUEUED = "queued"
    FRAMEWORK = "framework"
    CPU = "cpu"
    #: Ready to run Python but waiting for the GIL: another thread of this process holds it.
    #: Measured from the thread's CPU clock (``time.thread_time_ns``): wall time in which the
    #: thread's CPU time did not advance, less the time it waited for a core.
    GIL_WAIT = "gil_wait"
    #: Ready to run but waiting for a CPU core (the OS run queue, read from Linux's
    #: ``/proc/thread-self/schedstat``): every core was busy, with this process or another.
    CORE_WAIT = "core_wait"
    IO_WAIT = "io_wait"
    IO_BLOCKING = "io_blocking"
    THREAD_HOP = "thread_hop"
    #: Over real sockets: the client's own time (waiting for a connection from its pool,
    #: connecting, sending) and the answer's way back (the server writing it, the network,
    #: the client reading it).
    CLIENT = "client"
    #: Over real sockets, where the server said nothing of its own time (no timings, or no
    #: answer yet): the wait between the request sent and the answer's first byte, queue and
    #: view together; what it was is known at the answer, if ever.
    AT_SERVER = "server"
    #: A plain Django site's view, as its Server-Timing middleware saw it (it cannot see
    #: inside: I/O and CPU are one span).
    VIEW = "view"
    #: A SQL query, timed by the middleware through ``connection.execute_wrapper``.
    SQL = "sql"
    #: One metric of a site's own ``Server-Timing`` header (its ``name`` says which): only its
    #: duration is known, not its order or overlap with the others.
    SERVER_TIMING = "server_timing"
    CANCELLED = "cancelled"


#: Every kind, in the order legends list them.
KINDS: tuple[Kind, ...] = tuple(Kind)

#: What a person calls each kind (the legend, the hover text).
KIND_LABELS: dict[Kind, str] = {
    Kind.QUEUED: "queued (waiting for a worker or the loop)",
    Kind.FRAMEWORK: "Django framework",
    Kind.CPU: "CPU",
    Kind.GIL_WAIT: (
        "waiting for the GIL (ready, but another thread of this process is running Python)"
    ),
    Kind.CORE_WAIT: "waiting for a CPU core (every core was busy)",
    Kind.IO_WAIT: "awaiting I/O (holds nothing)",
    # (Not "blocking I/O": a thread Django holds in ``async_to_sync`` while the view awaits
    # on the loop (lessons 9, 16, 21) is blocked, doing no I/O of its own: a teacher's walk.)
    Kind.IO_BLOCKING: "blocked, waiting (holds a thread / the loop until its I/O or await ends)",
    Kind.THREAD_HOP: (
        "thread hand-off (while other threads compute, it includes waiting to run: the GIL, a core)"
    ),
    Kind.CLIENT: "client and network (connect, send, receive)",
    Kind.AT_SERVER: "at the server: queued or running, one span (no timings; known at the answer)",
    Kind.VIEW: "view (a plain site: I/O and CPU together)",
    Kind.SQL: "SQL query (holds a thread)",
    Kind.SERVER_TIMING: "the site's Server-Timing (durations only: order and overlap not known)",
    Kind.CANCELLED: "cancelled",
}

#: What a person calls the mark at the end of a lane whose request failed (not a kind: a
#: failed request keeps the segments it had).
FAILED_LABEL = "failed"

#: Kinds during which the segment's thread (or event loop) can do nothing else.
HOLDS_THREAD = frozenset(
    {Kind.FRAMEWORK, Kind.CPU, Kind.GIL_WAIT, Kind.CORE_WAIT, Kind.IO_BLOCKING, Kind.SQL}
)

#: Kinds during which a thread is not held by a view's work: the figure "threads held at
#: once" leaves them out, and the thread view gives a thread that had only these no row of
#: its own (under ASGI, Django's signal receivers run on a thread per request).
NOT_HELD_BY_VIEW = frozenset(
    {Kind.QUEUED, Kind.CANCELLED, Kind.FRAMEWORK, Kind.CLIENT, Kind.IO_WAIT}
)

#: The thread name of the site's event loop under ASGI.
LOOP_THREAD = "asgi-loop"
#: The "thread" of a ``queued`` segment before any worker or the loop picked the request up.
QUEUE_THREAD = "queue"
#: The "thread" of a ``client`` segment: the load generator, in this process.
CLIENT_THREAD = "client"
#: A step of the event loop at least this long is the loop being blocked: nothing else could
#: run meanwhile (asyncio's debug mode calls such callbacks slow).
LOOP_BLOCKED_MS = 5.0


def server_thread(pid: int | str, thread: str) -> str:
    """The name a real server's thread has in a trace: its process first
    (``pid 812 · MainThread``), so the thread view can group lanes by worker process."""
    return f"pid {pid} · {thread}"


def split_server_thread(thread: str) -> tuple[str, str] | None:
    """``("812", "MainThread")`` for a real server's thread name, ``None`` for any other."""
    if not thread.startswith("pid "):
        return None
    pid, _, name = thread.removeprefix("pid ").partition(" · ")
    return pid, name
