"""The dials of a scenario: one table of what each one is, and one function that reads a value.

Every reader of dials goes through :func:`parse_dial`: :class:`~simulator.scenario.Scenario`
itself, scenario files, the command line's flags and its ``"view=sync_io io_ms=500"`` dial
strings, so a value is accepted, converted and refused the same way everywhere, with the
same words. The help texts of the flags come from the same table. No Django is needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from simulator.catalog import lesson_views
from simulator.errors import ScenarioError
from simulator.upstream_address import check_upstream_url

__all__ = [
    "DIALS",
    "LIMITS",
    "MAX_PROCESSES",
    "MODEL_LIMITS",
    "MIDDLEWARES",
    "MODES",
    "PROCESS_MODES",
    "WORKER_CLASSES",
    "Dial",
    "DialKind",
    "parse_dial",
    "shown",
    "unknown_key",
]

MODES = ("asgi", "wsgi", "uvicorn", "gunicorn")
#: The modes that start real servers as processes on loopback (the ``servers`` extra).
PROCESS_MODES = ("uvicorn", "gunicorn")
#: Most processes a real server may start (each boots Django: ~0.5 s and 40 MB).
MAX_PROCESSES = 16
#: gunicorn's worker classes: one request per process at a time, or ``threads`` per process.
WORKER_CLASSES = ("sync", "gthread")
MIDDLEWARES = ("async", "sync", "django")


class DialKind(StrEnum):
    """What sort of value a dial takes."""

    WHOLE = "whole"
    NUMBER = "number"
    TEXT = "text"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class Dial:
    """One dial of a scenario.

    Attributes
    ----------
    key
        The :class:`~simulator.scenario.Scenario` field (``io_ms``); ``--io-ms`` on the command
        line.
    kind
        What sort of value it takes.
    help
        What it means, for a person (the flag's help).
    low, high
        Inclusive bounds of a number (the window's sliders use them too).
    choices
        The values a choice may take.
    optional
        Whether it may be ``None`` (left out: the engine decides).
    prefixes
        For text: what it must start with.
    model_high
        The model's own upper bound where it goes further than a real run's (``predict``
        takes a million requests; ``run`` refuses more than ``high``); ``None``: ``high``.
    """

    key: str
    kind: DialKind
    help: str
    low: float = 0
    high: float = 0
    choices: tuple[str, ...] = ()
    optional: bool = False
    prefixes: tuple[str, ...] = ()
    model_high: float | None = None

    @property
    def flag(self) -> str:
        """The command line's flag: ``--io-ms``."""
        return "--" + self.key.replace("_", "-")

    @property
    def is_number(self) -> bool:
        return self.kind in (DialKind.WHOLE, DialKind.NUMBER)

    def highest(self, model: bool = False) -> float:
        """The upper bound of a real run's value, or with ``model`` of the model's."""
        return self.model_high if model and self.model_high is not None else self.high

    @property
    def range_text(self) -> str:
        """``1-256`` for a number, ``asgi|wsgi`` for a choice, ``""`` for text."""
        return self.range_for()

    def range_for(self, model: bool = False) -> str:
        """:attr:`range_text`; with ``model``, the model's range."""
        if self.is_number:
            return f"{self.low:.15g}-{self.highest(model):.15g}"
        return "|".join(self.choices)


def _dials() -> dict[str, Dial]:
    whole, number, text, choice = DialKind
    table = (
        Dial("view", choice, "lesson view (see: async-lanes views)", choices=tuple(lesson_views())),
        Dial(
            "mode",
            choice,
            "server: asgi or wsgi in-process; uvicorn or gunicorn as processes on loopback",
            choices=MODES,
        ),
        Dial(
            "workers",
            whole,
            f"WSGI worker threads; uvicorn/gunicorn worker processes (1-{MAX_PROCESSES})",
            1,
            256,
            model_high=4_096,
        ),
        Dial("requests", whole, "how many requests", 1, 10_000, model_high=1_000_000),
        Dial("io_ms", number, "I/O wait per request, ms", 0, 10_000),
        Dial("cpu_ms", number, "CPU work per request, ms", 0, 5_000),
        Dial("arrival_ms", number, "spacing between sends, ms; 0 sends all at once", 0, 10_000),
        Dial(
            "concurrency",
            whole,
            "most requests in flight at once (a load tool's -c); the next goes when one "
            "answers; 0 sends the whole burst at once",
            0,
            10_000,
        ),
        Dial("fanout", whole, "upstream calls per request for the fan-out views", 1, 32),
        Dial(
            "middleware",
            choice,
            "middleware stack: async-capable, with one sync-only middleware, or startproject's "
            "default stack (django)",
            choices=MIDDLEWARES,
        ),
        Dial(
            "worker_class",
            choice,
            "gunicorn's workers: sync (one request per process) or gthread (--threads each)",
            choices=WORKER_CLASSES,
        ),
        Dial("threads", whole, "gunicorn gthread: threads per worker process", 1, 64),
        Dial(
            "url",
            text,
            "send the requests to this URL (your own site) instead of a lesson view",
            optional=True,
            prefixes=("http://", "https://"),
        ),
        Dial(
            "upstream_url",
            text,
            "where the httpx views fetch from (default: a slow upstream we start)",
            optional=True,
            prefixes=("http://", "https://"),
        ),
    )
    return {dial.key: dial for dial in table}


#: Every dial, by key, in the order of the Scenario's fields.
DIALS: dict[str, Dial] = _dials()

#: Inclusive bounds of every numeric dial, for a real run (``run``, ``compare``, the window).
LIMITS: dict[str, tuple[float, float]] = {
    dial.key: (dial.low, dial.high) for dial in DIALS.values() if dial.is_number
}
#: Inclusive bounds of every numeric dial for the model (``predict``): further for some.
MODEL_LIMITS: dict[str, tuple[float, float]] = {
    dial.key: (dial.low, dial.highest(model=True)) for dial in DIALS.values() if dial.is_number
}


def shown(value: Any) -> str:
    """A value as a file spells it: ``true`` and ``null``, not Python's ``True``/``None``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else repr(value)


def unknown_key(key: str) -> ScenarioError:
    """The error for a key that is no dial."""
    return ScenarioError.about(
        key, f"'; allowed keys: {', '.join(sorted(DIALS))}", before="unknown key '"
    )


def parse_dial(key: str, value: Any, *, from_text: bool = False, model: bool = False) -> Any:
    """``value`` for the dial ``key``, in the dial's type and checked.

    ``from_text``: ``value`` is a person's text (a flag, a dial string), so ``"500"`` and
    ``"500ms"`` are numbers and ``"none"`` is no URL. Otherwise it is typed data (a file,
    Python): ``8.0`` is fine for a whole number, ``"8"`` is not. ``model``: checked against
    the model's bounds (``predict``'s), not a real run's.

    Raises
    ------
    ScenarioError
        Whose ``key`` is ``key`` and whose message names it, the value and what is wrong.
    """
    dial = DIALS.get(key)
    if dial is None:
        raise unknown_key(key)
    original = value
    if from_text:
        value = _from_text(dial, value)
    if value is None and dial.optional:
        return None
    if dial.is_number:
        return _number(dial, value, original, dial.highest(model))
    if not isinstance(value, str):
        raise ScenarioError.about(key, f" must be text in quotes, not {shown(value)}")
    if dial.kind is DialKind.CHOICE and value not in dial.choices:
        raise ScenarioError(
            f"unknown {key} {_short(value)}; choose one of: {', '.join(dial.choices)}", key=key
        )
    if dial.prefixes and not value.startswith(dial.prefixes):
        raise ScenarioError.about(
            key, f" must start with {' or '.join(dial.prefixes)}, not {_short(value)}"
        )
    if dial.key in ("upstream_url", "url"):
        check_upstream_url(value, key=dial.key)
    return value


def _short(value: Any) -> str:
    """A value as a file spells it, cut to a length a one-line message can carry."""
    text = shown(value) if not isinstance(value, int) or abs(value) < 10**30 else "a huge number"
    return text if len(text) <= 60 else text[:57] + "..."


def _from_text(dial: Dial, text: str) -> Any:
    if dial.optional and text.strip().lower() in ("", "none", "null"):
        return None
    if not dial.is_number:
        return text
    number = text[:-2] if dial.key.endswith("_ms") and text.lower().endswith("ms") else text
    try:
        return float(number)
    except ValueError:
        raise ScenarioError.about(
            dial.key, f" must be {_a_number(dial)}, not {_short(text)}"
        ) from None


def _a_number(dial: Dial) -> str:
    return "a whole number" if dial.kind is DialKind.WHOLE else "a number"


def _number(dial: Dial, value: Any, original: Any, high: float) -> int | float:
    key = dial.key
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError.about(key, f" must be {_a_number(dial)}, not {_short(original)}")
    if isinstance(value, int) and not dial.low <= value <= high:
        # Checked before any float(): an integer of thousands of digits overflows one.
        raise ScenarioError.about(
            key, f" must be between {dial.low:.15g} and {high:.15g}, not {_short(value)}"
        )
    if not math.isfinite(value):
        what = "a whole number" if dial.kind is DialKind.WHOLE else "a finite number"
        raise ScenarioError.about(key, f" must be {what}, not {shown(original)}")
    if dial.kind is DialKind.WHOLE and value != int(value):
        raise ScenarioError.about(key, f" must be a whole number, not {shown(original)}")
    if not dial.low <= value <= high:
        raise ScenarioError.about(
            key, f" must be between {dial.low:.15g} and {high:.15g}, not {value:.15g}"
        )
    # 8.0 requests are 8 requests (range() needs an int); a time is a float.
    return int(value) if dial.kind is DialKind.WHOLE else float(value)
