"""Django's signal receivers on the request's own thread under ASGI: what a lane draws of them.

Django sends ``request_started`` and ``request_finished`` through ``sync_to_async`` on a
thread that is the request's alone (``ThreadSensitiveContext``); our receiver, connected
last, marks there (``embedded_site.instrumentation.on_request_signal``). From the loop's
step that hands ``request_finished`` over to its mark, the request waited for the thread to
be picked up and to get the GIL, and Django ran ``response.close()`` and the receivers: the
walk draws it ``queued`` on the loop (waiting to run), except the CPU the thread used, which
this module carves from its end as ``framework`` on the thread (the receivers ran just
before the last of them marked). From the mark until the loop runs the request again, only
asgiref's return and the loop's wake-up are left, with no clock read at their end: waiting
to run, ``queued``.

The CPU is the thread's clock at the mark less its clock at ``request_started``'s mark on
that thread: in between the thread only returned from that signal (tens of µs), then stood
still while the loop ran the view (an async view), so all but that is this hand-off's.
Anywhere else the CPU is not known to be the receivers': after a sync view's last measured
segment on the thread, its clock also counts the view's unmeasured end and its hand-back
to the loop, which came before the answer (a newcomer's review); ``request_started``'s own
mark comes inside the loop's step that started the thread (316 of 316 measured), which
draws it. There nothing is carved.

Drawn otherwise, the stretch misled: lesson 15's eight computing threads each showed a
framework bar of 16-58 ms after the answer, all waiting for the GIL while seven siblings
computed, and "framework after the answer" counted it (until 2026-12-07).
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.trace.lane_build import Event
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
    if before is None or clock[1] <= before:
        return
    ran_from = max(start, end - (clock[1] - before))
    waited: list[Piece] = [(QUEUED, start, ran_from, on, False, line)] if ran_from > start else []
    pieces[-1:] = [*waited, (FRAMEWORK, ran_from, end, thread, False, None)]


def _last_cpu(events: Sequence[Event], k: int, thread: str) -> int | None:
    """The CPU clock of ``thread`` at the lane's last reading on it before ``events[k]``, if
    that was a signal's mark (``None``: any other reading, or none)."""
    for j in range(k - 1, -1, -1):
        _, is_body, item = events[j]
        if item[3 if is_body else 1] == thread:
            if is_body or item[2] != SIGNAL or item[3] is None:
                return None
            return int(item[3][1])
    return None
