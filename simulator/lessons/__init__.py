"""Lessons: scenario files that ask a question, explain the answer and claim what the
measurement shows (the format: ``docs/lessons.md``)."""

from simulator.lessons.catalog import LessonEntry, find_lesson, lesson_entries
from simulator.lessons.claims import ClaimResult, check_claim
from simulator.lessons.format import Claim, Lesson, Needs, load_lesson
from simulator.lessons.runner import LessonRun, lesson_verdict, run_lesson

__all__ = [
    "Claim",
    "ClaimResult",
    "Lesson",
    "LessonEntry",
    "LessonRun",
    "Needs",
    "check_claim",
    "find_lesson",
    "lesson_entries",
    "lesson_verdict",
    "load_lesson",
    "run_lesson",
]
