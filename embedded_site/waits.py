"""Why a thread that had work did not run: it waited for the GIL, or for a CPU core.

A thread's CPU clock (``time.thread_time_ns``) only advances while it runs. Wall time in
which it did not advance, and in which the code was not sleeping on purpose, the thread was
ready but not running: either another thread of this process held the GIL, or every core
was busy. Linux tells the second apart: ``/proc/thread-self/schedstat``'s second field is the
time the thread spent on a run queue, waiting for a core. The rest is the GIL. (A process with
one thread cannot wait for its own GIL: there, all of it is waiting for a core.)

This is the one place that rule lives: ``burn_cpu``, ``measured()``, the probe's marks and the
loop monitor read a :class:`Clock` here and hand two of them to :func:`waits`.

A thread also stands still, neither running nor on a run queue nor waiting for the GIL, in
``Thread.start``: it waits there until the new thread has been given a core and begun.
Django under ASGI starts a thread per request from the loop (asgiref's executor for the
request's sync code, and one more to join it), and on a busy machine each new thread waits
for a core: the loop stood still 1-7 ms per start while the site's other threads ran almost
nothing (lesson 18 beside two busy cores: 42-51 ms of the loop's "GIL waits" a run, in which
its other threads used 2-4 ms of CPU, the new threads 1-6 ms each on a run queue). Once
:func:`note_thread_starts` has wrapped ``Thread.start``, the time the caller stood still
while the new thread sat on a run queue counts as the caller's own run-queue time: a wait
for a core. (What is left of the start, the new thread holding the GIL as it runs its first
work, is waiting for the GIL.)
"""

from __future__ import annotations

import os
import threading
import time
from typing import NamedTuple

__all__ = ["WAIT_MIN_NS", "Clock", "note_thread_starts", "read_clock", "waits"]

#: A stretch of waiting shorter than this is not drawn (it stays in the work around it): the
#: clocks themselves cost microseconds, and a sliver under half a millisecond says nothing.
WAIT_MIN_NS = 500_000

_SCHEDSTAT = "/proc/thread-self/schedstat"


class Clock(NamedTuple):
    """One thread's clocks at one instant: wall, its own CPU time, its time on a run queue
    (``None`` where the system does not say) plus the time it stood still in
    ``Thread.start`` while the new thread sat on one (:func:`note_thread_starts`)."""

    wall_ns: int
    cpu_ns: int
    run_queue_ns: int | None


class _Schedstat:
    """An open ``schedstat`` of one thread (by default this one's: a file opened through
    ``thread-self`` stays that thread's), closed when the thread's state goes with the thread,
    or when it is dropped (another thread's, read once)."""

    __slots__ = ("fd",)

    def __init__(self, path: str = _SCHEDSTAT) -> None:
        try:
            self.fd = os.open(path, os.O_RDONLY)
        except OSError:
            self.fd = -1

    def run_queue_ns(self) -> int | None:
        if self.fd < 0:
            return None
        try:
            return int(os.pread(self.fd, 96, 0).split()[1])
        except (OSError, IndexError, ValueError):
            return None

    def __del__(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)


class _ThreadState(threading.local):
    """The last clock read on this thread, and its schedstat file."""

    def __init__(self) -> None:
        self.last: Clock | None = None
        self.schedstat: _Schedstat | None = None
        #: The thread's own time on a run queue at its last reading.
        self.own_queue_ns: int | None = None
        #: Time it stood still in ``Thread.start`` while the new thread waited for a core.
        self.start_queue_ns = 0


_state = _ThreadState()
_HAS_SCHEDSTAT = os.path.exists(_SCHEDSTAT)
_wall, _cpu, _new = time.perf_counter_ns, time.thread_time_ns, tuple.__new__


