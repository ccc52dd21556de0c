"""The errors the engine raises, one tree, each with a message fit for a person.

::

    LanesError
     ├── ScenarioError      a dial out of range, an unknown view or mode, a broken file
     ├── UpstreamError      the slow upstream could not be started or reached
     └── RunCancelled       a run was stopped before it finished (the partial run is kept)

The command line prints ``str(error)`` on one line and exits 2 (scenario) or 1 (others).
"""

from __future__ import annotations

__all__ = ["LanesError", "RunCancelled", "ScenarioError", "UpstreamError"]


class LanesError(Exception):
    """Base of every error the engine reports to a person."""


class ScenarioError(LanesError, ValueError):
    """The dials, or the file that holds them, are not a scenario we can run."""


class UpstreamError(LanesError):
    """The slow upstream service could not be started."""


class RunCancelled(LanesError):
    """A run was stopped; ``run`` holds what had been measured until then."""

    def __init__(self, message: str, run: object | None = None) -> None:
        super().__init__(message)
        self.run = run
