"""The desk window (not presentation mode) at the screen's size, showing a lesson's recorded
runs, and what is where: ``python -m tests.app.desk_probe OUT_DIR [N]`` under an X server
with a window manager writes ``OUT_DIR/desk.png`` and ``OUT_DIR/facts.json`` (the screen,
the window, the lanes, the two docks, the legend and the replay bar, in screen coordinates).
Lesson ``N`` (9 by default) is one of ``tests/app/recorded``: no run, the same picture every
time. The way to look at the desk at 1280×720, and what ``test_desk_xvfb.py`` reads.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.app.probe_window import open_window, probe_and_close
from tests.app.recorded_runs import load_runs, run_from_data


def _rect(widget) -> list[int] | None:
    if not widget.isVisible():
        return None
    top_left = widget.mapToGlobal(widget.rect().topLeft())
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]


async def _probe(window, number: int, out: Path) -> dict:
    from app.session import Side
    from app.session.state import Kept

    path, runs = load_runs(number)
    window.set_compare(len(runs) > 1)
    scenario_file = path.read_text()
    by = "workers" if 'by = "worker"' in scenario_file else "requests"
    window.set_by(by)
    kept = {Side.A: run_from_data(runs[0], 0), Side.B: None}
    if len(runs) > 1:
        kept[Side.B] = run_from_data(runs[1], 0)
    window.session.restore(Kept(kept, {Side.A: [], Side.B: []}, Side.A, None))
    for _ in range(5):  # maximised by the window manager, laid out, painted
        await asyncio.sleep(0.2)
    window.repaint()
    screen = window.screen()
    screen.grabWindow(0).save(str(out / "desk.png"))
    geometry = screen.availableGeometry()
    frame = window.frameGeometry()
    return {
        "screen": [geometry.x(), geometry.y(), geometry.width(), geometry.height()],
        "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
        "timelines": [_rect(t) for t in window.timelines.values() if t.isVisible()],
        "docks": [_rect(dock) for dock in window.docks],
        "legend": _rect(window.legend),
        "replay": _rect(window.replay),
        "text_px": window.timeline.font().pixelSize() or window.timeline.font().pointSizeF(),
    }


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    number = int(argv[1]) if len(argv) > 1 else 9
    _application, loop, window = open_window(out, presentation=False)
    return probe_and_close(loop, window, _probe(window, number, out), out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
