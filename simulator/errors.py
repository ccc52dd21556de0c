"""The errors the engine raises, one tree, each with a message fit for a person.

::

    LanesError
     ├── ScenarioError      a dial out of range, an unknown view or mode, a broken file
     ├── UpstreamError      the slow upstream could not be started or reached
     └── RunCancelled       a run was stopped before it finished (the partial run is kept)

The command line prints ``str(error)`` on one line and exits 2 (scenario) or 1 (others).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["LanesError", "RunCancelled", "ScenarioError", "UpstreamError", "shown_path"]


def shown_path(path: str | Path, limit: int = 80) -> str:
    """A path as a one-line message quotes it: its end, at most ``limit`` characters, each
    character a line cannot hold (a newline is legal in a file's name) shown as "?"."""
    text = "".join(c if c.isprintable() else "?" for c in str(path))
    return text if len(text) <= limit else "..." + text[-(limit - 3) :]


class LanesError(Exception):
    """Base of every error the engine reports to a person."""


class ScenarioError(LanesError, ValueError):
    """The dials, or the file that holds them, are not a scenario we can run.

    ``key`` names the dial at fault (``"io_ms"``; ``"a.io_ms"`` once :meth:`within` a file's
    table), or is ``None`` when no one dial is (a broken file, a missing ``--b``). Readers that
    say where the dial is written ask :meth:`within` instead of reading the message.
    """

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key
        #: What is wrong, without the file it is in (:meth:`in_file`): the message itself
        #: where no file is. (As a lesson entry's ``wrong``; its ``problem`` is the message.)
        self.wrong = message
        self._around: tuple[str, str] | None = None

    @classmethod
    def in_file(cls, path: str | Path, problem: str, *, key: str | None = None) -> ScenarioError:
        """An error in the file at ``path``: the message is its path, quoted as every message
        quotes one (:func:`shown_path`), then ``problem``, which :attr:`wrong` keeps alone
        for whoever names the file already (the Lessons menu)."""
        error = cls(f"{shown_path(path)}: {problem}", key=key)
        error.wrong = problem
        return error

    @classmethod
    def about(cls, key: str, after: str, *, before: str = "") -> ScenarioError:
        """An error about the dial ``key``, whose message is ``before + key + after``."""
        error = cls(before + key + after, key=key)
        error._around = (before, after)
        return error

    def within(self, table: str) -> ScenarioError:
        """The same error where a file's table holds the dial: its key spelled ``table.key``
        (in the message if the message spells it, else in front)."""
        if self._around is not None:
            before, after = self._around
            return ScenarioError.about(f"{table}.{self.key}", after, before=before)
        if self.key is not None:
            return ScenarioError(f"{table}.{self.key}: {self}", key=f"{table}.{self.key}")
        return ScenarioError(f"[{table}] {self}")


class UpstreamError(LanesError):
    """The slow upstream service could not be started."""


class RunCancelled(LanesError):
    """A run was stopped; ``run`` holds what had been measured until then."""

    def __init__(self, message: str, run: object | None = None) -> None:
        super().__init__(message)
        self.run = run
