"""Lessons: scenario files that ask a question, explain the answer and claim what the
measurement shows (the format: ``docs/lessons.md``)."""

from simulator.lessons.catalog import LessonEntry, find_lesson, lesson_entries
from simulator.lessons.claims import ClaimResult, check_claim
from simulator.lessons.format import Claim, Lesson, Needs, load_lesson
from simulator.lessons.runner import (
    NOT_FREE,
    NOT_SHOWN,
    LessonRun,
    judge_lesson,
    run_lesson,
    wants_cores_checked,
    with_cores_checked,
)

__all__ = [
    "NOT_FREE",
    "NOT_SHOWN",
    "Claim",
    "ClaimResult",
    "Lesson",
    "LessonEntry",
    "LessonRun",
    "Needs",
    "check_claim",
    "find_lesson",
    "judge_lesson",
    "lesson_entries",
    "load_lesson",
    "run_lesson",
    "wants_cores_checked",
    "with_cores_checked",
]
