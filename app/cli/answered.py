"""The answers' figures at the last answer, while Django tidies up after its answers.

After answering a request, Django under ASGI still works on it: it closes the response,
sends ``request_finished`` and ends the thread asgiref gave the request (``asgiref.sync.
ThreadSensitiveContext``). One request at a time that is a millisecond; after a burst of
thousands it is seconds, all after the last answer (thousands of threads ending at once,
slower the busier the machine), and a plain uvicorn does the same work after ``hey`` has
printed its figures (``benchmarks/scale.py`` times both). So the command line does what such
a client does: once every answer is in it prints the answers' figures (makespan, latency,
throughput, requests: final then), says how many requests Django was still tidying up
after, and prints the server's figures once it has ended (threads used and framework time
count that work; loop blocked and the server's span stop at the last answer, and threads
held leaves Django's own work out), when the run is saved with it measured. Nothing is
computed from the lanes meanwhile: building them amid thousands of Django's threads takes
ten times as long and slows the very work the lanes measure. A run whose tidying ends within
:data:`GRACE_S` prints its figures once, as ever.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.hosting.engine import LiveRun
    from simulator.trace import Run

__all__ = [
    "GRACE_S",
    "AtLastAnswer",
    "at_last_answer",
    "early_answers",
    "tidied_line",
    "tidied_text",
    "tidying_text",
]

#: How long after the last answer Django's tidying may take before the answers' figures are
#: printed without waiting for it: a run of tens of requests prints its figures once.
GRACE_S = 0.3

#: The run's answers at the last answer (plus :data:`GRACE_S` at most), and how many answered
#: requests Django was still tidying up after.
AtLastAnswer = tuple["Run", int]


async def at_last_answer(
    live: LiveRun,
    running: asyncio.Future[Run],
    show: Callable[[Run, int], object],
    grace_s: float | None = None,
) -> AtLastAnswer | None:
    """Once ``live`` has every answer: if ``running`` has not ended within ``grace_s``
    (:data:`GRACE_S`, read when called), its
    answers (:meth:`LiveRun.answers`) are handed to ``show`` and returned (else ``None``:
    nothing shown). They are read at once and shown after the grace: read amid thousands of
    Django's threads tidying up, they can take a second at 10,000 requests."""
    await live.answered()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + (GRACE_S if grace_s is None else grace_s)
    answers, tidying = live.answers()
    await asyncio.wait({running}, timeout=max(0.0, deadline - loop.time()))
    if running.done():
        return None
    show(answers, tidying)
    return answers, tidying


def early_answers(
    live: LiveRun, running: asyncio.Future[Run], show: Callable[[Run, int], object]
) -> asyncio.Future[AtLastAnswer | None]:
    """:func:`at_last_answer` as a task beside ``running``, cancelled when it ends. If
    showing the answers fails, one line on stderr says so (the run goes on and is saved)
    rather than asyncio's "Task exception was never retrieved" and a traceback at exit."""
    early = asyncio.ensure_future(at_last_answer(live, running, show))
    early.add_done_callback(_say_if_failed)
    running.add_done_callback(lambda _: early.cancel())
    return early


def _say_if_failed(task: asyncio.Future[AtLastAnswer | None]) -> None:
    if task.cancelled() or (error := task.exception()) is None:
        return
    print(f"async-lanes: could not print the answers' figures: {error}", file=sys.stderr)


def tidying_text(answers: Run, tidying: int) -> str:
    """The answers' figures, and what the command still waits for (nothing of Django's
    when it tidies up after no answer: the wait is then the command's own)."""
    from app.cli.summary import format_summary
    from simulator.metrics.figures import format_count

    if tidying == 0:
        return format_summary(answers, "answers")
    return (
        f"{format_summary(answers, 'answers')}\n  {'tidying':<13} at the last answer, Django "
        f"was still closing {format_count(tidying)} answered request"
        f"{'s' if tidying != 1 else ''} (each response, request_finished, the request's "
        "thread): the server's figures follow once it has ended, with it measured"
    )


def tidied_text(final: Run) -> str:
    """The server's figures, Django's tidying included, and how long that tidying took."""
    from app.cli.summary import format_summary

    return f"{format_summary(final, 'server')}\n{tidied_line(final)}"


def tidied_line(final: Run) -> str:
    """How long Django's own work after the last answer took, or went on before it was cut
    short (Ctrl+C once every request was answered)."""
    seconds = (final.trace.last_ns - final.trace.end_ns) / 1e9
    if final.tidying_cut_short:
        return (
            f"  {'tidying':<13} Django's own work after the last answer was cut short after "
            f"{seconds:.1f} s (measured up to then, in the lanes' faint tails)"
        )
    return (
        f"  {'tidied':<13} Django's own work after the last answer took {seconds:.1f} s "
        "(in threads used, framework and the lanes' faint tails; loop blocked counts only "
        "up to the last answer)"
    )
