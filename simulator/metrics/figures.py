"""The one table of a run's figures: what each is called, what it measures, how it reads.

A summary is shown in four places (the command line, a slide's figures line, the metrics
panel and the window's status bar). Each of them picks figures from :data:`FIGURES` (or by
key from :data:`FIGURE`) and writes their values with :meth:`Figure.text`, so a figure has
one caption, one explanation and one way of being written, whoever shows it.

Keys are the names of :class:`~simulator.metrics.summary.Summary` fields; the latency
quantiles are keyed by their name in ``Summary.latency_ms`` (``"p50"``, ..., ``"max"``).

**Usage**::

    FIGURE["makespan_ms"].text(summary)  # "1.62 s"
    format_ms(0.423)                     # "0.42 ms"
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING

from simulator.metrics.summary import SERVER_THREAD_FIGURES, Summary

if TYPE_CHECKING:
    from simulator.scenario import Scenario

__all__ = [
    "EMPTY",
    "FIGURE",
    "FIGURES",
    "after_answer_note",
    "LATENCY_KEYS",
    "Figure",
    "Unit",
    "format_count",
    "format_ms",
    "format_rate",
    "lesson_first",
    "NoLoopWatched",
    "loop_not_watched",
    "pace_note",
]

#: What is shown where there is no value (no run yet, no finished request).
EMPTY = "—"

#: The keys of ``Summary.latency_ms``, fastest first.
LATENCY_KEYS = ("p50", "p95", "p99", "max")
#: The figures that are a run's most at once up to now: while it runs, "so far".
PEAKS = frozenset({"peak_in_flight", "threads_used", "threads_held_peak", "db_connections_peak"})
#: While a run goes, the loop's blocks up to now are measured before any answer: lessons 4
#: and 5 read "loop blocked —" beside the red strip already drawn (teacher47).
UP_TO_NOW = PEAKS | {"loop_blocked_ms"}


def _three_digits(value: float) -> str:
    """``value`` with about three significant digits: ``4.22``, ``37.9``, ``214``."""
    return f"{value:.2f}" if value < 9.995 else f"{value:.1f}" if value < 99.95 else f"{value:.0f}"


def format_ms(ms: float) -> str:
    """A duration with about three significant digits: ``"0.42 ms"``, ``"214 ms"``, ``"1.62 s"``.

    Seconds from 999.5 ms on, so a figure never reads ``"1000 ms"``.
    """
    if ms != ms or ms < 0:  # NaN, or nothing sensible
        return EMPTY
    if ms == 0:
        return "0 ms"
    if ms >= 999.5:
        s = ms / 1000
        return f"{_three_digits(s)} s" if s < 99.95 else f"{s:.0f} s"
    return f"{_three_digits(ms)} ms"


def format_rate(rps: float) -> str:
    """Requests per second with about three significant digits: ``"37.9 req/s"``."""
    if rps != rps or rps < 0:
        return EMPTY
    if rps == 0:
        return "0 req/s"
    return f"{_three_digits(rps)} req/s"


def format_count(n: int) -> str:
    """A count with thin-space grouping, as a class reads big numbers: ``"10 000"``."""
    return f"{n:,}".replace(",", "\u2009")


class Unit(Enum):
    """What a figure counts, and so how its value is written."""

    MS = "ms"
    RATE = "req/s"
    COUNT = "requests or threads"

    def format(self, value: float) -> str:
        """``value`` written in this unit (see :func:`format_ms` and friends)."""
        if self is Unit.MS:
            return format_ms(value)
        if self is Unit.RATE:
            return format_rate(value)
        return EMPTY if value != value else format_count(int(value))


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure of a run.

    Attributes
    ----------
    key
        The ``Summary`` field it reads (a latency quantile: its key in ``latency_ms``).
    caption
        Its name as a heading, e.g. ``"Latency p95"``.
    name
        Its name inside a line of text, e.g. ``"p95"``, ``"threads used"``.
    tooltip
        One sentence saying what is measured.
    unit
        How its value is written.
    kind
        The kind of the lanes whose time per request it is (``"framework"``), or ``None``:
        a picture of its own draws it for each side in that kind's colour, where the lanes'
        bars of it are too thin to compare (lesson 18's 2–3 px on a 730 ms axis).
    """

    key: str
    caption: str
    name: str
    tooltip: str
    unit: Unit
    kind: str | None = None

    @property
    def is_latency(self) -> bool:
        """Latencies exist only for finished requests: with none, there is no value."""
        return self.key in LATENCY_KEYS

    def so_far(self, live: bool, answered: int | None = None, *, peaks: bool = True) -> str:
        """What follows the figure's name while its run is still going (``live``): its
        makespan, throughput and loop blocked are those of the run up to now ("so far"),
        and its latencies those of the ``answered`` requests answered so far ("p50 of 5
        answered"; without the count, " (answered)": the metrics panel's caption, whose
        "Latency max of 5 219 answered" was cut at 1080p, beside its "Answered"). A class
        would read "makespan 455 ms" with 3 of 8 answered as the run's, and "p50 so far
        195 ms" with 5 of 10 answered by 325 ms as lesson 6's p50, which its question
        defines as the time half the requests are answered by (a teacher's walk). A floor
        counting the requests still waiting was tried: answers the frame's records had not
        yet seen broke it (a live "≥ 323 ms" ended 321 ms), and of requests not yet sent
        it can say nothing. A peak (:data:`PEAKS`) says "so far" too: it only grows, and
        lesson 19's "DB connections 1" early in a run read as the class's wrong guess, "1
        and 1" (teacher46); but not where ``peaks`` is off (the metrics panel's captions,
        whose "Database connections at once so far" ran past the dock, review47: the figures'
        line says it)."""
        if live and self.key in UP_TO_NOW and (peaks or self.key not in PEAKS):
            return " so far"
        if not (live and self.needs_an_answer) or answered == 0:
            return ""  # (none answered: a dash alone, not "p95 of 0 answered —")
        if not self.is_latency:
            return " so far"
        return " (answered)" if answered is None else f" of {format_count(answered)} answered"

    @property
    def needs_an_answer(self) -> bool:
        """Whether the figure means nothing before the first answer (latencies, makespan,
        throughput and the loop blocked within the makespan, of a live run or of one where
        none finished): it reads as a dash then, not as 0 or "so far"."""
        return self.is_latency or self.key in ("makespan_ms", "throughput_rps", "loop_blocked_ms")

    def value(self, summary: Summary) -> float:
        """The figure's value in ``summary`` (ms, req/s or a count); NaN where it was not
        measured (``None`` in the summary), which every unit writes as :data:`EMPTY`."""
        if self.is_latency:
            return summary.latency_ms[self.key]
        if self.key in SERVER_THREAD_FIGURES and not summary.server_threads_known:
            return float("nan")
        value: float | None = getattr(summary, self.key)
        return float("nan") if value is None else value

    def text(self, summary: Summary) -> str:
        """The figure's value in ``summary``, written in its unit: ``"214 ms"``; a dash where
        it needs an answer and the server answered no request (the summary's 0 is no latency,
        and a request refused or timed out is no answer: ``Summary.answered``), but for the
        loop's blocks while requests run (:data:`UP_TO_NOW`). One rule for the command line,
        the slides, the metrics panel and the status bar."""
        running = summary.requests - summary.ok - summary.failed - summary.cancelled
        if self.needs_an_answer and not summary.answered:
            if not (running and self.key in UP_TO_NOW):
                return EMPTY
        if self.key in _PER_REQUEST and not summary.requests:
            return EMPTY  # per request, of none sent (stopped before the first)
        return self.unit.format(self.value(summary))


