"""Walk a lesson's quiz with the clicker's keys in a real window and screenshot each step.

``python -m tests.app.quiz_flow_probe OUT_DIR [--presentation]`` under an X server (with a
window manager, so the window can be maximised): lesson 2's question with the class's guess,
the run, the measurement, the reveal, Page Down to lesson 3, Page Up back (lesson 2's reveal
with its run and guess), Page Up again (a double press: the answer hidden, the run kept) and
Page Down twice (the reveal again and lesson 3 again, nothing re-run). It writes one PNG
per step and ``steps.json``: per step the lesson, the quiz step, the guess, how many runs
have started, the figures shown and the status line, so the screenshots can be checked
against facts.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path


async def _walk(window, out: Path, prefix: str) -> list[dict]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.assets import LESSONS

    started: list[object] = []
    window.session.events.run_started.connect(lambda *args: started.append(args))
    steps: list[dict] = []

    def press(key: Qt.Key) -> None:
        QTest.keyClick(window.focusWidget() or window.timeline, key)

    async def shot(name: str, wait: float = 0.6) -> None:
        await asyncio.sleep(wait)
        window.screen().grabWindow(0).save(str(out / f"{prefix}{name}.png"))
        quiz = window.classroom.quiz
        shown = window.stage.figures.shown
        steps.append(
            {
                "shot": f"{prefix}{name}.png",
                "lesson": window.classroom.path.name,
                "step": quiz.step.name if quiz else None,
                "guess": [quiz.choice, quiz.number] if quiz else None,
                "runs_started": len(started),
                "run_a": window.session.runs["a"] is not None,
                "figures_makespan_ms": shown.summary.makespan_ms if shown else None,
                "metrics_makespan": window.metrics.value_text("makespan_ms"),
                "status": window.statusBar().currentMessage(),
            }
        )

    window.open_scenario_file(LESSONS / "02-sync-views-under-asgi.toml")
    press(Qt.Key.Key_2)  # the class's guess: the second choice
    await shot("1-question")
    press(Qt.Key.Key_PageDown)
    # Shot as soon as the run has started (its 200 ms of sleeps are still ahead): a fixed
    # wait found it over already, or not yet begun, as the machine's load went.
    for _ in range(200):
        if started:
            break
        await asyncio.sleep(0.025)
    await shot("2-running", 0.05)
    await window.wait_idle()
    await shot("3-measured")
    press(Qt.Key.Key_PageDown)
    await shot("4-reveal")
    press(Qt.Key.Key_PageDown)
    await shot("5-next-lesson")
    press(Qt.Key.Key_PageUp)
    await shot("6-page-up-back")
    press(Qt.Key.Key_PageUp)  # a double press
    await shot("7-page-up-again")
    press(Qt.Key.Key_PageDown)
    await shot("8-page-down-reveal-again")
    press(Qt.Key.Key_PageDown)
    await shot("9-page-down-next-lesson")
    return steps


def main() -> None:
    import qasync
    from PySide6.QtCore import QSettings

    from app.main import create_application
    from app.window.main_window import QtMainWindow

    out = Path(sys.argv[1])
    present = "--presentation" in sys.argv
    prefix = "present-" if present else "desk-"
    out.mkdir(parents=True, exist_ok=True)
    app = create_application([])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as home:  # never the user's settings
        settings = QSettings(str(Path(home) / "settings.ini"), QSettings.Format.IniFormat)
        window = QtMainWindow(settings=settings)
        window.showMaximized()
        if present:
            window.presentation_action.trigger()
        with loop:
            loop.run_until_complete(asyncio.sleep(0.8))
            steps = loop.run_until_complete(_walk(window, out, prefix))
            window.close()
            loop.run_until_complete(window.session.wait())
    (out / f"{prefix}steps.json").write_text(json.dumps(steps, indent=1))
    for step in steps:
        print(json.dumps(step))


if __name__ == "__main__":
    main()
