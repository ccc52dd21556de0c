"""Dial strings: ``"view=sync_io mode=wsgi workers=1 requests=10 io_ms=500"``, the way
``compare --a/--b`` takes a scenario on one line."""

from __future__ import annotations

import re
import shlex
from typing import Any

from simulator.dials import parse_dial
from simulator.errors import ScenarioError
from simulator.scenario import Scenario

__all__ = ["parse_dials"]


def parse_dials(text: str, base: Scenario | None = None) -> Scenario:
    """A Scenario from ``"view=sync_io mode=wsgi workers=1 requests=10 io_ms=500"``.

    Keys are the :class:`Scenario` field names (``io-ms`` works as ``io_ms``); pairs are
    separated by spaces or commas, a value with spaces can be quoted. Each value is read by
    :func:`simulator.dials.parse_dial`. Keys not given keep their value in ``base`` (the
    defaults if ``None``).

    Raises
    ------
    ScenarioError
        Naming the key or the value that is wrong.
    """
    try:
        tokens = shlex.split(re.sub(r"\s*=\s*", "=", text).replace(",", " "))
    except ValueError as exc:  # an unclosed quote
        raise ScenarioError(f"cannot read the dials {text!r}: {exc}") from None
    if not tokens:
        raise ScenarioError('no dials given; write them like "view=sync_io mode=wsgi requests=10"')
    values: dict[str, Any] = {}
    for token in tokens:
        key, equals, value = token.partition("=")
        if not equals or not key:
            raise ScenarioError(f"{token!r} is not key=value (e.g. view=sync_io or io_ms=500)")
        key = key.strip().lower().replace("-", "_")
        if key in values:
            raise ScenarioError(f"{key} is given twice", key=key)
        values[key] = parse_dial(key, value, from_text=True)
    return (base or Scenario()).replace(**values)
