"""The lessons in a folder, in the order of their file names, broken ones included.

A broken lesson file must not hide the others, nor vanish: the Lessons menu and
``async-lanes lessons`` show it as broken, with the one line that says what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulator.errors import ScenarioError
from simulator.lessons.format import Lesson, load_lesson

__all__ = ["LessonEntry", "find_lesson", "lesson_entries"]


@dataclass(frozen=True, slots=True)
class LessonEntry:
    """One lesson file: its lesson, or why it cannot be read: ``problem`` the message
    (the file's path, then what is wrong), ``wrong`` what is wrong alone (for the Lessons
    menu, which names the file already)."""

    path: Path
    lesson: Lesson | None
    problem: str | None = None
    wrong: str | None = None

    @property
    def number(self) -> int:
        head = self.path.stem.split("-", 1)[0]
        return int(head) if head.isascii() and head.isdigit() else 0

    @property
    def title(self) -> str:
        return self.lesson.title if self.lesson is not None else self.path.stem


def lesson_entries(folder: Path) -> list[LessonEntry]:
    """Every ``*.toml`` lesson in ``folder``, by file name."""
    entries = []
    for path in sorted(folder.glob("*.toml")):
        try:
            entries.append(LessonEntry(path, load_lesson(path)))
        except ScenarioError as exc:
            entries.append(LessonEntry(path, None, str(exc), exc.wrong))
    return entries


def find_lesson(folder: Path, number: int) -> Lesson:
    """Lesson ``number``; a number no file has, or a broken file, raises ScenarioError."""
    entries = lesson_entries(folder)
    for entry in entries:
        if entry.number == number:
            if entry.lesson is None:
                raise ScenarioError.in_file(entry.path, entry.wrong or "broken lesson")
            return entry.lesson
    numbers = sorted(entry.number for entry in entries)
    known = f"{numbers[0]}–{numbers[-1]}" if numbers else "none"
    raise ScenarioError(f"no lesson {number}; the lessons are numbered {known}")
