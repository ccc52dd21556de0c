"""What the command line prints about a run: its figures, and a prediction beside a
measurement."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from simulator.trace import Run

__all__ = ["PREDICTION_HEADING", "check_lines", "format_summary", "no_answer_line"]

PREDICTION_HEADING = "PREDICTION (model, not measured)"


def format_summary(run: Run, part: Literal["all", "answers", "server"] = "all") -> str:
    """A few lines a person reads at a glance (figures as :mod:`simulator.metrics.figures`
    names and writes them everywhere).

    ``part`` "answers" gives the heading and the figures of the answers; "server" the
    figures only the server's own account gives (its threads, loop and framework time, and
    the note on who set the pace). Of these, threads used and framework time count Django's
    tidying after its last answer; loop blocked and the server's span stop at the last
    answer (:mod:`.answered`)."""
    from simulator.metrics.figures import (
        EMPTY,
        FIGURE,
        LATENCY_KEYS,
        after_answer_note,
        format_count,
        pace_note,
    )

    s = run.summary
    after_answer = after_answer_note(s)

    def line(name: str, text: str) -> str:
        return f"  {name:<13} {text}"

    def figure(key: str, then: str = "") -> str:
        """``framework     1.40 ms per request``; a dash stands alone (``— per request``
        reads as a glitch)."""
        text = FIGURE[key].text(s)
        return line(FIGURE[key].name, text + then if text != EMPTY else text)

    latencies = "  ".join(f"{key} {FIGURE[key].text(s)}" for key in LATENCY_KEYS)
    answers, server = "answers", "server"
    lines = [
        (answers, run.scenario.label + ("  (stopped)" if run.stopped else "")),
        (answers, figure("makespan_ms")),
        (answers, figure("throughput_rps")),
        (answers, line("latency", latencies)),
        (answers, line("in flight", f"{FIGURE['peak_in_flight'].text(s)} at peak")),
        (server, figure("threads_used")),
        (server, figure("loop_blocked_ms")),
        (server, figure("framework_ms_per_request", " per request" + after_answer)),
        (
            answers,
            line(
                "requests",
                f"{format_count(s.ok)} ok, {format_count(s.failed)} failed, "
                f"{format_count(s.cancelled)} cancelled",
            ),
        ),
    ]
    if s.server_span_ms is not None and run.scenario.over_sockets:
        lines.append((server, figure("server_span_ms", "  (its own Server-Timing)")))
    if s.client_cpu_ms is not None:
        lines.append((server, figure("client_cpu_ms")))
    note = pace_note(s)
    if note is not None:
        lines.append((server, line("note", note)))
    errors = sorted({lane.error for lane in run.trace.lanes if lane.error})
    lines += [(answers, line("error", error)) for error in errors[:3]]
    return "\n".join(text for which, text in lines if part in ("all", which))


def check_lines(predicted: Run, measured: Run) -> list[str]:
    """Each figure predicted against measured, and their ratio; a figure with no value (a
    latency when no request finished) is a dash, as everywhere (:meth:`Figure.text`)."""
    from simulator.metrics.figures import EMPTY, FIGURE

    p, m = predicted.summary, measured.summary
    figures = [
        ("makespan", "makespan_ms", "ms"),
        ("p50", "p50", "ms"),
        ("p95", "p95", "ms"),
        ("threads used", "threads_used", ""),
        ("loop blocked", "loop_blocked_ms", "ms"),
    ]
    lines = [f"  {'':14}{'predicted':>11}{'measured':>11}{'ratio':>8}"]
    for name, key, unit in figures:
        figure = FIGURE[key]
        number = "{:11.1f}" if unit else "{:11d}"
        cells, values = [], []
        for summary in (p, m):
            known = figure.text(summary) != EMPTY
            value = figure.value(summary) if known else None
            values.append(value)
            shown = value if unit or value is None else int(value)
            cells.append(f"{EMPTY:>11}" if value is None else number.format(shown))
        pv, mv = values
        if pv is None or mv is None:
            ratio = f"{EMPTY:>8}"
        else:
            ratio = f"{pv / mv:8.2f}" if mv else ("       -" if not pv else "     inf")
        lines.append(f"  {name + (' ' + unit if unit else ''):14}{cells[0]}{cells[1]}{ratio}")
    return lines


def no_answer_line(run: Run) -> str | None:
    """The line for stderr when the server answered none of ``run``'s requests (each one
    refused, reset, timed out...; ``Summary.answered`` is 0), else ``None``: nothing was
    measured of the server, the figures of answers are dashes, and the command exits
    :data:`~.exit_codes.EXIT_FAILED` (what was measured still written). A stopped run is
    not one: Ctrl+C before the first answer says so by its own exit code."""
    s = run.summary
    if run.stopped or not s.requests or s.answered:
        return None
    where = run.scenario.url or run.scenario.label
    errors = sorted({lane.error for lane in run.trace.lanes if lane.error})
    why = f": {errors[0]}" if errors else ""
    if len(errors) > 1:
        why += f" (and {len(errors) - 1} other error{'s' if len(errors) > 2 else ''})"
    plural = "s" if s.requests != 1 else ""
    return f"async-lanes: none of the {s.requests} request{plural} to {where} got an answer{why}"
