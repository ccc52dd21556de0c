"""Walk a lesson in presentation mode step by step in a real window, and report what is where.

``python -m tests.app.step_probe LESSON OUT_DIR [--live-after S]`` under an X server (with a
window manager for full screen) opens the lesson, and with the clicker's keys takes a
screenshot of each step: ``question.png``, ``run.png`` (mid-run), ``measured.png``, ``reveal.png``,
``reveal_full.png`` (the reveal's text expanded) and ``code.png`` (the code panel shown);
``facts.json`` holds, per step, the rectangles of the parts and the text's pixel sizes. The
way to take the screenshots a teacher looks at (issue 24), and what the layout tests read.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from tests.app.probe_window import lesson_probe_main


def _rect(widget: Any) -> list[int] | None:
    if not widget.isVisible() or widget.height() == 0:
        return None
    top_left = widget.mapToGlobal(widget.rect().topLeft())
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]


def _facts(window: Any) -> dict[str, Any]:
    from PySide6.QtGui import QFontInfo

    panel = window.quiz.panel
    code = window.code
    return {
        "step": window.classroom.quiz.step.value if window.classroom.quiz else None,
        "timelines": [_rect(t) for t in window.timelines.values() if _rect(t) is not None],
        "row_px": [t._geometry.row_px for t in window.timelines.values() if t.isVisible()],
        "header": _rect(window.header),
        "header_text": window.header.text(),
        "header_px": QFontInfo(window.header.font()).pixelSize(),
        "panel": _rect(panel),
        "question": _rect(panel.question),
        "question_px": QFontInfo(panel.question.font()).pixelSize(),
        "choices": _rect(panel.choices),
        "choices_px": QFontInfo(panel.choices.font()).pixelSize(),
        "reveal": _rect(panel.reveal),
        "aside": _rect(panel.aside),
        "aside_fits": panel.aside.fits(),
        "verdict": _rect(window.verdict),
        "legend": _rect(window.legend),
        "replay": _rect(window.replay),
        "figures": _rect(window.figure_strip),
        "code": _rect(code),
        "code_browser_px": QFontInfo(code.browser.font()).pixelSize(),
        "code_widest_line_shown": code.widest_line_shown(),
        "strip": panel.strip.full_text() if panel.strip.isVisible() else None,
        "status": window.statusBar().currentMessage(),
    }


async def _probe(window: Any, lesson: str, out: Path, live_after: float) -> dict[str, Any]:
    screen = window.screen()
    facts: dict[str, Any] = {}

    async def shot(name: str, settle: float = 0.5) -> None:
        await asyncio.sleep(settle)
        screen.grabWindow(0).save(str(out / f"{name}.png"))
        facts[name] = _facts(window)

    window.open_scenario_file(lesson)
    await shot("question", 0.8)
    window.quiz.next_action.trigger()  # Page Down: run
    await asyncio.sleep(live_after)
    await shot("run", 0)
    await window.wait_idle()
    await shot("measured")
    window.quiz.next_action.trigger()  # Page Down: reveal
    await shot("reveal", 0.8)
    window.quiz.expand_action.trigger()  # B
    await shot("reveal_full")
    window.quiz.expand_action.trigger()
    window.code_action.trigger()  # C
    await shot("code", 0.8)
    window.code_action.trigger()
    geometry = screen.geometry()
    facts["screen"] = [geometry.x(), geometry.y(), geometry.width(), geometry.height()]
    facts["full_screen"] = window.isFullScreen()
    return facts


def main(argv: list[str]) -> int:
    return lesson_probe_main(argv, _probe, live_after=0.3)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
