"""The real window a probe drives (``python -m tests.app.<probe>`` under an X server): one
way to open it, with its settings beside the probe's output (the user's are never touched,
nothing is left in the temp folder), and one way to end it once the probe has its facts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any


def open_window(
    out: Path, *, runner: Any = None, presentation: bool = True
) -> tuple[Any, Any, Any]:
    """``(application, loop, window)``: the window shown (in presentation mode unless
    ``presentation`` is false: the desk, at its first start maximised) on a qasync loop, its
    settings in ``out/settings.ini``. Keep the application referenced."""
    import qasync
    from PySide6.QtCore import QSettings

    from app.main import create_application
    from app.window.main_window import QtMainWindow

    out.mkdir(parents=True, exist_ok=True)
    application = create_application([])
    application.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(application)
    asyncio.set_event_loop(loop)
    settings = QSettings(str(out / "settings.ini"), QSettings.Format.IniFormat)
    extra = {} if runner is None else {"runner": runner}
    window = QtMainWindow(settings=settings, **extra)
    window.show()
    if presentation:
        window.presentation_action.trigger()
    return application, loop, window


def probe_and_close(
    loop: Any, window: Any, probe: Coroutine[Any, Any, dict[str, Any]], out: Path
) -> int:
    """Run ``probe`` on the window, close it once its runs are over, write ``facts.json``."""
    with loop:
        facts = loop.run_until_complete(probe)
        window.close()
        loop.run_until_complete(window.session.wait())
    (out / "facts.json").write_text(json.dumps(facts, indent=1))
    return 0


def lesson_probe_main(
    argv: list[str],
    probe: Callable[[Any, str, Path, float], Coroutine[Any, Any, dict[str, Any]]],
    live_after: float,
) -> int:
    """``LESSON OUT [--live-after S]``: ``probe(window, lesson, out, live_after)`` on a
    fresh window (``live_after`` by default), its facts in ``OUT/facts.json``."""
    lesson, out = argv[0], Path(argv[1])
    if "--live-after" in argv:
        live_after = float(argv[argv.index("--live-after") + 1])
    _application, loop, window = open_window(out)
    return probe_and_close(loop, window, probe(window, lesson, out, live_after), out)
