"""``async-lanes lessons`` and ``async-lanes lesson N [--check] [--png OUT] ...``.

``lessons`` lists the curriculum (number and title; a broken file shows as broken, with its
one-line problem). ``lesson N`` runs lesson N as a class would see it: the question, the
measured figures, the noise-aware verdict on the figure the lesson is about, the answer and
each claim with the figures it was judged on. With ``--check`` it exits 0 only if every claim
held, 1 if one did not. A lesson whose needs this machine cannot meet (a server not
installed, too few cores; with ``--check``, too few cores free) is skipped, saying why: exit 0,
or 1 when outputs were asked for and nothing was written. So is a check whose runs did not show
the lesson because its cores were not free while they ran (``LessonRun.cores_line``: a busy
machine found after the check before the run): its outputs written, exit 0.
"""

from __future__ import annotations

import argparse
import json
import statistics
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.files.atomic import write_text_atomically
from simulator.lessons import Lesson, find_lesson, lesson_entries
from simulator.upstream_address import refuse_unless_allowed

from .exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from .outputs import PICTURE_FLAGS, check_outputs, outputs_asked, say, write_outputs
from .signals import Interrupts
from .summary import format_summary

if TYPE_CHECKING:
    from simulator.lessons import LessonRun

__all__ = ["command_lesson", "command_lessons", "lesson_slide_lines"]


def _folder() -> Path:
    from app.assets import LESSONS

    return LESSONS


def command_lessons(args: argparse.Namespace) -> int:
    """One line per lesson: its number and title (the question it asks)."""
    for entry in lesson_entries(_folder()):
        if entry.lesson is None:
            say(f"{entry.number:3d}  BROKEN: {entry.problem}")
        elif (unmet := entry.lesson.needs.unmet()) is not None:
            say(f"{entry.number:3d}  {entry.title}  (skipped here: {unmet})")
        else:
            say(f"{entry.number:3d}  {entry.title}")
    return EXIT_OK


def _wrapped(label: str, text: str) -> None:
    say(textwrap.fill(text, 96, initial_indent=label, subsequent_indent=" " * len(label)))


def lesson_slide_lines(lesson: Lesson, result: LessonRun) -> tuple[str, str]:
    """The slide's subtitle (question and answer) and verdict line for a lesson's run: the
    window's reveal shows the same line (:attr:`~simulator.lessons.LessonRun.line`)."""
    return f"{lesson.question}  Answer: {lesson.answer}", result.line


def _predicted(result: LessonRun) -> tuple[dict[str, float], bool]:
    """The model's number for the lesson's figure, by side (``a``, ``b``), and whether it
    used this machine's calibration."""
    from simulator.prediction.agreement import modelled_figure
    from simulator.prediction.calibration import load_costs

    calibration = load_costs()
    lesson = result.lesson
    sides = {"a": lesson.file.a, **({"b": lesson.file.b} if lesson.file.b else {})}
    return {
        side: modelled_figure(lesson.figure, scenario, calibration.costs)
        for side, scenario in sides.items()
    }, calibration.calibrated


def _model_line(result: LessonRun) -> str:
    """The model's number for the lesson's figure, by side, and which costs it used."""
    from simulator.metrics.figures import FIGURE
    from simulator.prediction.agreement import LARGE_RUN, agrees

    predicted, calibrated = _predicted(result)
    figure = FIGURE[result.lesson.figure]
    parts = []
    for side, value in predicted.items():
        runs = result.runs.get(side.upper(), [])
        text = f"{side.upper()} {figure.unit.format(value)}"
        if runs:  # beside the median of the side's runs, as the closeness rule reads it
            measured = statistics.median(figure.value(run.summary) for run in runs)
            large = runs[0].scenario.requests >= LARGE_RUN
            close = "close" if agrees(figure.key, value, measured, large=large) else "OFF"
            text += f" (measured {figure.unit.format(measured)}: {close})"
        parts.append(text)
    costs = "calibrated on this machine" if calibrated else "not calibrated"
    return f"Model ({figure.name}, {costs}): " + " · ".join(parts)


def _runs_json(result: LessonRun) -> dict[str, object]:
    from simulator.files import run_to_dict

    predicted, calibrated = _predicted(result)
    return {
        "lesson": result.lesson.number,
        "title": result.lesson.title,
        "figure": result.lesson.figure,
        "predicted": predicted,
        "calibrated": calibrated,
        "verdict": result.verdict,
        "expect": result.lesson.expect,
        "expectation_held": result.expectation_held,
        "showed": result.showed,
        "claims": [
            {"says": r.claim.says, "held": r.held, "measured": r.measured} for r in result.results
        ],
        "runs": {
            side.lower(): [run_to_dict(run) for run in runs] for side, runs in result.runs.items()
        },
    }