def read_clock(run_queue: bool = True) -> Clock:
    """This thread's clocks now.

    The run queue is read (a ``pread``, microseconds) only when the thread stood still for
    ``WAIT_MIN_NS`` or more since its last reading: otherwise it cannot have waited that long
    on a run queue, and the last value is carried (a reading per mark would cost every
    request). Added to it: the time it stood still starting threads that waited for a core
    (:func:`note_thread_starts`). A thread's first reading opens nothing: Django starts a
    thread per request for sync code under ASGI, and its time on a run queue since it started
    is this request's, so it counts from 0. ``run_queue=False`` carries the last value even
    after standing still (the loop monitor's step starts: the loop stood still while it had
    nothing to do).
    """
    wall, cpu = _wall(), _cpu()
    state = _state
    last = state.last
    if last is None:
        own = 0 if _HAS_SCHEDSTAT else None
    elif not run_queue or (wall - last[0]) - (cpu - last[1]) < WAIT_MIN_NS:
        own = state.own_queue_ns
    else:
        if state.schedstat is None:
            state.schedstat = _Schedstat()
        own = state.schedstat.run_queue_ns()
    state.own_queue_ns = own
    run_queue_ns = None if own is None else own + state.start_queue_ns
    # tuple.__new__: a third of a NamedTuple's own constructor, on a path every step takes.
    clock: Clock = _new(Clock, (wall, cpu, run_queue_ns))
    state.last = clock
    return clock


def note_thread_starts() -> None:
    """Have ``threading.Thread.start`` count, for its caller, the time it stood still while
    the new thread waited on a run queue (see the module's note). Once per process; a start
    that stood still under ``WAIT_MIN_NS`` reads nothing more (most of them, on a quiet
    machine)."""
    global _starts_noted
    if _starts_noted or not _HAS_SCHEDSTAT:
        return
    _starts_noted = True
    original = threading.Thread.start

    def start(thread: threading.Thread) -> None:
        wall, cpu = _wall(), _cpu()
        try:
            original(thread)
        finally:
            # It stood still at most as long as the start took: the CPU clock (a system
            # call) is read again only for a start that took ``WAIT_MIN_NS`` or more.
            took = _wall() - wall
            if took >= WAIT_MIN_NS and thread.native_id is not None:
                still = took - (_cpu() - cpu)
                if still >= WAIT_MIN_NS:
                    _state.start_queue_ns += min(still, _run_queue_of(thread.native_id))

    threading.Thread.start = start  # type: ignore[method-assign, assignment]


_starts_noted = False


def _run_queue_of(native_id: int) -> int:
    """Another thread of this process's time on a run queue so far (0 if it has ended)."""
    return _Schedstat(f"/proc/self/task/{native_id}/schedstat").run_queue_ns() or 0


def waits(
    a: Clock, b: Clock, busy_ns: int = 0, *, alone: bool | None = None
) -> list[tuple[str, int, int]]:
    """How the thread waited to run between readings ``a`` and ``b``: ``(kind, start, end)``
    pieces of ``gil_wait`` and ``core_wait``, placed at the end of the stretch (the clocks say
    how long, not when). ``busy_ns`` is time not on the CPU on purpose (a ``time.sleep``).
    ``alone``: the thread was its process's only one (asked now when not given).

    Under ``WAIT_MIN_NS`` nothing is returned; a piece under it joins the other kind.
    """
    wait = (b.wall_ns - a.wall_ns) - (b.cpu_ns - a.cpu_ns) - busy_ns
    if wait < WAIT_MIN_NS:
        return []
    core = 0
    if a.run_queue_ns is not None and b.run_queue_ns is not None:
        core = min(wait, max(0, b.run_queue_ns - a.run_queue_ns))
    gil = wait - core
    if alone is None:
        alone = threading.active_count() == 1
    if alone or (gil < WAIT_MIN_NS and gil <= core):
        gil, core = 0, wait  # nobody else to hold the GIL, or a sliver of it
    elif core < WAIT_MIN_NS:
        gil, core = wait, 0
    end = b.wall_ns
    pieces = []
    if gil:
        pieces.append(("gil_wait", end - core - gil, end - core))
    if core:
        pieces.append(("core_wait", end - core, end))
    return pieces
