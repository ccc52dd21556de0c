"""Django's signal receivers on the request's own thread under ASGI: what a lane draws of them.

Django sends ``request_started`` and ``request_finished`` through ``sync_to_async`` on a
thread that is the request's alone (``ThreadSensitiveContext``); our receiver, connected
last, marks there (``embedded_site.instrumentation.on_request_signal``). From the loop's
step that hands the signal over to that mark, the request waited for the thread to be
picked up and to get the GIL, and Django's receivers ran: the walk draws it ``queued`` on
the loop (waiting to run), except the CPU the thread used, which this module carves from
its end as ``framework`` on the thread (the receivers ran just before the last of them
marked). From the mark until the loop runs the request again, only asgiref's return and the
loop's wake-up are left, with no clock read at their end: waiting to run, ``queued``.

The CPU is the thread's clock at the mark less its clock at the lane's last reading on that
thread before it (another mark, a view's segment measured there): the thread worked for
this request alone in between. With no earlier reading in the lane (``request_started``)
it is the thread's whole clock: asgiref started that thread for this request's context
(100 async views use 101 threads: ``tests/simulator/test_run_file.py``), so its CPU since
its start (the start itself, then the receivers) is this request's hand-off to it.

Drawn otherwise, the stretch misled: lesson 15's eight computing threads each showed a
framework bar of 16-58 ms after the answer, all waiting for the GIL while seven siblings
computed, and "framework after the answer" counted it (until 2026-12-07).
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.trace.lane_build import EVER, Event
from simulator.trace.lane_parts import FRAMEWORK, QUEUED, Piece, PlainClock

__all__ = ["SIGNAL", "receivers_ran"]

#: Our receiver's mark for ``request_started``/``request_finished``.
SIGNAL = "signal"


def receivers_ran(
    pieces: list[Piece],
    drawn_from: int,
    events: Sequence[Event],
    k: int,
    clock: PlainClock | None,
    loop_thread: str,
) -> None:
    """Carve the CPU the receivers' thread used up to the mark ``events[k]`` from the end of
    the wait for it: the last of ``pieces``, if the walk drew it for this mark (at
    ``drawn_from`` or after) as ``queued`` on the loop, ending at the mark."""
    ns, _, (_, thread, _, _) = events[k]
    if clock is None or thread == loop_thread or len(pieces) <= drawn_from:
        return
    kind, start, end, on, _, line = pieces[-1]
    if kind != QUEUED or on != loop_thread or end != ns:
        return
    before = _last_cpu(events, k, thread)
    if clock[1] <= before:
        return
    ran_from = max(start, end - (clock[1] - before))
    waited: list[Piece] = [(QUEUED, start, ran_from, on, False, line)] if ran_from > start else []
    pieces[-1:] = [*waited, (FRAMEWORK, ran_from, end, thread, False, None)]


def _last_cpu(events: Sequence[Event], k: int, thread: str) -> int:
    """The CPU clock of ``thread`` at the lane's last reading on it before ``events[k]``: 0
    with none (the thread began for this request), ``EVER`` with one that read no clock."""
    for j in range(k - 1, -1, -1):
        _, is_body, item = events[j]
        if not is_body:
            if item[1] == thread:
                return EVER if item[3] is None else item[3][1]
        elif item[3] == thread:
            clock = item[7] if not item[4] else item[6]  # (its end's, or its start's if open)
            return EVER if clock is None else clock[1]
    return 0
