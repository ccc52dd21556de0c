"""The code panel: the source of the lesson view being run, taken from the real function.

The text comes from :func:`simulator.view_code.view_code` (the view's lines in
``embedded_site/views.py``, exactly what ``inspect`` gives for the function the site serves,
read without booting Django; the ``with measured(...)`` scaffolding taken out), so what the
class reads is what the server runs, as a Django developer writes it. A hovered or replayed segment
highlights the line it belongs to (:meth:`QtCode.highlight_file_line`). Pygments
highlights it into inline-styled HTML for a read-only ``QTextBrowser``.
"""

from __future__ import annotations

import html
import math
import re

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer
from pygments.styles import get_style_by_name
from pygments.token import Text
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontInfo, QPalette, QResizeEvent
from PySide6.QtWidgets import QLabel, QStyle, QTextBrowser, QVBoxLayout, QWidget

from simulator.catalog import lesson_views, view_info
from simulator.view_code import ViewCode, view_code

__all__ = ["FIT_RANGE", "QtCode", "highlight_python"]

#: When fitted to its width (presentation mode), the code's size ranges over these shares of
#: the body text's: as large as the widest line allows, never so small the back row loses it.
FIT_RANGE = (0.7, 1.5)

#: Pygments styles for a light and a dark window (both ship with Pygments >= 2.17).
LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"
#: The background of the line a segment belongs to, by style: visible from the back row.
HIGHLIGHT = {LIGHT_STYLE: "#ffd54a", DARK_STYLE: "#8a6d00"}


def highlight_python(source: str, style: str, line: int | None = None) -> str:
    """``source`` as HTML with inline colours in Pygments ``style``, numbered from 1, with
    ``line`` (1-based) on the style's highlight background."""
    formatter = HtmlFormatter(
        noclasses=True,
        nowrap=False,
        style=style,
        linenos="inline",
        hl_lines=[line] if line else [],
        # Qt's rich text knows no line-height; keep Pygments' default out of the way.
        prestyles="margin: 0",
    )
    # Qt's rich text ignores the padding Pygments puts around inline line numbers.
    html_text = _LINENO.sub(r"\1&nbsp;&nbsp;</span>", highlight(source, PythonLexer(), formatter))
    # The styles' own highlight is too pale for a projector: a strong amber marks the line.
    faint = get_style_by_name(style).highlight_color
    return html_text.replace(f"background-color: {faint}", f"background-color: {HIGHLIGHT[style]}")


_LINENO = re.compile(r'(<span style="[^"]*padding-right: 5px;">\s*\d+)</span>')


