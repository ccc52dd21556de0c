"""Scenario files: the dials of one run, or of an A/B comparison, in a small TOML or JSON file.

A teacher sets up a lesson ("one WSGI worker against ASGI, 8 requests of 200 ms") and hands
the file to students, so the file must be easy to write by hand and every mistake in it must
say which file, which key and what is wrong. The format is chosen by the suffix::

    title = "Why one worker is not enough"
    by = "worker"          # optional: lanes per worker thread (or "request", the default)

    [a]
    view = "sync_io"
    mode = "wsgi"
    workers = 1

    [b]
    view = "async_io"
    mode = "asgi"

A single run uses one ``[scenario]`` table instead of ``[a]``/``[b]``. A lesson file adds
a ``[lesson]`` table and ``[[claim]]`` tables (:mod:`simulator.lessons.format`), skipped
here. Keys left out take the :class:`~simulator.scenario.Scenario` defaults. JSON files
have the same shape: ``{"title": ..., "a": {...}, "b": {...}}``.
"""

from __future__ import annotations

import codecs
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from simulator.dials import parse_dial, shown
from simulator.errors import ScenarioError
from simulator.files.atomic import write_text_atomically
from simulator.files.reading import read_small_file
from simulator.scenario import Scenario

__all__ = [
    "BY_CHOICES",
    "SUFFIXES",
    "ScenarioFile",
    "file_from_data",
    "load_scenario_file",
    "parse_file",
    "save_scenario_file",
]

SUFFIXES = (".toml", ".json")

_TOP_LEVEL = ("title", "by", "scenario", "a", "b")
#: A lesson's own tables (see :mod:`simulator.lessons.format`): a scenario reader skips them.
_LESSON_TABLES = ("lesson", "claim")

#: What the top-level ``by`` key may say: lanes per request, or per worker thread.
BY_CHOICES = ("request", "worker")


@dataclass(frozen=True)
class ScenarioFile:
    """What a scenario file holds.

    Attributes
    ----------
    title
        A heading for the lesson, or ``None``.
    a
        The scenario to run (the ``[scenario]`` table), or side A of a comparison.
    b
        Side B of a comparison; ``None`` for a single scenario.
    by
        How the lesson shows its lanes: ``"request"`` or ``"worker"`` (the thread view);
        ``None`` leaves it to the window or the command line.
    """

    title: str | None
    a: Scenario
    b: Scenario | None = None
    by: str | None = None

    @property
    def is_comparison(self) -> bool:
        return self.b is not None


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ScenarioError.in_file(
            path, f"a scenario file must end in .toml or .json, not {path.suffix or 'nothing'!r}"
        )
    return suffix


# --- reading ---------------------------------------------------------------------------------


