"""Run a lesson in presentation mode in a real window and report what is where.

Started by ``test_presentation_xvfb.py`` as ``python -m tests.app.presentation_probe
LESSON OUT_DIR [--live-after S]`` under an X server: it writes ``live.png`` (the screen
mid-run), ``done.png`` (after the run) and ``facts.json`` (the screen's and the window's
geometry, where the lanes, the legend and the replay bar are, the text's pixel size). Also
the way to take the screenshots a teacher would look at.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.app.probe_window import lesson_probe_main


def _rect(widget) -> list[int] | None:
    if not widget.isVisible():
        return None
    top_left = widget.mapToGlobal(widget.rect().topLeft())
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]


async def _probe(window, lesson: str, out: Path, live_after: float) -> dict:
    window.open_scenario_file(lesson)
    await asyncio.sleep(0.5)  # mapped, full screen, laid out
    window.start_run()
    await asyncio.sleep(live_after)
    screen = window.screen()
    screen.grabWindow(0).save(str(out / "live.png"))
    await window.wait_idle()
    await asyncio.sleep(0.6)  # the final frame painted
    screen.grabWindow(0).save(str(out / "done.png"))
    geometry = screen.geometry()
    timelines = [_rect(t) for t in window.timelines.values()]
    return {
        "screen": [geometry.x(), geometry.y(), geometry.width(), geometry.height()],
        "frame": [
            window.frameGeometry().x(),
            window.frameGeometry().y(),
            window.frameGeometry().width(),
            window.frameGeometry().height(),
        ],
        "full_screen": window.isFullScreen(),
        "timelines": [t for t in timelines if t is not None],
        "rows": [len(t.rows) for t in window.timelines.values() if t.isVisible()],
        "row_px": [t._geometry.row_px for t in window.timelines.values() if t.isVisible()],
        "lanes_top": [t._geometry.lanes_top for t in window.timelines.values() if t.isVisible()],
        "legend": _rect(window.legend),
        "replay": _rect(window.replay),
        "figures": _rect(window.figure_strip),
        "figures_text": window.figure_strip.text(),
        "text_px": window.timeline.font().pixelSize(),
        "by": window.timeline.by,
        "dark": window.timeline.theme.dark,
    }


def main(argv: list[str]) -> int:
    return lesson_probe_main(argv, _probe, live_after=0.5)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