class QtCode(QWidget):
    """The source of one lesson view, highlighted, under its one-line description.

    Parameters
    ----------
    view
        Name of the lesson view to show (see :func:`simulator.catalog.lesson_views`), or
        ``None`` for an empty panel.
    dark
        Colour the code for a dark window.

    Attributes
    ----------
    view_name : str | None
        The view shown (also when it is unknown and the panel shows a message instead).
    dark : bool
        Whether the code is coloured for a dark window.
    heading : QLabel
        The view's description (or what went wrong).
    browser : QTextBrowser
        The code itself, read-only.
    """

    def __init__(
        self, view: str | None = None, parent: QWidget | None = None, *, dark: bool = False
    ) -> None:
        super().__init__(parent)
        self.view_name: str | None = None
        self.dark = dark
        self._source: str | None = None
        self._code: ViewCode | None = None
        #: The shown line highlighted (1-based), or None.
        self.highlighted: int | None = None
        #: Fitting to the width (:meth:`set_fit`): the body text's pixel size and the
        #: tallest the panel may be; ``None``: the panel's own font, in a dock.
        self._fit: tuple[int, int] | None = None
        self._code_px: int | None = None

        self.heading = QLabel(self)
        self.heading.setObjectName("code_heading")
        self.heading.setWordWrap(True)
        self.heading.setContentsMargins(4, 2, 4, 4)
        heading_font = QFont(self.font())
        heading_font.setBold(True)
        self.heading.setFont(heading_font)

        self.browser = QTextBrowser(self)
        self.browser.setObjectName("code_browser")
        self.browser.setReadOnly(True)
        self.browser.setOpenLinks(False)
        self.browser.setLineWrapMode(QTextBrowser.LineWrapMode.NoWrap)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.browser, 1)

        self._update_fonts()
        self._update_colors()
        if view is not None:
            self.set_view(view)

    @property
    def background(self) -> QColor:
        """The code's background colour in the current style."""
        return QColor(get_style_by_name(self._style_name()).background_color)

    def set_view(self, name: str) -> None:
        """Show the source of the lesson view ``name``; an unknown name shows a message."""
        self.view_name = name
        try:
            info = view_info(name)
        except KeyError:
            self._source = None
            self.heading.setText(f"No lesson view called “{name}”")
            self.heading.setToolTip("")
            known = ", ".join(lesson_views())
            self.browser.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)
            self.browser.setHtml(
                f"<p>There is no view called <b>{html.escape(name)}</b> in the embedded site, "
                f"so there is no code to show.</p><p>Known views: {html.escape(known)}</p>"
            )
            return
        self._code = view_code(name)
        self._source = self._code.text
        self.highlighted = None
        self.heading.setText(info.description)
        self.heading.setToolTip(f"{info.name}: {'async' if info.is_async else 'sync'} view")
        self._update_code()

    def highlight_file_line(self, view: str | None, file_line: int | None) -> None:
        """Highlight the line of view ``view`` that was line ``file_line`` of views.py (a
        hovered or replayed segment's); showing that view first if another one is shown.
        ``None`` clears the highlight."""
        if view is not None and file_line is not None and view != self.view_name:
            self.set_view(view)
        line = self._code.line_for(file_line) if self._code is not None else None
        if view is not None and view != self.view_name:
            line = None
        if line != self.highlighted:
            self.highlighted = line
            self._update_code()

    def set_dark(self, dark: bool) -> None:
        """Colour the code for a dark (``True``) or a light window."""
        if dark == self.dark:
            return
        self.dark = dark
        self._update_colors()
        self._update_code()

    def set_fit(self, body_px: int | None, max_height: int = 0) -> None:
        """Fit the code to the panel's width: the largest monospace size (within
        :data:`FIT_RANGE` of ``body_px``) whose widest line shows whole and whose lines fit in
        ``max_height``, and the panel as tall as its lines, so no line is clipped or scrolled
        to. ``None``:
        back to the panel's font and the height its place gives it."""
        self._fit = (body_px, max_height) if body_px is not None else None
        if body_px is None:
            self._code_px = None
            self.browser.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
            self.setMinimumHeight(0)
            self.setMaximumHeight(16_777_215)
            self._update_fonts()
            return
        self._refit()

    def widest_line_shown(self) -> bool:
        """Whether the widest line of the code shows whole, with no scrolling sideways."""
        document = self.browser.document()
        return document.idealWidth() <= self.browser.viewport().width() + 0.5

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit is not None and event.size().width() != event.oldSize().width():
            self._refit()

    def _refit(self) -> None:
        if self._fit is None:
            return
        body_px, max_height = self._fit
        low, high = (max(8, round(body_px * share)) for share in FIT_RANGE)
        frame = 2 * self.browser.frameWidth()
        # Room for a vertical scroll bar too: one shows for a moment while the panel grows
        # to its lines' height, and would push the widest line under a sideways one.
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        room = self.width() - frame - bar
        heading = max(self.heading.heightForWidth(self.width()), 0)
        layout = self.layout()
        spacing = max(layout.spacing(), 0) if layout is not None else 0
        document = self.browser.document()  # no wrapping: its height is its lines'
        for px in range(high, low - 1, -1):
            self._code_px = px
            self._update_fonts()
            height = math.ceil(document.size().height()) + frame + heading + spacing + 4
            # The widest line whole, and every line without scrolling (when it can be).
            tall = 0 < max_height < height
            if document.idealWidth() <= room and not tall:
                break
        capped = 0 < max_height < height
        self.setFixedHeight(max_height if capped else height)
        self.browser.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAsNeeded
            if capped
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._update_fonts()
        super().changeEvent(event)

    def _style_name(self) -> str:
        return DARK_STYLE if self.dark else LIGHT_STYLE

    def _update_code(self) -> None:
        if self._source is None:
            return
        scroll = self.browser.verticalScrollBar().value()
        self.browser.setLineWrapMode(QTextBrowser.LineWrapMode.NoWrap)
        self.browser.setHtml(highlight_python(self._source, self._style_name(), self.highlighted))
        self.browser.verticalScrollBar().setValue(scroll)

    def _update_colors(self) -> None:
        """The browser's background (and plain text) in the style's colours."""
        style = get_style_by_name(self._style_name())
        palette = self.browser.palette()
        palette.setColor(QPalette.ColorRole.Base, QColor(style.background_color))
        text = style.style_for_token(Text).get("color")
        palette.setColor(
            QPalette.ColorRole.Text,
            QColor(f"#{text}") if text else QColor("#f0f0f0" if self.dark else "#000000"),
        )
        self.browser.setPalette(palette)

    def _update_fonts(self) -> None:
        """A fixed-pitch font as large as the panel's (presentation mode enlarges it)."""
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        size = self.font().pointSizeF()
        if self._code_px is not None:
            fixed.setPixelSize(self._code_px)
        elif size > 0:
            fixed.setPointSizeF(size)
        elif self.font().pixelSize() > 0:  # presentation mode's pixel-sized text
            fixed.setPixelSize(self.font().pixelSize())
        self.browser.setFont(fixed)
        self.browser.document().setDefaultFont(fixed)
        self.browser.document().setDocumentMargin(max(4.0, QFontInfo(fixed).pixelSize() * 0.5))
        heading_font = QFont(self.font())
        heading_font.setBold(True)
        self.heading.setFont(heading_font)