def parse_file(path: Path) -> dict[str, Any]:
    """The file's data, with unreadable and malformed files turned into a ScenarioError."""
    suffix = _suffix(path)
    data = read_small_file(path)
    if data.startswith(codecs.BOM_UTF8):
        # TOML forbids it and JSON's readers may refuse it: a file that works here must work
        # in every other tool the file is handed to, so it is refused, saying what to do.
        raise ScenarioError.in_file(
            path,
            f"starts with a byte order mark (U+FEFF), which {suffix[1:].upper()} "
            "does not allow; save it as UTF-8 without BOM",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError.in_file(
            path, f"not a text file (not UTF-8 at byte {exc.start})"
        ) from None
    if suffix == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            # The message ends "(at line N, column M)".
            raise ScenarioError.in_file(path, f"not valid TOML: {exc}") from None
        except (RecursionError, ValueError, MemoryError) as exc:
            raise ScenarioError.in_file(
                path, f"cannot read it as TOML: {_beyond_limits(exc)}"
            ) from None
    try:
        data = json.loads(text, object_pairs_hook=_no_repeated_keys)
    except _RepeatedKey as exc:
        raise ScenarioError.in_file(path, f"the key {exc} appears twice in one object") from None
    except json.JSONDecodeError as exc:
        raise ScenarioError.in_file(
            path, f"not valid JSON: {exc.msg} (at line {exc.lineno}, column {exc.colno})"
        ) from None
    except (RecursionError, ValueError, MemoryError) as exc:
        raise ScenarioError.in_file(
            path, f"cannot read it as JSON: {_beyond_limits(exc)}"
        ) from None
    if not isinstance(data, dict):
        raise ScenarioError.in_file(path, "a JSON scenario file must hold an object {...}")
    return data


class _RepeatedKey(ValueError):
    """A JSON object naming one key twice (TOML refuses it; JSON keeps the last, silently)."""


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for key, value in pairs:
        if key in table:
            raise _RepeatedKey(shown(key) if len(key) <= 40 else repr(key[:37] + "..."))
        table[key] = value
    return table


def _beyond_limits(exc: BaseException) -> str:
    """Why a file broke the parser's limits, in words (a deep nesting, a huge number)."""
    if isinstance(exc, RecursionError):
        return "it is nested too deeply"
    if isinstance(exc, MemoryError):
        return "it is too large"
    return "it holds a number too long to read" if "digits" in str(exc) else str(exc)[:120]


def _scenario(path: Path, table: str, data: Any, model: bool = False) -> Scenario:
    """The Scenario in table ``table``; every error names the file and ``table.key``. With
    ``model``, the dials take the prediction model's ranges (``predict``), not a run's."""
    if not isinstance(data, dict):
        raise ScenarioError.in_file(
            path, f"{table} must be a table [{table}] of dials, not {shown(data)}"
        )
    try:
        values = {key: parse_dial(key, value, model=model) for key, value in data.items()}
        return Scenario(**values)
    except ScenarioError as exc:
        located = exc.within(table)
        raise ScenarioError.in_file(path, f"{located}", key=located.key) from None


def file_from_data(path: Path, data: dict[str, Any], *, model: bool = False) -> ScenarioFile:
    unknown = [key for key in data if key not in _TOP_LEVEL + _LESSON_TABLES]
    if unknown:
        raise ScenarioError.in_file(
            path,
            f"unknown table or key {unknown[0]!r}; a scenario file holds an optional "
            "title and either [scenario] or [a] and [b]",
        )
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        raise ScenarioError.in_file(path, f"title must be text in quotes, not {shown(title)}")
    by = data.get("by")
    if by is not None and by not in BY_CHOICES:
        raise ScenarioError.in_file(
            path, f'by must be "worker" or "request", not {shown(by)}', key="by"
        )
    if "scenario" in data:
        both = [table for table in ("a", "b") if table in data]
        if both:
            raise ScenarioError.in_file(
                path,
                f"has both [scenario] and [{both[0]}]; use [scenario] for one run, "
                "or [a] and [b] for a comparison",
            )
        return ScenarioFile(title, _scenario(path, "scenario", data["scenario"], model), None, by)
    if "a" not in data:
        what = "has [b] but no [a]" if "b" in data else "has neither [scenario] nor [a]"
        raise ScenarioError.in_file(
            path, f"{what}; use [scenario] for one run, or [a] and [b] for a comparison"
        )
    a = _scenario(path, "a", data["a"], model)
    b = _scenario(path, "b", data["b"], model) if "b" in data else None
    return ScenarioFile(title, a, b, by)


def load_scenario_file(path: str | Path, *, model: bool = False) -> ScenarioFile:
    """Read a ``.toml`` or ``.json`` scenario file (``model``: for ``predict``, whose dials
    go further than a run's).

    Raises
    ------
    ScenarioError
        For every way the file can be wrong; the message names the file and, where there is
        one, the key (``a.io_ms``) and what is wrong with it.
    """
    path = Path(path)
    return file_from_data(path, parse_file(path), model=model)


# --- writing ---------------------------------------------------------------------------------


def _table(scenario: Scenario) -> dict[str, Any]:
    """The dials as plain data, without ``None`` values (TOML has no null)."""
    return {key: value for key, value in scenario.to_dict().items() if value is not None}


def save_scenario_file(path: str | Path, file: ScenarioFile) -> None:
    """Write ``file`` as TOML or JSON (by the suffix of ``path``), every dial spelled out.

    A single scenario is written as ``[scenario]``, a comparison as ``[a]`` and ``[b]``.
    Raises :class:`ScenarioError` for a wrong suffix or a file that cannot be written.
    """
    path = Path(path)
    suffix = _suffix(path)
    data: dict[str, Any] = {}
    if file.title is not None:
        data["title"] = file.title
    if file.by is not None:
        data["by"] = file.by
    if file.b is None:
        data["scenario"] = _table(file.a)
    else:
        data["a"] = _table(file.a)
        data["b"] = _table(file.b)
    if suffix == ".toml":
        text = tomli_w.dumps(data)
    else:
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    try:
        write_text_atomically(path, text)
    except (OSError, UnicodeEncodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ScenarioError.in_file(path, f"cannot write the file: {reason}") from exc