#: The figures per request: of none sent (stopped before the first), none.
_PER_REQUEST = ("framework_ms_per_request", "framework_after_answer_ms_per_request")

#: Every figure, in the order a reader meets them (the metrics panel shows them two a row).
FIGURES: tuple[Figure, ...] = (
    Figure(
        "makespan_ms",
        "Makespan",
        "makespan",
        "Time from the first request sent to the last answer received.",
        Unit.MS,
    ),
    Figure(
        "throughput_rps",
        "Throughput",
        "throughput",
        "Answered requests (any status, a 500 too) per second over the whole makespan.",
        Unit.RATE,
    ),
    Figure(
        "p50",
        "Latency p50",
        "p50",
        "Half of the answered requests got their answer within this time.",
        Unit.MS,
    ),
    Figure(
        "p95",
        "Latency p95",
        "p95",
        "95 % of the answered requests got their answer within this time.",
        Unit.MS,
    ),
    Figure(
        "p99",
        "Latency p99",
        "p99",
        "99 % of the answered requests got their answer within this time.",
        Unit.MS,
    ),
    Figure(
        "max",
        "Latency max",
        "max",
        "The slowest answered request's time from sending to answer.",
        Unit.MS,
    ),
    Figure(
        "peak_in_flight",
        "Peak in flight",
        "peak in flight",
        "The most requests that were sent but not yet answered at the same moment.",
        Unit.COUNT,
    ),
    Figure(
        "threads_used",
        # (Beside "Threads held at once 0", "Threads used 9" read as a contradiction: under
        # ASGI Django's signals take a thread per request for an instant. A teacher's walk.)
        "Threads used, even briefly",
        "threads used",
        "Distinct OS threads (and the event loop) that did work for some request, even for an "
        "instant (under ASGI Django's signals run on a thread per request: many used, none "
        "held).",
        Unit.COUNT,
    ),
    Figure(
        "threads_held_peak",
        "Threads held at once",
        "threads held",
        "The most threads (not counting the event loop) held by the views' work (CPU, waits, "
        "hand-offs; not Django's own machinery) at the same moment.",
        Unit.COUNT,
    ),
    Figure(
        "db_connections_peak",
        "Database connections at once",
        "DB connections",
        "The most database connections open at the same moment: Django opens one per thread "
        "that runs a query, and (with CONN_MAX_AGE = 0) closes it when the request ends.",
        Unit.COUNT,
    ),
    Figure(
        "framework_ms_per_request",
        "Framework / request",
        "framework",
        "Time the loop and threads spent running Django's own machinery (handler, middleware, "
        "signal receivers, hand-offs) per request, outside the view's own code: before its "
        "answer and after it (the next figure: its clean-up, which no client waits for).",
        Unit.MS,
        kind="framework",
    ),
    Figure(
        "framework_after_answer_ms_per_request",
        "Of it after the answer",
        "after the answer",
        "Of Framework / request, the part after each request's answer was sent: Django "
        "closing the response, sending request_finished and ending the request's thread (the "
        "lanes' thin faint tails). No client waits for it, and it grows with the load: after "
        "thousands of answers at once, thousands of threads end together.",
        Unit.MS,
    ),
    Figure(
        "loop_blocked_ms",
        "Event loop blocked",
        "loop blocked",
        "Total time one piece of code held the event loop for 5 ms or more at a stretch, "
        "so no other request on it could run.",
        Unit.MS,
    ),
    Figure(
        "server_span_ms",
        "Server span",
        "server span",
        "From the first to the last instant the server worked on a request of the run, as "
        "it said itself (its Server-Timing header); — where it said nothing.",
        Unit.MS,
    ),
    Figure(
        "client_cpu_ms",
        "Client CPU",
        "client CPU",
        "CPU time the app's own HTTP client spent over the run (over sockets; — in-process, "
        "where the client shares the site's loop).",
        Unit.MS,
    ),
    Figure(
        "requests",
        "Requests",
        "requests",
        "Requests sent so far in this run, and how many still await an answer.",
        Unit.COUNT,
    ),
    Figure(
        "answered",
        "Answered",
        "answered",
        "Requests the server answered, with any status (a 500 too): the only ones the "
        "makespan, throughput and latencies count. One refused, reset or timed out got none.",
        Unit.COUNT,
    ),
    Figure("ok", "Succeeded", "ok", "Requests that got a successful (2xx) answer.", Unit.COUNT),
    Figure(
        "failed",
        "Failed",
        "failed",
        "Requests that ended in an error: an exception, a 4xx/5xx answer, or no answer at all "
        "(refused, reset, timed out).",
        Unit.COUNT,
    ),
    Figure(
        "cancelled",
        "Cancelled",
        "cancelled",
        "Requests stopped before they finished, because the run was stopped.",
        Unit.COUNT,
    ),
)


