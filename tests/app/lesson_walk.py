"""Walk lessons' question, run and reveal in presentation mode, from recorded runs, in one
real window, and write what is where at each step.

``python -m tests.app.lesson_walk OUT_DIR [N ...]`` under an X server (with a window manager)
opens every recorded lesson (or lessons ``N ...``) in one window in presentation mode, its
runs replayed from ``tests/app/recorded`` (:mod:`tests.app.recorded_runs`), and writes
``OUT_DIR/facts.json``: per lesson and step, each visible timeline's rows (how tall, how
many) and the labels as painted (text and rectangle, in screen coordinates), and the
legend's. With ``--shots`` it also saves ``NN-step.png`` screenshots, the way to look at them.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.app.probe_window import open_window, probe_and_close
from tests.app.recorded_runs import RecordedRunner, lesson_numbers, load_runs

STEPS = ("question", "run", "reveal")


def _rect(widget) -> list[int] | None:
    if not widget.isVisible():
        return None
    top_left = widget.mapToGlobal(widget.rect().topLeft())
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]


def _labels(widget, placed) -> list[dict]:
    """Placed labels (widget coordinates) in screen coordinates."""
    origin = widget.mapToGlobal(widget.rect().topLeft())
    return [
        {
            "text": label.text,
            "rect": [
                label.rect.x() + origin.x(),
                label.rect.y() + origin.y(),
                label.rect.width(),
                label.rect.height(),
            ],
            "row": label.row,
        }
        for label in placed
    ]


def _facts(window) -> dict:
    timelines = []
    for timeline in window.timelines.values():
        if not timeline.isVisible():
            continue
        geo = timeline._geometry
        rows = timeline.rows
        timelines.append(
            {
                "rect": _rect(timeline),
                "rows": len(rows) if rows.trace.lanes else 0,
                # Before the row floor grouped them.
                "all_rows": len(timeline._all_rows) if timeline._all_rows is not None else 0,
                "members": rows.members,
                "row_px": geo.row_px if geo is not None else None,
                "group": geo.group if geo is not None else None,
                "loop": rows.trace.loop_thread is not None and bool(rows.trace.lanes),
                "by": timeline.by,
                "labels": _labels(timeline, geo.labels if geo is not None else ()),
                # What the painter wrote over the lanes: errors, the clean-up note.
                "notes": _labels(timeline, geo.notes if geo is not None else ()),
            }
        )
    legend = window.legend
    return {
        "timelines": timelines,
        "legend": _labels(legend, legend.placed()) if legend.isVisible() else [],
        "legend_rect": _rect(legend),
        "panel": _panel(window),
    }


def _panel(window) -> dict:
    """The lesson panel's parts as shown (``None``: hidden) and their text's pixel size."""
    from PySide6.QtGui import QFontInfo

    from app.qt_application import current_application

    panel = window.quiz.panel
    parts = ("question", "explanation", "choices", "guess")
    return {
        "rect": _rect(panel),
        "body_px": QFontInfo(current_application().font()).pixelSize(),
        **{name: _rect(getattr(panel, name)) for name in parts},
        **{f"{name}_px": QFontInfo(getattr(panel, name).font()).pixelSize() for name in parts},
    }


def _check_recording(number: int, path: Path, runs: list[dict]) -> None:
    """A lesson whose dials changed since its runs were recorded: say how to record again."""
    from simulator.lessons import load_lesson
    from simulator.scenario import Scenario

    lesson = load_lesson(path)
    sides = [lesson.file.a] + ([lesson.file.b] if lesson.file.b is not None else [])
    if [Scenario.from_dict(run["scenario"]) for run in runs] != sides:
        raise SystemExit(
            f"lesson {number}'s recorded runs are not of its dials any more: "
            f"python -m tests.app.recorded_runs record {number}"
        )


async def _settle(window, seconds: float) -> None:
    """Laid out and painted: the loop (Qt's, through qasync) handles what was posted, then
    every widget is painted at once."""
    for _ in range(3):
        await asyncio.sleep(seconds / 3)
    window.repaint()


async def _walk(window, runner: RecordedRunner, numbers: list[int], out: Path, shots: bool):
    screen = window.screen()
    facts: dict[str, dict] = {}
    for number in numbers:
        path, runs = load_runs(number)
        _check_recording(number, path, runs)
        runner.runs = runs
        window.open_scenario_file(path)
        here: dict[str, dict] = {}
        for step in STEPS:
            if step == "run":
                runner.hold()
                window.classroom.forward()  # Page Down: run
            elif step == "reveal":
                runner.release()
                try:
                    await asyncio.wait_for(window.wait_idle(), 20)
                except TimeoutError:
                    raise SystemExit(f"lesson {number}: the runs did not end") from None
                window.classroom.forward()  # Page Down: reveal
            # A live run shows its snapshots a frame or two in.
            await _settle(window, 0.12 if step == "run" else 0.06)
            here[step] = _facts(window)
            if shots:
                screen.grabWindow(0).save(str(out / f"{number:02d}-{step}.png"))
        facts[f"{number:02d}"] = here
    return facts


async def _walk_all(
    window, runner: RecordedRunner, numbers: list[int], out: Path, shots: bool
) -> dict:
    await _settle(window, 0.2)
    facts = await _walk(window, runner, numbers, out, shots)
    geometry = window.screen().geometry()
    facts["screen"] = [geometry.width(), geometry.height()]
    return facts


def main(argv: list[str]) -> int:
    shots = "--shots" in argv
    args = [a for a in argv if a != "--shots"]
    out = Path(args[0])
    numbers = [int(n) for n in args[1:]] or lesson_numbers()
    runner = RecordedRunner([])
    _application, loop, window = open_window(out, runner=runner)
    return probe_and_close(loop, window, _walk_all(window, runner, numbers, out, shots), out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
