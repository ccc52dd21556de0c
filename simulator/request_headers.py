"""``--header NAME:VALUE``: request headers a person adds for their own site (``--url``).

A logged-in page needs a cookie, as ``hey -H`` sends one. Headers are a run's option, not a
dial: a scenario file is handed around and a run file is shared, so a cookie is never written
to either. A name must be an HTTP token and a value printable on one line (no CR/LF: no header
injection); both are checked before the run, in one line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from simulator.errors import ScenarioError
from simulator.scenario import Scenario

__all__ = ["request_headers"]

#: RFC 9110's token characters.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: Headers the client writes itself (a second Host would confuse the server).
_OWN = frozenset({"host", "content-length", "transfer-encoding", "connection"})


def request_headers(given: Iterable[str], scenario: Scenario) -> tuple[tuple[str, str], ...]:
    """``NAME:VALUE`` texts as ``(name, value)`` pairs, checked; refused without ``url``.

    Raises
    ------
    ScenarioError
        Keyed ``header``; the message quotes the name, never the value (it may be a secret).
    """
    pairs = []
    for text in given:
        name, colon, value = text.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or not _TOKEN.fullmatch(name):
            raise ScenarioError(
                f"--header must be NAME:VALUE with a name of letters, digits or -, not "
                f"{name[:40]!r}",
                key="header",
            )
        if name.lower() in _OWN:
            raise ScenarioError(f"--header {name}: the client sets it itself", key="header")
        if any(ord(ch) < 32 and ch != "\t" or ord(ch) == 127 for ch in value):
            raise ScenarioError(
                f"--header {name}: its value must be one line without control characters",
                key="header",
            )
        pairs.append((name, value))
    if pairs and scenario.url is None:
        raise ScenarioError("--header is for --url (your own site) only", key="header")
    return tuple(pairs)
