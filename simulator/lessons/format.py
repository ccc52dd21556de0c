"""The lesson format: a scenario file with a ``[lesson]`` table and ``[[claim]]`` tables.

A lesson file stays a scenario file: ``run --scenario`` and File ▸ Open read its dials and
skip these keys, so a teacher can hand either to a student. What the lesson adds is text for
the class (a title that asks, an explanation, a question, the answer and why, what to look
at, a dial to try next), what it ``needs`` of the machine, and **claims as data**: figures of
the measured runs compared with a number or with the other side's figure. Claims are read
and compared here, never evaluated as code. The whole format is in ``docs/lessons.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from simulator.dials import shown
from simulator.errors import ScenarioError
from simulator.files.scenario_file import ScenarioFile, file_from_data, parse_file
from simulator.machine import FREE_ENOUGH, parallel_speedup, usable_cores
from simulator.metrics.comparison import CLOSE_WITHIN, EXPECTS, Criterion, Expect
from simulator.metrics.figures import FIGURE
from simulator.numbers import LARGEST, finite_in
from simulator.server_extra import INSTALL_COMMAND, missing_server

__all__ = ["OPS", "Claim", "Lesson", "Needs", "load_lesson"]

#: The comparisons a claim may make.
OPS = ("<", "<=", ">", ">=")

_LESSON_KEYS = (
    "explanation",
    "question",
    "choices",
    "answer",
    "why",
    "look_at",
    "figure",
    "follow_up",
    "myth",
    "needs",
    "guess_max",
    "expect",
    "same_within",
)
_CLAIM_KEYS = ("figure", "side", "op", "value", "times", "of", "error_contains", "says")
_NEEDS_KEYS = ("cores",)
#: The most cores a lesson may ask for.
MAX_CORES = 256
#: The largest end of a numeric guess's slider (ms: almost three hours).
GUESS_MAX_LARGEST = 1e7


@dataclass(frozen=True, slots=True)
class Needs:
    """What a lesson needs of the machine; an unmet need skips the lesson, saying why.

    ``cores`` is declared in the file (``needs = {cores = 2}``) and means cores *free* for the
    run: :meth:`unmet_now` measures that before ``lesson N --check`` and in CI (two or more),
    and a run that waited for a core too long to show the lesson says so instead of "run it
    again" (one or more: ``LessonRun.cores_waited``). Undeclared, 0: the lesson is judged
    however busy the machine. ``servers`` is not declared: it is read from the lesson's own
    modes (a ``gunicorn`` side needs gunicorn), so the file cannot say one thing and run
    another.
    """

    cores: int = 0
    servers: tuple[str, ...] = ()

    def unmet(self) -> str | None:
        """Why this machine can never hold the lesson's claims, or ``None`` (cheap: a menu
        asks it for every lesson; whether the cores are free *now* is :meth:`unmet_now`)."""
        for server in self.servers:
            if missing_server(server) is not None:
                return f"needs {server}: {INSTALL_COMMAND}"
        have = usable_cores()
        if have < self.cores:
            return f"needs {self.cores} cores, this process may use {have}"
        return None

    def unmet_now(self) -> str | None:
        """:meth:`unmet`, then whether ``cores`` cores are free right now
        (:meth:`cores_shared`)."""
        if (reason := self.unmet()) is not None:
            return reason
        if (speedup := self.cores_shared()) is not None:
            return f"needs {self.cores} free cores: {self.cores_found(speedup)}"
        return None

    def cores_found(self, speedup: float) -> str:
        """What :meth:`cores_shared` found, said: ``unmet_now``'s reason, and what the reveal
        and ``lesson N`` add after a run that did not show the lesson."""
        return (
            f"{self.cores} processes got only {speedup:.2f}× the work of one done (another "
            "program, a CPU quota or hyper-threads share them)"
        )

    def cores_shared(self) -> float | None:
        """Whether the ``cores`` cores the lesson needs are *not* free right now: how many
        times the work of one ``cores`` processes got done at once, when that is under
        :data:`~simulator.machine.FREE_ENOUGH` × ``cores``; ``None`` when they are free, when
        the lesson needs one core, or where it cannot be measured. About a second of burning
        CPU in ``cores`` processes. The one rule ``lesson N --check`` (before it runs) and
        the window's reveal (after a run that did not show the lesson) judge the cores by."""
        if self.cores < 2:
            return None
        speedup = parallel_speedup(self.cores)
        if speedup is not None and speedup < FREE_ENOUGH * self.cores:
            return speedup
        return None


@dataclass(frozen=True, slots=True)
class Claim:
    """One thing the lesson says the measurement shows.

    Either a figure: ``side``'s ``figure`` ``op`` ``value`` (a number in the figure's unit:
    ms for times), or ``op`` ``times`` × the ``of`` side's same figure. Or an error:
    every request of ``side`` failed with an error containing ``error_contains``.
    ``says`` is the claim in words, for the slide and ``--check``.
    """

    side: str
    says: str
    figure: str | None = None
    op: str | None = None
    value: float | None = None
    times: float | None = None
    of: str | None = None
    error_contains: str | None = None


