"""What the command line's exit codes mean, in one place (the parser's help quotes them)."""

from __future__ import annotations

__all__ = [
    "CHECK_TOLERANCE",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PREDICTION_OFF",
    "EXIT_USAGE",
]

#: Done; a run whose requests failed is still a run, and exits 0 if the server answered
#: any of them (a 500 is an answer).
EXIT_OK = 0
#: A run could not finish (the site or the upstream failed), the server answered none of a
#: run's requests (each refused, reset or timed out: one line on stderr says so, and what
#: was measured is still written), or an output could not be written.
EXIT_FAILED = 1
#: A mistake on the command line or in a scenario file: one line on stderr.
EXIT_USAGE = 2
#: ``predict --check``: the predicted makespan was off the measured one by more than
#: :data:`CHECK_TOLERANCE` (a fraction of the measured one).
EXIT_PREDICTION_OFF = 3
#: Ctrl+C stopped the run (what it measured is written). Any handled signal exits 128 + its
#: number: 130 for Ctrl+C (SIGINT), 143 for SIGTERM, 129 for SIGHUP (see :mod:`.signals`).
EXIT_INTERRUPTED = 130

CHECK_TOLERANCE = 0.35
