"""A ``QGuiApplication`` for painting pictures where no window was opened (the CLI)."""

from __future__ import annotations

import os
import sys

from PySide6.QtGui import QGuiApplication

from simulator.errors import LanesError

__all__ = ["ensure_gui_application"]

_app: QGuiApplication | None = None  # kept alive for the process when we had to make one


def ensure_gui_application() -> QGuiApplication:
    """The running ``QGuiApplication``, or a new one (offscreen when there is no display)."""
    global _app
    app = QGuiApplication.instance()
    if app is not None:
        if not isinstance(app, QGuiApplication):
            raise LanesError("pictures need a QGuiApplication, and a plain QCoreApplication runs")
        return app
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication(["async-lanes"])
    return _app