@dataclass(frozen=True, slots=True)
class Lesson:
    """A lesson: its scenario file, the text for the class and its claims."""

    path: Path
    file: ScenarioFile
    explanation: str
    question: str
    answer: str
    why: str
    look_at: str
    figure: str
    follow_up: str
    choices: tuple[str, ...] = ()
    myth: str | None = None
    needs: Needs = field(default_factory=Needs)
    claims: tuple[Claim, ...] = ()
    #: A numeric guess's slider end, in the figure's unit (ms), when there are no choices.
    guess_max: float = 3000.0
    #: What the answer expects of ``figure`` (a comparison only): "A" or "B" ahead, or "same".
    expect: Expect | None = None
    #: For ``expect = "same"``: how far apart the sides' figures may be and still be the same.
    same_within: float = CLOSE_WITHIN

    @property
    def criterion(self) -> Criterion:
        """How a comparison of this lesson's sides is judged: its figure, its expectation."""
        return Criterion(self.figure, self.expect, self.same_within)

    @property
    def title(self) -> str:
        return self.file.title or self.path.stem

    @property
    def number(self) -> int:
        """The number its file name starts with (``07-...toml``: 7), else 0."""
        head = self.path.stem.split("-", 1)[0]
        return int(head) if head.isascii() and head.isdigit() else 0

    @property
    def is_comparison(self) -> bool:
        return self.file.is_comparison

    @property
    def answer_index(self) -> int | None:
        """Which of ``choices`` is the answer (``None`` for a numeric guess)."""
        return self.choices.index(self.answer) if self.answer in self.choices else None


def _text(path: Path, table: dict[str, Any], key: str, where: str, *, required: bool) -> str:
    value = table.get(key)
    if value is None:
        if required:
            raise ScenarioError.in_file(path, f'{where} needs {key} = "..."', key=f"{where}.{key}")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ScenarioError.in_file(
            path,
            f"{where}.{key} must be text in quotes, not {shown(value)}",
            key=f"{where}.{key}",
        )
    return " ".join(value.split())


def _number(
    path: Path,
    table: dict[str, Any],
    key: str,
    where: str,
    low: float = -LARGEST,
    high: float = LARGEST,
) -> float | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise ScenarioError.in_file(
            path,
            f"{where}.{key} must be a number, not {shown(value)}",
            key=f"{where}.{key}",
        )
    if math.isfinite(low) and not finite_in(value, low, high):
        shown_value = shown(value) if len(shown(value)) <= 40 else "a huge number"
        raise ScenarioError.in_file(
            path,
            f"{where}.{key} must be a finite number from {low:g} to {high:g}, not {shown_value}",
            key=f"{where}.{key}",
        )
    return float(value)


