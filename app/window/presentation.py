"""Presentation mode and the light/dark theme: how the window looks on a projector.

Presentation mode fits the screen, sizes text from the screen's height, moves the dials and
the results panel aside for a line of the lesson's figures; leaving it restores what was
there before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QFont, QFontInfo
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.fonts import heading_font, scaled_font
from app.qt_application import current_application
from app.session.view import View
from app.theme import DARK, LIGHT, Theme
from app.timeline.grouping import ROW_FLOOR_PX
from app.timeline.labels import SMALLEST, named_row_px
from app.widgets.code_panel import QtCode

__all__ = [
    "FIGURES_SCALE",
    "CodeInCentre",
    "ROW_TEXT_SCALE",
    "PresentationMode",
    "presentation_row_px",
    "presentation_text_px",
]

#: The screen's height over the text's pixel size in presentation mode: 16 px at 720p,
#: 24 px at 1080p, 48 px at 2160p (a back row reads 24 px on a 1080p projector).
SCREEN_LINES = 45
MIN_TEXT_PX = 16
#: The figures' line over the body text: the numbers a lesson asks the class to read
#: (threads held, failed, loop blocked) were the smallest text on a 720p projector, 16 px
#: under a 20 px verdict. As large as the reveal's strip (1.25) it took the lanes under 65%
#: of a 720p screen; at 18 px they keep it. Fewer figures fit on the line: the lesson's first.
FIGURES_SCALE = 1.125


def presentation_text_px(screen_height: int) -> int:
    """The application font's pixel size in presentation mode on a screen this tall."""
    return max(MIN_TEXT_PX, round(screen_height / SCREEN_LINES))


#: The smallest a row's label is in presentation mode, against the text a back row reads:
#: the smallest the labels' font gets anywhere (one number, the label column's).
ROW_TEXT_SCALE = SMALLEST


def presentation_row_px(base: QFont, screen_height: int) -> float:
    """The thinnest a lane's row is drawn in presentation mode: one line of
    :data:`ROW_TEXT_SCALE` of the text a back row reads (:func:`presentation_text_px`), so
    no row's label is written smaller (:func:`~app.timeline.labels.named_row_px`, the one
    rule). At the old 12 px floor lesson 9's thirty threads at 1280×720 were named in 11 px;
    at a whole line of text, lesson 8's eight threads a side no longer fitted, and its count
    of threads, the answer, was drawn as "threads 1–3 alike"."""
    font = QFont(base)
    font.setPixelSize(presentation_text_px(screen_height))
    return named_row_px(font, ROW_FLOOR_PX)


