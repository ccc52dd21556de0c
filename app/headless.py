"""An application for painting pictures where no window was opened (the CLI).

It is a ``QApplication`` (widgets-capable), not a bare ``QGuiApplication``: a process that drew a
picture may open a widget later (the tests do), and Qt aborts a widget made under a
``QGuiApplication``.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app.qt_environment import prepare_qt_environment
from simulator.errors import LanesError

__all__ = ["ensure_gui_application"]

_app: QGuiApplication | None = None  # kept alive for the process when we had to make one


def ensure_gui_application() -> QGuiApplication:
    """The running ``QGuiApplication``, or a new one on the offscreen platform.

    Pictures never need a display: a ``DISPLAY`` that is set but unusable (a closed SSH
    tunnel, a dead Xvfb) would otherwise make Qt abort the process, and the run with it.
    """
    global _app
    app = QGuiApplication.instance()
    if app is not None:
        if not isinstance(app, QGuiApplication):
            raise LanesError("pictures need a QGuiApplication, and a plain QCoreApplication runs")
        return app
    prepare_qt_environment()
    _app = QApplication(["async-lanes", "-platform", "offscreen"])
    return _app