def _unknown(path: Path, table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise ScenarioError.in_file(
                path,
                f"unknown key {where}.{key}; allowed: {', '.join(allowed)}",
                key=f"{where}.{key}",
            )


def _side(path: Path, value: Any, where: str, sides: tuple[str, ...]) -> str:
    if value not in sides:
        raise ScenarioError.in_file(
            path,
            f"{where} must be {' or '.join(repr(s) for s in sides)}, not {shown(value)}",
            key=where,
        )
    return str(value)


def _claim(path: Path, data: Any, n: int, sides: tuple[str, ...]) -> Claim:
    where = f"claim {n}"
    if not isinstance(data, dict):
        raise ScenarioError.in_file(path, f"{where} must be a [[claim]] table, not {shown(data)}")
    _unknown(path, data, _CLAIM_KEYS, where)
    side = _side(path, data.get("side", "A"), f"{where}.side", sides)
    says = _text(path, data, "says", where, required=True)
    error = data.get("error_contains")
    if error is not None:
        if not isinstance(error, str) or not error:
            raise ScenarioError.in_file(
                path, f"{where}.error_contains must be text, not {shown(error)}"
            )
        return Claim(side=side, says=says, error_contains=error)
    figure = data.get("figure")
    if figure not in FIGURE:
        raise ScenarioError.in_file(
            path,
            f"{where}.figure must name a figure ({', '.join(FIGURE)}), not {shown(figure)}",
            key=f"{where}.figure",
        )
    op = data.get("op")
    if op not in OPS:
        raise ScenarioError.in_file(
            path,
            f"{where}.op must be one of {' '.join(OPS)}, not {shown(op)}",
            key=f"{where}.op",
        )
    value = _number(path, data, "value", where)
    times = _number(path, data, "times", where, 0.0, 1e6)
    if (value is None) == (times is None):
        raise ScenarioError.in_file(
            path,
            f'{where} needs either value = N or times = X with of = "A"|"B"',
            key=where,
        )
    of = None
    if times is not None:
        of = _side(path, data.get("of"), f"{where}.of", sides)
    return Claim(
        side=side, says=says, figure=str(figure), op=str(op), value=value, times=times, of=of
    )


def lesson_from_data(path: Path, data: dict[str, Any]) -> Lesson:
    """The lesson in ``data`` (a parsed file); every mistake names the file and the key."""
    file = file_from_data(path, data)
    table = data.get("lesson")
    if not isinstance(table, dict):
        raise ScenarioError.in_file(path, "not a lesson: it has no [lesson] table")
    if not file.title:
        raise ScenarioError.in_file(path, 'a lesson needs a title = "..." that asks a question')
    _unknown(path, table, _LESSON_KEYS, "lesson")
    choices = table.get("choices", [])
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        raise ScenarioError.in_file(
            path, f"lesson.choices must be a list of texts, not {shown(choices)}"
        )
    answer = _text(path, table, "answer", "lesson", required=True)
    if choices and answer not in choices:
        raise ScenarioError.in_file(path, f"lesson.answer {answer!r} is not one of lesson.choices")
    figure = table.get("figure", "makespan_ms")
    if figure not in FIGURE:
        raise ScenarioError.in_file(
            path, f"lesson.figure must name a figure ({', '.join(FIGURE)}), not {shown(figure)}"
        )
    needs_data = table.get("needs", {})
    if not isinstance(needs_data, dict):
        raise ScenarioError.in_file(path, "lesson.needs must be a table {cores = 2}")
    _unknown(path, needs_data, _NEEDS_KEYS, "lesson.needs")
    cores = _number(path, needs_data, "cores", "lesson.needs", -math.inf, math.inf)
    if cores is not None and not (1 <= cores <= MAX_CORES and cores == int(cores)):
        raise ScenarioError.in_file(
            path,
            f"lesson.needs.cores must be a whole number from 1 to {MAX_CORES}, "
            f"not {shown(needs_data['cores'])}",
            key="lesson.needs.cores",
        )
    sides = ("A", "B") if file.is_comparison else ("A",)
    claims_data = data.get("claim", [])
    if not isinstance(claims_data, list) or not claims_data:
        raise ScenarioError.in_file(path, "a lesson needs at least one [[claim]]")
    myth = _text(path, table, "myth", "lesson", required=False)
    guess_max = _number(path, table, "guess_max", "lesson", 1.0, GUESS_MAX_LARGEST)
    expect, same_within = _expect(path, table, file.is_comparison, str(figure))
    return Lesson(
        path=path,
        file=file,
        explanation=_text(path, table, "explanation", "lesson", required=True),
        question=_text(path, table, "question", "lesson", required=True),
        answer=answer,
        why=_text(path, table, "why", "lesson", required=True),
        look_at=_text(path, table, "look_at", "lesson", required=True),
        figure=str(figure),
        follow_up=_text(path, table, "follow_up", "lesson", required=True),
        choices=tuple(" ".join(c.split()) for c in choices),
        myth=myth or None,
        needs=Needs(
            cores=int(cores) if cores is not None else 0,
            servers=tuple(
                sorted({s.mode for s in (file.a, file.b) if s is not None and s.in_processes})
            ),
        ),
        claims=tuple(_claim(path, c, n, sides) for n, c in enumerate(claims_data, 1)),
        guess_max=guess_max if guess_max is not None else 3000.0,
        expect=expect,
        same_within=same_within,
    )


def _expect(
    path: Path, table: dict[str, Any], comparison: bool, figure: str
) -> tuple[Expect | None, float]:
    """``expect`` and ``same_within``: what a comparison's answer expects of its figure.

    Read as data, never from the answer's words; a comparison must say it, so a lesson whose
    answer is "about the same" can never get a verdict naming a winner."""
    expect = table.get("expect")
    within = _number(path, table, "same_within", "lesson")
    if expect is None:
        if comparison:
            raise ScenarioError.in_file(
                path,
                f"lesson.expect is missing: say which side the answer expects ahead on "
                f'{figure} ("A" or "B"), or "same"',
                key="lesson.expect",
            )
    elif not comparison:
        raise ScenarioError.in_file(
            path,
            "lesson.expect needs two sides ([a] and [b]); this lesson has one",
            key="lesson.expect",
        )
    elif expect not in EXPECTS:
        raise ScenarioError.in_file(
            path,
            f'lesson.expect must be "same", "A", "B", "A or same" or "B or same", '
            f"not {shown(expect)}",
            key="lesson.expect",
        )
    expect = cast("Expect | None", expect)
    if within is None:
        return expect, CLOSE_WITHIN
    if expect is None or not expect.endswith("same"):
        raise ScenarioError.in_file(
            path,
            'lesson.same_within goes with expect = "same", "A or same" or "B or same"',
            key="lesson.same_within",
        )
    if not 0 < within <= 10:
        raise ScenarioError.in_file(
            path,
            f"lesson.same_within must be a fraction above 0 (0.15: 15% apart), "
            f"not {shown(table['same_within'])}",
            key="lesson.same_within",
        )
    return expect, within


def load_lesson(path: str | Path) -> Lesson:
    """Read a lesson file; a broken one raises :class:`ScenarioError` naming file and key."""
    path = Path(path)
    return lesson_from_data(path, parse_file(path))
