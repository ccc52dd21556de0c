"""The status bar's lines while a run goes and once it ends: plain text, no Qt."""

from __future__ import annotations

import numpy as np

from simulator.metrics.figures import EMPTY, FIGURE, format_count, format_ms
from simulator.scenario import Scenario
from simulator.trace import Run, Trace

__all__ = [
    "SENDING_TEXT",
    "WARM_UP",
    "finished_text",
    "panel_text",
    "running_text",
    "started_text",
]

#: A running side's empty panel once its requests are being sent, until their first lanes
#: (the status line says "Running B… 0 of 10 requests answered" then).
SENDING_TEXT = "Sending the requests…"


#: Why a real server's run has no lanes yet, said by the status line and the panel alike.
WARM_UP = "each worker process answers a warm-up request first…"


def started_text(scenario: Scenario, side: str | None) -> str:
    """What the window is doing before the first lane (the side only when comparing): real
    servers take a second to start, and an empty timeline must not look like a hung one."""
    which = f" {side.upper()}" if side else ""
    if scenario.in_processes:
        return f"Starting{which}: {scenario.server_label} on 127.0.0.1; {WARM_UP}"
    return f"Running{which}…"


def panel_text(scenario: Scenario, sending: bool) -> str:
    """What the running side's empty panel says: the phase the status line names (its
    servers starting, or the requests being sent once ``sending``), short enough for a
    projector's panel. B's read "Sending the requests…" under "Starting B: … warm-up
    request…" for the second uvicorn took to start (lessons 23, 24)."""
    if scenario.in_processes and not sending:
        return f"Starting {scenario.server_label}: {WARM_UP}"
    return SENDING_TEXT


def running_text(trace: Trace, side: str | None, requests: int = 0) -> str:
    """``Running A… 3 of 8 requests answered`` (the side only when comparing): of the
    ``requests`` the run will send, not only of the lanes so far. A spaced run's frame holds
    the requests sent yet: lesson 18 read "24 of 24 requests answered" with 6 still to come.
    Only the server's answers count (``LaneColumns.answered``: a request refused or timed out
    is no answer; "20 of 20 requests answered" was said of a port where nothing listens).
    Read from the lanes' columns, which every live frame has (the figures' own, carried
    from frame to frame), not by a Python step per lane: GIL the site's threads wait for."""
    answered = int(np.count_nonzero(trace.lane_columns.answered))
    which = f" {side.upper()}" if side else ""
    total = max(requests, len(trace.lanes))
    return f"Running{which}… {answered} of {total} requests answered"


def finished_text(run: Run, predicted_ms: float | None, calibrated: bool | None = None) -> str:
    """``Done: 8 answered in 1.21 s, 1 failed with an error status.  The model predicted
    1.20 s.  Replay: Ctrl+R.``

    "Answered" is the metrics panel's figure (``Summary.answered``: a 500 is an answer, with
    an error status); a request that got no answer (refused, reset, timed out) is counted
    apart. The count of ``ok`` alone read "0 answered in 92 ms, 20 failed" beside "Answered
    20" for 20 answers of HTTP 500. With ``calibrated`` known, the model says whether it
    used this machine's costs."""
    s = run.summary
    done = "Stopped" if run.stopped else "Done"
    errors = s.answered - s.ok  # answered with an error status
    unanswered = s.failed - errors  # failed with no answer at all
    failed = f", {format_count(errors)} failed with an error status" if errors else ""
    if unanswered:
        failed += f", {format_count(unanswered)} failed with no answer"
    cancelled = f", {format_count(s.cancelled)} cancelled" if s.cancelled else ""
    costs = {None: "", True: " (calibrated here)", False: " (not calibrated)"}[calibrated]
    model = (
        f"  The model predicted {format_ms(predicted_ms)}{costs}."
        if predicted_ms is not None
        else ""
    )
    makespan = FIGURE["makespan_ms"].text(s)  # a dash when no request finished
    answered = (
        f"{format_count(s.answered)} answered in {makespan}"
        if makespan != EMPTY
        else "none answered"
    )
    return f"{done}: {answered}{failed}{cancelled}.{model}  Replay: Ctrl+R."
