"""The one QApplication of the process, typed as what it is.

``QApplication.instance()`` is typed as the base ``QCoreApplication | None``; the window's code
needs fonts, icons and palettes, which only a ``QApplication`` has.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtWidgets import QApplication

__all__ = ["current_application"]


def current_application() -> QApplication:
    """The running QApplication; a RuntimeError if there is none (a widget needs one)."""
    app = QApplication.instance()
    if app is None:
        raise RuntimeError("no QApplication: create one before any widget")
    return cast(QApplication, app)