def after_answer_note(summary: Summary) -> str:
    """`` (4.50 ms of it after the answer)``: what of Django's time per request came after
    each answer (:attr:`Summary.framework_after_answer_ms_per_request`, no client waited
    for it), said in brackets after the framework figure wherever a line gives it (the
    command line, a slide; the window's panel shows it as a figure beside); ``""`` where
    there was none or it was not measured. One rule, and one wording, read everywhere."""
    figure = FIGURE["framework_after_answer_ms_per_request"]
    value = figure.value(summary)
    if not value > 0 or figure.text(summary) == EMPTY:
        return ""
    return f" ({figure.text(summary)} of it after the answer)"


def pace_note(summary: Summary) -> str | None:
    """A sentence when the client, not the server, set the pace (the makespan more than
    15 % longer than the server's own span), else ``None``: one rule, read everywhere."""
    if not summary.client_paced or summary.server_span_ms is None:
        return None
    return (
        f"the client set the pace: the server's own span was {format_ms(summary.server_span_ms)}"
        f" of the {format_ms(summary.makespan_ms)} makespan"
    )


@dataclass(frozen=True, slots=True)
class NoLoopWatched:
    """What the event loop's figure says for a run with no loop watched, in the two places
    it is written: :attr:`value` under the panel's caption "Event loop blocked" (a value
    cell's room), :attr:`line` in a line of figures (a slide's)."""

    value: str
    line: str


def loop_not_watched(scenario: Scenario | None) -> NoLoopWatched:
    """What the event loop's figure says for a run with no loop watched (one rule for the
    window's figures and a slide's line): WSGI (the in-process server, gunicorn) has no loop;
    ASGI over sockets (uvicorn, someone's own site) runs Django on an event loop in another
    process, where no monitor of ours watches it. "No loop" there was untrue: each uvicorn
    worker runs its requests on one loop. (``None``: the run's dials are not known.)"""
    if scenario is None:
        return NoLoopWatched("not watched", "no loop watched")
    if scenario.mode in ("wsgi", "gunicorn"):
        return NoLoopWatched("no loop", "no event loop (WSGI)")
    return NoLoopWatched("not watched", "loops not watched (other processes)")


def lesson_first(figure: str | None, keys: Iterable[str]) -> tuple[str, ...]:
    """``keys`` in the order a class reads them with a lesson on: the figure the lesson asks
    about (``figure``, if any) first, then the others as they were, without it again. One
    rule for the window's figure line and a slide's: lesson 6 asks for the p50, 19 for the
    database connections, and a line that opened on the makespan hid the lesson's own number
    at its far end, or left it out."""
    keys = tuple(keys)
    if not figure:
        return keys
    return (figure, *(key for key in keys if key != figure))


#: The figures by key (read-only).
FIGURE: MappingProxyType[str, Figure] = MappingProxyType({f.key: f for f in FIGURES})