class PresentationMode:
    """Switches ``window`` in and out of presentation mode, and between themes.

    Presentation mode fills the screen the window is on, whatever its size (1280×720 to
    3840×2160): text is sized from the screen's height, the dials and the results panel step
    aside, as do the menu bar and the by-request/by-thread tabs (their shortcuts still work;
    F5 runs the dials as they are), and a line of the lesson's few figures takes the panel's
    place, so the lanes get most of the screen. The
    theme stays the one chosen: light by default, which a daylit room does not wash out.
    """

    def __init__(
        self,
        window: QMainWindow,
        *,
        view: View,
        headings: Sequence[QLabel],
        docks: Sequence[QDockWidget],
        strip: QWidget,
        aside: Sequence[QWidget],
        apply_theme: Callable[[Theme], None],
    ) -> None:
        """``headings`` take the heading font, ``strip`` (the figures' line) shows only in
        presentation mode, ``aside`` (with the docks and the menu bar) only outside it."""
        self.window = window
        self.view = view
        self._headings, self._docks, self._strip, self._aside = headings, docks, strip, aside
        self._apply_theme = apply_theme
        self.normal_font = QFont(current_application().font())
        self._docks_were_visible = [True for _ in docks]
        #: Whether the window was maximised, or full screen, before presentation mode: it
        #: goes back so, and the next start opens so (``settings.save_window``; the desk's
        #: geometry says full screen itself).
        self.was_maximized = False
        self.was_full_screen = False
        #: The window's geometry and docks as they were before presentation mode: what is
        #: saved for the next start, so the desk finds its dials after a lesson.
        self.normal_geometry: QByteArray | None = None
        self.normal_state: QByteArray | None = None

    @property
    def on(self) -> bool:
        return self.view.presentation

    @property
    def theme(self) -> Theme:
        """The theme in use: dark only when chosen (View ▸ Dark)."""
        return DARK if self.view.dark else LIGHT

    @property
    def desk(self) -> tuple[QByteArray, QByteArray] | None:
        """The geometry and dock state from before presentation mode, while it is on."""
        if self.on and self.normal_geometry is not None and self.normal_state is not None:
            return self.normal_geometry, self.normal_state
        return None

    def set_on(self, on: bool) -> None:
        """Follow the view's presentation mode (``session.view.presentation``)."""
        w = self.window
        app = current_application()
        screen = w.screen() or app.primaryScreen()
        area = screen.geometry()
        font = QFont(self.normal_font)
        if on:
            font.setPixelSize(presentation_text_px(area.height()))
        # Widgets follow the application font unless they chose their own (the header and
        # the metrics' big figures scale from it themselves).
        app.setFont(font)
        for label in self._headings:
            label.setFont(heading_font(font))
        self._strip.setFont(scaled_font(font, FIGURES_SCALE) if on else font)
        if on:
            # Put full screen by the window manager first (not maximised), the desk is kept
            # too: else the next start had presentation's layout, its dials hidden.
            self.normal_geometry, self.normal_state = w.saveGeometry(), w.saveState()
            self._docks_were_visible = [dock.isVisible() for dock in self._docks]
            self.was_maximized = w.isMaximized()
            self.was_full_screen = w.isFullScreen()
            for dock in self._docks:
                dock.hide()
            # Ctrl+1 / Ctrl+2, F5, Ctrl+R, F11... still work (the actions are the window's own):
            # the tabs and the menu bar give their room to the lanes.
            for widget in self._aside:
                widget.hide()
            w.menuBar().hide()
            self._strip.show()
            self._apply_theme(self.theme)
            # Full screen needs a window manager; without one the geometry still fits.
            w.setGeometry(area)
            w.showFullScreen()
        else:
            for dock, visible in zip(self._docks, self._docks_were_visible, strict=True):
                dock.setVisible(visible)
            self._strip.hide()
            for widget in self._aside:
                widget.show()
            w.menuBar().show()
            self._apply_theme(self.theme)
            if self.was_full_screen:
                w.showFullScreen()
            elif self.was_maximized:
                w.showMaximized()
            else:
                w.showNormal()


#: The tallest the code panel may be in the centre column, as a share of the screen: the lanes
#: keep the rest (the lesson views are at most a dozen lines).
CODE_SHARE = 0.4


class CodeInCentre:
    """The code panel in presentation mode: out of the hidden Results tabs, into the centre
    under the lanes (and the reveal's text beside them), as wide as the screen, its
    monospace text as large as its widest line allows (lesson 12 asks the class to find the
    line there). Back in its tab after."""

    def __init__(self, code: QtCode, tabs: QTabWidget, column: QVBoxLayout, above: QWidget) -> None:
        """``column``: the layout under the lanes; ``above``: the widget in it the panel goes
        above (the legend)."""
        self.code, self._tabs, self._column, self._above = code, tabs, column, above
        self._tab: tuple[int, str] | None = None  # where it was among the tabs, while out

    @property
    def shown(self) -> bool:
        return self._tab is not None

    def set_shown(self, shown: bool) -> None:
        if shown == self.shown:
            if shown:
                self.fit()
            return
        code = self.code
        if shown:
            index = self._tabs.indexOf(code)
            self._tab = (index, self._tabs.tabText(index))
            self._tabs.removeTab(index)
            self._column.insertWidget(self._column.indexOf(self._above), code, 0)
            code.show()
            self.fit()
        else:
            assert self._tab is not None
            index, title = self._tab
            self._tab = None
            self._column.removeWidget(code)
            code.set_fit(None)
            self._tabs.insertTab(index, code, title)

    def fit(self) -> None:
        """The code's size for the body text now (presentation mode sets it from the screen)."""
        height = self.code.screen().geometry().height() if self.code.screen() else 720
        body = QFontInfo(current_application().font()).pixelSize()
        self.code.set_fit(body, round(height * CODE_SHARE))
