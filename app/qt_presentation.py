"""Presentation mode and the light/dark theme: how the window looks on a projector.

Presentation mode enlarges the application font, goes full screen in the dark theme and
moves the dials aside; leaving it restores what was there before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QFont

from .qt_application import current_application
from .theme import DARK, LIGHT, Theme

if TYPE_CHECKING:
    from .qt_main_window import QtMainWindow

__all__ = ["PRESENTATION_POINT_SIZE", "PresentationMode", "heading_font"]

PRESENTATION_POINT_SIZE = 20.0


def heading_font(base: QFont, point_size: float | None = None) -> QFont:
    """The bold, larger font of the header and the verdict."""
    font = QFont(base)
    font.setPointSizeF((point_size or font.pointSizeF()) * 1.25)
    font.setBold(True)
    return font


class PresentationMode:
    """Switches ``window`` in and out of presentation mode, and between themes."""

    def __init__(self, window: QtMainWindow) -> None:
        self.window = window
        self.normal_point_size = current_application().font().pointSizeF()
        self._dials_were_visible = True

    @property
    def theme(self) -> Theme:
        """The theme in use: dark in presentation mode or when chosen."""
        w = self.window
        return DARK if w.presentation_action.isChecked() or w.dark_action.isChecked() else LIGHT

    def set_on(self, on: bool) -> None:
        w = self.window
        w.presentation_action.setChecked(on)
        size = PRESENTATION_POINT_SIZE if on else self.normal_point_size
        app = current_application()
        font = app.font()
        font.setPointSizeF(size)
        # Widgets follow the application font unless they chose their own (the header and
        # the metrics' big figures scale from it themselves).
        app.setFont(font)
        w.header.setFont(heading_font(font, size))
        w.verdict.setFont(heading_font(font, size))
        dials_dock = w.docks[0]
        if on:
            # The lanes are the show: the dials step aside (View ▸ Dials brings them back;
            # F5 runs them as they are).
            self._dials_were_visible = dials_dock.isVisible()
            dials_dock.hide()
            w.apply_theme(DARK)
            w.showFullScreen()
        else:
            dials_dock.setVisible(self._dials_were_visible)
            w.apply_theme(self.theme)
            w.showNormal()

    def follow_dark_action(self) -> None:
        self.window.apply_theme(self.theme)