def command_lesson(args: argparse.Namespace, interrupts: Interrupts) -> int:
    """Run lesson ``args.number``: question, figures, verdict, answer, claims."""
    from .commands import measure_with

    lesson = find_lesson(_folder(), args.number)
    for scenario in (lesson.file.a, lesson.file.b):
        if scenario is not None:  # a lesson calls no host but this machine
            refuse_unless_allowed(scenario.upstream_url, ())
    outputs = outputs_asked(args, ("json", *PICTURE_FLAGS))
    check_outputs(outputs, [("the lesson file", str(lesson.path))])
    say(f"Lesson {lesson.number}: {lesson.title}")
    # A check is judged only on a machine that can hold the claims: with --check, whether the
    # cores are free is measured first. Without it the lesson runs on a busy machine too:
    # lesson 23's follow-up asks the class to take a core and watch the gain vanish.
    unmet = lesson.needs.unmet_now() if args.check else lesson.needs.unmet()
    if unmet is not None:
        if outputs:
            say(f"skipped: {unmet}; nothing written")
            return EXIT_FAILED
        say(f"skipped: {unmet}")
        return EXIT_OK
    _wrapped("  Question: ", lesson.question)
    for letter, choice in zip("abcdefgh", lesson.choices, strict=False):
        say(f"    ({letter}) {choice}")
    from simulator.lessons import run_lesson, with_cores_checked

    result = run_lesson(lesson, measure_with(interrupts), notice=say)
    if not interrupts.received:  # not shown on a busy machine: were the cores free?
        result = with_cores_checked(result)
    for side, runs in result.runs.items():
        for n, run in enumerate(runs, 1):
            again = f" (run {n} of {len(runs)})" if len(runs) > 1 else ""
            say(f"{side}{again}: " + format_summary(run))
    if result.stopped or interrupts.received:
        say("Stopped: the lesson's claims were not checked.")
        return interrupts.exit_code if interrupts.received else EXIT_INTERRUPTED
    say()
    # The lesson's one verdict line, as the window and the slide say it: a run that did not
    # show the lesson's point says so alone, not beside a verdict that reads otherwise.
    if not result.showed:  # (a verdict, short of what the lesson claims, is said as it is)
        say(result.line if result.short_of_free else f"{result.line.upper()}.")
        if result.cores_line is not None:
            say(f"  {result.cores_line}")
    elif result.verdict is not None:
        say(result.line)
    say(_model_line(result))
    _wrapped("  Answer: ", lesson.answer)
    _wrapped("  Why: ", lesson.why)
    _wrapped("  Look at: ", lesson.look_at)
    say("Claims:")
    for claim in result.results:
        _wrapped("  ", claim.line)
    subtitle, verdict_line = lesson_slide_lines(lesson, result)

    def picture(path: Path) -> None:
        from app.slides.export import export_picture

        export_picture(
            path,
            result.shown,
            title=f"Lesson {lesson.number}: {lesson.title}",
            scale=args.scale,
            by=args.by or lesson.file.by or "request",
            subtitle=subtitle,
            verdict_text=verdict_line,
            figure=lesson.figure,
            every_run=list(result.runs.values()),
        )

    def write_json(path: Path) -> None:
        write_text_atomically(path, json.dumps(_runs_json(result), separators=(",", ":")) + "\n")

    with interrupts.writing():
        code = write_outputs(
            outputs, {"json": write_json, **{name: picture for name in PICTURE_FLAGS}}
        )
    if args.check and not result.showed and result.cores_line is not None:
        # Not shown because the cores were not free (the runs' own waits for a core, or the
        # burners after them): what the check before the run skips for, found during it.
        say("CHECK: skipped: the cores were not free during the run (above); not judged")
        return code
    if args.check and not result.held:
        failed = sum(not r.held for r in result.results)
        say(f"CHECK: {failed} of {len(result.results)} claims did not hold")
        return EXIT_FAILED
    if args.check and result.expectation_held is False:
        say(f"CHECK: the verdict did not come out as the lesson expects ({lesson.expect})")
        return EXIT_FAILED
    if args.check:
        expected = f"; the verdict as expected ({lesson.expect})" if lesson.expect else ""
        say(f"CHECK: all {len(result.results)} claims held{expected}")
    return code
